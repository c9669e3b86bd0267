"""Explain: why did the outcome change between two datasets, and why is one row unusual."""
import streamlit as st

from app.ui import state
from app.ui.views.explain import explainable, show_explain
from app.ui.widgets import need_data, need_graph

st.title("Explain: why did the outcome change?")
st.caption("Split a change of an outcome over the causal mechanisms that changed, or one "
           "unusual row's outcome over its root causes. Both read the graph as the truth.")
if not need_graph() or not need_data():
    st.stop()
if not explainable(state.graph()):
    st.stop()
show_explain(state.graph(), state.data())
