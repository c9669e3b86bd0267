"""The classroom's answer chart: one bar per distinct answer, right answers green."""
from __future__ import annotations

import altair as alt
import pandas as pd

from app.classroom.summary import Summary


def summary_chart(summary: Summary, *, show_correct: bool = True, height: int | None = None):
    """Altair bar chart of the answer distribution; right answers green when `show_correct`."""
    rows = [{"answer": a.label, "students": a.count,
             "verdict": ("right" if a.correct else "wrong") if show_correct else "answer"}
            for a in summary.distribution]
    df = pd.DataFrame(rows, columns=["answer", "students", "verdict"])
    colours = (alt.Scale(domain=["right", "wrong"], range=["#2e7d32", "#c62828"])
               if show_correct else alt.Scale(domain=["answer"], range=["#1f77b4"]))
    order = [r["answer"] for r in rows]
    top = max([r["students"] for r in rows], default=1)
    base = alt.Chart(df).encode(
        y=alt.Y("answer:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=320, labelFontSize=14)),
        x=alt.X("students:Q", title="students", scale=alt.Scale(domain=[0, top * 1.12]),
                axis=alt.Axis(tickMinStep=1, format="d")),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("verdict:N", scale=colours, legend=alt.Legend(title=None)
                        if show_correct else None),
        tooltip=["answer", "students"])
    labels = base.mark_text(align="left", dx=4, fontSize=14).encode(text="students:Q")
    return (bars + labels).properties(height=height or max(80, 36 * max(1, len(rows))))
