"""Analyse: graphs derived for chosen nodes — Markov blanket, moral graph, ancestral graph."""
from __future__ import annotations

import streamlit as st

from app.analysis import derived
from app.drawing import display_positions
from app.graph import CausalGraph
from app.markup import md
from app.ui.graph_view import show_graph

VIEWS = {"blanket": "Markov blanket", "moral": "Moral graph", "ancestral": "Ancestral graph"}
CHOSEN = {"highlight": "a chosen node (orange ring)"}   # what the ring means in the legend


def show_derived(g: CausalGraph, xs: list[str], ys: list[str], key: str) -> None:
    """A view chosen by the user, for nodes chosen by the user, drawn and explained."""
    view = st.radio("View", list(VIEWS), format_func=lambda v: md(VIEWS[v]), horizontal=True,
                    key="an_der_view")
    default = ys if view == "blanket" else [*xs, *ys, *sorted(g.adjusted - set(xs + ys))]
    nodes = st.multiselect("For the nodes", list(g.nodes), default=default,
                           key=f"an_der_nodes:{view}:{key}")
    if not nodes:
        st.info("Choose at least one node.", icon=":material/touch_app:")
        return
    pos = display_positions(g)
    if view == "blanket":
        mb = derived.markov_blanket(g, nodes)
        inside = set(mb.blanket) | set(nodes)
        show_graph(g, highlight_nodes=nodes,
                   node_styles={n: "dimmed" for n in g.nodes if n not in inside},
                   node_legend={**CHOSEN, "dimmed": "outside the blanket (faded)"},
                   key="an_g_blanket")
        st.caption("Orange border: the chosen nodes. Full colour: their Markov blanket. "
                   "Faded: every other node.")
        st.success(md(mb.sentence()), icon=":material/shield:")
    elif view == "moral":
        ancestors_only = st.checkbox("Only the chosen nodes and their ancestors (as DAGitty "
                                     "draws it)", value=True, key="an_der_moral_an")
        moral = derived.moral_graph(g, nodes if ancestors_only else None)
        added = set(derived.moral_links(g, moral))
        styles = {e: ("moral_link" if e in added else "moral_edge") for e in moral.undirected}
        bare = CausalGraph(nodes=moral.nodes, roles=moral.roles)
        show_graph(bare.with_positions({n: pos[n] for n in moral.nodes}), edge_styles=styles,
                   highlight_nodes=nodes, node_legend=CHOSEN, key="an_g_moral")
        st.success(md(derived.moral_sentence(len(added), nodes if ancestors_only else None)),
                   icon=":material/hub:")
    else:
        sub = derived.ancestral_graph(g, nodes)
        show_graph(sub.with_positions({n: pos[n] for n in sub.nodes}), highlight_nodes=nodes,
                   node_legend=CHOSEN, key="an_g_ancestral")
        st.success(md(derived.ancestral_sentence(g, nodes, sub)), icon=":material/account_tree:")
