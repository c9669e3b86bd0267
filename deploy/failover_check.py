"""Kill one replica mid-class: its students reconnect through HAProxy and get their work back.

    .venv/bin/python deploy/failover_check.py [--students 60] [--replicas 3] [--port 8500]

Starts deploy/scale_out.py's deployment (PostgreSQL, N replicas, HAProxy; loopback only). Each
student is a websocket client speaking Streamlit's protocol (benchmarks/_st_client.py) with a
`cc_session` cookie of its own: it opens the app through the balancer, opens the Graph page and
adds a variable of its own (S<i>) on the canvas, which autosaves to the shared database. Then
replica r1 is killed (SIGKILL, no clean shutdown) and every student asks for one more run:
students on the other replicas on their open connection (their 4 nodes still there, nothing
restored); r1's students lose their connection, reconnect through the balancer with the same
cookie and must find their own variable, and nobody else's, restored. Prints p50/p95 per step, the errors, and
each moved student's recovery time (kill -> restored workspace shown). Exit status 1 on any
error. Bounded: every request has a timeout and the run stops by itself.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))

from _st_client import StreamlitClient, component_event  # noqa: E402
from scale_out import StartError, deployment  # noqa: E402

STEP_TIMEOUT = 120.0
RECONNECT_DEADLINE = 120.0
STEPS = ("open app", "open Graph page", "canvas: add a variable", "after the kill")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


class Student:
    def __init__(self, base: str, i: int, errors: list[str], times: dict[str, list[float]]):
        self.base, self.i, self.errors, self.times = base, i, errors, times
        self.mine = f"S{i}"
        self.cookie = secrets.token_urlsafe(24)
        self.client = StreamlitClient(base, {"cc_session": self.cookie})
        self.replica = "?"
        self.recovered: float | None = None

    def _check_mine(self, run, step: str) -> bool:
        text = run.values.get("Graph text", "")
        others = sorted(set(re.findall(r"\bS\d+\b", text)) - {self.mine})
        if self.mine not in text or others:
            self.errors.append(f"s{self.i} ({self.replica}): {step}: graph text has "
                               f"{others or 'not ' + self.mine}")
            return False
        return True

    async def _step(self, name: str, expect: str, **ask):
        try:
            run = await self.client.run(timeout=STEP_TIMEOUT, **ask)
        except Exception as err:  # noqa: BLE001 - counted and reported
            self.errors.append(f"s{self.i}: {name}: {type(err).__name__}: {err}"[:200])
            return None
        if run.exceptions or (expect and not run.has(expect)):
            self.errors.append(f"s{self.i}: {name}: " + (run.exceptions[0][:150] if run.exceptions
                                                         else f"page did not show {expect!r}"))
            return None
        self.times[name].append(run.seconds)
        return run

    async def before(self, delay: float) -> bool:
        """Open the app, the Graph page, and add S<i> on the canvas (autosaved)."""
        await asyncio.sleep(delay)
        try:
            await self.client.open()
        except Exception as err:  # noqa: BLE001
            self.errors.append(f"s{self.i}: connect: {type(err).__name__}: {err}"[:200])
            return False
        self.replica = self.client.set_cookies.get("CC_REPLICA", "?")
        if not await self._step("open app", "kidney_stones"):
            return False
        if not await self._step("open Graph page", "3 nodes", page="graph"):
            return False
        event = {"nonce": f"fo{self.i}", "events": [
            {"seq": 1, "type": "add_node", "name": self.mine, "x": 10.0, "y": 10.0}]}
        run = await self._step("canvas: add a variable", "4 nodes", widgets=[
            component_event(self.client.widgets["dag_editor"], "edit", event)])
        return run is not None and self._check_mine(run, "add a variable")

    async def after(self, killed: str, t_kill: float) -> None:
        """One more run: on the open connection, or (r1's students) after reconnecting."""
        if self.replica != killed:
            # The session lives on in its replica's memory: the same run again must still show
            # this student's 4 nodes (the text box's value stays in the client, so the count is
            # what the protocol shows here) and must not have been restored.
            run = await self._step("after the kill", "4 nodes")
            if run is not None and run.has("Welcome back"):
                self.errors.append(f"s{self.i} ({self.replica}): restored although its replica "
                                   "kept running")
            return
        await self.client.close()
        while time.monotonic() - t_kill < RECONNECT_DEADLINE:
            self.client = StreamlitClient(self.base, {"cc_session": self.cookie})
            try:
                await self.client.open()
                await self.client.run(timeout=STEP_TIMEOUT)               # lands on Home
                run = await self.client.run(page="graph", timeout=STEP_TIMEOUT)
            except Exception:  # noqa: BLE001 - the balancer may still route to the dead one
                await asyncio.sleep(0.5)
                continue
            self.recovered = time.monotonic() - t_kill
            self.times["after the kill"].append(run.seconds)
            if self.client.set_cookies.get("CC_REPLICA") == killed:
                self.errors.append(f"s{self.i}: reconnected to the killed replica")
            if run.exceptions:
                self.errors.append(f"s{self.i}: after reconnect: {run.exceptions[0][:150]}")
            else:
                self._check_mine(run, "restored after reconnect")
            return
        self.errors.append(f"s{self.i}: no reconnect within {RECONNECT_DEADLINE:.0f} s")


async def run_class(base: str, n: int, ramp: float, kill) -> tuple[list[Student], list[str], dict]:
    errors: list[str] = []
    times: dict[str, list[float]] = {k: [] for k in STEPS}
    warm = Student(base, 10_000, [], {k: [] for k in STEPS})   # first-run imports, not counted
    await warm.before(0)
    await warm.client.close()
    students = [Student(base, i, errors, times) for i in range(n)]
    ok = await asyncio.gather(*(s.before(i * ramp / max(n, 1)) for i, s in enumerate(students)))
    live = [s for s, good in zip(students, ok) if good]
    t_kill = time.monotonic()
    kill()
    await asyncio.gather(*(s.after("r1", t_kill) for s in live))
    for s in students:
        await s.client.close()
    return students, errors, times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=60)
    ap.add_argument("--replicas", type=int, default=3)
    ap.add_argument("--ramp", type=float, default=10.0, help="seconds over which students arrive")
    ap.add_argument("--port", type=int, default=8500)
    args = ap.parse_args()
    try:
        with deployment(args.replicas, args.port) as d:
            victim = next(r for r in d.replicas if r.name == "r1")
            students, errors, times = asyncio.run(
                run_class(d.url, args.students, args.ramp, victim.kill))
    except StartError as err:
        print(err, file=sys.stderr)
        return 1
    spread = Counter(s.replica for s in students)
    moved = [s for s in students if s.replica == "r1"]
    rec = [s.recovered for s in moved if s.recovered is not None]
    print(f"{args.students} students, {args.replicas} replicas behind HAProxy "
          f"({', '.join(f'{k}: {v}' for k, v in sorted(spread.items()))}); r1 killed mid-class")
    print(f"{'step':<28} {'n':>4} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for k, v in times.items():
        print(f"{k:<28} {len(v):>4} {pct(v, .5):7.2f} {pct(v, .95):7.2f} "
              f"{max(v, default=float('nan')):7.2f}")
    print(f"moved students restored: {len(rec)}/{len(moved)}; recovery (kill -> restored "
          f"workspace shown) p50 {pct(rec, .5):.2f} s, p95 {pct(rec, .95):.2f} s, "
          f"max {max(rec, default=float('nan')):.2f} s")
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:20]))
    return 1 if errors or len(rec) != len(moved) else 0


if __name__ == "__main__":
    sys.exit(main())
