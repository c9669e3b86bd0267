"""Widgets shared by several pages: empty states and the sample picker."""
from __future__ import annotations

import streamlit as st

from app.ui import state
from app.ui.errors import guard

DEFAULT_SAMPLE = "kidney_stones"


def need_data(message: str = "This page works on a dataset. Load one first.") -> bool:
    """True when a table is loaded; otherwise an empty state with a one-click sample."""
    if state.data() is not None:
        return True
    st.info(message, icon="📂")
    c1, c2 = st.columns(2)
    if c1.button("Load the kidney-stones sample", key="need_data_sample", type="primary"):
        with guard():
            state.load_sample(DEFAULT_SAMPLE)
            st.rerun()
    c2.page_link("pages/data.py", label="Choose or upload data", icon="📂")
    return False


def need_graph(message: str = "This page works on a causal graph. Draw or load one first.",
               min_nodes: int = 2) -> bool:
    """True when the workspace graph has at least `min_nodes`; otherwise an empty state."""
    if len(state.graph().nodes) >= min_nodes:
        return True
    st.info(message, icon="🕸️")
    c1, c2 = st.columns(2)
    if c1.button("Load the kidney-stones sample", key="need_graph_sample", type="primary"):
        with guard():
            state.load_sample(DEFAULT_SAMPLE)
            st.rerun()
    c2.page_link("pages/graph.py", label="Draw a graph", icon="🕸️")
    return False


def node_picker(label: str, graph, default=None, key: str | None = None, multi: bool = False,
                exclude=()):
    """A selectbox (or multiselect) over the graph's nodes with a sensible default."""
    options = [n for n in graph.nodes if n not in set(exclude)]
    if multi:
        default = [d for d in (default or []) if d in options]
        return st.multiselect(label, options, default=default, key=key)
    index = options.index(default) if default in options else 0 if options else None
    return st.selectbox(label, options, index=index, key=key)
