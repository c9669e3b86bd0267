"""The path split of a total effect (app.models.flow) as horizontal bars, one per directed path,
with the total as a dashed rule. Clicking a bar selects its path (point selection PATH_PICK)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from app.charts.interventions import COUNTERFACTUAL, DOING, MONOTONE

PATH_PICK = "path"
OTHERS = "other paths"
ROW_PX = 30
LINE_PX = 15          # each further line of a wrapped path label
LINE_CHARS = 32       # a path label wraps before an arrow once a line is this long
MIN_HEIGHT = 120


def wrapped(path: str) -> str:
    """A path's text broken before an arrow into lines of about LINE_CHARS characters, so the
    labels leave the bars room in a narrow column (the chart splits the label at each newline)."""
    steps = path.split(" → ")
    lines = [steps[0]]
    for step in steps[1:]:
        if len(lines[-1]) + 3 + len(step) > LINE_CHARS:
            lines.append(f"→ {step}")
        else:
            lines[-1] += f" → {step}"
    return "\n".join(lines)


def flow_table(result) -> pd.DataFrame:
    """One row per listed path (and one for the remaining paths, if any): text, effect, sign."""
    rows = [{"path": p.text, "effect": p.effect, "share": result.share(p),
             "sign": "raises" if p.effect >= 0 else "lowers"} for p in result.paths]
    if result.n_other:
        rows.append({"path": f"{OTHERS} ({result.n_other})", "effect": result.other_effect,
                     "share": None, "sign": "raises" if result.other_effect >= 0 else "lowers"})
    for row in rows:
        row["label"] = wrapped(row["path"])
    return pd.DataFrame(rows, columns=["path", "effect", "share", "sign", "label"])


def flow_chart(result, *, current: str | None = None, width: int = 460) -> alt.Chart:
    """Signed bars of each path's effect, labelled with the path; the total as a dashed rule.
    `current` (a path text) is drawn opaque, the others faded."""
    data = flow_table(result)
    order = list(data["label"])
    lines = max((label.count("\n") + 1 for label in order), default=1)
    row_px = ROW_PX + LINE_PX * (lines - 1)
    height = max(MIN_HEIGHT, row_px * len(order) + 40)
    pick = alt.selection_point(name=PATH_PICK, fields=["path"], on="click")
    lo = min(0.0, result.total, *(data["effect"] if len(data) else [0.0]))
    hi = max(0.0, result.total, *(data["effect"] if len(data) else [0.0]))
    pad = 0.08 * ((hi - lo) or 1.0)
    scale = alt.Scale(domain=[lo - pad, hi + pad])
    # short lines: a narrow column's plot is narrow, and a title line is not wrapped for us
    title = [f"effect on {result.effect}", "of one more unit", f"of {result.cause}"]
    x = alt.X("effect:Q", title=title, scale=scale)
    y = alt.Y("label:N", sort=order, title=None,
              axis=alt.Axis(labelLimit=260, labelFontSize=12,
                            labelExpr="split(datum.value, '\\n')"))
    opacity = (alt.condition(alt.datum.path == current, alt.value(1.0), alt.value(0.45))
               if current is not None else alt.value(0.9))
    tooltip = ["path:N", alt.Tooltip("effect:Q", format="+.4g"),
               alt.Tooltip("share:Q", format=".0%")]
    bars = alt.Chart(data).mark_bar(height=ROW_PX * 0.7).encode(
        x=x, y=y, opacity=opacity, tooltip=tooltip,
        color=alt.Color("sign:N", scale=alt.Scale(domain=["raises", "lowers"],
                                                  range=[DOING, COUNTERFACTUAL]),
                        legend=alt.Legend(orient="bottom", title=None)))
    # a band across each whole row takes the clicks, so a path whose bar is too thin to hit can
    # still be chosen; it is invisible except behind the current path, which it marks
    band = (alt.condition(alt.datum.path == current, alt.value(0.10), alt.value(0.0))
            if current is not None else alt.value(0.0))
    rows = alt.Chart(data.assign(lo=lo - pad, hi=hi + pad)).mark_bar(
        height=row_px, color=MONOTONE, cursor="pointer").encode(
        x=alt.X("lo:Q", scale=scale, title=title), x2="hi:Q", y=y, tooltip=tooltip,
        opacity=band,
    ).add_params(pick)
    total = alt.Chart(pd.DataFrame({"effect": [result.total], "label": [f"total {result.total:+.4g}"]}))
    rule = total.mark_rule(color=MONOTONE, strokeWidth=2, strokeDash=[6, 4]).encode(
        x="effect:Q", tooltip=[alt.Tooltip("effect:Q", title="total effect", format="+.4g")])
    label = total.mark_text(align="left", dx=4, dy=-6, color=MONOTONE, fontWeight="bold").encode(
        x="effect:Q", y=alt.value(0), text="label:N")
    zero = alt.Chart(pd.DataFrame({"effect": [0.0]})).mark_rule(color="#9ca3af").encode(x="effect:Q")
    return (zero + bars + rule + label + rows).properties(width=width, height=height)


def picked_path(selection: Mapping | None) -> str | None:
    """The path text of the clicked bar (None when nothing is clicked)."""
    state = (selection or {}).get(PATH_PICK) if isinstance(selection, Mapping) else None
    if isinstance(state, Sequence) and state and isinstance(state[0], Mapping):
        return state[0].get("path")
    return None
