"""The app shell around every page: sidebar workspace summary, undo/redo, share link, presenter mode."""
from __future__ import annotations

import copy
import functools
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from app.errors import ShareLinkError
from app.markup import md
from app.ui import autosave, state
from app.ui.errors import show_error
from app.workspace import decode_share, encode_share

_APPLIED = "cc_share_applied"


def apply_share_link() -> None:
    """Open the graph (and sample) carried by ?g=… once per session; bad links leave all as is."""
    token = st.query_params.get("g")
    if not token or st.session_state.get(_APPLIED) == token:
        return
    st.session_state[_APPLIED] = token
    try:
        payload = decode_share(token)
        if payload.sample:
            from app.samples import list_samples
            if payload.sample not in {s.name for s in list_samples()}:
                raise ShareLinkError(f"The share link names an unknown sample '{payload.sample}'.")
            state.load_sample(payload.sample)
        ws = payload.apply_to(state.workspace())
        if payload.extra.get("knowledge"):   # background knowledge drawn on Discover
            from app.discovery.knowledge_view import with_shared_knowledge
            ws = with_shared_knowledge(ws, payload.extra)
        state.push(ws, "open share link")
        state.flash("Opened the graph from the share link.", "success")
    except Exception as err:  # noqa: BLE001 - shown to the user, workspace untouched
        show_error(err if isinstance(err, ShareLinkError) else
                   ShareLinkError("The share link could not be opened."), where=st.sidebar)


def share_url(token: str) -> str:
    """The current app URL with ?g=token (falls back to a relative link)."""
    try:
        parts = urlsplit(st.context.url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, f"g={token}", ""))
    except Exception:  # noqa: BLE001 - no browser context (tests): a relative link still works
        return f"?g={token}"


@functools.lru_cache(maxsize=4)
def _page_templates(here: Path, pages: tuple) -> tuple:
    return tuple(st.Page(str(here / path), title=title, icon=icon, default=(i == 0))
                 for i, (path, title, icon) in enumerate(pages) if (here / path).exists())


def pages(here: Path, pages: list[tuple[str, str, str]]) -> list:
    """The st.Page list for st.navigation, for the files that exist.

    st.Page resolves its file on the disk (several syscalls each, slow under load: 7% of the
    server's CPU with 20 students); built once and copied per run, because a page object
    carries per-run state (whether it may be run) and must not be shared between sessions.
    """
    return [copy.copy(page) for page in _page_templates(here, tuple(pages))]


def sidebar() -> None:
    """Workspace summary, undo/redo and the share link, on every page."""
    hist = state.history()
    ws = hist.present
    with st.sidebar:
        st.markdown("**Workspace**")
        st.caption(md(ws.summary()))
        c1, c2 = st.columns(2)
        if c1.button("↶ Undo", disabled=not hist.can_undo, use_container_width=True,
                     help=f"Undo: {md(hist.undo_label())}" if hist.can_undo else "Nothing to undo",
                     key="cc_undo"):
            state.undo()
            st.rerun()
        if c2.button("↷ Redo", disabled=not hist.can_redo, use_container_width=True,
                     help=f"Redo: {md(hist.redo_label())}" if hist.can_redo else "Nothing to redo",
                     key="cc_redo"):
            state.redo()
            st.rerun()
        if ws.graph.nodes:
            sample = ws.dataset.name if ws.dataset and ws.dataset.kind == "sample" else None
            with st.expander("Share link", icon=":material/link:"):
                st.caption("Opens this graph (and the sample, if one is loaded) for anyone "
                           "running Causal Canvas.")
                extra = None
                if ws.settings.get("knowledge"):     # background knowledge drawn on Discover
                    from app.discovery.knowledge_view import share_extra
                    extra = share_extra(ws)
                st.code(share_url(encode_share(ws.graph, sample=sample, extra=extra,
                                               settings=ws.settings)),
                        language=None,
                        wrap_lines=True)
        st.toggle("Presenter mode", key=PRESENTER,
                  help="Large type and high-contrast graph colours for a projector.")
        autosave.cookie_script()
    state.autosave_now()   # cheap when nothing changed; catches edits made without state.push


PRESENTER = "cc_presenter"


def _leave_presenter() -> None:
    st.session_state[PRESENTER] = False


def presenter_css() -> None:
    """Presenter mode on every page: large type, no sidebar, and a button to leave it."""
    if not st.session_state.get(PRESENTER):
        return
    st.markdown("<style>html{font-size:20px} .stMarkdown p,.stMarkdown li{font-size:1.15rem}"
                " h1{font-size:3rem!important} h2{font-size:2.3rem!important}"
                " [data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl']"
                "{display:none}</style>", unsafe_allow_html=True)
    st.button("Leave presenter mode", key="cc_leave_presenter", on_click=_leave_presenter,
              icon=":material/close_fullscreen:",
              help="Back to normal type and the sidebar (the sidebar has the switch too).")


START_SAMPLE_KEY = "cc_start_sample"   # tests and links may choose the first sample
DEFAULT_START_SAMPLE = "kidney_stones"


def start_session() -> None:
    """First run of a browser session: open on a bundled sample so every page shows something."""
    if st.session_state.get("cc_started"):
        return
    st.session_state["cc_started"] = True
    if st.query_params.get("g"):
        return  # the share link decides what opens
    if state.restore_autosave():
        return
    name = st.session_state.get(START_SAMPLE_KEY, DEFAULT_START_SAMPLE)
    if not name:
        return
    try:
        state.load_sample(name)
    except Exception as err:  # noqa: BLE001 - an empty workspace is still usable
        show_error(err, where=st.sidebar)
