"""Analyse: DAGitty's colouring of causal (green) and biasing (red) paths on the graph."""
from __future__ import annotations

import streamlit as st

from app.analysis.colouring import PathColouring, path_colouring
from app.graph import CausalGraph
from app.markup import md
from app.ui.graph_view import show_graph


@st.cache_data(max_entries=64, show_spinner=False)
def _colouring(key: str, _g: CausalGraph, xs: tuple, ys: tuple, zs: tuple) -> PathColouring:
    return path_colouring(_g, xs, ys, zs)


def show_path_colouring(g: CausalGraph, xs: tuple, ys: tuple, zs: tuple, key: str) -> None:
    """The graph with every edge on an open causal or biasing path coloured, and a sentence."""
    colouring = _colouring(key, g, xs, ys, zs)
    drawn = g
    for z in zs:                  # drawn as DAGitty draws adjusted nodes: boxed
        drawn = drawn.set_role(z, "adjusted")
    show_graph(drawn, edge_styles=colouring.styles(), key="an_g_colour")
    st.caption(md(colouring.sentence()) + " An edge on both kinds of path is drawn as biasing.")
    if colouring.note:
        st.warning(md(colouring.note), icon=":material/content_cut:")
