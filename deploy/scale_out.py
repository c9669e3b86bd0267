"""Several app replicas behind HAProxy, sharing one PostgreSQL, all on loopback.

    .venv/bin/python deploy/scale_out.py [--replicas 3] [--port 8500] [--seconds S]

Starts a throwaway PostgreSQL (tests/support/pgserver.py; or uses CAUSAL_CANVAS_DB_URL), N replicas
(`causal-canvas run` on 127.0.0.1, one port each, the same cookie secret) and Debian's HAProxy on
127.0.0.1:PORT: round robin for new browsers, a cookie keeps a browser on its replica (uploads
must reach the process that holds its session), WebSockets pass with a one-hour idle timeout,
and a replica that fails its health check is taken out (its browsers reconnect elsewhere;
autosave in the shared database restores their workspaces). Prints the balancer URL and each
replica's PID, then runs until Ctrl-C (or S seconds) and stops everything it started.
Nothing listens beyond 127.0.0.1.
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.cli import wait_healthy  # noqa: E402

HAPROXY_CFG = """\
global
    maxconn 4096
defaults
    mode http
    option redispatch
    retries 2
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    # a busy replica may answer its health check late; with the default (the 1-s interval)
    # an overloaded but live replica was taken out, and with one replica every new browser
    # got 503 (replica_scaling.py, 40 students non-stop on a loaded machine)
    timeout check 5s
frontend canvas
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    cookie CC_REPLICA insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect status 200
{servers}
"""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _stop_group(proc: subprocess.Popen) -> None:
    """A replica and the Streamlit server it started (its own process group)."""
    _stop(proc)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen

    def kill(self) -> None:
        """Crash it: SIGKILL to the replica and its Streamlit server, no clean shutdown."""
        os.killpg(self.proc.pid, signal.SIGKILL)


@dataclass
class Deployment:
    url: str
    replicas: list[Replica]
    work: Path
    db_url: str = ""        # the shared database (a check reads it directly)


class StartError(RuntimeError):
    """A replica or the balancer did not start (the message holds its log's tail)."""


@contextmanager
def deployment(replicas: int = 3, port: int = 8500) -> Iterator[Deployment]:
    """PostgreSQL, `replicas` app replicas and HAProxy on 127.0.0.1:port; all stopped on exit."""
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        raise StartError("needs HAProxy: apt-get install haproxy")
    work = Path(tempfile.mkdtemp(prefix="cc-scale-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        db_url = os.environ.get("CAUSAL_CANVAS_DB_URL", "").strip()
        if not db_url:
            from tests.support.pgserver import TempPostgres

            pg = stack.enter_context(TempPostgres())
            db_url = pg.fresh_database()
        env = {**os.environ, "CAUSAL_CANVAS_DB_URL": db_url,
               "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
               "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        started = []
        for i in range(1, replicas + 1):
            rport = _free_port()
            log = stack.enter_context(open(work / f"r{i}.log", "w"))
            proc = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "run", "--host", "127.0.0.1", "--port",
                 str(rport), "--data-dir", str(work / f"r{i}")],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            stack.callback(_stop_group, proc)
            started.append(Replica(f"r{i}", rport, proc))
        for r in started:
            if not wait_healthy(f"http://127.0.0.1:{r.port}", 180):
                raise StartError(f"replica {r.name} did not start:\n"
                                 + (work / f"{r.name}.log").read_text()[-2000:])
        servers = "\n".join(f"    server {r.name} 127.0.0.1:{r.port} check inter 1s fall 3 "
                            f"rise 1 cookie {r.name}" for r in started)
        cfg = work / "haproxy.cfg"
        cfg.write_text(HAPROXY_CFG.format(port=port, servers=servers))
        lb_log = stack.enter_context(open(work / "haproxy.log", "w"))
        lb = subprocess.Popen([haproxy, "-f", str(cfg), "-db"], stdout=lb_log,
                              stderr=subprocess.STDOUT)
        stack.callback(_stop, lb)
        url = f"http://127.0.0.1:{port}"
        if not wait_healthy(url, 30):
            raise StartError(f"HAProxy did not answer on {url}: "
                             + (work / "haproxy.log").read_text()[-2000:])
        yield Deployment(url, started, work, db_url)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=3)
    ap.add_argument("--port", type=int, default=8500, help="the balancer's port on 127.0.0.1")
    ap.add_argument("--seconds", type=float, help="stop after this many seconds")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with deployment(args.replicas, args.port) as d:
            print(f"Balancer: {d.url}  ({args.replicas} replicas, sticky cookie CC_REPLICA)")
            for r in d.replicas:
                print(f"  replica {r.name}: 127.0.0.1:{r.port}  pid {r.proc.pid}")
            print("Ctrl-C stops everything.", flush=True)
            deadline = time.monotonic() + args.seconds if args.seconds else None
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.5)
    except StartError as err:
        print(err, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
