"""Time-series causal discovery: lagged graphs with PCMCI / PCMCI+ (tigramite) or a Granger
baseline, block-bootstrap link frequencies, and the bundled series samples.

    res = discover_timeseries(df, "date", max_lag=3, method="pcmci", bootstrap=100)
    res.table(); res.summary_graph(); res.lagged_graph()
"""
from __future__ import annotations

from app.timeseries.bootstrap import block_bootstrap_indices, default_block_length
from app.timeseries.data import ROW_ORDER, PreparedSeries, minimum_rows, prepare_series
from app.timeseries.discover import METHODS, discover_timeseries
from app.timeseries.pcmci import TESTS
from app.timeseries.result import (
    LaggedGraph,
    TimeSeriesLink,
    TimeSeriesResult,
    TimeSeriesSummary,
    lag_name,
    link_scores,
)
from app.timeseries.samples import SeriesSample, list_series_samples, load_series_sample

__all__ = [
    "discover_timeseries", "TimeSeriesResult", "TimeSeriesLink", "TimeSeriesSummary",
    "LaggedGraph", "prepare_series", "PreparedSeries", "minimum_rows", "ROW_ORDER",
    "block_bootstrap_indices", "default_block_length", "lag_name", "link_scores",
    "list_series_samples", "load_series_sample", "SeriesSample", "METHODS", "TESTS",
]
