"""Graph: write the causal graph as text (DAGitty syntax), see it drawn, set roles, download."""
import streamlit as st

from app import io
from app.errors import ParseError
from app.graph import ROLES
from app.ui import state
from app.ui.errors import guard, show_error
from app.ui.graph_view import show_graph
from app.ui.widgets import graph_downloads

st.title("Causal graph")
g = state.graph()

# Keep the text box in step with the workspace unless the user is mid-way through a fix.
TEXT, SRC = "graph_text", "graph_text_src"
if st.session_state.get(SRC) != g.content_hash():
    st.session_state[TEXT] = g.to_dagitty()
    st.session_state[SRC] = g.content_hash()


def _apply_text() -> None:
    text = st.session_state[TEXT]
    current = state.graph()
    try:
        parsed = io.parse_graph(text)
    except Exception as err:  # noqa: BLE001 - shown below the box; the graph is kept
        st.session_state["graph_text_error"] = err
        return
    st.session_state.pop("graph_text_error", None)
    kept = {n: p for n, p in current.positions.items() if n not in parsed.positions}
    new = parsed.with_positions(kept)
    state.set_graph(new, "edit graph text")
    st.session_state[SRC] = new.content_hash()


left, right = st.columns([2, 3], gap="large")
with left:
    st.text_area(
        "Graph text", key=TEXT, height=320, on_change=_apply_text,
        help="DAGitty syntax: `X -> Y`, chains `A -> B -> C`, `X <-> Y` for an unobserved "
             "common cause, roles in brackets `X [exposure]`, `Y [outcome]`, `U [latent]`. "
             "DOT, JSON, GML and CSV edge lists are recognised too. Press Ctrl+Enter to apply.",
    )
    err = st.session_state.get("graph_text_error")
    if err is not None:
        show_error(err if isinstance(err, Exception) else ParseError(str(err)))
        st.caption("The drawing still shows your last valid graph.")
    else:
        st.caption(f"✓ {len(g.nodes)} nodes, {len(g.edges)} directed and "
                   f"{len(g.bidirected)} bidirected edges.")

    if g.nodes:
        with st.expander("Node roles", expanded=False):
            node = st.selectbox("Node", g.nodes, key="role_node")
            roles = st.multiselect("Roles", ROLES, default=sorted(g.roles.get(node, ())),
                                   key=f"roles_{node}_{g.content_hash()}")
            if st.button("Set roles", key="set_roles"):
                with guard():
                    state.set_graph(g.set_roles(node, roles), f"set roles of {node}")
                    st.rerun()

    graph_downloads(g)

with right:
    show_graph(g, height=480)
    st.caption("Colours follow the legend on every page. Hover a node for its roles.")
