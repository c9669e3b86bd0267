"""Estimate: identify the effect (DoWhy), estimate it several ways next to the naive difference,
try to refute it, and explore subgroups with linked charts."""

import streamlit as st

from app.estimation import (
    METHODS,
    available_methods,
    estimate_effect,
    identify_estimand,
)
from app.estimation.pipeline import default_roles
from app.estimation.prepare import treatment_levels
from app.markup import md
from app.ui import state
from app.ui.errors import guard
from app.ui.graph_view import show_graph
from app.ui.views.estimate import (
    Question,
    cancel,
    flow_panel,
    mediation_panel,
    overlap_for,
    overlap_options,
    progress_to,
    refutation_panel,
    show_last_good,
    show_results,
    subgroup_panel,
)
from app.ui.views.ida import ida_section
from app.ui.widgets import need_data, need_graph

st.title("Estimate the causal effect")
st.caption("The graph says *what* to compare (the identified estimand); the estimators say *how*. "
           "Each estimate comes with a 95% interval and sits next to the naive, unadjusted "
           "difference. Then try to break it: refutations and a sensitivity analysis.")
if not need_data("Estimation needs data: load a sample or upload a table.") or not need_graph():
    st.stop()
g, df, ref = state.graph(), state.data(), state.dataset_ref()
gk = g.content_hash()
measured = [n for n in g.nodes if n in df.columns and n not in g.latents]
if len(measured) < 2:
    st.warning("Fewer than two graph nodes match columns of the data: name the nodes like the "
               "columns (or load the sample's graph).", icon=":material/link:")
    st.stop()

# ---- what to estimate -------------------------------------------------------------------
t0, y0 = default_roles(g)
c1, c2, c3, c4 = st.columns(4)
treatment = c1.selectbox("Treatment (cause)", measured, key=f"est_t:{gk}",
                         index=measured.index(t0) if t0 in measured else 0)
outs = [n for n in measured if n != treatment]
outcome = c2.selectbox("Outcome", outs, key=f"est_y:{gk}:{treatment}",
                       index=outs.index(y0) if y0 in outs else len(outs) - 1)
levels, tv, cv = treatment_levels(df[treatment]), None, None
if levels:
    names, dt, dc = levels
    tv = c3.selectbox("Treated value", names, index=names.index(dt), key=f"est_tv:{treatment}")
    rest = [n for n in names if n != tv]
    cv = c4.selectbox("Compared with", rest, index=rest.index(dc) if dc in rest else 0,
                      key=f"est_cv:{treatment}:{tv}")
else:
    c3.caption(f"'{md(treatment)}' is numeric: effects are per one-unit increase.")

if not g.is_dag:     # a class of DAGs: the possible effects, not one
    ida_section(df, g, treatment, outcome, tv, cv, ref.fingerprint)
    st.stop()
estimand = None
with st.spinner("Loading the estimation engine (DoWhy; first time only)…"), guard():
    estimand = identify_estimand(g, treatment, outcome, df.columns)
if estimand is None:
    show_last_good("the current choice cannot be estimated (see above).")
adj_key = f"est_adj:{gk}:{treatment}:{outcome}"
override = None
st.subheader("Identified estimand")
if not estimand.identified:
    st.error("This graph does not identify the effect: every back-door path runs through an "
             "unmeasured variable and there is no front-door mediator or instrument.", icon=":material/block:")
for kind in estimand.kinds:
    st.markdown(f"**{dict(backdoor='Back-door', frontdoor='Front-door', iv='Instrumental variable')[kind]}**"
                f" — {md(estimand.text(kind))}")
    st.latex(estimand.latex(kind))
left, right = st.columns([3, 2], gap="large")
with left:
    with st.expander("Assumptions (as DoWhy states them)"):
        for kind in estimand.kinds:
            for name, text in estimand.assumptions.get(kind, {}).items():
                st.markdown(f"- **{md(name)}**: {md(text)}")
    if estimand.backdoor is not None:
        desc = g.descendants(treatment)
        options = [n for n in measured if n not in (treatment, outcome) and n not in desc]
        chosen_adj = st.multiselect(
            "Adjust for", options, default=[z for z in estimand.backdoor if z in options], key=adj_key,
            help=f"Default: {md(estimand.adjustment_source)}. Add covariates for precision (checked: "
                 "the set must still block every back-door path).")
        if set(chosen_adj) != set(estimand.backdoor):
            override = sorted(chosen_adj)
    for note in estimand.notes:
        st.caption(f":material/info: {md(note)}")
adjustment = override if override is not None else list(estimand.backdoor or ())
with right:
    styles = {z: "highlight" for z in adjustment} | {z: "blocking" for z in
                                                     (*estimand.instruments, *(estimand.frontdoor or ()))}
    show_graph(g, node_styles=styles, height=300, key="est_graph",
               node_legend={"highlight": "adjusted for (orange ring)",
                            "blocking": "instrument or front-door mediator (grey ring)"})
if not estimand.identified:
    show_last_good("this graph does not identify the current effect.")

# ---- estimators -------------------------------------------------------------------------
st.subheader("Estimates")
avail = []
with guard():
    avail = available_methods(g, treatment, outcome, df, treatment_value=tv, control_value=cv,
                              adjustment_set=override)
usable = [a for a in avail if a.available]
with st.expander("Options", icon=":material/settings:"):
    o1, o2, o3 = st.columns(3)
    n_boot = o1.slider("Bootstrap resamples", 20, 500, 100, 20, key="est_nboot",
                       help="For stratification, matching and front-door intervals.")
    seed = int(o2.number_input("Random seed", 0, 10**6, 0, key="est_seed"))
    n_sims = o3.slider("Refutation simulations", 10, 300, 0, 10, key="est_nsims",
                       help="0 = default (100, or 20 for machine learning).") or None
    bounds, overlap_opt = overlap_options(tv is not None and bool(adjustment))
names_ok = {a.name for a in usable}
defaults = ({"ps_weighting"} if "ps_weighting" in names_ok else {usable[0].name} if usable else set()) \
    | (names_ok & {"linear_regression"})
cols = st.columns(max(len(usable), 1))
chosen = [a.name for a, col in zip(usable, cols)
          if col.checkbox(METHODS[a.name].short, value=a.name in defaults, key=f"est_m:{a.name}",
                          help=f"{a.label}: {METHODS[a.name].description}")]
skipped = [f"{a.label} ({a.reason})" for a in avail if not a.available]
if skipped:
    st.caption("Not applicable here: " + md("; ".join(skipped)) + ".")
pkey = repr((gk, ref.fingerprint, treatment, outcome, tv, cv, override, n_boot, seed, bounds,
             overlap_opt))
store = state.page_state("est_results", {})
results = store.setdefault(pkey, {})
while len(store) > 6:
    store.pop(next(iter(store)))
cancelled = state.page_state("estcancelled", set())
todo = [m for m in chosen if m not in results]
go = st.button("Estimate", type="primary", key="est_go", disabled=not todo)
if go:
    cancelled.discard(pkey)
if todo and (go or pkey not in cancelled):
    with st.status("Estimating…", expanded=True) as status:
        st.button("Cancel", key="estcancel", on_click=cancel, args=(pkey,))
        bar = st.progress(0.0)
        for i, m in enumerate(todo):
            with guard():
                results[m] = estimate_effect(df, g, treatment, outcome, m, treatment_value=tv,
                                             control_value=cv, adjustment_set=override, seed=seed,
                                             n_bootstrap=n_boot, overlap_bounds=bounds,
                                             overlap=overlap_for(m, overlap_opt),
                                             progress=progress_to(bar, i / len(todo), (i + 1) / len(todo)))
        status.update(label="Estimated", state="complete", expanded=False)
elif todo and pkey in cancelled:
    st.info("Stopped at your request. Results so far are kept; press **Estimate** to continue.", icon=":material/stop_circle:")
shown = {m: results[m] for m in chosen if m in results}
if shown:
    state.set_page_state("est_last_good", (f"{treatment} → {outcome}", shown))
else:
    show_last_good("nothing was estimated for the current choice.")
primary = show_results(shown)

q = Question(df, g, measured, treatment, outcome, tv, cv, override, adjustment, pkey)
flow_panel(q, shown)
target = refutation_panel(q, shown, seed, n_sims)
subgroup_panel(q, target, shown, results)
mediation_panel(q)
