"""Browser tests: a real Streamlit server on a free port and Debian's headless Chromium.

Under CI=true these tests are required: a missing browser is a failure, never a skip.
Every request the page makes is recorded; a request outside localhost fails the test.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.cli import wait_healthy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "e2e" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def _require(condition: bool, why: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests are required under CI=true: {why}")
    pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_server():
    """Start `streamlit run streamlit_app.py` on a free port; yield its base URL."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)
    data_dir = tempfile.mkdtemp(prefix="cc-e2e-data-")   # the store never writes into the repo
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "CAUSAL_CANVAS_DATA_DIR": data_dir}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    if not wait_healthy(base, 90, proc) and proc.poll() is None:
        proc.kill()
        pytest.fail("streamlit did not become healthy in 90 s:\n" + Path(log.name).read_text()[-3000:])
    if proc.poll() is not None:
        pytest.fail("streamlit exited:\n" + Path(log.name).read_text()[-3000:])
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    _require(Path(CHROMIUM).exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        _require(False, "playwright is not installed")
    # Playwright's launch() always starts from a fresh temporary profile (it refuses a
    # --user-data-dir argument): no browser state carries over between runs.
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; fails the test if any request leaves localhost."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    pg = context.new_page()
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.cc_requests = requests
    pg.cc_dialogs = dialogs
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"), full_page=True)
    except Exception:  # noqa: BLE001 - a screenshot is a convenience, not the test
        pass
    context.close()
    outside = [u for u in requests
               if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname not in LOCAL_HOSTS]
    assert not outside, f"requests left localhost: {outside[:10]}"
    assert not dialogs, f"a script opened a dialog (possible injection): {dialogs}"


def wait_for_app(pg, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    pg.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)
    pg.wait_for_timeout(300)
