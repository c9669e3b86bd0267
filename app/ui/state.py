"""Session state behind a tiny accessor: the Workspace history, the loaded table, page memory.

Each browser session has its own History and data store (st.session_state), so sessions never
see each other's graphs or uploads.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from app.graph import CausalGraph
from app.ui import autosave
from app.ui.errors import log
from app.workspace import DatasetRef, History, Workspace

_HISTORY = "cc_history"
_DATA = "cc_data"          # fingerprint -> DataFrame (the few most recent, so undo can restore)
_PAGES = "cc_pages"
_FLASH = "cc_flash"
MAX_TABLES_KEPT = 3


_LOCK = "cc_lock"
_LOCKS_GUARD = threading.Lock()


def session_lock() -> threading.RLock:
    """This session's lock around every read-modify-write of the workspace.

    Streamlit can start a new run while the previous one still finishes its callbacks, so two
    edits could otherwise read the same workspace and one would be lost.
    """
    with _LOCKS_GUARD:
        lock = st.session_state.get(_LOCK)
        if lock is None:
            lock = st.session_state[_LOCK] = threading.RLock()
    return lock


def history() -> History:
    if _HISTORY not in st.session_state:
        st.session_state[_HISTORY] = History()
    return st.session_state[_HISTORY]


def workspace() -> Workspace:
    return history().present


def graph() -> CausalGraph:
    return workspace().graph


def dataset_ref() -> DatasetRef | None:
    return workspace().dataset


def push(ws: Workspace, label: str = "edit") -> None:
    """Make `ws` the current workspace; the previous one stays reachable through undo."""
    with session_lock():
        history().push(ws, label)
    autosave_now()


def set_graph(g: CausalGraph, label: str = "edit graph") -> None:
    push(workspace().with_graph(g), label)


def undo() -> str | None:
    with session_lock():
        label = history().undo()
    autosave_now()
    return label


def redo() -> str | None:
    with session_lock():
        label = history().redo()
    autosave_now()
    return label


def autosave_now() -> None:
    """Keep the current workspace for this browser (cheap when nothing changed since)."""
    autosave.save(workspace(), data())


def restore_autosave() -> bool:
    """Reopen this browser's autosaved workspace; False when there is none (or it is damaged)."""
    raw = autosave.load()
    if raw is None:
        return False
    try:
        open_workspace_file(raw)
    except Exception as err:  # noqa: BLE001 - a damaged autosave must not block the app
        log.warning("autosave not restored: %s", err)
        return False
    autosave.mark_saved(workspace())
    flash("Welcome back: your last workspace was restored.", "success")
    return True


def data() -> pd.DataFrame | None:
    """The current table (a copy is not made: treat it as read-only)."""
    ref = dataset_ref()
    if ref is None:
        return None
    return st.session_state.get(_DATA, {}).get(ref.fingerprint)


def _store_table(fingerprint: str, df: pd.DataFrame) -> None:
    tables = dict(st.session_state.get(_DATA, {}))
    tables.pop(fingerprint, None)
    tables[fingerprint] = df
    # keep the current table and the ones undo may return to
    live = {ws.dataset.fingerprint for ws, _ in history().past[-20:] if ws.dataset}
    while len(tables) > MAX_TABLES_KEPT:
        old = next((k for k in tables if k != fingerprint and k not in live), None)
        old = old or next(k for k in tables if k != fingerprint)
        tables.pop(old)
    st.session_state[_DATA] = tables


def set_data(df: pd.DataFrame, ref: DatasetRef, var_types: dict[str, str] | None = None,
             graph_: CausalGraph | None = None, label: str | None = None) -> None:
    """Load a table as a new undo step (optionally with a graph, as samples do)."""
    _store_table(ref.fingerprint, df)
    ws = workspace().with_dataset(ref, var_types)
    if graph_ is not None:
        ws = ws.with_graph(graph_)
    push(ws, label or f"load {ref.name}")


def load_sample(name: str) -> None:
    """Load a bundled sample: its table and its graph, as one undo step."""
    from app.samples import load_sample as _load

    sample = _load(name)
    df = sample.data
    ref = DatasetRef(kind="sample", name=name, fingerprint=sample.fingerprint,
                     rows=len(df), columns=df.shape[1])
    set_data(df, ref, dict(sample.types), sample.graph, label=f"load sample {name}")


def open_workspace_file(raw: bytes) -> str:
    """Make a saved workspace file (.ccw) current; undo returns to what was open before.

    Returns the notes to show (e.g. an upgrade from an older file version).
    """
    from app.workspace_file import read_workspace_file

    opened = read_workspace_file(raw)          # raises WorkspaceFileError before any change
    ws, ref, label = opened.workspace, opened.workspace.dataset, f"open {opened.name}"
    with session_lock():
        if opened.data is not None:
            set_data(opened.data, ref, dict(ws.var_types), ws.graph, label)
        elif ref is not None and ref.kind == "sample":
            load_sample(ref.name)
        current = workspace()
        push(replace(ws, dataset=current.dataset if ref else None,
                     var_types=ws.var_types or current.var_types), label)
        for k, v in opened.page_state.items():
            set_page_state(k, v)
    return " ".join(opened.notes)


def page_state(key: str, default: Any = None) -> Any:
    """Per-page memory that survives reruns (results to keep when a later run fails)."""
    pages = st.session_state.setdefault(_PAGES, {})
    return pages.setdefault(key, default)


def set_page_state(key: str, value: Any) -> None:
    st.session_state.setdefault(_PAGES, {})[key] = value


def flash(message: str, kind: str = "success") -> None:
    """A message to show once on the next run (e.g. after an action that reruns)."""
    st.session_state[_FLASH] = (kind, message)


def show_flash() -> None:
    """Show the pending message: a toast for good news (no layout shift), a box for problems."""
    item = st.session_state.pop(_FLASH, None)
    if item:
        kind, message = item
        if kind in ("warning", "error"):
            getattr(st, kind)(message, icon=":material/warning:")
        else:
            st.toast(message, icon=":material/check_circle:")
