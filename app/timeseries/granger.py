"""Granger-style baseline: one vector-autoregression (VAR) regression per variable, t-test per lag.

Each target's present value is regressed on every variable's past (lags 1…max_lag); a lagged
link is reported when its coefficient differs from zero. This conditions on *all* past values,
so it is exact for linear VARs but loses power as variables × lags grow: the baseline PCMCI
improves on. Own OLS with numpy (checked against statsmodels in the reference tests).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from app.errors import DiscoveryError
from app.timeseries.raw import RawGraph, benjamini_hochberg


def valid_points(n_steps: int, max_lag: int) -> np.ndarray:
    """Time indices that can be a target: every step with a full history of `max_lag` steps."""
    return np.arange(max_lag, n_steps)


def lagged_design(values: np.ndarray, max_lag: int, points: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y): X rows = [1, x(t-1), …, x(t-L)] (lag-major), Y rows = x(t), for t in `points`.

    Rows whose window contains a missing value are dropped; resampled points keep their own
    true history, so a bootstrap never glues unrelated time steps together.
    """
    n, k = values.shape
    pts = valid_points(n, max_lag) if points is None else np.asarray(points)
    blocks = [np.ones((len(pts), 1))]
    for lag in range(1, max_lag + 1):
        blocks.append(values[pts - lag])
    x = np.hstack(blocks)
    y = values[pts]
    ok = ~(np.isnan(x).any(axis=1) | np.isnan(y).any(axis=1))
    return x[ok], y[ok]


def run_granger(values: np.ndarray, variables: Sequence[str], max_lag: int, alpha: float, *,
                points: np.ndarray | None = None, fdr: bool = False,
                tick: Callable[[], None] | None = None) -> RawGraph:
    """Lagged links by OLS t-tests in a VAR(max_lag); strength = partial correlation."""
    from scipy import stats

    n_var = len(variables)
    x, y = lagged_design(values, max_lag, points)
    n, k = x.shape
    dof = n - k
    if dof < 2:
        raise DiscoveryError(f"Only {n} complete time windows for {k} regression terms.",
                             hint="Lower the maximum lag or use fewer variables.")
    xtx = x.T @ x
    if np.linalg.matrix_rank(xtx) < k:
        raise DiscoveryError(
            "Some series are exact linear combinations of others (or of their own past), so "
            "their effects cannot be separated.",
            hint="Leave out duplicated or derived columns (e.g. a total and all its parts).")
    xtx_inv = np.linalg.inv(xtx)
    coef = xtx_inv @ x.T @ y                       # (k, n_var)
    resid = y - x @ coef
    sigma2 = (resid ** 2).sum(axis=0) / dof        # (n_var,)
    se = np.sqrt(np.outer(np.diag(xtx_inv), sigma2))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef / se
    t = np.where(np.isfinite(t), t, 0.0)
    p = 2 * stats.t.sf(np.abs(t), dof)
    partial = t / np.sqrt(t ** 2 + dof)
    shape = (n_var, n_var, max_lag + 1)
    strengths = np.zeros(shape)
    p_values = np.full(shape, np.nan)
    for lag in range(1, max_lag + 1):
        rows = slice(1 + (lag - 1) * n_var, 1 + lag * n_var)
        strengths[:, :, lag] = partial[rows, :]
        p_values[:, :, lag] = p[rows, :]
        if tick is not None:
            tick()
    p_test = benjamini_hochberg(p_values) if fdr else p_values
    marks = np.where(np.nan_to_num(p_test, nan=1.0) < alpha, "-->", "")
    marks[:, :, 0] = ""
    return RawGraph(marks=marks.astype(object), strengths=strengths, p_values=p_test)
