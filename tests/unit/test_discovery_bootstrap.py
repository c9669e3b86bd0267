"""Bootstrap confidence: progress, cancel, reproducibility, and the executor option."""
import sys

import pandas as pd
import pytest

from app.discovery import discover
from app.discovery.bootstrap import ENV_VAR, bootstrap_edges, confidence_from
from app.discovery.simulate import linear_sem
from app.errors import Cancelled, DiscoveryError
from app.graph import CausalGraph

TRUTH = CausalGraph.from_edges([("A", "B"), ("B", "C"), ("D", "C")])


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return linear_sem(TRUTH, 400, seed=7)


def test_bootstrap_reports_progress_and_edge_frequencies(df):
    seen = []
    r = discover(df, "pc", bootstrap=5, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert r.bootstrap == 5
    for e in r.edges:
        c = r.confidence_of(e.a, e.b)
        assert c is not None and 0 < c.present <= 1
        assert sum(c.orientations.values()) == pytest.approx(c.present)
    # the strong collider B → C ← D is found in (nearly) every resample
    assert r.confidence_of("B", "C").frequency("B", "C") >= 0.8


def test_bootstrap_is_reproducible_for_a_seed(df):
    a = discover(df, "ges", bootstrap=4, seed=3)
    b = discover(df, "ges", bootstrap=4, seed=3)
    assert a.confidence == b.confidence


def test_cancel_raises_and_returns_nothing(df):
    calls = []

    def cancel():
        return len(calls) > 0

    with pytest.raises(Cancelled):
        discover(df, "pc", bootstrap=50, progress=lambda d, t: calls.append(d), cancel=cancel)


def test_cancel_before_start_runs_nothing(df):
    with pytest.raises(Cancelled):
        discover(df, "pc", cancel=lambda: True)


def test_serial_path_matches_parallel_counts(df):
    from app.discovery.algorithms import RunSpec
    from app.discovery.knowledge import Knowledge

    spec = RunSpec("pc", tuple(df.columns), Knowledge(), 0.05, "fisherz")
    arrays = {"values": df.to_numpy(float)}
    one = confidence_from(bootstrap_edges(spec, arrays, 3, seed=1, n_jobs=1))
    two = confidence_from(bootstrap_edges(spec, arrays, 3, seed=1, n_jobs=2))
    assert one == two


@pytest.mark.parametrize("name", ["ray", "dask"])
def test_cluster_executor_without_the_package_says_so(df, monkeypatch, name):
    # a None entry in sys.modules makes the import fail, as on a machine without the package
    monkeypatch.setitem(sys.modules, "ray" if name == "ray" else "distributed", None)
    monkeypatch.setenv(ENV_VAR, name)
    with pytest.raises(DiscoveryError, match=f"set to '{name}'.*not installed"):
        discover(df, "pc", bootstrap=2)


def test_unknown_executor_is_an_error(df, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "spark")
    with pytest.raises(DiscoveryError, match="not a known executor"):
        discover(df, "pc", bootstrap=2)
