"""Small Altair charts for the data profile: histograms, level counts and missingness.

Counts are computed here with pandas/numpy and only the summary goes into the chart, so a
chart of a million-row column is still a few hundred bytes of JSON.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from app.data import DataProfile

PRIMARY = "#2563eb"
PALETTE = {"primary": PRIMARY, "missing": "#f59e0b", "other": "#94a3b8", "text": "#334155"}
MAX_HIST_BINS = 30
MAX_LEVELS = 15
WIDTH, HEIGHT = 200, 120


def histogram(series: pd.Series, title: str | None = None, width: int = WIDTH,
              height: int = HEIGHT) -> alt.Chart | None:
    """Histogram of a numeric column (bins chosen by numpy's 'auto' rule, at most 30)."""
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return None
    edges = np.histogram_bin_edges(values, bins="auto")
    if len(edges) - 1 > MAX_HIST_BINS:
        edges = np.histogram_bin_edges(values, bins=MAX_HIST_BINS)
    counts, edges = np.histogram(values, bins=edges)
    data = pd.DataFrame({"from": edges[:-1], "to": edges[1:], "count": counts})
    return (
        alt.Chart(data, title=_title(title, series))
        .mark_bar(color=PRIMARY, binSpacing=1)
        .encode(
            x=alt.X("from:Q", bin="binned", title=None),
            x2="to:Q",
            y=alt.Y("count:Q", title="rows"),
            tooltip=[alt.Tooltip("from:Q", format=",.4g"), alt.Tooltip("to:Q", format=",.4g"),
                     alt.Tooltip("count:Q", format=",")],
        )
        .properties(width=width, height=height)
    )


def level_counts(series: pd.Series, top: int = MAX_LEVELS) -> pd.DataFrame:
    """Counts per level in display order; levels beyond `top` are lumped into one 'other' bar."""
    nonnull = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        counts = nonnull.value_counts(sort=False).reindex(series.cat.categories, fill_value=0)
        in_order = True
    elif pd.api.types.is_numeric_dtype(series) and nonnull.nunique() <= top:
        counts = nonnull.value_counts().sort_index()
        in_order = True
    else:
        counts = nonnull.value_counts()
        in_order = False
    if not in_order:
        counts = counts.sort_values(ascending=False, kind="stable")
    rows = [{"level": _label(k), "count": int(v), "kind": "level"} for k, v in counts.items()]
    if len(rows) > top:
        rest = rows[top - 1:]
        rows = rows[: top - 1] + [{"level": f"other ({len(rest)} levels)",
                                   "count": sum(r["count"] for r in rest), "kind": "other"}]
    return pd.DataFrame(rows, columns=["level", "count", "kind"])


def bar_chart(series: pd.Series, title: str | None = None, top: int = MAX_LEVELS,
              width: int = WIDTH, height: int = HEIGHT) -> alt.Chart | None:
    """Bar chart of level counts for a binary, categorical or ordinal column."""
    data = level_counts(series, top)
    if data.empty:
        return None
    return (
        alt.Chart(data, title=_title(title, series))
        .mark_bar()
        .encode(
            x=alt.X("level:N", sort=list(data["level"]), title=None,
                    axis=alt.Axis(labelAngle=-40, labelLimit=90)),
            y=alt.Y("count:Q", title="rows"),
            color=alt.Color("kind:N", scale=alt.Scale(domain=["level", "other"],
                                                      range=[PRIMARY, PALETTE["other"]]),
                            legend=None),
            tooltip=["level:N", alt.Tooltip("count:Q", format=",")],
        )
        .properties(width=width, height=height)
    )


def time_chart(series: pd.Series, title: str | None = None, width: int = WIDTH,
               height: int = HEIGHT) -> alt.Chart | None:
    """Rows per month (or per year for long spans) of a date column."""
    dates = pd.to_datetime(series, errors="coerce").dropna()
    if dates.empty:
        return None
    span_years = (dates.max() - dates.min()).days / 365.25
    period = "Y" if span_years > 10 else "M"
    counts = dates.dt.to_period(period).value_counts().sort_index()
    data = pd.DataFrame({"period": counts.index.to_timestamp(), "count": counts.to_numpy()})
    return (
        alt.Chart(data, title=_title(title, series))
        .mark_bar(color=PRIMARY)
        .encode(x=alt.X("period:T", title=None), y=alt.Y("count:Q", title="rows"),
                tooltip=[alt.Tooltip("period:T"), alt.Tooltip("count:Q", format=",")])
        .properties(width=width, height=height)
    )


def column_chart(series: pd.Series, vtype: str, title: str | None = None,
                 width: int = WIDTH, height: int = HEIGHT) -> alt.Chart | None:
    """The right small chart for a column of the given variable type; None for ids and text."""
    if vtype == "continuous":
        return histogram(series, title, width, height)
    if vtype in ("binary", "categorical", "ordinal", "constant"):
        return bar_chart(series, title, width=width, height=height)
    if vtype == "datetime":
        return time_chart(series, title, width, height)
    return None


def missingness_chart(prof: DataProfile, width: int = 420) -> alt.Chart:
    """Share of missing values per column (columns without any are listed at 0%)."""
    data = pd.DataFrame({
        "column": [c.name for c in prof.column_profiles],
        "missing": [c.missing for c in prof.column_profiles],
    })
    data["share"] = data["missing"] / max(prof.rows, 1)
    data = data.sort_values("share", ascending=False, kind="stable")
    return (
        alt.Chart(data, title="Missing values per column")
        .mark_bar(color=PALETTE["missing"])
        .encode(
            y=alt.Y("column:N", sort=list(data["column"]), title=None),
            x=alt.X("share:Q", title="share of rows missing", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, max(0.05, float(data["share"].max()))])),
            tooltip=["column:N", alt.Tooltip("missing:Q", format=","),
                     alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width=width, height=min(24 * len(data) + 10, 600))
    )


def _title(title: str | None, series: pd.Series) -> str:
    return title if title is not None else str(series.name or "")


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


__all__ = ["PALETTE", "PRIMARY", "histogram", "bar_chart", "level_counts", "time_chart",
           "column_chart", "missingness_chart"]
