"""Versioned migrations: applied once, in order, recorded; the result is exactly schema.py."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect, select, text

from app.errors import StoreError
from app.store import Store
from app.store.migrations import Migration, available, current_version, migrate
from app.store.schema import metadata, schema_version
from tests.unit._store_support import BACKENDS, make_store


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def test_a_migrated_database_has_exactly_the_schema_in_schema_py(backend, tmp_path):
    store = make_store(backend, tmp_path)
    try:
        insp = inspect(store.engine)
        assert set(insp.get_table_names()) == set(metadata.tables)
        for name, table in metadata.tables.items():
            cols = {c["name"]: c for c in insp.get_columns(name)}
            assert set(cols) == {c.name for c in table.columns}, name
            for c in table.columns:
                assert cols[c.name]["nullable"] == c.nullable or c.primary_key, (name, c.name)
            uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints(name)}
            uniques |= {tuple(i["column_names"]) for i in insp.get_indexes(name) if i["unique"]}
            for u in table.constraints:
                if u.__class__.__name__ == "UniqueConstraint":
                    assert tuple(c.name for c in u.columns) in uniques, (name, u.name)
        with store.read() as conn:
            rows = conn.execute(select(schema_version.c.version, schema_version.c.name)).all()
        assert [tuple(r) for r in rows] == [(m.version, m.name) for m in available()]
    finally:
        store.close()


def test_migrations_run_once_and_a_second_start_applies_nothing(backend, tmp_path):
    store = make_store(backend, tmp_path)
    try:
        assert migrate(store) == []
        assert current_version(store) == available()[-1].version
    finally:
        store.close()


def test_a_database_newer_than_the_code_is_refused(backend, tmp_path):
    store = make_store(backend, tmp_path)
    try:
        with store.write() as conn:
            conn.execute(schema_version.insert().values(version=99, name="future",
                                                        applied_at=0.0))
        with pytest.raises(StoreError, match="newer than this app"):
            Store(store.url)
    finally:
        store.close()


def test_steps_apply_in_order_and_a_failing_step_rolls_back(backend, tmp_path):
    store = make_store(backend, tmp_path, migrate=False)
    seen: list[int] = []

    def step(n, fail=False):
        def upgrade(conn, dialect):
            seen.append(n)
            conn.execute(text(f"CREATE TABLE t{n} (id INTEGER PRIMARY KEY)"))
            if fail:
                raise RuntimeError("boom")
        return upgrade

    try:
        steps = [Migration(1, "one", step(1)), Migration(2, "two", step(2))]
        assert migrate(store, steps) == [1, 2] and seen == [1, 2]
        assert migrate(store, steps) == []
        with pytest.raises(RuntimeError):
            migrate(store, [*steps, Migration(3, "three", step(3, fail=True))])
        assert current_version(store) == 2
        assert "t3" not in inspect(store.engine).get_table_names()   # DDL rolled back too
        with pytest.raises(StoreError, match="cannot be upgraded"):
            migrate(store, [*steps, Migration(4, "gap", step(4))])
    finally:
        store.close()


def test_replicas_starting_together_migrate_exactly_once(backend, tmp_path):
    first = make_store(backend, tmp_path, migrate=False)
    url = first.url
    first.close()
    errors, stores = [], []
    barrier = threading.Barrier(4)

    def start():
        try:
            barrier.wait()
            stores.append(Store(url))
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert not errors
        with stores[0].read() as conn:
            versions = conn.execute(select(schema_version.c.version)).scalars().all()
        assert versions == [m.version for m in available()]
    finally:
        for s in stores:
            s.close()


def test_a_url_for_another_database_kind_gets_a_clear_message():
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        Store("mysql://u@localhost/db")
    with pytest.raises(StoreError, match="in-memory"):
        Store("sqlite://")


def test_the_default_database_lives_in_the_configured_data_folder(tmp_path, monkeypatch):
    from app.store import database_url

    monkeypatch.delenv("CAUSAL_CANVAS_DB_URL", raising=False)
    monkeypatch.setenv("CAUSAL_CANVAS_DATA_DIR", str(tmp_path / "data"))
    assert database_url().database == str(tmp_path / "data" / "causal_canvas.sqlite3")
    monkeypatch.setenv("CAUSAL_CANVAS_DB_URL", "postgresql://u:secret@db.example:5433/cc")
    url = database_url()
    assert url.drivername == "postgresql+psycopg" and url.port == 5433
    from app.store import describe

    assert "secret" not in describe(url)


def test_sqlite_runs_in_wal_mode_with_full_sync_and_a_busy_timeout(tmp_path):
    store = make_store("sqlite", tmp_path)
    try:
        with store.read() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2      # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()


def test_an_unreachable_postgres_server_is_a_friendly_store_error():
    with pytest.raises(StoreError, match="Cannot reach the database"):
        Store("postgresql://nobody@127.0.0.1:1/none")
