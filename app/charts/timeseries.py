"""Altair charts for time-series discovery: the lag × edge heat map and the series themselves."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from app.timeseries.result import TimeSeriesResult

MAX_EDGE_ROWS = 60      # beyond this the heat map keeps the cells with the strongest links


def lag_heatmap(result: TimeSeriesResult, value: str = "strength", only_found: bool = False,
                cell_width: int = 70) -> alt.LayerChart:
    """Rows = cause → effect, columns = lag; colour = strength (diverging) or bootstrap
    frequency; found links are outlined and marked with a dot. Tooltips give the numbers."""
    if value not in ("strength", "frequency"):
        raise ValueError("value must be 'strength' or 'frequency'")
    cells = result.cells()
    if value == "frequency" and result.frequencies is None:
        value = "strength"
    if cells.empty:
        return alt.Chart(pd.DataFrame({"text": ["No links were tested."]})).mark_text().encode(
            text="text:N")
    cells = cells[~((cells["lag"] == 0) & (cells["cause"] > cells["effect"]))].copy()
    cells["lag_label"] = cells["lag"].map(lambda k: "same time" if k == 0 else f"t-{k}")
    found_edges = set(cells.loc[cells["significant"], "edge"])
    if only_found:
        cells = cells[cells["edge"].isin(found_edges)]
    edges = _edge_order(cells, found_edges)
    cells = cells[cells["edge"].isin(edges)]
    cells["p_text"] = cells["p_value"].map(lambda p: "< 0.001" if p < 0.001 else f"{p:.3f}")
    cells["found"] = np.where(cells["significant"], "yes", "no")
    lag_order = [("same time" if k == 0 else f"t-{k}")
                 for k in range(0 if (cells["lag"] == 0).any() else 1, result.max_lag + 1)]
    scale_max = float(np.nanmax(np.abs(cells["strength"]))) if len(cells) else 1.0
    if value == "strength":
        color = alt.Color("strength:Q", title=result.strength_name,
                          scale=alt.Scale(scheme="redblue", domain=[-scale_max, scale_max],
                                          reverse=True))
    else:
        color = alt.Color("frequency:Q", title="share of resamples",
                          scale=alt.Scale(scheme="greens", domain=[0, 1]))
    tooltip = [alt.Tooltip("edge:N", title="link"), alt.Tooltip("lag_label:N", title="lag"),
               alt.Tooltip("strength:Q", title=result.strength_name, format="+.3f"),
               alt.Tooltip("p_text:N", title="p-value"), alt.Tooltip("found:N", title="found")]
    if result.frequencies is not None:
        tooltip.append(alt.Tooltip("frequency:Q", title="bootstrap frequency", format=".0%"))
    base = alt.Chart(cells).encode(
        x=alt.X("lag_label:N", title="lag (time steps back)", sort=lag_order,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("edge:N", title=None, sort=edges, axis=alt.Axis(labelLimit=320)),
    )
    rect = base.mark_rect(stroke="#111827").encode(
        color=color, tooltip=tooltip,
        strokeWidth=alt.condition(alt.datum.found == "yes", alt.value(2), alt.value(0)))
    dots = base.transform_filter(alt.datum.found == "yes").mark_point(
        shape="circle", filled=True, size=30, color="#111827").encode(tooltip=tooltip)
    # "pad": the plot keeps its size and the long edge labels are added beside it (Streamlit's
    # default "fit" would squeeze the cells to make room for them)
    return (rect + dots).properties(
        width=cell_width * len(lag_order), height=max(60, 20 * len(edges)),
        autosize=alt.AutoSizeParams(type="pad", contains="padding"))


def series_chart(df: pd.DataFrame, time_column: str, variables: list[str],
                 max_points: int = 2000, height: int = 70, width: int = 680) -> alt.FacetChart:
    """Small multiples of each series over time (down-sampled to `max_points` rows)."""
    step = max(1, len(df) // max_points)
    small = df.iloc[::step]
    if time_column in small.columns:
        x = small[time_column]
    else:
        x = pd.Series(np.arange(0, len(df), step)[:len(small)], index=small.index)
    long = pd.DataFrame({"time": np.tile(x.to_numpy(), len(variables)),
                         "variable": np.repeat(variables, len(small)),
                         "value": np.concatenate([small[v].to_numpy(dtype=float)
                                                  for v in variables])})
    x_type = "T" if pd.api.types.is_datetime64_any_dtype(x) else "Q"
    if not pd.api.types.is_datetime64_any_dtype(x) and not pd.api.types.is_numeric_dtype(x):
        parsed = pd.to_datetime(x.astype(str), errors="coerce", format="mixed")
        if parsed.notna().all():
            long["time"] = np.tile(parsed.to_numpy(), len(variables))
            x_type = "T"
        else:
            x_type = "O"
    return alt.Chart(long).mark_line(strokeWidth=1).encode(
        x=alt.X(f"time:{x_type}", title=None),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=["variable:N", alt.Tooltip("value:Q", format=".3g")],
    ).properties(height=height, width=width).facet(
        row=alt.Row("variable:N", title=None, sort=list(variables))).resolve_scale(y="independent")


def _edge_order(cells: pd.DataFrame, found_edges: set[str]) -> list[str]:
    """Found edges first (by their strongest cell), then the rest; at most MAX_EDGE_ROWS."""
    strongest = cells.assign(a=cells["strength"].abs()).groupby("edge")["a"].max()
    order = sorted(strongest.index, key=lambda e: (e not in found_edges, -strongest[e], e))
    return order[:MAX_EDGE_ROWS]
