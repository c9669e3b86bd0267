"""Estimate page section for a graph that stands for several DAGs: the possible effects over the
class (IDA, app.estimation.ida) as a chart with one sentence."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app.charts.ida import ida_chart
from app.estimation.ida import ida
from app.graph import KIND_NAMES, CausalGraph
from app.markup import md
from app.numbers import fmt
from app.ui import state
from app.ui.charts import show_chart
from app.ui.errors import guard

KEPT = 8      # results remembered per session


def ida_section(df: pd.DataFrame, g: CausalGraph, treatment: str, outcome: str, tv, cv,
                data_key: str) -> None:
    """Possible effects of `treatment` on `outcome` over the DAGs the graph stands for."""
    st.subheader("Possible effects over the equivalence class (IDA)")
    if g.kind != "pdag":
        st.info(f"This graph is a {md(KIND_NAMES[g.kind])}: it allows hidden variables, and IDA "
                "for such graphs (LV-IDA, Malinsky & Spirtes 2017) is not built. Orient the marks "
                "you are sure of and save it as a DAG (or a CPDAG) to estimate.",
                icon=":material/info:")
        return
    key = (g.content_hash(), data_key, treatment, outcome, tv, cv)
    cache = state.page_state("est_ida", {})
    with guard():
        if key not in cache:
            with st.spinner("Trying every orientation of the undecided edges…"):
                cache[key] = ida(df, g, treatment, outcome, treatment_value=tv, control_value=cv)
            while len(cache) > KEPT:
                cache.pop(next(iter(cache)))
        r = cache[key]
        st.caption("A CPDAG stands for every DAG the data cannot tell apart; those DAGs can "
                   "disagree about the effect. Each way of orienting the undecided edges at the "
                   "treatment gives one possible effect (IDA, Maathuis, Kalisch & Bühlmann 2009: "
                   "regression on the treatment's parents in that orientation).")
        values = r.values
        c1, c2 = st.columns(2)
        c1.metric("Possible effects", f"{len(r.effects)}",
                  help="Orientations of the undecided edges at the treatment that the data allow.")
        if values:
            c2.metric("Range", f"{fmt(min(values))} to {fmt(max(values))}")
            show_chart(ida_chart, r)
        st.markdown(md(r.sentence))
        for e in r.effects:
            if e.value is None:
                st.caption(f"Parents {md(', '.join(e.parents))}: not estimable ({md(e.note)}).")
