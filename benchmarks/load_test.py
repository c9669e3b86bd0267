"""Bounded loopback load test: N simultaneous browser sessions against one app on 127.0.0.1.

Each session (its own Playwright browser context = its own Streamlit session) opens the Graph
page on the kidney_stones sample, edits the graph text (drops an arrow) and opens the Intervene
page, where the do-query runs with its default settings. Reports per-step latency (p50/p95/max)
and errors. Target (issue 13): p95 < 1 s and 0 errors for 40 sessions on 2 cores.

Only 127.0.0.1 is used; any request elsewhere is counted as an error.
Run: .venv/bin/python benchmarks/load_test.py [--sessions 40]   (about 1-2 minutes)
Note: the browsers run on the same 2 cores as the server, so latencies are pessimistic.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]
EDITED = ("dag {\n  treatment [exposure]\n  recovery [outcome]\n  stone_size -> recovery\n"
          "  treatment -> recovery\n}\n")
STEP_TIMEOUT_MS = 120_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="loadtest-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "CAUSAL_CANVAS_DATA_DIR": tempfile.mkdtemp(prefix="loadtest-data-")})
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base, log.name
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start:\n" + Path(log.name).read_text()[-2000:])


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


async def run(n: int, base: str, ramp: float) -> tuple[dict, list, list, float]:
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=40)
    ap.add_argument("--ramp", type=float, default=20.0, help="seconds over which sessions arrive")
    args = ap.parse_args()
    n = args.sessions
    proc, base, log = start_server()
    try:
        results, errors, outside, wall = asyncio.run(run(n, base, args.ramp))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"{n} sessions (arriving over {args.ramp:.0f} s, then editing and intervening all at "
          f"once) against {base} (wall {wall:.1f} s; os.cpu_count()={os.cpu_count()})")
    print(f"{'interaction':<36} {'n':>3} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    all_vals = []
    for k, v in results.items():
        all_vals += v
        print(f"{k:<36} {len(v):>3} {pct(v, .5):7.2f} {pct(v, .95):7.2f} {max(v, default=float('nan')):7.2f}")
    print(f"{'all interactions':<36} {len(all_vals):>3} {pct(all_vals, .5):7.2f} {pct(all_vals, .95):7.2f}")
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:20]))
    print(f"requests outside 127.0.0.1: {len(outside)} {outside[:5]}")
    print(f"load-test process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB;"
          f" server log: {log}")


if __name__ == "__main__":
    main()
