"""Block bootstrap for time series and bagged link frequencies (confidence per link).

An ordinary bootstrap shuffles single time steps and destroys autocorrelation; a moving-block
bootstrap draws whole runs of consecutive steps, so the dependence within a block is kept.
We resample *target time points*, each of which keeps its own true lagged history, so no
artificial jump is created where two blocks meet (as in tigramite's own bootstrap).
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from app.errors import DiscoveryError
from app.timeseries.raw import Progress, RawGraph, ShouldStop, check_cancel


def default_block_length(n_points: int, max_lag: int) -> int:
    """n^(1/3) (the usual rate for block bootstraps), at least max_lag + 1 steps."""
    return max(max_lag + 1, int(round(n_points ** (1 / 3))))


def block_bootstrap_indices(points: np.ndarray, block_length: int,
                            rng: np.random.Generator) -> np.ndarray:
    """A moving-block resample of `points`: ceil(n / L) random runs of L consecutive points,
    concatenated and cut to n. Order inside each block is the original time order."""
    points = np.asarray(points)
    n = len(points)
    if not isinstance(block_length, (int, np.integer)) or block_length < 1:
        raise DiscoveryError(f"The block length must be a whole number ≥ 1, not {block_length!r}.")
    if n < 2 * block_length:
        raise DiscoveryError(
            f"Block length {block_length} is too long for {n} time steps (fewer than two blocks).",
            hint="Choose a shorter block length (a few times the maximum lag is usual).")
    n_blocks = math.ceil(n / block_length)
    starts = rng.integers(0, n - block_length + 1, size=n_blocks)
    idx = (starts[:, None] + np.arange(block_length)[None, :]).ravel()[:n]
    return points[idx]


def bagged_frequencies(run_once: Callable[[np.ndarray], RawGraph], points: np.ndarray,
                       n_boot: int, block_length: int, seed: int, *,
                       progress: Progress = None, cancel: ShouldStop = None,
                       start: float = 0.0, label: str = "resample") -> np.ndarray:
    """Share of `n_boot` block-bootstrap resamples in which each (source, target, lag) link
    appears. Same-time cells count the link in either direction. Checks Cancel between runs."""
    rng = np.random.default_rng(seed)
    counts = None
    for b in range(n_boot):
        check_cancel(cancel)
        if progress:
            progress(start + (1 - start) * b / n_boot, f"{label} {b + 1} of {n_boot}")
        draw = block_bootstrap_indices(points, block_length, rng)
        present = run_once(draw).present().astype(float)
        present[:, :, 0] = np.maximum(present[:, :, 0], present[:, :, 0].T)
        counts = present if counts is None else counts + present
    if progress:
        progress(1.0, f"{n_boot} resamples done")
    return counts / n_boot
