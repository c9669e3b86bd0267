"""'Where the effect flows': the total effect of X on Y split by directed path (app.models.flow),
as clickable bars beside the graph with the chosen path drawn on it."""
from __future__ import annotations

import streamlit as st

from app.charts.flow import flow_chart, picked_path
from app.graph import CausalGraph
from app.markup import md
from app.models import FittedModel, LinearModel, suggest_query
from app.models.flow import FlowResult, path_effects, unavailable_reason
from app.ui.charts import show_chart
from app.ui.errors import guard
from app.ui.graph_view import show_graph

SENTENCES = 8             # paths explained in words; the chart shows them all


def show_flow(model: FittedModel) -> None:
    """The path split of a linear model's total effect, or why a model gets none."""
    st.subheader("Where the effect flows")
    if not isinstance(model, LinearModel):
        st.info(md(unavailable_reason(model)), icon=":material/route:")
        return
    st.caption("In a linear model the total effect of X on Y is the sum, over the directed paths "
               "X → … → Y, of the products of the coefficients along each path (Wright's rule). "
               "Click a bar to draw its path on the graph.")
    g, gk = model.graph, model.key
    variables = list(model.variables)
    if len(variables) < 2:
        st.info("The model has one variable: there is no effect to split.", icon=":material/route:")
        return
    x0, y0 = suggest_query(model)
    c1, c2 = st.columns(2)
    x = c1.selectbox("Cause X", variables, index=variables.index(x0), key=f"flow_x:{gk}")
    outcomes = [v for v in variables if v != x]
    y = c2.selectbox("Effect Y", outcomes, index=outcomes.index(y0) if y0 in outcomes else 0,
                     key=f"flow_y:{gk}")
    result = None
    with guard():
        result = path_effects(model, x, y)
    if result is None:
        return
    st.markdown(result.summary())
    show_path_split(result, g, f"{gk}:{x}:{y}", f"flow_graph:{gk}")


def show_path_split(result: FlowResult, g: CausalGraph, key: str, graph_key: str) -> None:
    """The bars of a path split (click one to draw its path), a sentence per path and the graph
    with the chosen path drawn (`graph_key`: the graph's widget key, kept as the pair changes);
    shared by the Intervene and Estimate pages."""
    if not result.paths:
        return
    texts = [p.text for p in result.paths]
    pick_key, last_key = f"flow_path:{key}", f"flow_last:{key}"
    if st.session_state.get(pick_key) not in texts:
        st.session_state[pick_key] = texts[0]
    left, right = st.columns([3, 2], gap="large")
    with left:
        ev = show_chart(flow_chart, result, current=st.session_state[pick_key], on_select="rerun",
                        key=f"flow_chart:{key}")
        picked = picked_path(ev.selection if ev else None)
        if picked in texts and picked != st.session_state.get(last_key):
            st.session_state[last_key] = picked
            st.session_state[pick_key] = picked
            st.rerun()   # redraw the bars and the graph with the clicked path
        for p in result.paths[:SENTENCES]:
            st.markdown(result.sentence(p))
        rest = len(result.paths) - SENTENCES + result.n_other
        if rest > 0:
            st.caption(f"… and {rest:d} more path{'s' if rest != 1 else ''}, each shown as a bar.")
    with right:
        chosen = result.paths[texts.index(st.session_state.get(pick_key, texts[0]))]
        st.selectbox("Path drawn on the graph (or click its bar)", texts, key=pick_key)
        show_graph(g, edge_styles={e: "causal_path" for e in chosen.edges},
                   highlight_nodes=chosen.nodes, height=320, key=graph_key)
