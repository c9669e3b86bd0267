"""Intervene page section: the effect split into direct and indirect parts, exact in the model
(app.models.mediation, Pearl's mediation formula)."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from app.charts.estimation import mediation_chart
from app.errors import ModelError
from app.markup import md, md_names
from app.models import DiscreteModel, FittedModel
from app.models.mediation import default_mediators, model_mediation
from app.ui import state
from app.ui.charts import show_chart
from app.ui.errors import guard

KEPT = 8      # results remembered per session (a rerun with the same choices does not recompute)


def _cell(row, mediators) -> str:
    return ", ".join(f"{m} = {row[m]:.4g}" if isinstance(row[m], float) else f"{m} = {row[m]}"
                     for m in mediators)


def mediation_section(model: FittedModel, gk: str, treatment: str, target: str, treated: object,
                      control: object, outcome_state: object | None) -> None:
    """Pick mediators (default: every node on a directed path from the treatment to the
    outcome), then show NDE, NIE and CDE with a sentence each and the split of the total."""
    st.subheader("Direct and indirect effects")
    candidates = [v for v in default_mediators(model.graph, treatment, target)
                  if v in model.variables]
    if not candidates:
        st.caption(f"No variable lies on a directed path from {md(treatment)} to {md(target)}: "
                   "the whole effect is direct.")
        return
    picked = st.multiselect("Mediators to split the effect at", candidates, default=candidates,
                            key=f"iv_med:{gk}:{treatment}:{target}",
                            help="Variables on a causal path from the treatment to the outcome.")
    if not picked:
        st.caption("Pick one or more mediators: the total effect is split into the part that runs "
                   "through them (indirect) and the rest (direct).")
        return
    if str(treated) == str(control):
        st.caption("Choose two different values of the treatment above to split their effect.")
        return
    with guard():
        memory = state.page_state("iv_mediation", {})
        key = (model.key, treatment, target, tuple(picked), str(treated), str(control),
               str(outcome_state))
        if key not in memory:
            try:
                memory[key] = model_mediation(model, treatment, target, picked, treated,
                                              control, outcome_state=outcome_state)
            except ModelError as err:    # not identified: an answer about the graph, not a fault
                memory[key] = err
            while len(memory) > KEPT:
                memory.pop(next(iter(memory)))
        r = memory[key]
        if isinstance(r, ModelError):
            st.info(md(r.message), icon=":material/block:")
            return
        if isinstance(model, DiscreteModel) and len(r.cde_table) > 1:
            labels = [_cell(row, r.mediators) for _, row in r.cde_table.iterrows()]
            default = _cell(r.cde_at, r.mediators)
            choice = st.selectbox("Controlled direct effect with the mediators fixed at", labels,
                                  index=labels.index(default) if default in labels else 0,
                                  format_func=md, key=f"iv_med_at:{gk}:{treatment}:{target}:{picked}")
            i = labels.index(choice)
            r = replace(r, cde=float(r.cde_table["CDE"].iloc[i]),
                        cde_at={m: r.cde_table[m].iloc[i] for m in r.mediators})
        # two by two: four side by side cut "Controlled direct (CDE)" short at 1024 px
        (c1, c2), (c3, c4) = st.columns(2), st.columns(2)
        c1.metric("Total effect", md(r.fmt(r.total)))
        c2.metric("Natural direct (NDE)", md(r.fmt(r.nde)))
        c3.metric("Natural indirect (NIE)", md(r.fmt(r.nie)))
        c4.metric("Controlled direct (CDE)", md(r.fmt(r.cde)))
        show_chart(mediation_chart, r)
        said = r.sentences()
        for part in ("total", "nde", "nie", "cde", "identity"):
            st.markdown(md(said[part]))
        share = r.share_mediated
        if share is not None and 0 <= share <= 1:
            st.caption(f"The indirect part is {share:.0%} of the total effect.")
        st.caption(f"How: {md(r.method)}. Exact in this model: no sampling error, but only as "
                   "right as the model's tables or equations. The natural effects assume nothing "
                   f"else confounds {md_names(r.mediators)} and {md(target)} beyond the graph.")
