"""Bounded loopback load test: N simultaneous student sessions against one app on 127.0.0.1.

Default mode: each student is a websocket client speaking Streamlit's browser protocol
(benchmarks/_st_client.py; its own Streamlit session, no browser). A student opens the app (the
kidney_stones sample loads), opens the Graph page, adds a variable of their own on the canvas
(a real component event; the graph text must then hold it and no other student's), rewrites
the graph text (drops an arrow), opens Intervene (the default do-query runs) and asks a second
do-query. Every step checks what the page showed; a traceback,
a wrong result or a timeout is an error. Latency = request sent -> script run finished, i.e. the
server's share of what a user waits for (the browser's drawing is measured in benchmarks/editor.py).

Students arrive over --ramp seconds and pause --think seconds (uniform range) between steps, as
people do; --think 0 0 makes every student click as fast as the server answers (the worst case).
`--browsers` runs the same story with Playwright browser contexts instead (heavier: 40 Chromium
pages on 2 cores measure mostly Chromium).

Target (issue 13): p95 < 1 s and 0 errors for 40 sessions on 2 cores.
Run: .venv/bin/python benchmarks/load_test.py [--sessions 40] [--think 1 3] [--browsers]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import start_server, stop_server  # noqa: E402

EDITED = ("dag {\n  treatment [exposure]\n  recovery [outcome]\n  stone_size -> recovery\n"
          "  treatment -> recovery\n}\n")
STEP_TIMEOUT_MS = 120_000
TIMELINE: list[tuple[float, float, str]] = []     # (started, seconds, step) of every interaction


class Session:
    """One student: a browser context kept open for the whole test (its own Streamlit session)."""

    def __init__(self, browser, base: str, i: int, errors: list, outside: list) -> None:
        self.browser, self.base, self.i, self.errors, self.outside = browser, base, i, errors, outside
        self.page = None
        self.ok = True

    def _fail(self, step: str, err: Exception) -> None:
        self.ok = False
        self.errors.append(f"s{self.i}: {step}: {type(err).__name__}: {str(err).splitlines()[0][:120]}")

    async def load(self, delay: float, out: list) -> None:
        await asyncio.sleep(delay)
        try:
            self.ctx = await self.browser.new_context(viewport={"width": 1280, "height": 900})
            self.ctx.set_default_timeout(STEP_TIMEOUT_MS)
            page = self.page = await self.ctx.new_page()
            page.on("request", lambda r: self.outside.append(r.url)
                    if urlsplit(r.url).hostname not in ("127.0.0.1", "localhost") and
                    urlsplit(r.url).scheme in ("http", "https", "ws", "wss") else None)
            page.on("dialog", lambda d: self.errors.append(f"s{self.i}: dialog {d.message}"))
            t = time.perf_counter()
            await page.goto(self.base + "/graph", wait_until="commit")
            await page.get_by_text("3 nodes, 3 directed").wait_for()
            out.append(time.perf_counter() - t)
        except Exception as err:  # noqa: BLE001 - counted and reported
            self._fail("load", err)

    async def edit(self, out: list) -> None:
        if not self.ok:
            return
        try:
            box = self.page.get_by_role("textbox", name="Graph text")
            await box.fill(EDITED)
            t = time.perf_counter()
            await box.press("Control+Enter")
            await self.page.get_by_text("3 nodes, 2 directed").wait_for()
            out.append(time.perf_counter() - t)
        except Exception as err:  # noqa: BLE001
            self._fail("edit", err)

    async def intervene(self, out: list) -> None:
        if not self.ok:
            return
        try:
            t = time.perf_counter()
            await self.page.locator('[data-testid="stSidebarNav"] a[href*="intervene"]').first.click()
            await self.page.locator('[data-testid="stMetric"]').first.wait_for()
            out.append(time.perf_counter() - t)
            if await self.page.locator('[data-testid="stException"]').count():
                self.errors.append(f"s{self.i}: traceback on Intervene")
        except Exception as err:  # noqa: BLE001
            self._fail("intervene", err)

    async def close(self) -> None:
        if self.page is not None:
            await self.ctx.close()


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else float("nan")


async def run_browsers(n: int, base: str, ramp: float, think: tuple[float, float]
                       ) -> tuple[dict, list, list, float]:
    """Students arrive over `ramp` seconds and stay connected; then all edit their graph at the
    same moment, then all open Intervene at the same moment (the worst case for a class)."""
    from playwright.async_api import async_playwright

    results: dict[str, list[float]] = {k: [] for k in (
        "load Graph page (sample)", "edit graph text -> redrawn", "open Intervene -> do-query shown")}
    load, edit, inter = results.values()
    errors: list[str] = []
    outside: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        warm = Session(browser, base, -1, [], outside)   # imports, sample, model cache: not counted
        await warm.load(0, [])
        await warm.edit([])
        await warm.intervene([])
        await warm.close()
        sessions = [Session(browser, base, i, errors, outside) for i in range(n)]
        t = time.perf_counter()
        await asyncio.gather(*(s.load(i * ramp / max(n, 1), load) for i, s in enumerate(sessions)))
        await asyncio.gather(*(s.edit(edit) for s in sessions))
        await asyncio.gather(*(s.intervene(inter) for s in sessions))
        wall = time.perf_counter() - t
        await asyncio.gather(*(s.close() for s in sessions))
        await browser.close()
    return results, errors, outside, wall


class Student:
    """One student over the websocket protocol: the story of the module docstring, checked."""

    STEPS = ("open app (sample loads)", "open Graph page", "canvas: add a variable",
             "edit graph text", "open Intervene (do-query)", "second do-query")

    def __init__(self, base: str, i: int, results: dict, errors: list) -> None:
        from _st_client import StreamlitClient

        self.client = StreamlitClient(base)
        self.i, self.results, self.errors = i, results, errors

    async def step(self, name: str, expect: str, mine: str | None = None, **run) -> bool:
        try:
            r = await self.client.run(**run)
        except Exception as err:  # noqa: BLE001 - counted and reported
            self.errors.append(f"s{self.i}: {name}: {type(err).__name__}: {err}"[:200])
            return False
        if r.exceptions:
            self.errors.append(f"s{self.i}: {name}: traceback {r.exceptions[0][:150]}")
            return False
        if expect and not r.has(expect):
            self.errors.append(f"s{self.i}: {name}: page did not show {expect!r}")
            return False
        if mine is not None:      # isolation: this student's own variable, nobody else's
            text = r.values.get("Graph text", "")
            others = sorted(set(re.findall(r"\bS\d+\b", text)) - {mine})
            if mine not in text or others:
                self.errors.append(f"s{self.i}: {name}: graph text has {others or 'not ' + mine}")
                return False
        if self.results is not None:
            self.results[name].append(r.seconds)
            TIMELINE.append((time.perf_counter() - r.seconds, r.seconds, name))
        return True

    async def story(self, delay: float, think: tuple[float, float]) -> None:
        from _st_client import component_event, text_value

        rng = random.Random(self.i)
        await asyncio.sleep(delay)
        try:
            await self.client.open()
        except Exception as err:  # noqa: BLE001
            self.errors.append(f"s{self.i}: connect: {type(err).__name__}: {err}"[:200])
            return
        c = self.client
        mine = f"S{self.i}"
        event = {"nonce": f"load{self.i}", "events": [
            {"seq": 1, "type": "add_node", "name": mine, "x": 10.0, "y": 10.0}]}
        story = [  # (step, what the page must show, how to ask for the run)
            ("kidney_stones (700 rows)", lambda: {}),
            ("3 nodes, 3 directed", lambda: {"page": "graph"}),
            ("4 nodes, 3 directed",
             lambda: {"widgets": [component_event(c.widgets["dag_editor"], "edit", event)],
                      "mine": mine}),
            ("3 nodes, 2 directed", lambda: {"widgets": [text_value(c.widgets["graph_text"], EDITED)]}),
            ("P(recovery = 1) would be **77.9%**", lambda: {"page": "intervene"}),
            ("P(recovery = 1) would be **83.3%**",       # do(treatment = A) instead of B
             lambda: {"widgets": [text_value(next(v for k, v in c.widgets.items()
                                                  if k.startswith("iv_dv:")), "A")]}),
        ]
        try:
            for n, (name, (expect, ask)) in enumerate(zip(self.STEPS, story)):
                if n and think[1] > 0:
                    await asyncio.sleep(rng.uniform(*think))
                ask = ask()
                if not await self.step(name, expect, ask.pop("mine", None), **ask):
                    return
        finally:
            await c.close()


async def run_clients(n: int, base: str, ramp: float, think: tuple[float, float]
                      ) -> tuple[dict, list, list, float]:
    results: dict[str, list[float]] = {k: [] for k in Student.STEPS}
    errors: list[str] = []
    warm = Student(base, -1, None, errors)   # imports, sample, model cache: not counted
    await warm.story(0, (0, 0))
    students = [Student(base, i, results, errors) for i in range(n)]
    t = time.perf_counter()
    await asyncio.gather(*(s.story(i * ramp / max(n, 1), think) for i, s in enumerate(students)))
    return results, errors, [], time.perf_counter() - t


async def run_for(n: int, base: str, seconds: float, think: tuple[float, float], warm: int = 1
                  ) -> tuple[dict, list, float]:
    """n students repeating the story (each time as a new session, as after a reload) until
    `seconds` have passed: a steady load for comparing deployments (deploy/replica_scaling.py).
    `warm` uncounted stories first (one per replica behind a balancer: first-run imports)."""
    results: dict[str, list[float]] = {k: [] for k in Student.STEPS}
    errors: list[str] = []
    for w in range(warm):
        await Student(base, -1 - w, None, errors).story(0, (0, 0))
    deadline = time.perf_counter() + seconds

    async def repeat(i: int) -> None:
        while time.perf_counter() < deadline:
            await Student(base, i, results, errors).story(0, think)

    t = time.perf_counter()
    await asyncio.gather(*(repeat(i) for i in range(n)))
    return results, errors, time.perf_counter() - t


def _peak_rss_mb(pid: int) -> float | None:
    """The server's peak resident memory (Linux /proc), or None where that cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=40)
    ap.add_argument("--ramp", type=float, default=10.0, help="seconds over which sessions arrive")
    ap.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
                    help="seconds a student pauses between steps (0 0: no pause)")
    ap.add_argument("--browsers", action="store_true",
                    help="Playwright browser contexts instead of protocol clients")
    ap.add_argument("--timeline", action="store_true",
                    help="also list every interaction: start (s), latency (s), step")
    ap.add_argument("--url", help="use this running app (127.0.0.1 only) instead of starting one")
    args = ap.parse_args()
    n = args.sessions
    if args.url and urlsplit(args.url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("--url must be on 127.0.0.1 (this is a loopback load test)")
    proc, base, log = (None, args.url.rstrip("/"), "(not started here)") if args.url else start_server("loadtest")
    runner = run_browsers if args.browsers else run_clients
    try:
        results, errors, outside, wall = asyncio.run(runner(n, base, args.ramp, tuple(args.think)))
        server_peak = _peak_rss_mb(proc.pid) if proc is not None else None
    finally:
        if proc is not None:
            stop_server(proc)
    how = ("browser contexts, editing and intervening all at once" if args.browsers else
           f"protocol clients, {args.think[0]:g}-{args.think[1]:g} s between steps")
    print(f"{n} sessions ({how}; arriving over {args.ramp:.0f} s) against {base} "
          f"(wall {wall:.1f} s; os.cpu_count()={os.cpu_count()})")
    print(f"{'interaction':<36} {'n':>3} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    all_vals = []
    for k, v in results.items():
        all_vals += v
        print(f"{k:<36} {len(v):>3} {pct(v, .5):7.2f} {pct(v, .95):7.2f} {max(v, default=float('nan')):7.2f}")
    print(f"{'all interactions':<36} {len(all_vals):>3} {pct(all_vals, .5):7.2f} {pct(all_vals, .95):7.2f}")
    if args.timeline:
        t0 = min(t for t, _, _ in TIMELINE)
        for t, sec, name in sorted(TIMELINE):
            print(f"  {t - t0:6.2f} {sec:6.2f} {name}")
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:20]))
    print(f"requests outside 127.0.0.1: {len(outside)} {outside[:5]}")
    print(f"load-test process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB;"
          + (f" server peak RSS: {server_peak:.0f} MB;" if server_peak else "") + f" server log: {log}")


if __name__ == "__main__":
    main()
