"""Intervene: P(Y | X=x) beside P(Y | do(X=x)), the mutilated graph, the effect and a sweep."""
import streamlit as st

from app import models
from app.charts.interventions import seeing_vs_doing, sweep_chart
from app.errors import QueryError
from app.markup import md
from app.ui import state
from app.ui.charts import show_chart
from app.ui.errors import guard
from app.ui.graph_view import show_graph
from app.ui.views.flow import show_flow
from app.ui.views.mediation_model import mediation_section
from app.ui.views.model_options import cpt_editor, drop_edits_button, model_options_panel
from app.ui.widgets import need_graph, value_input, workspace_model

st.title("Intervene: seeing versus doing")
st.caption("P(Y | X = x) is what you see among units that happen to have X = x. "
           "P(Y | do(X = x)) is what would happen if you *set* X = x for everyone: the arrows "
           "into X are cut, so X no longer carries news about its causes.")
if not need_graph():
    st.stop()
g, df, ref = state.graph(), state.data(), state.dataset_ref()
gk = g.structure_hash()
bif = models.sample_bif_text(ref)
options = model_options_panel(g, df, bif)     # kept in the workspace, as are the table edits
if options is None:
    st.stop()
edits, model = {}, None
with guard():
    edits = state.workspace().cpt_edits()
    model = workspace_model(options, edits, bif)
if model is None:
    drop_edits_button(edits)
    st.stop()
for note in model.notes:
    st.caption(f":material/info: {md(note)}")

variables = list(model.variables)
treat0, target0 = models.suggest_query(model)
c1, c2, c3 = st.columns(3)
do_vars = c1.multiselect("Intervene: do(X = x) on", variables, default=[treat0], key=f"iv_do:{gk}")
targets = c2.multiselect("Targets Y", [v for v in variables if v not in do_vars],
                         default=[target0] if target0 not in do_vars else [], key=f"iv_t:{gk}")
ev_vars = c3.multiselect("Also observed (evidence)", [v for v in variables
                                                      if v not in do_vars + targets], key=f"iv_e:{gk}")
do, evidence = {}, {}
cols = st.columns(max(1, len(do_vars) + len(ev_vars)))
for i, v in enumerate(do_vars):
    with cols[i]:
        do[v] = value_input(f"do({md(v)} = …)", model, v, models.suggest_values(model, v)[0], f"iv_dv:{gk}:{v}")
for j, v in enumerate(ev_vars):
    with cols[len(do_vars) + j]:
        evidence[v] = value_input(f"observed {md(v)} =", model, v, models.suggest_values(model, v)[1],
                                  f"iv_ev:{gk}:{v}")
if not do_vars or not targets:
    st.info("Choose at least one variable to intervene on and one target.", icon=":material/touch_app:")
    st.stop()

result = None
with guard():
    result = models.do_query(model, targets, do, evidence)
if result is None:
    st.stop()
with guard():
    try:
        seen = models.observe_query(model, targets, {**evidence, **do})
    except QueryError:
        seen = None
    left, right = st.columns([3, 2], gap="large")
    with left:
        for t in targets:
            show_chart(seeing_vs_doing, seen, result, t)
            st.markdown(models.seeing_doing_sentence(model, result, seen, t))
        if seen is None:
            st.caption("No unit in the model has these values together, so 'seeing' has no answer: "
                       "only the intervention does.")
        st.caption(f"How: {md(result.method)}.")
    with right:
        st.markdown("**The mutilated graph** — arrows into the intervened variables are cut")
        show_graph(g, edge_styles={e: "cut" for e in models.cut_edges(g, do)},
                   node_styles={x: "intervened" for x in do}, height=320, key="iv_graph")

st.subheader("Effect of changing one variable")
with guard():
    c1, c2, c3, c4 = st.columns(4)
    treatment = c1.selectbox("Change", do_vars, key=f"iv_x:{gk}")
    target = c2.selectbox("Outcome", targets, key=f"iv_y:{gk}")
    dflt_1, dflt_0 = models.suggest_values(model, treatment)
    with c3:
        treated = value_input("from (treated)", model, treatment, do.get(treatment, dflt_1),
                              f"iv_x1:{gk}:{treatment}")
    with c4:
        control = value_input("versus (control)", model, treatment, dflt_0 if dflt_0 != treated
                              else dflt_1, f"iv_x0:{gk}:{treatment}")
    outcome_state = None
    if isinstance(model, models.DiscreteModel):
        outcome_state = st.radio("Outcome event", list(model.states[target]), horizontal=True, format_func=md,
                                 index=list(model.states[target]).index(
                                     models.suggest_values(model, target)[0]), key=f"iv_ys:{gk}:{target}")
    effect = models.causal_effect(model, target, treatment, treated, control, evidence, outcome_state)
    m1, m2 = st.columns(2)
    fmt = (lambda d: f"{100 * d:+.1f} points") if outcome_state is not None else "{:+.4g}".format
    m1.metric(effect.measure.capitalize(), fmt(effect.effect))
    m2.metric("What mere observation suggests", fmt(effect.association))
    st.markdown(md(effect.sentence()))
    sweep = models.intervention_sweep(model, target, treatment, evidence, outcome_state)
    what = f"P({target} = {outcome_state})" if outcome_state is not None else f"mean of {target}"
    show_chart(sweep_chart, sweep, treatment, target, what)
    st.caption(f"The sweep: {md(what)} for every value of {md(treatment)}, set by intervention (green) "
               "and merely observed (grey). Where the lines differ, confounding is at work."
               + (" The green band is one standard deviation either side of the mean under the "
                  "intervention, where about two in three single units would fall." if "do_low" in sweep else ""))

mediation_section(model, gk, treatment, target, treated, control, outcome_state)

tables = isinstance(model, models.DiscreteModel)
with st.expander("Probability tables (view and edit)" if tables else "Equations",
                 icon=":material/calculate:", expanded=df is None):
    if not tables:
        st.dataframe(model.describe(), hide_index=True, width="stretch")
    else:
        cpt_editor(model, edits, gk)

show_flow(model)
