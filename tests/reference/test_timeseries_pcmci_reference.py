"""PCMCI through tigramite against our own from-scratch PCMCI on partial correlation.

The reference below follows Runge et al. (2019, Science Advances 5:eaau4996), Methods: PC1
condition selection (conditions of growing size, the strongest current parents first, one
combination per size, parents re-sorted by their smallest |statistic|) and then the MCI test
of every lagged link given the parents of the effect and the lag-shifted parents of the cause,
on the samples t ≥ 2·τmax. Partial correlation = correlation of OLS residuals; p-value from
Student's t with n − 2 − |Z| degrees of freedom. Also checks that a block-bootstrap draw
reaches tigramite unchanged. Written only from the paper's description
and numpy/scipy: if the wrapper or tigramite changed behaviour, this comparison breaks.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from app.timeseries import load_series_sample
from app.timeseries.pcmci import PC_ALPHA, run_pcmci


def _parcorr(data: np.ndarray, x, y, z, t: np.ndarray) -> tuple[float, float]:
    """Partial correlation of x=(var, -lag) and y=(var, 0) given z over the samples t."""

    def col(node):
        var, lag = node
        return data[t + lag, var]

    xs, ys = col(x), col(y)
    if z:
        design = np.column_stack([np.ones(len(t)), *[col(n) for n in z]])
        xs = xs - design @ np.linalg.lstsq(design, xs, rcond=None)[0]
        ys = ys - design @ np.linalg.lstsq(design, ys, rcond=None)[0]
    r = float(np.corrcoef(xs, ys)[0, 1])
    dof = len(t) - 2 - len(z)
    p = float(2 * stats.t.sf(abs(r) * np.sqrt(dof / (1 - r * r)), dof))
    return r, p


def reference_pcmci(data: np.ndarray, max_lag: int, alpha: float, pc_alpha: float,
                    points: np.ndarray | None = None):
    """(links, strengths, p-values) of PCMCI with lags 1…max_lag, as described in the paper;
    `points` are the sample times (default every t ≥ 2·max_lag; a bootstrap draw repeats some)."""
    n_var = data.shape[1]
    t = np.arange(2 * max_lag, len(data)) if points is None else np.sort(points)
    parents: dict[int, list] = {}
    for j in range(n_var):
        cands = [(i, -lag) for i in range(n_var) for lag in range(1, max_lag + 1)]
        val_min = {c: np.inf for c in cands}
        for size in itertools.count():
            if len(cands) - 1 < size:
                break
            drop = []
            for c in cands:
                z = [o for o in cands if o != c][:size]      # the strongest others first
                r, p = _parcorr(data, c, (j, 0), z, t)
                val_min[c] = min(val_min[c], abs(r))
                if p > pc_alpha:
                    drop.append(c)
            for c in drop:
                del val_min[c]
            cands = sorted(val_min, key=lambda c: -val_min[c])
        parents[j] = cands
    strengths = np.zeros((n_var, n_var, max_lag + 1))
    p_values = np.full((n_var, n_var, max_lag + 1), np.nan)
    links = set()
    for j in range(n_var):
        for i in range(n_var):
            for lag in range(1, max_lag + 1):
                x = (i, -lag)
                z = [n for n in parents[j] if n != x]
                z += [(k, tk - lag) for k, tk in parents[i] if (k, tk - lag) not in z]
                r, p = _parcorr(data, x, (j, 0), z, t)
                strengths[i, j, lag], p_values[i, j, lag] = r, p
                if p < alpha:
                    links.add((i, j, lag))
    return links, strengths, p_values


@pytest.mark.parametrize("name, max_lag", [("ts_simulated", 3), ("ts_macro", 4)])
def test_pcmci_wrapper_matches_a_from_scratch_pcmci_on_the_bundled_series(name, max_lag):
    sample = load_series_sample(name)
    names = [c for c in sample.data.columns if c != sample.time_column]
    values = sample.data[names].to_numpy()
    ours = run_pcmci(values, names, max_lag=max_lag, alpha=0.05)
    links, strengths, p_values = reference_pcmci(values, max_lag, 0.05, PC_ALPHA)
    found = {(i, j, lag) for i, j, lag in zip(*np.nonzero(ours.present()))}
    assert found == links
    np.testing.assert_allclose(ours.strengths[:, :, 1:], strengths[:, :, 1:], atol=1e-8)
    np.testing.assert_allclose(ours.p_values[:, :, 1:], p_values[:, :, 1:], rtol=1e-6,
                               atol=1e-12)


def test_block_bootstrap_draw_is_used_as_given_repeats_included():
    # the bootstrap hands tigramite resampled target times (with repeats); the same PCMCI on
    # exactly those samples, computed from scratch, must agree
    from app.timeseries import block_bootstrap_indices
    from app.timeseries.pcmci import valid_points

    sample = load_series_sample("ts_simulated")
    names = [c for c in sample.data.columns if c != sample.time_column]
    values = sample.data[names].to_numpy()
    draw = block_bootstrap_indices(valid_points(len(values), 2), 10, np.random.default_rng(1))
    assert len(np.unique(draw)) < len(draw)               # some times appear twice or more
    ours = run_pcmci(values, names, max_lag=2, alpha=0.05, points=draw)
    links, strengths, _ = reference_pcmci(values, 2, 0.05, PC_ALPHA, points=draw)
    assert {(i, j, lag) for i, j, lag in zip(*np.nonzero(ours.present()))} == links
    np.testing.assert_allclose(ours.strengths[:, :, 1:], strengths[:, :, 1:], atol=1e-8)
