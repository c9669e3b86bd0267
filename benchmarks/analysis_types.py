"""Benchmark the analyses on graph types beyond the DAG (issue 18, Measure).

1. Adjustment on CPDAGs and PAGs of 20, 50 and 200 nodes: the minimal sets, the check of one
   set and the canonical set. CPDAGs come from random DAGs (app.discovery.pdag.cpdag_of_dag);
   PAGs are the true PAGs of random DAGs with 10% latent nodes (FCI with a d-separation oracle,
   app.discovery.compare.true_pag). FCI takes over a minute on one 200-node graph, so the
   200-node PAG is four relabelled copies of the 50-node PAG side by side (a union of PAGs is
   the PAG of the union of their DAGs).
2. One d-separation query against networkx's `nx.is_d_separator` on random DAGs of 50–3,000
   nodes (about two edges per node), same queries, same run: "cold" is the first query on a
   graph object (its view is built inside the timing), "warm" a later query on the same graph
   (the view is remembered per graph object, as on the app's pages). networkx is given its
   DiGraph ready-made. Target (issue 18): ours / networkx ≤ 1.0.

Run: .venv/bin/python benchmarks/analysis_types.py   (about a minute)
"""
from __future__ import annotations

import random
import statistics
import time

import networkx as nx

from app.analysis import (
    adjustment_sets,
    canonical_adjustment_set,
    check_adjustment_set,
    d_separated,
    gac,
)
from app.analysis._core import admg
from app.graph import CausalGraph


def ms(fn, repeat: int = 3) -> tuple[float, object]:
    """Median wall time in ms (views cleared first, so every run does the whole work)."""
    times, out = [], None
    for _ in range(repeat):
        admg.cache_clear()
        gac.pag_view.cache_clear()
        gac.member_mag.cache_clear()
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def random_edges(names: list[str], per_node: float, rng: random.Random) -> list[tuple[str, str]]:
    """A random DAG along the order of `names` with about `per_node` edges per node."""
    n = len(names)
    edges = set()
    while len(edges) < int(per_node * n):
        i, j = sorted(rng.sample(range(n), 2))
        edges.add((names[i], names[j]))
    return sorted(edges)


def cpdag(n: int, seed: int) -> CausalGraph:
    from app.discovery.pdag import cpdag_of_dag

    rng = random.Random(seed)
    names = [f"V{i:03d}" for i in range(n)]
    p = cpdag_of_dag(names, random_edges(names, 1.5, rng))
    return CausalGraph.from_edges(sorted(p.directed), nodes=names, kind="pdag",
                                  undirected=[tuple(sorted(e)) for e in p.undirected])


def pag(n: int, seed: int) -> CausalGraph:
    from app.discovery.compare import true_pag
    from app.discovery.result import typed_graph

    rng = random.Random(seed)
    names = [f"V{i:03d}" for i in range(n)]
    dag = CausalGraph.from_edges(random_edges(names, 1.2, rng), nodes=names)
    hidden = set(rng.sample(names, max(1, n // 10)))
    return typed_graph(true_pag(dag, [v for v in names if v not in hidden]))


def copies(g: CausalGraph, k: int) -> CausalGraph:
    """k disjoint relabelled copies of the PAG `g`, as one PAG."""
    parts = []
    for i in range(k):
        h = g
        for v in g.nodes:
            h = h.rename_node(v, f"C{i}_{v}")
        parts.append(h)
    return CausalGraph.from_edges(
        [e for p in parts for e in p.edges], nodes=[v for p in parts for v in p.nodes],
        bidirected=[e for p in parts for e in p.bidirected],
        circle=[e for p in parts for e in p.circle], kind="pag")


def question(g: CausalGraph, rng: random.Random) -> tuple[str, str]:
    """An exposure and outcome joined by a possibly causal path, amenable if one is found."""
    order = g.topological_order()
    pairs = [(x, y) for i, x in enumerate(order) for y in order[i + 1:]]
    rng.shuffle(pairs)
    fallback = None
    for x, y in pairs[:60]:
        c = canonical_adjustment_set(g, x, y)
        if c.set is not None and c.set:
            return x, y
        if fallback is None and "not amenable" in c.reason:
            fallback = (x, y)
    return fallback or pairs[0]


def adjustment_benchmark() -> None:
    print("Adjustment (median of 3 runs, views rebuilt each run):")
    graphs = []
    for n in (20, 50, 200):
        graphs.append((f"CPDAG {n:>3}", cpdag(n, n)))
    t0 = time.perf_counter()
    graphs.append(("PAG    20", pag(20, 20)))
    graphs.append(("PAG    50", pag(50, 50)))
    graphs.append(("PAG   200", copies(graphs[-1][1], 4)))
    print(f"  (making the PAGs with FCI took {time.perf_counter() - t0:.0f} s; not timed below)")
    for name, g in graphs:
        rng = random.Random(len(g.nodes))
        x, y = question(g, rng)
        sets_ms, sets = ms(lambda g=g, x=x, y=y: adjustment_sets(g, x, y))
        canon_ms, canon = ms(lambda g=g, x=x, y=y: canonical_adjustment_set(g, x, y))
        z = canon.set or frozenset()
        check_ms, check = ms(lambda g=g, x=x, y=y, z=z: check_adjustment_set(g, x, y, z))
        marks = len(g.undirected) + len(g.circle)
        what = (f"{len(sets)} minimal set(s)" if sets else
                ("not amenable" if "not amenable" in sets.note else "no set"))
        print(f"  {name} ({len(g.edges) + len(g.bidirected) + marks:>3} edges, {marks:>3} "
              f"undecided): minimal sets {sets_ms:7.1f} ms ({what}); canonical set "
              f"{canon_ms:6.1f} ms ({'valid' if canon.set is not None else 'none'}); check "
              f"{check_ms:6.1f} ms ({'valid' if check.valid else 'not valid'})")


def dsep_benchmark(queries: int = 15) -> None:
    print("One d-separation query vs nx.is_d_separator (median over "
          f"{queries} queries, |Z| = 5):")
    for n in (50, 200, 1000, 3000):
        rng = random.Random(n)
        names = [f"V{i:04d}" for i in range(n)]
        edges = random_edges(names, 2.0, rng)
        g = CausalGraph.from_edges(edges, nodes=names)
        d = g.to_networkx()
        cold, warm, base = [], [], []
        for _ in range(queries):
            x, y = rng.sample(names, 2)
            z = set(rng.sample([v for v in names if v not in (x, y)], 5))
            admg.cache_clear()
            t0 = time.perf_counter()
            ours = d_separated(g, x, y, z)
            t1 = time.perf_counter()
            d_separated(g, x, y, z)
            t2 = time.perf_counter()
            theirs = nx.is_d_separator(d, {x}, {y}, z)
            t3 = time.perf_counter()
            assert ours == theirs
            cold.append(t1 - t0)
            warm.append(t2 - t1)
            base.append(t3 - t2)
        c, w, b = (statistics.median(v) * 1000 for v in (cold, warm, base))
        print(f"  {n:>5} nodes, {len(edges):>5} edges: ours cold {c:7.3f} ms, warm {w:7.3f} ms; "
              f"networkx {b:7.3f} ms; ratio cold {c / b:4.2f}, warm {w / b:4.2f} (target ≤ 1.0)")


if __name__ == "__main__":
    dsep_benchmark()
    adjustment_benchmark()
