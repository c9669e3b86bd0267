"""Attributions (app.attribution) as ranked horizontal bars, one per upstream node, with the
total as a dashed rule and ± 2 standard errors when the values were sampled. Clicking a row
selects its node (point selection NODE_PICK), which the Explain page lights up on the graph."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from app.charts.interventions import COUNTERFACTUAL, DOING, MONOTONE

NODE_PICK = "node"
ROW_PX = 28
MIN_HEIGHT = 120


def attribution_table(parts: Sequence) -> pd.DataFrame:
    """One row per node (NodeShare): value, share of the total, ± 2 standard errors, sign."""
    rows = [{"node": p.node, "value": p.value, "share": p.share,
             "lo": p.value - 2 * p.std_error, "hi": p.value + 2 * p.std_error,
             "sign": "adds to it" if p.value >= 0 else "takes from it"} for p in parts]
    return pd.DataFrame(rows, columns=["node", "value", "share", "lo", "hi", "sign"])


def attribution_chart(parts: Sequence, total: float, title: str, *, current: str | None = None,
                      width: int = 460) -> alt.Chart:
    """Signed bars of each node's part of `total`, largest first; `current` drawn opaque and
    marked by a band, the others faded. `title` names the measure (the x axis)."""
    data = attribution_table(parts)
    order = list(data["node"])
    height = max(MIN_HEIGHT, ROW_PX * len(order) + 40)
    values = [0.0, total, *data["lo"], *data["hi"]]
    lo, hi = min(values), max(values)
    pad = 0.08 * ((hi - lo) or 1.0)
    scale = alt.Scale(domain=[lo - pad, hi + pad])
    x = alt.X("value:Q", title=title, scale=scale)
    y = alt.Y("node:N", sort=order, title=None, axis=alt.Axis(labelLimit=240, labelFontSize=12))
    tooltip = ["node:N", alt.Tooltip("value:Q", format="+.4g", title="part"),
               alt.Tooltip("share:Q", format=".0%", title="share of the total")]
    opacity = (alt.condition(alt.datum.node == current, alt.value(1.0), alt.value(0.45))
               if current is not None else alt.value(0.9))
    bars = alt.Chart(data).mark_bar(height=ROW_PX * 0.7).encode(
        x=x, y=y, opacity=opacity, tooltip=tooltip,
        color=alt.Color("sign:N", scale=alt.Scale(domain=["adds to it", "takes from it"],
                                                  range=[DOING, COUNTERFACTUAL]),
                        legend=alt.Legend(orient="bottom", title=None)))
    layers = [bars]
    if (data["hi"] > data["lo"]).any():
        layers.append(alt.Chart(data).mark_rule(color=MONOTONE).encode(
            x=alt.X("lo:Q", scale=scale, title=title), x2="hi:Q", y=y,
            tooltip=[alt.Tooltip("lo:Q", format="+.4g", title="−2 s.e."),
                     alt.Tooltip("hi:Q", format="+.4g", title="+2 s.e.")]))
    # a band across each whole row takes the clicks (a tiny bar is hard to hit) and marks the
    # current node
    band = (alt.condition(alt.datum.node == current, alt.value(0.10), alt.value(0.0))
            if current is not None else alt.value(0.0))
    rows = alt.Chart(data.assign(left=lo - pad, right=hi + pad)).mark_bar(
        height=ROW_PX, color=MONOTONE, cursor="pointer").encode(
        x=alt.X("left:Q", scale=scale, title=title), x2="right:Q", y=y, tooltip=tooltip,
        opacity=band).add_params(alt.selection_point(name=NODE_PICK, fields=["node"], on="click"))
    whole = alt.Chart(pd.DataFrame({"value": [total], "label": [f"total {total:+.4g}"]}))
    rule = whole.mark_rule(color=MONOTONE, strokeWidth=2, strokeDash=[6, 4]).encode(
        x="value:Q", tooltip=[alt.Tooltip("value:Q", title="total", format="+.4g")])
    label = whole.mark_text(align="left", dx=4, dy=-6, color=MONOTONE, fontWeight="bold").encode(
        x="value:Q", y=alt.value(0), text="label:N")
    zero = alt.Chart(pd.DataFrame({"value": [0.0]})).mark_rule(color="#9ca3af").encode(x="value:Q")
    return alt.layer(zero, *layers, rule, label, rows).properties(width=width, height=height)


def picked_node(selection: Mapping | None) -> str | None:
    """The node of the clicked row (None when nothing is clicked)."""
    state = (selection or {}).get(NODE_PICK) if isinstance(selection, Mapping) else None
    if isinstance(state, Sequence) and state and isinstance(state[0], Mapping):
        return state[0].get("node")
    return None
