"""Analyse: the Markov equivalence class of the graph — its CPDAG beside its member DAGs."""
from __future__ import annotations

import streamlit as st

from app.analysis.equivalence import EquivalenceClass, equivalence_class
from app.drawing import display_positions
from app.graph import CausalGraph
from app.markup import md
from app.settings import MAX_CLASS_MEMBERS, MAX_CLASS_MEMBERS_DRAWN
from app.ui.graph_view import show_graph

PER_ROW = 3


@st.cache_data(max_entries=16, show_spinner="Listing the equivalent graphs…")
def _class(key: str, _g: CausalGraph) -> EquivalenceClass:
    return equivalence_class(_g, limit=MAX_CLASS_MEMBERS)


def show_equivalence(g: CausalGraph, key: str) -> None:
    """The class in a sentence, the CPDAG drawn, then a page of member DAGs side by side."""
    st.caption("Observational data can only show which variables are (conditionally) "
               "independent. Graphs with the same links and the same colliders (v-structures) "
               "imply the same independencies: these graphs cannot be told apart from "
               "observational data. Only experiments or assumptions choose among them.")
    eq = _class(key, g)
    st.info(md(eq.sentence()), icon=":material/join:")
    for note in eq.notes:
        st.caption(f":material/info: {md(note)}")
    pos = display_positions(g)
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**The class as one graph (CPDAG)**")
        show_graph(eq.cpdag.with_positions(pos), key="an_eq_cpdag", height=330)
    with right:
        st.markdown("**How to read it**")
        st.caption("An arrow is kept where every member of the class has it; a plain line "
                   "(—) is an edge whose direction differs between members. Below, each "
                   "member is drawn in the same place as your graph; an orange arrow points "
                   "the other way from yours.")
        if eq.reversible:
            st.markdown("Undecided: " + ", ".join(f"{md(a)} — {md(b)}"
                                                  for a, b in eq.reversible))
    _members(g, eq, pos, key)


def _members(g: CausalGraph, eq: EquivalenceClass, pos, key: str) -> None:
    listed = len(eq.members)
    total = f"{eq.total:,}" if eq.total is not None else "too many to count"
    pages = max(1, -(-listed // MAX_CLASS_MEMBERS_DRAWN))
    page = 1
    if pages > 1:
        page = st.columns(4)[0].number_input(f"Page of members (of {pages:d})", 1, pages, 1,
                                             key=f"an_eq_page:{key}")
    start = (page - 1) * MAX_CLASS_MEMBERS_DRAWN
    shown = [eq.member(i) for i in range(start, min(start + MAX_CLASS_MEMBERS_DRAWN, listed))]
    st.markdown(f"**Members {start + 1:d}–{start + len(shown):d} of {md(total)}**")
    if listed < (eq.total or listed + 1):
        st.caption(f"The first {listed:,} members are listed; the count is exact.")
    # one legend for the grid: each drawing colours its nodes by its own arrows
    st.caption("Legend — arrows: orange = points the other way from your graph, grey = as in "
               "yours. Nodes: green = exposure, dark blue = outcome, yellow = ancestor of the "
               "exposure, light blue = ancestor of the outcome, salmon = ancestor of both (a "
               "possible confounder), white = other. Which nodes are confounders changes from "
               "member to member: the data alone do not say what to adjust for.")
    for row in range(0, len(shown), PER_ROW):
        cols = st.columns(PER_ROW)
        for col, i in zip(cols, range(row, min(row + PER_ROW, len(shown)))):
            member = shown[i]
            number = start + i + 1
            flipped = {(a, b): "reversed" for a, b in member.edges if (a, b) not in g.edges}
            with col:
                st.caption(f"Member {number:d}" + (" — your graph" if member.edges == g.edges
                                                   else f": {len(flipped)} arrow(s) reversed "
                                                   "(orange)"))
                show_graph(member.with_positions(pos), edge_styles=flipped, height=260,
                           key=f"an_eq_m{i}", legend=False)
