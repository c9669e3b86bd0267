"""Versioned schema migrations: numbered modules applied in order, recorded in schema_version.

Each module is named ``vNNNN_<what>.py`` and defines ``upgrade(conn, dialect)``. A migration,
once released, is never edited: the schema changes by adding the next number. Each one runs in
its own transaction together with its schema_version row, under a lock (SQLite's write lock,
a PostgreSQL advisory lock), so several app replicas starting at once migrate exactly once.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select, text

from app.errors import StoreError
from app.store.schema import schema_version

_NAME = re.compile(r"^v(\d{4})_(\w+)$")
_PG_LOCK_ID = 7_242_716_001   # any constant shared by every replica


@dataclass(frozen=True)
class Migration:
    """One schema step: its number, a short name, and the function that applies it."""

    version: int
    name: str
    upgrade: Callable[[Connection, str], None]


def available() -> list[Migration]:
    """The migrations shipped with this code, in version order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        m = _NAME.match(info.name)
        if m:
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(Migration(int(m.group(1)), m.group(2), module.upgrade))
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(f"The migrations are not numbered 1, 2, 3…: {versions}.")
    return found


def _lock(conn: Connection, dialect: str) -> None:
    if dialect == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    schema_version.create(conn, checkfirst=True)


def current_version(store) -> int:
    """The highest applied migration (0 for an empty database)."""
    with store.write() as conn:
        _lock(conn, store.kind)
        return conn.execute(select(schema_version.c.version)
                            .order_by(schema_version.c.version.desc()).limit(1)).scalar() or 0


def migrate(store, migrations: Sequence[Migration] | None = None) -> list[int]:
    """Apply every migration newer than the database; returns the versions applied now."""
    steps = list(migrations) if migrations is not None else available()
    newest = steps[-1].version if steps else 0
    applied = []
    for step in steps:
        with store.write() as conn:
            _lock(conn, store.kind)
            have = conn.execute(select(schema_version.c.version)
                                .order_by(schema_version.c.version.desc()).limit(1)).scalar() or 0
            if have > newest:
                raise StoreError(
                    f"The database is at schema version {have}, newer than this app "
                    f"(version {newest}).",
                    hint="Update Causal Canvas; an older app must not write to a newer database.")
            if have >= step.version:
                continue
            if have != step.version - 1:
                raise StoreError(f"Schema version {have} cannot be upgraded by migration "
                                 f"{step.version}.")
            step.upgrade(conn, store.kind)
            conn.execute(schema_version.insert().values(
                version=step.version, name=step.name, applied_at=time.time()))
            applied.append(step.version)
    return applied
