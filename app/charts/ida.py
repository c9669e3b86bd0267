"""Altair chart for IDA on the Estimate page: the possible effects over an equivalence class,
one row per orientation of the undecided edges at the treatment, with 95% intervals."""
from __future__ import annotations

import altair as alt
import pandas as pd

from app.charts.estimation import ADJUSTED_COLOR, NAIVE_COLOR, _zero_rule

KINDS = ["estimated", "no effect (outcome causes treatment)"]


def ida_table(result) -> pd.DataFrame:
    """One row per possible effect that has a value: its label, kind, value and interval."""
    rows = []
    for e in result.effects:
        if e.value is None:
            continue
        label = "parents: " + (", ".join(e.parents) if e.parents else "none")
        rows.append({"label": label, "kind": KINDS[1] if e.note else KINDS[0], "value": e.value,
                     "ci_low": e.ci_low if e.ci_low is not None else e.value,
                     "ci_high": e.ci_high if e.ci_high is not None else e.value})
    return pd.DataFrame(rows, columns=["label", "kind", "value", "ci_low", "ci_high"])


def ida_chart(result, *, width: int = 520) -> alt.Chart:
    """The possible effects as points with 95% intervals around a dashed zero line; the legend
    tells estimated effects from those that are zero because the outcome is a parent."""
    data = ida_table(result)
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=list(data["label"]), title=f"orientation at {result.treatment}",
                axis=alt.Axis(labelLimit=280)),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=KINDS,
                                                              range=[ADJUSTED_COLOR, NAIVE_COLOR]),
                        legend=alt.Legend(orient="bottom", direction="vertical")),
        tooltip=[alt.Tooltip("label:N", title="orientation"),
                 alt.Tooltip("value:Q", format=",.4g", title="effect"),
                 alt.Tooltip("ci_low:Q", format=",.4g"), alt.Tooltip("ci_high:Q", format=",.4g")])
    bars = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("ci_low:Q", title=f"possible effect of {result.treatment} on {result.outcome} "
                                  "(95% interval)"), x2="ci_high:Q")
    points = base.mark_point(filled=True, size=110).encode(x="value:Q")
    return (bars + points + _zero_rule("x")).properties(width=width, height=alt.Step(36))


__all__ = ["ida_chart", "ida_table"]
