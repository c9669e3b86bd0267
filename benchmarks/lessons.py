"""Benchmark the Learn page's core: exercise generation per difficulty (target < 50 ms median,
so "New exercise" feels instant), building each lesson cold and warm (target < 1.5 s cold),
and checking an answer (target < 20 ms).

Baseline in the same process: one networkx d-separation query plus one all-simple-paths listing
on the same generated graph (the least work any "which paths are open?" question needs).
Run: .venv/bin/python benchmarks/lessons.py
"""
from __future__ import annotations

import statistics
import time
import warnings

import networkx as nx
import numpy as np

from app.exercises.generator import LEVELS, generate, random_dag
from app.lessons import build_lesson, list_lessons, loader


def ms(fn, repeat: int = 1) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) * 1000 / repeat


def baseline(level: int, n: int = 40) -> float:
    """Median ms of the networkx work a path question needs on graphs of this level."""
    times = []
    for s in range(n):
        g = random_dag(np.random.default_rng(s), level)
        nxg = g.to_networkx()
        a, b = g.nodes[0], g.nodes[-1]
        times.append(ms(lambda nxg=nxg, a=a, b=b: (
            nx.is_d_separator(nxg, {a}, {b}, set()),
            list(nx.all_simple_paths(nxg.to_undirected(), a, b)))))
    return statistics.median(times)


def main() -> None:
    warnings.simplefilter("ignore")
    generate(0, 2)   # imports (app.models, pandas) are not part of the measurement
    print("Exercise generator (median of 60 seeds per level)")
    print(f"{'level':>5} {'nodes':>5} {'ms/exercise':>12} {'p95 ms':>8} {'baseline ms':>12} {'ratio':>7}")
    for level in LEVELS:
        times = [ms(lambda s=s, level=level: generate(s, level)) for s in range(1000, 1060)]
        base = baseline(level)
        med = statistics.median(times)
        print(f"{level:>5} {LEVELS[level].nodes:>5} {med:>12.1f} {np.percentile(times, 95):>8.1f} "
              f"{base:>12.3f} {med / base:>7.0f}x")

    first = ms(lambda: build_lesson("01_confounding_simpson"))
    print(f"\nFirst lesson build in this process (imports pgmpy for the discrete model): "
          f"{first:.0f} ms")
    print("\nLessons: build cold (lesson caches cleared, libraries loaded) and warm; median "
          "answer check")
    print(f"{'lesson':<34} {'cold ms':>8} {'warm ms':>8} {'check ms':>9}")
    for info in list_lessons():
        loader._load.cache_clear()
        loader._build.cache_clear()
        cold = ms(lambda slug=info.slug: build_lesson(slug))
        warm = ms(lambda slug=info.slug: build_lesson(slug), repeat=20)
        run = build_lesson(info.slug)
        check = statistics.median(ms(lambda e=e: e.check(e.answer), repeat=5) for e in run.exercises)
        print(f"{info.slug:<34} {cold:>8.0f} {warm:>8.2f} {check:>9.2f}")


if __name__ == "__main__":
    main()
