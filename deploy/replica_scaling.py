"""1, 2 and 3 replicas behind HAProxy under the same steady load, back to back.

    .venv/bin/python deploy/replica_scaling.py [--replicas 1 2 3] [--sessions 40] [--seconds 60]

For each replica count: deploy/scale_out.py's deployment (PostgreSQL, N replicas, HAProxy, all on
127.0.0.1), one uncounted warm-up story per replica, then `--sessions` protocol clients
(benchmarks/load_test.py's student: open the app, the Graph page, add a variable, edit the graph
text, two do-queries; every page checked) clicking as fast as the server answers (--think 0 0)
for `--seconds`, each student starting a new session when its story ends. Prints, per replica
count, interactions per second, p50/p95/max latency, errors, the CPU the replicas used (in
cores) and the machine's load average before the run (other work on the same cores skews the comparison; runs are back to back so that
they share the conditions). Bounded: every run stops after --seconds plus the stories in flight.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))

from load_test import pct, run_for  # noqa: E402
from scale_out import StartError, _interrupt, deployment  # noqa: E402

RUN_DEADLINE = 600.0


def replica_cpu_seconds(replicas) -> float:
    """CPU time (user + system) used so far by the replicas and the processes they started."""
    import psutil

    total = 0.0
    for r in replicas:
        try:
            root = psutil.Process(r.proc.pid)
            for p in [root, *root.children(recursive=True)]:
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.Error:
            pass
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--sessions", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--think", type=float, nargs=2, default=(0.0, 0.0), metavar=("MIN", "MAX"))
    ap.add_argument("--port", type=int, default=8500)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)     # stop everything started, as Ctrl-C does
    rows = []
    for n in args.replicas:
        try:
            with deployment(n, args.port) as d:
                asyncio.run(asyncio.wait_for(run_for(0, d.url, 0, (0, 0), warm=n), RUN_DEADLINE))
                load, cpu0 = os.getloadavg()[0], replica_cpu_seconds(d.replicas)
                results, errors, wall = asyncio.run(asyncio.wait_for(
                    run_for(args.sessions, d.url, args.seconds, tuple(args.think), warm=0),
                    RUN_DEADLINE))
                cores = (replica_cpu_seconds(d.replicas) - cpu0) / wall
        except StartError as err:
            print(err, file=sys.stderr)
            return 1
        values = [v for vs in results.values() for v in vs]
        rows.append((n, len(values), len(values) / wall, pct(values, .5), pct(values, .95),
                     max(values, default=float("nan")), len(errors), load, cores))
        print(f"{n} replica(s): {len(values)} interactions in {wall:.0f} s, "
              f"p50 {pct(values, .5):.2f} s, p95 {pct(values, .95):.2f} s, errors {len(errors)}, "
              f"replicas used {cores:.2f} cores"
              + "".join(f"\n  {e}" for e in errors[:5]), flush=True)
        time.sleep(2)
    print(f"\n{args.sessions} students clicking non-stop for {args.seconds:.0f} s per run, "
          f"os.cpu_count()={os.cpu_count()}")
    print("| replicas | interactions | per second | p50 | p95 | max | errors | cores used by "
          "the replicas | CPU ms per interaction | load avg before |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, count, rate, p50, p95, mx, err, load, cores in rows:
        print(f"| {n} | {count} | {rate:.1f} | {p50:.2f} s | {p95:.2f} s | {mx:.2f} s | {err} "
              f"| {cores:.2f} | {1000 * cores / rate:.0f} | {load:.1f} |")
    return 1 if any(r[6] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
