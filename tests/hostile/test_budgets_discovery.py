"""Discovery is bounded and cancellable from the API: a time limit, a "should stop" function
polled inside the search, and a default conditioning-set limit that says when it cut the
search (issue 23: FCI on 60 correlated variables ran > 240 s with no way to stop it)."""
from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from app import settings
from app.discovery import discover
from app.discovery.algorithms import CUT_NOTE
from app.errors import Cancelled, DiscoveryError


def correlated(p: int, n: int = 2000, seed: int = 0) -> pd.DataFrame:
    """p variables that all share one hidden cause: every pair stays dependent given any set,
    so a constraint-based search must test every subset (the worst case)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    return pd.DataFrame({f"v{i}": z + rng.normal(size=n) for i in range(p)})


def chain(n: int = 3000, seed: int = 1) -> pd.DataFrame:
    """A → B → C → D with Gaussian noise: PC's answer is the undirected chain."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = a + rng.normal(size=n)
    c = b + rng.normal(size=n)
    return pd.DataFrame({"A": a, "B": b, "C": c, "D": c + rng.normal(size=n)})


@pytest.fixture(scope="module", autouse=True)
def warm():
    """Import the search code first, so the timings below measure the search (the imports
    take 4-10 s on a busy 2-core machine)."""
    discover(chain(300), "fci")


def test_fci_on_60_correlated_variables_stops_at_its_time_limit():
    df = correlated(60)
    start = time.perf_counter()
    with pytest.raises(DiscoveryError, match="stopped at the 3 s time limit"):
        discover(df, "fci", timeout=3)
    assert time.perf_counter() - start < 3 + 7        # the limit plus set-up, on a busy machine


def test_pc_stops_at_its_time_limit_too():
    with pytest.raises(DiscoveryError, match="time limit"):
        discover(correlated(60), "pc", timeout=1, max_depth=None)


def test_a_should_stop_function_cancels_a_running_search():
    df = correlated(60)
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    start = time.perf_counter()
    with pytest.raises(Cancelled):
        discover(df, "fci", cancel=stop.is_set, timeout=None)
    assert time.perf_counter() - start < 1 + 7


def test_the_default_has_a_time_limit_and_a_depth_limit():
    import inspect
    params = inspect.signature(discover).parameters
    assert params["timeout"].default == settings.DISCOVERY_TIMEOUT_S > 0
    assert params["max_depth"].default == settings.DISCOVERY_MAX_DEPTH >= 0


@pytest.mark.parametrize("method", ["pc", "fci"])
def test_a_cut_search_says_so(method):
    result = discover(correlated(8, n=500), method, max_depth=1)
    assert result.search_cut and result.max_depth == 1
    assert any(n.startswith(CUT_NOTE) for n in result.notes)


@pytest.mark.parametrize("method", ["pc", "fci"])
def test_an_uncut_search_is_unchanged_and_says_nothing(method):
    df = chain()
    limited, full = discover(df, method), discover(df, method, max_depth=None)
    assert set(limited.edges) == set(full.edges)
    assert not limited.search_cut and not any(n.startswith(CUT_NOTE) for n in limited.notes)
    # ground truth A → B → C → D: the skeleton is the chain
    assert limited.adjacencies == {("A", "B"), ("B", "C"), ("C", "D")}


@pytest.mark.parametrize("kwargs", [{"timeout": 0}, {"timeout": -1}, {"timeout": "10"},
                                    {"max_depth": -1}, {"max_depth": 1.5}, {"max_depth": True}])
def test_bad_limits_are_clear_errors(kwargs):
    with pytest.raises(DiscoveryError):
        discover(chain(200), "pc", **kwargs)


def test_a_bootstrap_past_the_time_limit_stops_with_a_clear_error():
    with pytest.raises(DiscoveryError, match="time limit"):
        discover(correlated(40, n=300), "pc", bootstrap=200, timeout=4, max_depth=2)
