"""Altair chart for the Discover page's experiment ranking: edges each intervention orients."""
from __future__ import annotations

import altair as alt
import pandas as pd

WORST = "at least (worst case)"
AVERAGE = "on average"
BEST = "at most (best case)"
COLORS = {WORST: "#0072B2", AVERAGE: "#56B4E9", BEST: "#d1d5db"}


def ranking_chart(rows: list[dict], undecided: int, height_per_row: int = 26) -> alt.Chart:
    """Grouped horizontal bars, one group per candidate (`rows`: target, worst, expected, best;
    expected may be None), kept in the given (ranked) order, on a 0..undecided axis."""
    long = []
    for r in rows:
        for label, key in ((WORST, "worst"), (AVERAGE, "expected"), (BEST, "best")):
            if r[key] is not None:
                long.append({"intervene on": r["target"], "measure": label, "edges": r[key]})
    data = pd.DataFrame(long, columns=["intervene on", "measure", "edges"])
    present = [m for m in COLORS if m in set(data["measure"])]
    order = [r["target"] for r in rows]
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("intervene on:N", sort=order, title="Intervene on",
                axis=alt.Axis(labelLimit=180)),
        yOffset=alt.YOffset("measure:N", sort=present),
        x=alt.X("edges:Q", title=f"Undecided edges oriented (of {undecided})",
                scale=alt.Scale(domain=[0, max(undecided, 1)]),
                axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("measure:N", sort=present, title=None, legend=alt.Legend(orient="top", direction="vertical"),
                        scale=alt.Scale(domain=present, range=[COLORS[m] for m in present])),
        tooltip=["intervene on:N", "measure:N", alt.Tooltip("edges:Q", format=".2f")],
    ).properties(height=max(1, len(rows)) * height_per_row * len(present) / 2 + 40)
