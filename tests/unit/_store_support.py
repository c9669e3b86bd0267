"""Shared helpers for the store tests: a SQLite store in a temp folder, and one throwaway
PostgreSQL server per test session (each test gets a fresh database on it).

Outside CI a missing PostgreSQL skips those tests with the reason; under CI=true it fails.
"""
from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path

import pytest

from app.store import Store
from tests.support.pgserver import PostgresUnavailable, TempPostgres

BACKENDS = ["sqlite", "postgresql"]
_SERVER: TempPostgres | None = None
_ERROR: str | None = None
_LOCK = threading.Lock()


def require_postgres_binaries() -> None:
    """Skip (or, under CI=true, fail) when no PostgreSQL server can be started here."""
    try:
        from tests.support.pgserver import find_bin

        find_bin()
    except PostgresUnavailable as err:
        _unavailable(str(err))


def _unavailable(why: str) -> None:
    message = f"PostgreSQL tests need a local server: {why}"
    if os.environ.get("CI") == "true":
        pytest.fail("required under CI=true: " + message)
    pytest.skip(message)


def postgres_server() -> TempPostgres:
    """The session's shared PostgreSQL server (fsync off: these tests are not about power loss)."""
    global _SERVER, _ERROR
    with _LOCK:
        if _SERVER is None and _ERROR is None:
            try:
                server = TempPostgres(fsync=False)
                server.start()
                _SERVER = server
                atexit.register(server.cleanup)
            except PostgresUnavailable as err:
                _ERROR = str(err)
    if _ERROR is not None:
        _unavailable(_ERROR)
    return _SERVER


def make_store(backend: str, tmp_path: Path, **kwargs) -> Store:
    if backend == "sqlite":
        return Store(f"sqlite:///{tmp_path / 'cc.sqlite3'}", **kwargs)
    return Store(postgres_server().fresh_database(), **kwargs)
