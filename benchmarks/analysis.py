"""Benchmark the graph analyses: every analysis on a 50-node random graph (target < 200 ms in
total) and implication testing on pgmpy's alarm network with 5,000 sampled rows (target < 5 s).

Baselines run in the same process: networkx for d-separation and one minimal separator,
pgmpy's chi-square CI test for the implication tests. Run: .venv/bin/python benchmarks/analysis.py
"""
from __future__ import annotations

import random
import statistics
import time
import warnings

import networkx as nx

from app.analysis import (
    adjustment_sets,
    check_adjustment_set,
    d_separated,
    frontdoor_sets,
    identify,
    implied_independencies,
    instruments,
    node_roles,
    open_paths,
    test_implications,
)
from app.analysis._core import admg
from app.graph import CausalGraph


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    """Median wall time in ms over `repeat` runs (caches cleared so each run does the work)."""
    times, out = [], None
    for _ in range(repeat):
        admg.cache_clear()
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def random_graph(n: int = 50, p: float = 0.07, p_bi: float = 0.01, seed: int = 1) -> CausalGraph:
    rng = random.Random(seed)
    names = [f"V{i:02d}" for i in range(n)]
    edges = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n) if rng.random() < p]
    bidi = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n) if rng.random() < p_bi]
    return CausalGraph.from_edges(edges, nodes=names, bidirected=bidi)


def graph_benchmark() -> None:
    g = random_graph()
    order = g.topological_order()
    x = next(v for v in order if len(g.descendants(v)) > 15)
    y = max(g.descendants(x), key=lambda v: len(g.ancestors(v)))
    rng = random.Random(3)
    zs = [set(rng.sample([v for v in g.nodes if v not in (x, y)], 6)) for _ in range(200)]
    print(f"50-node random graph: {len(g.edges)} edges, {len(g.bidirected)} bidirected; "
          f"X = {x}, Y = {y}")

    dag = random_graph(p_bi=0.0)                  # networkx needs a plain DAG
    dnx = dag.to_networkx()
    ours_ms, _ = timed(lambda: [d_separated(dag, x, y, z) for z in zs])
    base_ms, _ = timed(lambda: [nx.is_d_separator(dnx, {x}, {y}, z) for z in zs])
    print(f"  d-separation, 200 queries: ours {ours_ms:.1f} ms, networkx {base_ms:.1f} ms "
          f"(ratio {ours_ms / base_ms:.2f})")
    sets_ms, sets = timed(lambda: adjustment_sets(dag, x, y))
    one_ms, _ = timed(lambda: nx.find_minimal_d_separator(
        _backdoor(dnx, x, y), {x}, {y}, restricted=set(dnx) - {x, y} - nx.descendants(dnx, x)))
    print(f"  all {len(sets)} minimal adjustment sets: {sets_ms:.1f} ms; networkx finds one "
          f"minimal separator in {one_ms:.1f} ms (ratio {sets_ms / one_ms:.1f})")

    steps = {
        "d_separated": lambda: d_separated(g, x, y, zs[0]),
        "open_paths (only open, ≤ 500)": lambda: open_paths(g, x, y, zs[0], only_open=True),
        "adjustment_sets (minimal)": lambda: adjustment_sets(g, x, y),
        "check_adjustment_set": lambda: check_adjustment_set(g, x, y, zs[0]),
        "frontdoor_sets": lambda: frontdoor_sets(g, x, y),
        "instruments": lambda: instruments(g, x, y),
        "identify": lambda: identify(g, x, y),
        "node_roles": lambda: node_roles(g, x, y),
        "implied_independencies": lambda: implied_independencies(g),
    }
    total = 0.0
    for name, fn in steps.items():
        ms, out = timed(fn, repeat=3)
        total += ms
        size = f" ({len(out)} items)" if hasattr(out, "__len__") and not isinstance(out, str) else ""
        print(f"  {name:32s} {ms:8.1f} ms{size}")
    print(f"  all analyses together: {total:.0f} ms (target < 200 ms)")
    all_paths_ms, paths = timed(lambda: open_paths(g, x, y, zs[0]), repeat=1)
    print(f"  (full path listing, open and blocked: {len(paths)} paths in {all_paths_ms:.0f} ms"
          f"{'; ' + paths.note if paths.note else ''})")


def _backdoor(d: nx.DiGraph, x: str, y: str) -> nx.DiGraph:
    b = d.copy()
    b.remove_edges_from([(x, c) for c in d.successors(x) if y in nx.descendants(d, c) | {c}])
    return b


def alarm_benchmark() -> None:
    from pgmpy.estimators import CITests
    from pgmpy.sampling import BayesianModelSampling
    from pgmpy.utils import get_example_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = get_example_model("alarm")
        df = BayesianModelSampling(model).forward_sample(size=5000, seed=42, show_progress=False)
    g = CausalGraph.from_edges(model.edges(), nodes=model.nodes())
    t0 = time.perf_counter()
    implied = implied_independencies(g)
    t_list = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = test_implications(g, df)
    t_test = time.perf_counter() - t0
    print(f"alarm (37 nodes, 5,000 rows): {len(implied)} implications listed in "
          f"{t_list * 1000:.0f} ms; all tested in {t_test:.2f} s (target < 5 s)")
    print(f"  {report.n_rejected} rejected at 5% (≈{0.05 * len(report):.0f} expected by chance), "
          f"{len(report.violated)} after Holm; verdict: {report.verdict[:90]}…")
    sample = list(implied)[:40]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        for ind in sample:
            CITests.g_sq(ind.a, ind.b, sorted(ind.given), df, boolean=False)
        t_pgmpy = (time.perf_counter() - t0) / len(sample)
    ours_each = t_test / max(1, len(report))
    print(f"  per test: ours {ours_each * 1000:.2f} ms, pgmpy g_sq {t_pgmpy * 1000:.2f} ms "
          f"(ratio {ours_each / t_pgmpy:.2f})")


if __name__ == "__main__":
    graph_benchmark()
    alarm_benchmark()
