"""The database behind saved workspaces and classes: a SQLite file by default, PostgreSQL by URL.

Configuration (read when the store is first opened):
- ``CAUSAL_CANVAS_DB_URL``: a SQLAlchemy URL. ``postgresql://user:pass@host/db`` (or
  ``postgres://``) selects PostgreSQL through psycopg 3; ``sqlite:///path/file.db`` a given file.
- ``CAUSAL_CANVAS_DATA_DIR``: where the default SQLite file ``causal_canvas.sqlite3`` lives
  (default: ``.data/`` in the repository, which git ignores).

SQLite settings and why:
- ``journal_mode=WAL``: readers (40 students polling) never block the one writer, and a crash
  never leaves a half-written page behind.
- ``synchronous=FULL`` (default; env ``CAUSAL_CANVAS_SQLITE_SYNCHRONOUS=NORMAL`` to change):
  every commit is fsync'ed to the WAL before it returns, so an acknowledged answer survives
  even a power cut. ``NORMAL`` is also safe against a process crash (our kill -9 test) but may
  lose the last commits on power loss. FULL costs throughput (benchmarks/classroom.py: ~4x
  fewer answers/s than NORMAL on a busy disk), but group commit (Store.batched_write) keeps a
  whole class answering in the same second around a second at p95 even on an overloaded
  2-core machine, and a class sends dozens of answers a minute, not hundreds a second: we
  keep the stronger promise.
- ``busy_timeout``: a writer waits (up to 30 s) for the lock instead of failing at once.
- Write transactions start with ``BEGIN IMMEDIATE``: the write lock is taken up front, so two
  read-then-write transactions can never deadlock on a lock upgrade (SQLITE_BUSY).

PostgreSQL: our sessions run with ``synchronous_commit=on`` whatever the server default, so a
commit returns only once durable; several app replicas share the database (migrations take
an advisory lock; rate-limit buckets and answers live in the database, not in a process).
"""
from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, Table, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

from app import settings
from app.errors import CausalCanvasError, StoreError
from app.resources import checkout_root, user_data_dir

log = logging.getLogger("causal_canvas.store")

ENV_URL = settings.ENV_DB_URL
ENV_DATA_DIR = settings.ENV_DATA_DIR
ENV_SQLITE_SYNC = settings.ENV_SQLITE_SYNC
DEFAULT_FILE = "causal_canvas.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = settings.SQLITE_BUSY_TIMEOUT_MS
SYNCHRONOUS_MODES = ("FULL", "NORMAL")


def data_dir() -> Path:
    """The directory that holds the default SQLite file: env CAUSAL_CANVAS_DATA_DIR, else the
    checkout's .data/, else (an installed wheel) the user's data folder."""
    configured = settings.env(ENV_DATA_DIR)
    if configured:
        return Path(configured).expanduser()
    checkout = checkout_root()
    return checkout / ".data" if checkout else user_data_dir()


def database_url(url: str | URL | None = None) -> URL:
    """The URL to use: `url` if given, else env CAUSAL_CANVAS_DB_URL, else the default SQLite file.

    ``postgres://`` and ``postgresql://`` are mapped to the psycopg 3 driver.
    """
    raw = url if url is not None else settings.env(ENV_URL)
    if not raw:
        return make_url("sqlite:///" + str(data_dir() / DEFAULT_FILE))
    try:
        parsed = make_url(raw) if isinstance(raw, str) else raw
    except exc.ArgumentError:
        raise StoreError(f"The database URL in {ENV_URL} cannot be read.",
                         hint="Use e.g. postgresql://user:password@host:5432/dbname or "
                              "sqlite:////path/to/file.db") from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreError("An in-memory SQLite database would lose every saved answer.",
                             hint="Give a file path: sqlite:////path/to/file.db")
        return parsed.set(drivername="sqlite")
    raise StoreError(f"Causal Canvas stores data in SQLite or PostgreSQL, not '{backend}'.",
                     hint=f"Set {ENV_URL} to a postgresql:// URL, or leave it empty for SQLite.")


def describe(url: URL) -> str:
    """The URL for messages and logs, password hidden."""
    return url.render_as_string(hide_password=True)


def _sqlite_engine(url: URL, synchronous: str) -> Engine:
    path = Path(url.database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"Cannot create the data folder {path.parent} ({err.strerror}).",
                         hint=f"Set {ENV_DATA_DIR} to a folder the app may write to.") from None
    engine = create_engine(url, pool_size=10, max_overflow=40, pool_timeout=60,
                           connect_args={"check_same_thread": False,
                                         "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let us issue BEGIN ourselves (the sqlite3 module's implicit BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        mode = _enter_wal(cur)
        if str(mode).lower() != "wal":
            log.warning("SQLite refused WAL mode (got %s) for %s", mode, path)
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("cc_write", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _enter_wal(cur) -> str:
    """PRAGMA journal_mode=WAL, retried while another connection holds the file.

    Switching a new database to WAL needs an exclusive lock and SQLite does not wait for it
    through busy_timeout: four replicas starting together on a fresh file failed with "database
    is locked" in 7 of 300 trials under CPU load (0 of 300 with this retry).
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return cur.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError as err:
            if "locked" not in str(err).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.005 + random.random() * 0.02)


def _postgres_engine(url: URL) -> Engine:
    # synchronous_commit=on for our sessions whatever the server default: a commit returns
    # only once its WAL is on disk, so an acknowledged answer survives a database crash
    # (tests/unit/test_store_crash.py loses acknowledged answers with it off).
    return create_engine(url, pool_size=10, max_overflow=40, pool_timeout=60,
                         pool_pre_ping=True,
                         connect_args={"connect_timeout": 10,
                                       "application_name": "causal-canvas",
                                       "options": "-c synchronous_commit=on"})


def _friendly(err: exc.SQLAlchemyError, url: URL) -> StoreError:
    """Turn a driver error into a message a user (or the person running the server) can act on."""
    text = str(getattr(err, "orig", err)).lower()
    if isinstance(err, exc.IntegrityError):
        return StoreError("This clashes with a change made at the same moment; nothing was "
                          "changed.", hint="Try again.")
    if "locked" in text or "busy" in text:
        return StoreError("The database is busy right now; nothing was saved.",
                          hint="Try again in a moment.")
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return StoreError(f"Cannot write the database file {url.database}.",
                          hint=f"Check the folder permissions or set {ENV_DATA_DIR}.")
    if isinstance(err, (exc.OperationalError, exc.InterfaceError)) and url.get_backend_name() \
            == "postgresql":
        return StoreError(f"Cannot reach the database at {url.host}:{url.port or 5432}.",
                          hint="Check that PostgreSQL is running and that "
                               f"{ENV_URL} is right; your work on screen is kept.")
    return StoreError("The database could not complete this step; nothing was changed.",
                      hint="Try again; if it keeps happening, tell whoever runs this server.")


MAX_BATCH = 64
T = TypeVar("T")


class _Work:
    """One queued write for batched_write: the function, then its result or error."""

    __slots__ = ("fn", "result", "error", "done")

    def __init__(self, fn: Callable[[Connection], object]) -> None:
        self.fn = fn
        self.result: object = None
        self.error: BaseException | None = None
        self.done = False


class Store:
    """One database (SQLite file or PostgreSQL) with short read and write transactions."""

    def __init__(self, url: str | URL | None = None, *, synchronous: str | None = None,
                 migrate: bool = True, batch_writes: bool | None = None) -> None:
        self.url = database_url(url)
        self.kind = self.url.get_backend_name()
        # Group commit pays off where every commit is an fsync under one file lock (SQLite);
        # PostgreSQL already groups concurrent commits, and batching would funnel them through
        # one connection (measured: benchmarks/classroom.py; 2-3x either way).
        self.batch_writes = self.kind == "sqlite" if batch_writes is None else batch_writes
        synchronous = (synchronous or settings.env(ENV_SQLITE_SYNC) or "FULL").upper()
        if synchronous not in SYNCHRONOUS_MODES:
            raise StoreError(f"SQLite synchronous must be one of {SYNCHRONOUS_MODES}, "
                             f"not {synchronous!r}.", hint=f"Check {ENV_SQLITE_SYNC}.")
        self.synchronous = synchronous
        self.engine = (_sqlite_engine(self.url, synchronous) if self.kind == "sqlite"
                       else _postgres_engine(self.url))
        self._queue: list[_Work] = []
        self._queue_lock = threading.Lock()
        self._writer_lock = threading.Lock()
        if migrate:
            from app.store.migrations import migrate as run_migrations

            run_migrations(self)

    def __repr__(self) -> str:
        return f"Store({describe(self.url)!r})"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        yield from self._transaction(write=True)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot, never blocks the writer."""
        yield from self._transaction(write=False)

    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(cc_write=write)
                with conn.begin():
                    yield conn
        except CausalCanvasError:
            raise
        except exc.SQLAlchemyError as err:
            log.warning("database error on %s: %s", describe(self.url), err)
            raise _friendly(err, self.url) from None

    def batched_write(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn(conn)` in a write transaction shared with concurrent callers (group commit).

        Callers queue their work; whoever holds the writer lock runs everything queued (up to
        MAX_BATCH) in one transaction, each item inside its own SAVEPOINT, then commits once.
        Each caller gets its own result or exception, and only after the commit: an
        acknowledged write is durable, and one failing item never undoes the others. With
        synchronous=FULL this turns 40 fsyncs for 40 simultaneous answers into one or two.
        With batch_writes off (PostgreSQL's default) each call is its own transaction.
        """
        if not self.batch_writes:
            with self.write() as conn:
                return fn(conn)
        item = _Work(fn)
        with self._queue_lock:
            self._queue.append(item)
        with self._writer_lock:
            while not item.done:
                with self._queue_lock:
                    batch = self._queue[:MAX_BATCH]
                    del self._queue[:MAX_BATCH]
                self._run_batch(batch)
        if item.error is not None:
            raise item.error
        return item.result

    def _run_batch(self, batch: list[_Work]) -> None:
        try:
            with self.write() as conn:
                for work in batch:
                    try:
                        with conn.begin_nested():
                            work.result = work.fn(conn)
                    except CausalCanvasError as err:
                        work.error = err
                    except exc.SQLAlchemyError as err:
                        work.error = _friendly(err, self.url)
        except Exception as err:  # noqa: BLE001 - the commit failed: nobody is acknowledged
            for work in batch:
                work.result, work.error = None, work.error or err
        finally:
            for work in batch:
                work.done = True

    def insert(self, table: Table):
        """An INSERT that supports ``on_conflict_do_nothing`` on both SQLite and PostgreSQL."""
        if self.kind == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        return insert(table)

    def lock_for_update(self, select_stmt):
        """SELECT ... FOR UPDATE on PostgreSQL; SQLite already holds the write lock."""
        return select_stmt.with_for_update() if self.kind == "postgresql" else select_stmt

    def close(self) -> None:
        self.engine.dispose()


_STORES: dict[str, Store] = {}
_LOCK = threading.Lock()


def get_store(url: str | URL | None = None) -> Store:
    """The shared Store for `url` (or the configured one); opened and migrated once per process."""
    resolved = database_url(url)
    key = resolved.render_as_string(hide_password=False)
    with _LOCK:
        store = _STORES.get(key)
        if store is None:
            store = Store(resolved)
            _STORES[key] = store
        return store


def close_stores() -> None:
    """Dispose of every shared Store (tests switch data directories between cases)."""
    with _LOCK:
        for store in _STORES.values():
            store.close()
        _STORES.clear()
