"""Intervene page sections that change the Workspace's model: its options and its edited tables.

Both are Workspace settings (app.models.options), so every change is one undo step, is
autosaved and goes into the share link, and the Counterfactual page reads the same model.
Widget keys carry a tag of the stored value: after undo or redo the widgets show the
restored value instead of pushing their own back.
"""
from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from app import models
from app.markup import md, md_names
from app.models.options import ESTIMATORS, KINDS, PRIORS, ModelOptions
from app.ui import state
from app.ui.errors import guard


def _tag(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:10]


def model_options_panel(graph, df, bif: str | None) -> ModelOptions | None:
    """The Model expander: fitting choices (and states, without data), kept in the Workspace.
    Returns the options, or None while a change is being stored (the page reruns)."""
    ws = state.workspace()
    current = None
    with guard():
        current = ws.model_options()
    if current is None:
        return None
    tag = f"{graph.structure_hash()}:{_tag(current.to_json())}"
    with st.expander("Model", icon=":material/settings:", expanded=df is None):
        c1, c2, c3 = st.columns(3)
        kind = c1.radio("Model", KINDS, index=KINDS.index(current.kind), horizontal=True,
                        key=f"iv_kind:{tag}",
                        help="auto: tables for categories, linear equations for numbers; mixed "
                             "data is binned.")
        estimator = c2.radio("Tables from data", ESTIMATORS,
                             index=ESTIMATORS.index(current.estimator), horizontal=True,
                             key=f"iv_est:{tag}",
                             format_func={"mle": "maximum likelihood", "bayes": "Bayesian"}.get)
        prior = c3.selectbox("Prior", PRIORS, index=PRIORS.index(current.prior),
                             key=f"iv_prior:{tag}", disabled=estimator == "mle")
        ess = c3.number_input("Equivalent sample size", min(0.1, current.equivalent_sample_size),
                              1e6, current.equivalent_sample_size, key=f"iv_ess:{tag}",
                              disabled=estimator == "mle" or prior == "K2")
        tables, hand = current.tables, current.hand_states
        if bif:
            tables = st.radio("Probability tables", ["data", "bif"],
                              index=["data", "bif"].index(current.tables), horizontal=True,
                              key=f"iv_tables:{tag}",
                              format_func={"data": "fitted to the data",
                                           "bif": "the published network (the truth)"}.get)
        if df is None:
            st.info("No data loaded: build the model by hand. Give each variable its states, "
                    "then fill in the probability tables below.", icon=":material/edit:")
            shown = pd.DataFrame({"variable": list(graph.nodes),
                                  "states": [", ".join(map(str, current.hand_states.get(v, (0, 1))))
                                             for v in graph.nodes]})
            spec = st.data_editor(shown, disabled=["variable"], hide_index=True,
                                  key=f"iv_states:{tag}")
            with guard():
                hand = {r.variable: models.parse_states(r.states) for r in spec.itertuples()}
    options = ModelOptions(kind, estimator, prior, float(ess), current.bins, hand, tables)
    if options != current:
        state.push(ws.with_model_options(options), "change the model options")
        st.rerun()
    return options


def drop_edits_button(edits: dict) -> None:
    """When the model cannot be built, a way out of table edits that no longer fit it."""
    if edits and st.button("Drop the edited tables", key="iv_drop_edits",
                           icon=":material/layers_clear:",
                           help="Goes back to the fitted tables; undo brings the edits back."):
        state.push(state.workspace().with_cpt_edits({}), "drop the edited tables")
        st.rerun()


def cpt_editor(model, edits: dict, gk: str) -> None:
    """View one probability table, edit it, and keep the edit in the Workspace."""
    variables = list(model.variables)
    v = st.selectbox("Table of", variables, key=f"iv_cpt:{gk}")
    parents = model.parents(v)
    st.caption(f"One row per combination of {md_names(parents, 'nothing (no parents)')}; "
               "each row must sum to 1." + ("" if model.tables_editable else
                                            " With hidden common causes these tables describe "
                                            "observations and cannot be edited."))
    table = st.data_editor(model.cpt(v), disabled=parents or not model.tables_editable,
                           hide_index=True, key=f"iv_cpt_ed:{gk}:{v}:{model.key}")
    b1, b2 = st.columns(2)
    if b1.button("Apply this table", key="iv_apply", disabled=not model.tables_editable):
        with guard():
            models.with_cpt(model, v, table)   # validates: rows sum to 1, numbers in 0–1
            state.push(state.workspace().with_cpt_edits({**edits, v: table}),
                       f"edit the table of {v}")
            st.rerun()
    if b2.button("Undo all table edits", key="iv_reset", disabled=not edits):
        state.push(state.workspace().with_cpt_edits({}), "undo all table edits")
        st.rerun()
    if edits:
        st.caption("Edited by hand: " + md(", ".join(edits)) + ". The edits are part of the "
                   "workspace: undo, the share link and the Counterfactual page see them.")
