"""Counterfactual: what would have happened to this unit had X been otherwise? And PN, PS, PNS."""
import pandas as pd
import streamlit as st

from app import models
from app.charts.interventions import bounds_chart, factual_vs_counterfactual
from app.markup import md
from app.ui import state
from app.ui.charts import show_chart
from app.ui.errors import guard
from app.ui.graph_view import show_graph
from app.ui.widgets import need_graph, value_input, workspace_model

st.title("Counterfactual: what if it had been otherwise?")
st.caption("About one unit, after the fact: given what happened, what would have happened had X "
           "been different? Three steps — **abduction** (what hidden circumstances fit the "
           "facts?), **action** (change X in a copy of the world), **prediction** (replay the same "
           "circumstances in the copy).")
if not need_graph():
    st.stop()
g, df, ref = state.graph(), state.data(), state.dataset_ref()
gk = g.structure_hash()
bif = models.sample_bif_text(ref)
model = None
with guard():      # the model the Intervene page chose: its options and edits are in the workspace
    ws = state.workspace()
    model = workspace_model(ws.model_options(), ws.cpt_edits(), bif)
if model is None:
    st.stop()
st.caption("Model: " + md(model.source) + " (change it on the Intervene page). "
           + md(" ".join(model.notes[:2])))
variables = list(model.variables)
treat0, target0 = models.suggest_query(model)

if model.confounded:
    st.warning("This graph has hidden common causes (↔), so unit counterfactuals are not "
               "determined by the data. Write each hidden cause as an explicit node with "
               "hand-written tables to ask them; the bounds on PN, PS and PNS below still work.",
               icon=":material/warning:")
else:
    st.subheader("1 · The unit")
    modes = ["A row of the data", "Type the facts"] if df is not None else ["Type the facts"]
    mode = st.radio("Describe the unit by", modes, horizontal=True, key="cf_mode")
    if mode == modes[0] and df is not None:
        row = st.number_input("Row number", 0, len(df) - 1, 0, key="cf_row")
        st.dataframe(df.iloc[[row]][[c for c in df.columns if c in variables]], width="stretch")
        factual = models.row_to_factual(model, df.iloc[row])
    else:
        fact_vars = st.multiselect("Observed facts", variables, default=[treat0, target0],
                                   key=f"cf_fv:{gk}")
        cols = st.columns(max(1, len(fact_vars)))
        factual = {}
        for i, v in enumerate(fact_vars):
            with cols[i]:
                factual[v] = value_input(f"{md(v)} was", model, v, models.suggest_values(model, v)[0],
                                         f"cf_f:{gk}:{v}")
    st.subheader("2 · The alternative")
    c1, c2, c3 = st.columns(3)
    x = c1.selectbox("Had this variable", variables, index=variables.index(treat0), key=f"cf_x:{gk}")
    with c2:
        x_alt = value_input("been", model, x, models.suggest_values(model, x)[1],
                            f"cf_xv:{gk}:{x}", exclude=factual.get(x))
    target = c3.selectbox("what would", [v for v in variables if v != x],
                          index=max(0, [v for v in variables if v != x].index(target0))
                          if target0 != x else 0, key=f"cf_y:{gk}")
    assumption = "monotone"
    if model.assumptions:
        assumption = st.radio("Assumption about hidden mechanisms", list(model.assumptions),
                              horizontal=True, key="cf_assume",
                              help="Probability tables cannot decide counterfactuals alone.")
    if mode == modes[0] and df is not None:
        gaps = [v for v in dict.fromkeys((x, target)) if v in df.columns
                and pd.isna(df.iloc[row][v])]
        if gaps:
            st.warning(f"Row {int(row)} has no value for {md(' and '.join(gaps))}: the facts "
                       "below come "
                       "from the other columns only, so this unit is described less than it "
                       "seems. Pick a row with both values, or type the facts.",
                       icon=":material/warning:")
    with guard():
        cf = models.counterfactual(model, target, factual, {x: x_alt}, assumption=assumption)
        left, right = st.columns([3, 2], gap="large")
        with left:
            show_chart(factual_vs_counterfactual, cf, target)
            st.markdown(cf.sentence(target))
        with right:
            st.info("**Assumption.** " + md(cf.assumption_text), icon=":material/extension:")
        st.markdown("\n".join(f"{i}. {md(s)}" for i, s in enumerate(cf.steps, 1)))
        st.markdown("**Twin network** — the factual world (left) and its counterfactual copy "
                    "(starred, right), sharing each changed variable's hidden noise U")
        show_graph(cf.twin, node_styles={cf.twin_names[x]: "intervened"},
                   highlight_nodes=[cf.twin_names.get(target, target)], height=380, key="cf_twin")
    if isinstance(model, models.LinearModel) and df is not None:
        with st.expander(f"Every row at once: {md(target)} had {md(x)} = {x_alt:.4g}", icon=":material/table_rows:"):
            with guard():
                rows = df[[c for c in variables]].dropna()
                out = models.unit_counterfactuals(model, rows, {x: x_alt})
                table = pd.DataFrame({target: rows[target], f"{target}*": out[target],
                                      "difference": out[target] - rows[target]})
                st.metric("Average difference over the rows", f"{table['difference'].mean():+.4g}")
                st.dataframe(table.head(500), width="stretch")

if isinstance(model, models.DiscreteModel):
    st.subheader("Probabilities of causation")
    st.caption("Was X the cause? PN, PS and PNS are about individuals, so data only bound them "
               "(Tian & Pearl 2000); if nobody is harmed by X (monotonicity) they are exact.")
    binary = [v for v in variables if len(model.states[v]) == 2]
    if len(binary) < 2:
        st.info("These need two yes/no variables.", icon=":material/info:")
        st.stop()
    c1, c2, c3 = st.columns(3)
    ex = c1.selectbox("Exposure", binary, index=binary.index(treat0) if treat0 in binary else 0,
                      key=f"pb_x:{gk}")
    outs = [v for v in variables if v != ex]
    out = c2.selectbox("Outcome", outs, index=outs.index(target0) if target0 in outs else 0,
                       key=f"pb_y:{gk}")
    source = c3.radio("Experimental numbers from", ["the model's do-queries", "an experiment table"],
                      key="pb_src")
    experiment = None
    if source == "an experiment table":
        up = st.file_uploader(f"CSV with columns {md(ex)}, {md(out)} (and optionally count)", type="csv",
                              key="pb_upload")
        if up is None:
            st.stop()
        with guard():
            experiment = pd.read_csv(up)
    with guard():
        b = models.causation_bounds(model, experiment, exposure=ex, outcome=out)
        show_chart(bounds_chart, b)
        st.caption("Bars: what the data allow. Diamonds: the exact value if nobody is harmed by "
                   f"{md(ex)}={md(b.treated)}. From {md(b.source)}.")
        for line in b.sentences():
            st.markdown("- " + md(line))
        for check in b.checks:
            st.warning(md(check), icon=":material/warning:")
        with st.expander("The numbers used"):
            st.dataframe(pd.Series(dict(b.inputs), name="probability").to_frame(), width="stretch")
