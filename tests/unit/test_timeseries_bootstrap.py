"""Block bootstrap keeps time order inside blocks; bagging reports frequencies, progress, Cancel."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.errors import Cancelled, DiscoveryError
from app.timeseries import block_bootstrap_indices, default_block_length, discover_timeseries


def _var1(n: int = 400, seed: int = 1) -> pd.DataFrame:
    """x → y at lag 1, z independent noise."""
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((n, 3))
    x, y = np.zeros(n), np.zeros(n)
    for t in range(1, n):
        x[t] = 0.5 * x[t - 1] + e[t, 0]
        y[t] = 0.6 * x[t - 1] + e[t, 1]
    return pd.DataFrame({"t": np.arange(n), "x": x, "y": y, "z": e[:, 2]})


def test_block_bootstrap_preserves_time_order_within_each_block():
    points = np.arange(6, 506)
    draw = block_bootstrap_indices(points, 10, np.random.default_rng(0))
    assert len(draw) == len(points)
    assert set(draw) <= set(points)
    for block in draw.reshape(-1, 10):            # 500 = 50 whole blocks
        assert np.array_equal(block, np.arange(block[0], block[0] + 10))
    # blocks start at random places: the concatenation is not the original series
    assert not np.array_equal(draw, points)


def test_block_bootstrap_last_block_is_cut_but_still_ordered():
    points = np.arange(103)
    draw = block_bootstrap_indices(points, 10, np.random.default_rng(5))
    assert len(draw) == 103
    tail = draw[100:]
    assert np.array_equal(tail, np.arange(tail[0], tail[0] + 3))


def test_block_bootstrap_is_reproducible_from_the_seed():
    points = np.arange(300)
    a = block_bootstrap_indices(points, 7, np.random.default_rng(42))
    b = block_bootstrap_indices(points, 7, np.random.default_rng(42))
    c = block_bootstrap_indices(points, 7, np.random.default_rng(43))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_block_longer_than_half_the_series_is_refused():
    with pytest.raises(DiscoveryError) as err:
        block_bootstrap_indices(np.arange(30), 20, np.random.default_rng(0))
    assert "too long" in err.value.message


def test_default_block_length_is_cube_root_but_at_least_lag_plus_one():
    assert default_block_length(1000, 3) == 10
    assert default_block_length(1000, 12) == 13


def test_bagged_frequencies_separate_the_real_link_from_noise():
    res = discover_timeseries(_var1(), "t", max_lag=2, method="granger", bootstrap=40, seed=3)
    by_key = {lk.key: lk for lk in res.links}
    assert by_key[("x", "y", 1)].frequency == 1.0
    assert res.frequencies.shape == (3, 3, 3)
    # Null cells: a resample's statistic is ≈ the full-data one (Z) plus bootstrap noise of the
    # same size, so it is ~N(0, 2) and passes the α = 0.05 test with probability
    # P(|N(0,1)| > 1.96/√2) ≈ 0.17 on average: bagged frequencies of absent links sit well
    # below 0.5, but above α. Real link: in every resample.
    null = np.ones((3, 3, 3), bool)
    null[:, :, 0] = False
    null[0, 0, 1] = null[0, 1, 1] = False
    assert 0.05 < res.frequencies[null].mean() < 0.3
    assert res.frequencies[null].max() < 0.6    # observed 0.5: z → y, full-data p = 0.10
    assert res.block_length == default_block_length(398, 2)
    again = discover_timeseries(_var1(), "t", max_lag=2, method="granger", bootstrap=40, seed=3)
    assert np.array_equal(res.frequencies, again.frequencies)


def test_progress_rises_to_one_and_cancel_stops_with_cancelled():
    seen = []
    discover_timeseries(_var1(), "t", max_lag=2, method="pcmci", bootstrap=3,
                        progress=lambda f, m: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    calls = {"n": 0}

    def cancel_after_some_tests() -> bool:
        calls["n"] += 1
        return calls["n"] > 20

    with pytest.raises(Cancelled):
        discover_timeseries(_var1(), "t", max_lag=2, method="pcmci", bootstrap=5,
                            cancel=cancel_after_some_tests)
    assert calls["n"] == 21        # stopped at the first check after the request
