"""Experiment-ranking benchmark: single and paired experiments on CPDAGs of 20, 50 and 100 nodes.

Classes: the CPDAG of an Erdős–Rényi DAG (app.discovery.simulate.random_dag, expected degree 2
and 3, seeds 0–2), and one hard case per size, an undirected chordal graph (a single chain
component, the worst case for the ranking). Prints the class size (members, or "too many"), the
undecided edges, and the wall time of plan_experiments and plan_pairs. No enumeration of the
class: see the module docstring of app/discovery/experiments.py for how it is avoided.

    .venv/bin/python benchmarks/experiments.py            # about a minute on 2 idle cores
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.discovery.experiments import plan_experiments, plan_pairs  # noqa: E402
from app.discovery.pdag import Pdag, cpdag_of_dag  # noqa: E402
from app.discovery.simulate import random_dag  # noqa: E402


def chordal(n: int, seed: int, keep: float = 0.3) -> Pdag:
    """A connected chordal graph: each new node joins a clique around an earlier one."""
    rng = random.Random(seed)
    g = nx.Graph()
    g.add_node(0)
    for v in range(1, n):
        clique = [rng.randrange(v)]
        for u in sorted(g[clique[0]]):
            if rng.random() < keep and all(g.has_edge(u, w) for w in clique):
                clique.append(u)
        g.add_edges_from((v, u) for u in clique)
    names = [f"X{i}" for i in g.nodes]
    return Pdag(names, set(), {frozenset((f"X{a}", f"X{b}")) for a, b in g.edges})


def run(label: str, pdag: Pdag) -> None:
    t0 = time.perf_counter()
    singles = plan_experiments(pdag)
    t1 = time.perf_counter()
    pairs = plan_pairs(pdag, singles)
    t2 = time.perf_counter()
    members = f"{singles.members:,}" if singles.members is not None else "too many"
    best = singles.best.worst if singles.best else 0
    pair = pairs.best.worst if pairs.best else 0
    print(f"{label:<28} {len(singles.undecided):>9} {members:>24} {t1 - t0:>8.2f} "
          f"{t2 - t1:>8.2f} {best:>6} {pair:>6}")


def main() -> None:
    print(f"{'class':<28} {'undecided':>9} {'members':>24} {'single s':>8} {'pairs s':>8} "
          f"{'best1':>6} {'best2':>6}")
    for n in (20, 50, 100):
        for degree in (2.0, 3.0):
            for seed in range(3):
                dag = random_dag(n, degree, seed=seed)
                run(f"ER n={n} deg={degree:.0f} seed={seed}", cpdag_of_dag(dag.nodes, dag.edges))
        run(f"chordal n={n}", chordal(n, 7) if n < 100 else chordal(n, 7, keep=0.2))


if __name__ == "__main__":
    main()
