"""discover_timeseries: validate, run PCMCI / PCMCI+ / Granger, optionally bag, and collect links."""
from __future__ import annotations

import math
import time
from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd

from app.errors import DiscoveryError
from app.timeseries import granger, pcmci
from app.timeseries.bootstrap import bagged_frequencies, default_block_length
from app.timeseries.data import prepare_series, stationarity_notes
from app.timeseries.raw import Progress, RawGraph, ShouldStop, check_cancel
from app.timeseries.result import TimeSeriesLink, TimeSeriesResult

METHODS = ("pcmci", "pcmci+", "granger")
MAX_BOOTSTRAP = 1000


def discover_timeseries(df: pd.DataFrame, time_column: str | None,
                        variables: Sequence[str] | None = None, max_lag: int = 3,
                        method: str = "pcmci", test: str = "parcorr", alpha: float = 0.05,
                        bootstrap: int = 0, block_length: int | None = None, seed: int = 0,
                        progress: Progress = None, cancel: ShouldStop = None, *,
                        missing: str = "error", sort: bool = False, difference: bool = False,
                        fdr: bool = False, unit_column: str | None = None) -> TimeSeriesResult:
    """Find lagged (and, with PCMCI+, same-time) causal links in a multivariate time series.

    method: "pcmci" (lagged links), "pcmci+" (also same-time links) or "granger" (VAR t-test
    baseline). test: "parcorr" (linear), "cmiknn" or "gpdc" (nonlinear, small data only).
    bootstrap > 0 adds block-bootstrap frequencies per link. missing / sort / difference: see
    `prepare_series`; unit_column pools the series of several units (panel data). fdr applies the Benjamini–Hochberg false-discovery-rate correction.
    progress(fraction, message) is called as work proceeds; cancel() returning True stops the
    run with app.errors.Cancelled.
    """
    started = time.perf_counter()
    method = str(method).lower()
    test = str(test).lower()
    if method not in METHODS:
        raise DiscoveryError(f"Unknown method {method!r}.", hint="Use one of: " + ", ".join(METHODS) + ".")
    if test not in pcmci.TESTS:
        raise DiscoveryError(f"Unknown test {test!r}.", hint="Use one of: " + ", ".join(pcmci.TESTS) + ".")
    if method == "granger" and test != "parcorr":
        raise DiscoveryError("The Granger baseline is a linear regression; it has no test choice.",
                             hint="Use test='parcorr' with Granger, or PCMCI for nonlinear tests.")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise DiscoveryError(f"The significance level must be between 0 and 1, not {alpha!r}.",
                             hint="0.05 or 0.01 are usual.")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or not (
            0 <= bootstrap <= MAX_BOOTSTRAP):
        raise DiscoveryError(f"The number of bootstrap resamples must be a whole number from 0 "
                             f"to {MAX_BOOTSTRAP}, not {bootstrap!r}.",
                             hint="50–200 resamples give usable link frequencies.")
    check_cancel(cancel)

    series = prepare_series(df, time_column, variables, max_lag=max_lag, missing=missing,
                            sort=sort, difference=difference, unit_column=unit_column)
    notes = list(series.notes) + list(stationarity_notes(series))
    n_var, n_steps = len(series.variables), series.n_steps
    if method != "granger":
        pcmci.check_size(test, n_steps, n_var, max_lag, runs=1 + int(bootstrap))
        engine = partial(pcmci.run_pcmci, series.values, series.variables, max_lag, float(alpha),
                         method=method, test=test, fdr=fdr, seed=seed)
        points = pcmci.valid_points(n_steps, max_lag)
        # MCI tests one cell per (source, target, lag), PC1 about as many again
        expected = 2 * n_var * n_var * (max_lag + (1 if method == "pcmci+" else 0))
    else:
        engine = partial(granger.run_granger, series.values, series.variables, max_lag,
                         float(alpha), fdr=fdr)
        points = granger.valid_points(n_steps, max_lag)
        expected = max_lag

    share = 1.0 / (1 + bootstrap)
    ticker = _Ticker(progress, cancel, expected, share)
    check_cancel(cancel)
    if progress:
        progress(0.0, "Testing links on the full series")
    main = engine(points=None, tick=ticker)
    frequencies = None
    if bootstrap:
        if block_length is None:
            block_length = default_block_length(len(points), max_lag)
        quiet = _Ticker(None, cancel, 1, 0.0)
        frequencies = bagged_frequencies(
            lambda draw: engine(points=draw, tick=quiet), points, int(bootstrap),
            int(block_length), seed, progress=progress, cancel=cancel, start=share,
            label="Block-bootstrap resample")
    elif progress:
        progress(1.0, "Done")
    links = collect_links(main, series.variables, frequencies)
    tested = ~np.isnan(main.p_values)
    cells = int(tested[:, :, 1:].sum() + np.triu(tested[:, :, 0], 1).sum())  # same-time pairs once
    if not fdr and alpha * cells >= 1.5:
        notes.append(f"{cells} cause–effect–lag combinations were tested: even with no links at "
                     f"all, about {alpha * cells:.0f} would pass α = {alpha:g} by chance. Use the "
                     "false-discovery-rate correction (fdr=True) or a smaller α to keep fewer "
                     "chance links.")
    if method == "pcmci":
        notes.append("PCMCI looks for lagged links only; choose PCMCI+ to test same-time links.")
    if method == "granger":
        notes.append("Granger baseline: each variable regressed on all variables' past; "
                     "a link is kept when its coefficient's t-test is significant.")
    return TimeSeriesResult(
        variables=series.variables, links=links, method=method, test=test,
        max_lag=int(max_lag), alpha=float(alpha), n_steps=n_steps,
        time_column=series.time_column, bootstrap=int(bootstrap),
        block_length=int(block_length) if bootstrap else None, seed=int(seed),
        notes=tuple(notes), elapsed_seconds=time.perf_counter() - started,
        strengths=main.strengths, p_values=main.p_values, frequencies=frequencies)


def collect_links(raw: RawGraph, variables: Sequence[str],
                  frequencies: np.ndarray | None = None) -> tuple[TimeSeriesLink, ...]:
    """Turn link marks into TimeSeriesLink objects (each same-time pair once)."""
    links = []
    n, _, lags = raw.marks.shape
    for j in range(n):
        for i in range(n):
            for lag in range(lags):
                mark = raw.marks[i, j, lag]
                if not mark:
                    continue
                if lag > 0:
                    kind = "lagged"
                elif i == j or mark == "<--":
                    continue
                elif mark == "-->":
                    kind = "contemporaneous"
                elif i < j:
                    kind = "conflicting" if mark == "x-x" else "unoriented"
                else:
                    continue
                freq = None if frequencies is None else float(frequencies[i, j, lag])
                links.append(TimeSeriesLink(
                    source=variables[i], target=variables[j], lag=lag,
                    strength=_num(raw.strengths[i, j, lag]), p_value=_num(raw.p_values[i, j, lag]),
                    frequency=freq, kind=kind))
    return tuple(links)


def _num(x: float) -> float:
    x = float(x)
    return x if math.isfinite(x) else float("nan")


class _Ticker:
    """Called before every test: checks Cancel, and reports progress at most every 1 %."""

    def __init__(self, progress: Progress, cancel: ShouldStop, expected: int, share: float):
        self.progress, self.cancel = progress, cancel
        self.expected, self.share = max(expected, 1), share
        self.calls, self.last = 0, -1.0

    def __call__(self) -> None:
        check_cancel(self.cancel)
        self.calls += 1
        if self.progress is None:
            return
        done = min(0.95, self.calls / self.expected) * self.share
        if done - self.last >= 0.01:
            self.last = done
            self.progress(done, f"Testing links on the full series ({self.calls} tests so far)")
