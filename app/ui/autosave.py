"""Autosave: every workspace change is kept for this browser, so a refresh or a server restart
loses nothing. The slot is named by a random first-party cookie; the store keeps only its hash.

This module keeps and fetches workspace files; it does not know the session's workspace.
app.ui.state calls `save` after every change and reopens what `load` returns (state imports
autosave, never the other way round).
"""
from __future__ import annotations

import re
import secrets

import pandas as pd
import streamlit as st

from app.ui.errors import log
from app.workspace import Workspace

SESSION_COOKIE = "cc_session"
EMBED_LIMIT = 5_000_000        # bytes of CSV embedded per autosave
EMBED_MEMORY_LIMIT = 20_000_000  # larger tables are referenced by name, never re-encoded per edit
_KEY, _SAVED = "cc_session_key", "cc_autosaved"
_DISABLED = "cc_start_sample"  # set by tests and links that choose what opens


def session_key() -> str:
    """This browser's autosave key: from its cookie, or a new random one (see cookie_script)."""
    key = st.session_state.get(_KEY)
    if key:
        return key
    try:
        cookie = st.context.cookies.get(SESSION_COOKIE)
    except Exception:  # noqa: BLE001 - no browser context (AppTest)
        cookie = None
    cookie = cookie if isinstance(cookie, str) else ""
    key = cookie if re.fullmatch(r"[A-Za-z0-9_-]{24,64}", cookie) else secrets.token_urlsafe(24)
    st.session_state[_KEY] = key
    return key


def cookie_script() -> None:
    """(Re)write the session cookie, every run, from a fixed spot at the end of the sidebar.

    Rendering it only once would shift the page's element tree on the next run and reset
    widgets such as tabs; an idempotent script in the same place every run shifts nothing.
    """
    key = session_key()
    st.html(f"<script>document.cookie='{SESSION_COOKIE}={key}; path=/; max-age=2592000; "
            "SameSite=Strict'</script>", unsafe_allow_javascript=True)


def enabled() -> bool:
    return st.session_state.get(_DISABLED) is None


def load() -> bytes | None:
    """This browser's autosaved workspace file; None when there is none, autosave is off, or the
    store cannot be read (a damaged autosave must not block the app)."""
    if not enabled():
        return None
    try:
        from app.store import restore_autosave

        return restore_autosave(session_key())
    except Exception as err:  # noqa: BLE001 - a damaged autosave must not block the app
        log.warning("autosave not restored: %s", err)
        return None


def mark_saved(ws: Workspace) -> None:
    """`ws` is what the store holds now (after a restore), so `save` skips it."""
    st.session_state[_SAVED] = ws


def save(ws: Workspace, df: pd.DataFrame | None) -> None:
    """Keep workspace `ws` (with its table `df`) for this browser when it changed."""
    if not enabled():
        return
    if st.session_state.get(_SAVED) is ws:
        return
    try:
        from app.errors import WorkspaceFileError
        from app.store import autosave
        from app.workspace_file import write_workspace_file

        small = df is not None and df.memory_usage(deep=False).sum() < EMBED_MEMORY_LIMIT
        try:
            raw = write_workspace_file(ws, df if small else None, name="Autosave",
                                       max_data_bytes=EMBED_LIMIT)
        except WorkspaceFileError:
            raw = write_workspace_file(ws, None, name="Autosave", embed_data=False)
        autosave(session_key(), raw)
        mark_saved(ws)
    except Exception as err:  # noqa: BLE001 - autosave is a safety net, never an obstacle
        log.warning("autosave failed: %s", err)
