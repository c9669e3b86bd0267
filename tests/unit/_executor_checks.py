"""The comparisons every cluster executor must pass (tests/unit/test_executor_dask.py and
test_executor_ray.py): bootstrap discovery and the refutation suite on the cluster give bit
for bit what this machine gives with the same seeds.

Reference: the local run. Each resample is seeded by (seed, i) and each refutation by its own
seed, so where a task runs must not change a single bit.
"""
from __future__ import annotations

import dataclasses
import os

import numpy as np
import pandas as pd

from app import executor
from app.discovery import discover
from app.discovery.simulate import linear_sem
from app.estimation import estimate_effect, refutation_suite
from app.graph import CausalGraph

TRUTH = CausalGraph.from_edges([("A", "B"), ("B", "C"), ("D", "C")])
CONF = CausalGraph.from_edges([("Z", "T"), ("Z", "Y"), ("T", "Y")],
                              roles={"T": ["exposure"], "Y": ["outcome"]})


def _pid(shared, i: int) -> int:
    return os.getpid()


def worker_pids() -> set[int]:
    """The processes that ran two small tasks through the configured executor."""
    return set(executor.cluster_map(_pid, None, [(0,), (1,)]))


def bootstrap_on_cluster_equals_local(monkeypatch) -> None:
    df = linear_sem(TRUTH, 400, seed=7)
    seen = []
    remote = discover(df, "pc", bootstrap=6, seed=5, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (6, 6)
    monkeypatch.delenv(executor.ENV_VAR)
    local = discover(df, "pc", bootstrap=6, seed=5)   # the local process pool (2 cores here)
    assert remote.bootstrap == local.bootstrap == 6
    assert remote.confidence == local.confidence
    assert [(e.a, e.b, e.mark_a, e.mark_b) for e in remote.edges] == \
        [(e.a, e.b, e.mark_a, e.mark_b) for e in local.edges]


def refutations_on_cluster_equal_local(monkeypatch) -> None:
    rng = np.random.default_rng(2)
    z = rng.normal(size=600)
    t = rng.binomial(1, 1 / (1 + np.exp(-z)))
    y = 2.0 * t + 1.5 * z + rng.normal(size=600)
    est = estimate_effect(pd.DataFrame({"Z": z, "T": t, "Y": y}), CONF,
                          method="linear_regression")
    fractions = []
    remote = refutation_suite(est, seed=3, n_simulations=8,
                              progress=lambda f, msg: fractions.append(f))
    assert fractions[-1] == 1.0
    monkeypatch.delenv(executor.ENV_VAR)
    local = refutation_suite(est, seed=3, n_simulations=8)
    assert [r.kind for r in remote] == [r.kind for r in local] == [
        "placebo", "random_common_cause", "data_subset", "unobserved_common_cause"]
    for a, b in zip(remote, local):
        # every field but the wall-clock time, compared exactly (floats bit for bit)
        assert dataclasses.replace(a, seconds=0.0) == dataclasses.replace(b, seconds=0.0), a.kind
        assert np.array_equal(np.array(a.simulations), np.array(b.simulations))
