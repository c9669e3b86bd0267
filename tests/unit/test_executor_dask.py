"""The cluster executor for real: bootstrap discovery and the refutation suite on a Dask
`distributed.LocalCluster` (worker processes, loopback only) give bit for bit what this machine
gives with the same seeds (app.executor, CAUSAL_CANVAS_EXECUTOR=dask).

Reference: the local run. Each resample is seeded by (seed, i) and each refutation by its own
seed, so where a task runs must not change a single bit; the scheduler's task names prove the
work did run on the cluster's workers.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from app import executor
from app.discovery import discover
from app.discovery.simulate import linear_sem
from app.estimation import estimate_effect, refutation_suite
from app.graph import CausalGraph

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow

TRUTH = CausalGraph.from_edges([("A", "B"), ("B", "C"), ("D", "C")])
CONF = CausalGraph.from_edges([("Z", "T"), ("Z", "Y"), ("T", "Y")],
                              roles={"T": ["exposure"], "Y": ["outcome"]})


@pytest.fixture(scope="module")
def cluster():
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 host="127.0.0.1", dashboard_address=None)
    yield c
    if executor._dask_client is not None:   # the client first, then its cluster
        executor._dask_client.close()
        executor._dask_client = None
    c.close()


@pytest.fixture
def on_cluster(cluster, monkeypatch):
    """Switch CAUSAL_CANVAS_EXECUTOR to the cluster; yields the task names it has run."""
    def task_names() -> set[str]:
        return set(executor.dask_client().run_on_scheduler(
            lambda dask_scheduler: list(dask_scheduler.task_prefixes)))

    monkeypatch.setenv(executor.ENV_VAR, "dask")
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
    return task_names


def test_bootstrap_discovery_on_dask_equals_the_local_pool(on_cluster, monkeypatch):
    df = linear_sem(TRUTH, 400, seed=7)
    seen = []
    remote = discover(df, "pc", bootstrap=6, seed=5, progress=lambda d, t: seen.append((d, t)))
    assert "resample_task" in on_cluster()   # Dask drops the leading _
    assert seen[-1] == (6, 6)
    monkeypatch.delenv(executor.ENV_VAR)
    local = discover(df, "pc", bootstrap=6, seed=5)   # the local process pool (2 cores here)
    assert remote.bootstrap == local.bootstrap == 6
    assert remote.confidence == local.confidence
    assert [(e.a, e.b, e.mark_a, e.mark_b) for e in remote.edges] == \
        [(e.a, e.b, e.mark_a, e.mark_b) for e in local.edges]


def test_refutation_suite_on_dask_equals_the_local_run(on_cluster, monkeypatch):
    rng = np.random.default_rng(2)
    z = rng.normal(size=600)
    t = rng.binomial(1, 1 / (1 + np.exp(-z)))
    y = 2.0 * t + 1.5 * z + rng.normal(size=600)
    est = estimate_effect(pd.DataFrame({"Z": z, "T": t, "Y": y}), CONF,
                          method="linear_regression")
    fractions = []
    remote = refutation_suite(est, seed=3, n_simulations=8,
                              progress=lambda f, msg: fractions.append(f))
    assert "refute_task" in on_cluster()
    assert fractions[-1] == 1.0
    monkeypatch.delenv(executor.ENV_VAR)
    local = refutation_suite(est, seed=3, n_simulations=8)
    assert [r.kind for r in remote] == [r.kind for r in local] == [
        "placebo", "random_common_cause", "data_subset", "unobserved_common_cause"]
    for a, b in zip(remote, local):
        # every field but the wall-clock time, compared exactly (floats bit for bit)
        assert dataclasses.replace(a, seconds=0.0) == dataclasses.replace(b, seconds=0.0), a.kind
        assert np.array_equal(np.array(a.simulations), np.array(b.simulations))


def test_a_cancelled_cluster_run_raises(on_cluster):
    from app.errors import Cancelled

    df = linear_sem(TRUTH, 300, seed=1)
    with pytest.raises(Cancelled):
        discover(df, "pc", bootstrap=40, cancel=lambda: True)
