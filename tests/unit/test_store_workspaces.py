"""Saved-workspace library and autosave, on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import pandas as pd
import pytest

from app import parse_graph
from app.errors import StoreError
from app.store import (
    autosave,
    clear_autosave,
    delete_workspace,
    list_workspaces,
    new_library_key,
    open_workspace,
    purge_autosaves,
    rename_workspace,
    restore_autosave,
    save_workspace,
)
from app.workspace import DatasetRef, Workspace
from app.workspace_file import read_workspace_file, write_workspace_file
from tests.unit._store_support import BACKENDS, make_store


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    s = make_store(request.param, tmp_path_factory.mktemp(request.param))
    yield s
    s.close()


def _file(name: str = "W", edges: str = "X -> Y") -> bytes:
    ws = Workspace(graph=parse_graph(f"dag {{ {edges} }}"),
                   dataset=DatasetRef("upload", "t.csv", "f", 2, 2))
    return write_workspace_file(ws, pd.DataFrame({"X": [0, 1], "Y": [1.5, 2.5]}), name=name)


def test_save_list_open_rename_delete(store):
    key = new_library_key()
    first = save_workspace(key, "Week 1", _file("Week 1"), store=store)
    second = save_workspace(key, "Week 2", _file("Week 2", "A -> B"), store=store)
    assert [w.name for w in list_workspaces(key, store=store)] == ["Week 2", "Week 1"]
    opened = read_workspace_file(open_workspace(key, second.id, store=store))
    assert opened.workspace.graph.nodes == ("A", "B")
    assert list(opened.data["Y"]) == [1.5, 2.5]
    renamed = rename_workspace(key, first.id, "Week one", store=store)
    assert renamed.name == "Week one" and renamed.id == first.id
    delete_workspace(key, second.id, store=store)
    assert [w.name for w in list_workspaces(key, store=store)] == ["Week one"]
    with pytest.raises(StoreError, match="not in your library"):
        open_workspace(key, second.id, store=store)


def test_one_library_never_sees_or_touches_another(store):
    alice, bob = new_library_key(), new_library_key()
    mine = save_workspace(alice, "Private", _file(), store=store)
    assert list_workspaces(bob, store=store) == []
    for action in (lambda: open_workspace(bob, mine.id, store=store),
                   lambda: rename_workspace(bob, mine.id, "Mine now", store=store),
                   lambda: delete_workspace(bob, mine.id, store=store)):
        with pytest.raises(StoreError, match="not in your library"):
            action()
    assert [w.name for w in list_workspaces(alice, store=store)] == ["Private"]


def test_the_library_key_is_typed_leniently_but_must_be_one(store):
    key = new_library_key()
    save_workspace(key, "W", _file(), store=store)
    assert len(list_workspaces(key.lower().replace("-", " "), store=store)) == 1
    with pytest.raises(StoreError, match="library key"):
        list_workspaces("guess", store=store)


def test_names_are_unique_per_library_ignoring_case_unless_replacing(store):
    key = new_library_key()
    first = save_workspace(key, "Study", _file("Study", "X -> Y"), store=store)
    with pytest.raises(StoreError, match="already exists"):
        save_workspace(key, "STUDY", _file(), store=store)
    replaced = save_workspace(key, "study", _file("study", "P -> Q"), overwrite=True,
                              store=store)
    assert replaced.id == first.id and replaced.name == "study"
    assert read_workspace_file(open_workspace(key, first.id, store=store)) \
        .workspace.graph.nodes == ("P", "Q")
    other = save_workspace(key, "Other", _file(), store=store)
    with pytest.raises(StoreError, match="already exists"):
        rename_workspace(key, other.id, "Study", store=store)
    save_workspace(new_library_key(), "Study", _file(), store=store)   # another library: fine


def test_only_workspace_files_within_the_size_limit_are_saved(store, monkeypatch):
    import app.store.workspaces as ws_mod

    key = new_library_key()
    with pytest.raises(StoreError, match="Only workspace files"):
        save_workspace(key, "x", b"not a zip", store=store)
    monkeypatch.setattr(ws_mod, "MAX_WORKSPACE_BYTES", 100)
    with pytest.raises(StoreError, match="the library keeps files up to") as err:
        save_workspace(key, "x", _file(), store=store)
    assert "Download it as a file" in err.value.hint


def test_autosave_keeps_the_latest_per_session_and_skips_unchanged(store):
    session = "s-" + new_library_key()
    assert restore_autosave(session, store=store) is None
    v1, v2 = _file("a"), _file("b", "A -> B")
    assert autosave(session, v1, store=store) is True
    assert autosave(session, v1, store=store) is False          # unchanged: no write
    assert autosave(session, v2, store=store) is True
    assert restore_autosave(session, store=store) == v2
    assert restore_autosave("another-session-key-123", store=store) is None
    clear_autosave(session, store=store)
    assert restore_autosave(session, store=store) is None
    with pytest.raises(StoreError, match="random session key"):
        autosave("short", v1, store=store)


def test_old_autosaves_are_purged(store):
    session = "purge-" + new_library_key()
    autosave(session, _file(), store=store)
    assert purge_autosaves(older_than_days=1, store=store) == 0
    assert purge_autosaves(older_than_days=-1, store=store) >= 1
    assert restore_autosave(session, store=store) is None


def test_a_store_reopened_after_close_still_has_everything(store):
    from app.store import Store

    key = new_library_key()
    saved = save_workspace(key, "Durable", _file(), store=store)
    again = Store(store.url)
    try:
        assert [w.id for w in list_workspaces(key, store=again)] == [saved.id]
    finally:
        again.close()
