"""The same comparisons on Ray (CAUSAL_CANVAS_EXECUTOR=ray): a Ray cluster started on this
machine, on loopback only, runs bootstrap discovery and the refutation suite bit for bit like
the local run (tests/unit/_executor_checks.py). Ray is not in requirements.lock (too heavy for
the lean install), so this is skipped unless Ray is installed; docs/deploy.md says how to run it
and what it measured. Ray 2.60 has no "local mode" any more (ray.init(local_mode=True) raises),
so a one-node cluster with worker processes is what "local" means here.
"""
from __future__ import annotations

import os

import pytest

from app import executor
from tests.unit._executor_checks import (
    bootstrap_on_cluster_equals_local,
    refutations_on_cluster_equal_local,
    worker_pids,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_cluster():
    # before Ray is imported: no usage statistics leave the machine, and the node uses the
    # loopback address instead of looking up the machine's address on the network
    saved = {k: os.environ.get(k) for k in ("RAY_USAGE_STATS_ENABLED",
                                            "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER")}
    os.environ.update(RAY_USAGE_STATS_ENABLED="0", RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0")
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    assert ray.util.get_node_ip_address() == "127.0.0.1"
    yield ray
    ray.shutdown()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def on_ray(ray_cluster, monkeypatch):
    monkeypatch.setenv(executor.ENV_VAR, "ray")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    return ray_cluster


def test_tasks_run_in_rays_worker_processes(on_ray):
    assert os.getpid() not in worker_pids()


def test_bootstrap_discovery_on_ray_equals_the_local_pool(on_ray, monkeypatch):
    bootstrap_on_cluster_equals_local(monkeypatch)


def test_refutation_suite_on_ray_equals_the_local_run(on_ray, monkeypatch):
    refutations_on_cluster_equal_local(monkeypatch)
