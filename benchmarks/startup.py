"""Start-up and rerun speed (issue 3 targets: cold start < 2 s, Graph rerun < 100 ms p95).

Cold start = a fresh Python process until the first AppTest run of the Home page has finished.
Rerun = AppTest reruns of the Graph page on a 50-node graph, compared against a baseline rerun
of a trivial one-line Streamlit script measured in the same process.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLD = """
import time, sys
t0 = time.perf_counter()
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("streamlit_app.py", default_timeout=60)
at.run()
assert not at.exception, at.exception
print(time.perf_counter() - t0)
"""


def cold_start(runs: int = 3) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode:
            raise SystemExit(r.stderr[-2000:])
        out.append(wall)
    return out


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]


def reruns(n: int = 30) -> tuple[list[float], list[float]]:
    import random

    from streamlit.testing.v1 import AppTest

    from app.graph import CausalGraph
    from app.workspace import encode_share

    rng = random.Random(0)
    names = [f"V{i}" for i in range(50)]
    edges = [(names[i], names[j]) for i in range(50) for j in range(i + 1, 50) if rng.random() < 0.06]
    g = CausalGraph.from_edges(edges, nodes=names)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["g"] = encode_share(g)
    at.run()
    at.switch_page("pages/graph.py").run()
    assert len(at.session_state["cc_history"].present.graph.nodes) == 50
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
    base = AppTest.from_string("import streamlit as st\nst.write('hello')", default_timeout=30)
    base.run()
    base_times = []
    for _ in range(n):
        t0 = time.perf_counter()
        base.run()
        base_times.append(time.perf_counter() - t0)
    return times, base_times


if __name__ == "__main__":
    cold = cold_start()
    print(f"cold start (process start -> first Home run): median {statistics.median(cold):.2f} s "
          f"(runs: {', '.join(f'{c:.2f}' for c in cold)}), target < 2 s")
    t, b = reruns()
    print(f"Graph page rerun, 50-node graph: p95 {p95(t) * 1000:.0f} ms, median "
          f"{statistics.median(t) * 1000:.0f} ms (target p95 < 100 ms)")
    print(f"baseline trivial script rerun: p95 {p95(b) * 1000:.0f} ms; ratio p95 "
          f"{p95(t) / p95(b):.1f}x")
