"""Graph: draw the causal graph with the mouse or write it as text; both stay in step."""
import logging

import streamlit as st

from app import io
from app.editor import EditorNotice, apply_events, place_new_nodes
from app.errors import ParseError
from app.graph import KIND_NAMES, CausalGraph
from app.io.dagitty import write_dagitty
from app.markup import md
from app.ui import state
from app.ui.errors import show_error
from app.ui.widgets import graph_data_notice, graph_downloads
from components.dag_editor import dag_editor

log = logging.getLogger("causal_canvas")
TEXT, SRC = "graph_text", "graph_text_src"
SHOWN, RECENT = "graph_text_shown", "graph_text_recent"
EDITOR = "dag_editor"


def _show_text(text: str) -> None:
    """Remember what the box holds now, and the texts it held lately."""
    st.session_state[SHOWN] = text
    recent = [t for t in st.session_state.get(RECENT, []) if t != text][-30:]
    st.session_state[RECENT] = [*recent, text]


def _apply_text() -> None:
    """The text box was changed: parse it; nodes keep their places, new ones get a free spot."""
    with state.session_lock():
        _apply_text_locked(st.session_state[TEXT])


def _apply_text_locked(text: str) -> None:
    if text != st.session_state.get(SHOWN) and text in st.session_state.get(RECENT, []):
        # A browser that had not yet received the newest text sent an older rendering of ours
        # back with another action (a fast canvas edit): not an edit by the user, so keep the
        # graph. No time window: under CPU load such an echo arrived after more than 5 s and
        # undid applied canvas edits. (Going back to an earlier graph is what Undo is for.)
        st.session_state[TEXT] = st.session_state[SHOWN]
        return
    current = state.graph()
    try:
        parsed = io.parse_graph(text)
    except Exception as err:  # noqa: BLE001 - shown below the box; the graph is kept
        st.session_state["graph_text_error"] = err
        return
    st.session_state.pop("graph_text_error", None)
    kept = {n: p for n, p in current.positions.items() if n not in parsed.positions}
    new = place_new_nodes(current, parsed.with_positions(kept))
    state.set_graph(new, "edit graph text")
    st.session_state[SRC] = new.content_hash()
    _show_text(text)


def _apply_canvas(events: list[dict]) -> EditorNotice | None:
    """Edits from the canvas, in order: each is one undo step; a refused one says why.
    The history is fetched first: apply_events itself touches no Streamlit state."""
    return apply_events(state.history(), events)


def _clear() -> None:
    with state.session_lock():
        state.set_graph(CausalGraph(), "start a new empty graph")


st.title("Causal graph")
graph_data_notice("graph", palette=True)
g = state.graph()
g_hash = g.content_hash()
# Keep the text box in step with the workspace (after a canvas edit, undo, or a loaded sample,
# and after a visit to another page: Streamlit drops the state of a widget it did not draw).
if st.session_state.get(SRC) != g_hash or TEXT not in st.session_state:
    st.session_state[TEXT] = write_dagitty(g)
    st.session_state[SRC] = g_hash
    _show_text(st.session_state[TEXT])
    st.session_state.pop("graph_text_error", None)

left, right = st.columns([1, 2], gap="medium")
with right:
    hist = state.history()
    dag_editor(g, on_events=_apply_canvas, key=EDITOR, height=540,
               history={"can_undo": hist.can_undo, "can_redo": hist.can_redo,
                        "undo_label": hist.undo_label(), "redo_label": hist.redo_label()},
               high_contrast=bool(st.session_state.get("cc_presenter", False)),
               lock=state.session_lock())   # the canvas, the text box and undo: one lock

with left:
    st.text_area(
        "Graph text", key=TEXT, height=360, on_change=_apply_text,
        help="DAGitty syntax: `X -> Y`, chains `A -> B -> C`, `X <-> Y` for an unobserved "
             "common cause, roles in brackets `X [exposure]`, `Y [outcome]`, `U [latent]`, "
             "positions `pos=\"x,y\"`. DOT, JSON, GML and CSV edge lists are recognised too. "
             "Press Ctrl+Enter to apply; the drawing follows, and drawing updates this text.",
    )
    err = st.session_state.get("graph_text_error")
    if err is not None:
        show_error(err if isinstance(err, Exception) else ParseError(str(err)))
        st.caption("The drawing still shows your last valid graph.")
    else:
        marked = (f", {len(g.undirected)} undirected" if g.undirected else "") + \
            (f", {len(g.circle)} with a circle mark" if g.circle else "")
        kind = "" if g.is_dag else f" ({KIND_NAMES[g.kind]})"
        st.caption(f"✓ {len(g.nodes)} nodes, {len(g.edges)} directed{md(marked)} and "
                   f"{len(g.bidirected)} bidirected edges{md(kind)}.")
    graph_downloads(g)
    st.button("New empty graph", key="graph_clear", on_click=_clear, icon=":material/add:",
              disabled=not g.nodes,
              help="Start again on an empty canvas. Undo brings the current graph back.")
