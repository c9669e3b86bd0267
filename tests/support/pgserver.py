"""A throwaway PostgreSQL server for tests and benchmarks: initdb + pg_ctl in a temporary
folder, listening on a free loopback port, removed afterwards.

Uses Debian's postgresql package (``/usr/lib/postgresql/<version>/bin``; env ``PG_BIN``
overrides). PostgreSQL refuses to run as root, so as root the commands run as the ``postgres``
system user (``runuser -u postgres --``) in a folder handed to that user.
"""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import settings


class PostgresUnavailable(RuntimeError):
    """PostgreSQL binaries or a usable system user are missing."""


def find_bin() -> Path:
    """The folder with initdb and pg_ctl (newest installed version), or PostgresUnavailable."""
    configured = settings.env(settings.ENV_PG_BIN)
    candidates = [configured] if configured else sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True)
    for folder in candidates:
        if all((Path(folder) / exe).exists() for exe in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin). "
        "Install them with: apt-get install -y postgresql")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempPostgres:
    """Start with ``with TempPostgres() as pg:``; ``pg.url`` is a SQLAlchemy URL (psycopg 3)."""

    def __init__(self, *, fsync: bool = True) -> None:
        self.bin = find_bin()
        self.fsync = fsync
        self.port = _free_port()
        self.run_as: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable("Running as root and there is no 'postgres' user to "
                                          "run the server as.") from None
            if not shutil.which("runuser"):
                raise PostgresUnavailable("Running as root without 'runuser'.")
            self.run_as = "postgres"
        self.root = Path(tempfile.mkdtemp(prefix="cc-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        if self.run_as:
            pw = pwd.getpwnam(self.run_as)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.started = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise PostgresUnavailable(f"{args[0]} failed: {result.stderr.strip()[-1500:]}\n{log}")
        return result

    def start(self) -> str:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "-E", "UTF8", "--no-locale", "--no-sync")
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.root} -c max_connections=200 "
                   f"-c fsync={'on' if self.fsync else 'off'} "
                   f"-c synchronous_commit={'on' if self.fsync else 'off'}")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", options, "start")
        self.started = True
        return self.url

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; mode "immediate" is a crash (no checkpoint; WAL replay on start)."""
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
            self.started = False

    def crash(self) -> None:
        self.stop("immediate")

    def fresh_database(self) -> str:
        """Create an empty database on this server; returns its URL."""
        name = "cc_" + secrets.token_hex(6)
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def cleanup(self) -> None:
        try:
            self.stop()
        except PostgresUnavailable:
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> TempPostgres:
        try:
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()
