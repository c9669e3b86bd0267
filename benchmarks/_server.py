"""Start and stop one Causal Canvas server on a free loopback port, for the browser benchmarks.

The server gets a throwaway data folder (autosave, classrooms), so a benchmark never writes
into the repository. The leading underscore keeps `make bench` from running this file.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.cli import wait_healthy  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def start_server(prefix: str = "bench") -> tuple[subprocess.Popen, str, str]:
    """(process, base URL, log file path) of a healthy server; exits with its log if none."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.NamedTemporaryFile(prefix=f"{prefix}-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
             "CAUSAL_CANVAS_DATA_DIR": tempfile.mkdtemp(prefix=f"{prefix}-data-")})
    base = f"http://127.0.0.1:{port}"
    if wait_healthy(base, 90, proc):
        return proc, base, log.name
    proc.kill()
    raise SystemExit("server did not start:\n" + Path(log.name).read_text()[-2000:])


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
