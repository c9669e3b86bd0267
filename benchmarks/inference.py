"""Benchmark: do-queries through app.do_query (cached mutilated models) against raw pgmpy, and
10,000 linear-SCM unit counterfactuals.

Raw pgmpy, as the issue defines it: `net.do(X)` then `VariableElimination(...).query(...)` for
each query. A second baseline keeps one VariableElimination per do-set (pgmpy with our caching
idea) so the gain from the contraction engine itself is visible. Every answer is compared.
Run: .venv/bin/python benchmarks/inference.py   (about a minute)
"""
from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.simplefilter("ignore")

from app.errors import QueryError  # noqa: E402
from app.graph import CausalGraph  # noqa: E402
from app.models import LinearSCM, do_query, fit_model, model_from_scm  # noqa: E402
from app.models import discrete as inf  # noqa: E402
from app.models.counterfactual import counterfactual, unit_counterfactuals  # noqa: E402

N_QUERIES = 40
REPEATS = 3


def load(name: str):
    from pgmpy.utils import get_example_model

    net = get_example_model(name)
    g = CausalGraph.from_edges([(str(a), str(b)) for a, b in net.edges()],
                               nodes=[str(n) for n in net.nodes()])
    t = time.perf_counter()
    model = fit_model(g, cpts=net)
    return net, g, model, time.perf_counter() - t


def queries(model, g: CausalGraph, seed: int = 0) -> list[tuple]:
    """Random do-queries: one or two do-targets, a downstream target, 0–2 observed variables;
    the do-targets repeat (as when a user sweeps values), the values vary."""
    rng = np.random.default_rng(seed)
    names = list(model.variables)
    with_kids = [v for v in names if g.descendants(v)]
    do_sets = []
    for _ in range(8):
        x = with_kids[int(rng.integers(len(with_kids)))]
        do_sets.append([x] if rng.uniform() < 0.6 else
                       [x, with_kids[int(rng.integers(len(with_kids)))]])
    out = []
    while len(out) < N_QUERIES:
        xs = list(dict.fromkeys(do_sets[int(rng.integers(len(do_sets)))]))
        below = sorted(set().union(*(g.descendants(x) for x in xs)) - set(xs))
        if not below:
            continue
        target = below[int(rng.integers(len(below)))]
        others = [v for v in names if v not in xs and v != target]
        ev = {v: model.states[v][int(rng.integers(len(model.states[v])))]
              for v in rng.choice(others, size=int(rng.integers(0, 3)), replace=False)}
        do = {x: model.states[x][int(rng.integers(len(model.states[x])))] for x in xs}
        try:
            do_query(model, target, do, ev)
        except QueryError:
            continue            # impossible evidence: skip (pgmpy would answer nonsense)
        out.append((target, do, ev))
    inf.clear_cache()
    return out


def raw_pgmpy(net, target, do, ev):
    from pgmpy.inference import VariableElimination

    mutilated = net.do(list(do))
    return VariableElimination(mutilated).query([target], evidence={**do, **ev},
                                                show_progress=False)


def pgmpy_cached(cache: dict, net, target, do, ev):
    from pgmpy.inference import VariableElimination

    key = frozenset(do)
    if key not in cache:
        cache[key] = VariableElimination(net.do(list(do)))
    return cache[key].query([target], evidence={**do, **ev}, show_progress=False)


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        t = time.perf_counter()
        fn(*item)
        out.append(time.perf_counter() - t)
    return out


def bench_network(name: str) -> None:
    net, g, model, fit_s = load(name)
    qs = queries(model, g)
    # agreement with raw pgmpy (same states, same order)
    worst = 0.0
    for target, do, ev in qs:
        ours = do_query(model, target, do, ev).distribution
        theirs = raw_pgmpy(net, target, do, ev)
        ref = [theirs.get_value(**{target: s}) for s in ours.index]
        worst = max(worst, float(np.max(np.abs(ours.to_numpy() - np.asarray(ref)))))
    inf.clear_cache()
    cold = sum(timed(lambda t, d, e: do_query(model, t, d, e), qs))
    raw, cached_pg, warm = [], [], []
    for _ in range(REPEATS):
        raw.append(sum(timed(lambda t, d, e: raw_pgmpy(net, t, d, e), qs)))
        cache: dict = {}
        cached_pg.append(sum(timed(lambda t, d, e, c=cache: pgmpy_cached(c, net, t, d, e), qs)))
        warm.append(sum(timed(lambda t, d, e: do_query(model, t, d, e), qs)))
    raw_s, pg_s, warm_s = (statistics.median(v) for v in (raw, cached_pg, warm))
    n = len(qs)
    print(f"\n{name}: {len(model.variables)} variables, {n} do-queries "
          f"(fit_model from the pgmpy network: {fit_s * 1000:.0f} ms)")
    print(f"  raw pgmpy (net.do + VariableElimination each query): {raw_s / n * 1000:8.2f} ms/query")
    print(f"  pgmpy, one VariableElimination per do-set:          {pg_s / n * 1000:8.2f} ms/query")
    print(f"  app.do_query, first pass (builds the cache):         {cold / n * 1000:8.2f} ms/query")
    print(f"  app.do_query, cached:                                {warm_s / n * 1000:8.2f} ms/query")
    print(f"  ratio app (cached) / raw pgmpy:    {warm_s / raw_s:.3f}   (target ≤ 1.0)")
    print(f"  ratio app (first pass) / raw:      {cold / raw_s:.3f}")
    print(f"  ratio app (cached) / pgmpy cached: {warm_s / pg_s:.3f}")
    print(f"  largest difference from pgmpy's answers: {worst:.2e}")


def bench_counterfactuals(n_units: int = 10_000, n_vars: int = 20) -> None:
    rng = np.random.default_rng(1)
    names = [f"V{i}" for i in range(n_vars)]
    parents = {v: [p for p in names[:i] if rng.uniform() < 0.25] for i, v in enumerate(names)}
    coefs = {v: {p: float(rng.normal()) for p in ps} for v, ps in parents.items()}
    scm = LinearSCM.from_equations(parents, coefs, intercepts={v: float(rng.normal()) for v in names},
                                   noise_std={v: 1.0 for v in names}, order=names)
    model = model_from_scm(scm)
    rows = scm.sample(n_units, seed=2)
    x = next(v for v in names if model.graph.descendants(v))
    t = time.perf_counter()
    out = unit_counterfactuals(model, rows, {x: 1.0})
    vec_s = time.perf_counter() - t
    # the same units one at a time through the public counterfactual(), on a sample of rows
    k = 100
    t = time.perf_counter()
    for i in range(k):
        r = counterfactual(model, names[-1], rows.iloc[i].to_dict(), {x: 1.0})
        assert abs(r.means[names[-1]] - out[names[-1]].iloc[i]) < 1e-8
    loop_s = (time.perf_counter() - t) / k * n_units
    print(f"\nlinear SCM, {n_vars} variables: unit counterfactuals for {n_units:,} rows")
    print(f"  vectorised unit_counterfactuals: {vec_s * 1000:8.1f} ms   (target < 1000 ms)")
    print(f"  one row at a time (extrapolated from {k} rows): {loop_s:8.1f} s   "
          f"(ratio {vec_s / loop_s:.5f})")


if __name__ == "__main__":
    for network in ("alarm", "hailfinder"):
        bench_network(network)
    bench_counterfactuals()
