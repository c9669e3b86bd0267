"""The cluster executor for real: bootstrap discovery and the refutation suite on a Dask
`distributed.LocalCluster` (worker processes, loopback only) give bit for bit what this machine
gives with the same seeds (app.executor, CAUSAL_CANVAS_EXECUTOR=dask).

Reference: the local run (tests/unit/_executor_checks.py); the scheduler's task names prove the
work did run on the cluster's workers.
"""
from __future__ import annotations

import os

import pytest

from app import executor
from app.discovery import discover
from app.discovery.simulate import linear_sem
from tests.unit._executor_checks import (
    TRUTH,
    bootstrap_on_cluster_equals_local,
    refutations_on_cluster_equal_local,
    worker_pids,
)

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow


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


def test_tasks_run_in_the_clusters_worker_processes(on_cluster):
    assert os.getpid() not in worker_pids()


def test_bootstrap_discovery_on_dask_equals_the_local_pool(on_cluster, monkeypatch):
    bootstrap_on_cluster_equals_local(monkeypatch)
    assert "resample_task" in on_cluster()   # Dask drops the leading _


def test_refutation_suite_on_dask_equals_the_local_run(on_cluster, monkeypatch):
    refutations_on_cluster_equal_local(monkeypatch)
    assert "refute_task" in on_cluster()


def test_a_cancelled_cluster_run_raises(on_cluster):
    from app.errors import Cancelled

    df = linear_sem(TRUTH, 300, seed=1)
    with pytest.raises(Cancelled):
        discover(df, "pc", bootstrap=40, cancel=lambda: True)
