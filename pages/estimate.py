"""Estimate: identify the effect (DoWhy), estimate it several ways next to the naive difference,
try to refute it, and explore subgroups with linked charts."""
import hashlib

import numpy as np
import streamlit as st

from app.charts import estimation as charts
from app.estimation import (
    METHODS,
    available_methods,
    estimate_effect,
    identify_estimand,
    refute,
    sensitivity,
    subgroup_effects,
)
from app.estimation.pipeline import default_roles, fmt
from app.estimation.prepare import treatment_levels
from app.estimation.refute import EXPECTED, LABELS, default_simulations
from app.ui import state
from app.ui.charts import show_chart
from app.ui.errors import guard
from app.ui.graph_view import show_graph
from app.ui.widgets import need_data, need_graph

FAST = ("linear_regression", "ps_weighting", "iv")


def _cancel(flag: str) -> None:
    state.page_state("est_cancelled", set()).add(flag)


def _bar(bar, lo: float = 0.0, hi: float = 1.0):
    return lambda f, msg: bar.progress(min(1.0, lo + (hi - lo) * f), text=msg)


def _remember(name: str, key, compute):
    """Page memory for subgroup results (at most 30 per kind, oldest dropped first)."""
    cache = state.page_state(name, {})
    if key not in cache:
        cache[key] = compute()
        while len(cache) > 30:
            cache.pop(next(iter(cache)))
    return cache[key]


def _ci(e) -> str:
    return f"95% CI {fmt(e.ci_low)} to {fmt(e.ci_high)}" if e.has_ci else "no interval"


def show_results(shown: dict):
    """Metrics, sentence and the naive-vs-adjusted chart; returns the first estimate."""
    primary = next(iter(shown.values()))
    metrics = st.columns(len(shown) + 1)
    metrics[0].metric("Naive difference", fmt(primary.naive.value),
                      help="Unadjusted: mean outcome of the treated minus the untreated.")
    metrics[0].caption(f"95% CI {fmt(primary.naive.ci_low)} to {fmt(primary.naive.ci_high)}")
    for col, e in zip(metrics[1:], shown.values()):
        col.metric(e.method_label, fmt(e.value), help=f"{e.engine}; interval: {e.ci_method}")
        col.caption(_ci(e))
    st.markdown(primary.sentence)
    show_chart(charts.effects_chart, list(shown.values()))
    st.caption("Grey: the naive difference. Blue: causal estimates. When they sit on opposite sides "
               "of the dashed zero line, confounding has reversed the sign (Simpson's paradox).")
    with st.expander("How each number was computed"):
        st.dataframe([{"estimator": e.method_label, "estimate": e.value, "ci_low": e.ci_low,
                       "ci_high": e.ci_high, "interval": e.ci_method, "engine": e.engine,
                       "rows": e.n_rows, "seconds": round(e.seconds, 2)} for e in shown.values()],
                     hide_index=True, width="stretch")
        for e in shown.values():
            for note in e.notes:
                st.caption(f"{e.method_label}: {note}")
    return primary


def show_last_good(reason: str) -> None:
    """After a failed run: keep the last results that worked on screen, then stop."""
    label, shown = state.page_state("est_last_good", ("", {}))
    if shown:
        st.caption(f"Showing the last results that worked ({label}); {reason}")
        show_results(shown)
    st.stop()


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
    c3.caption(f"'{treatment}' is numeric: effects are per one-unit increase.")

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
                f" — {estimand.text(kind)}")
    st.latex(estimand.latex(kind))
left, right = st.columns([3, 2], gap="large")
with left:
    with st.expander("Assumptions (as DoWhy states them)"):
        for kind in estimand.kinds:
            for name, text in estimand.assumptions.get(kind, {}).items():
                st.markdown(f"- **{name}**: {text}")
    if estimand.backdoor is not None:
        desc = g.descendants(treatment)
        options = [n for n in measured if n not in (treatment, outcome) and n not in desc]
        chosen_adj = st.multiselect(
            "Adjust for", options, default=[z for z in estimand.backdoor if z in options], key=adj_key,
            help=f"Default: {estimand.adjustment_source}. Add covariates for precision (checked: "
                 "the set must still block every back-door path).")
        if set(chosen_adj) != set(estimand.backdoor):
            override = sorted(chosen_adj)
    for note in estimand.notes:
        st.caption(f":material/info: {note}")
adjustment = override if override is not None else list(estimand.backdoor or ())
with right:
    styles = {z: "highlight" for z in adjustment} | {z: "blocking" for z in
                                                     (*estimand.instruments, *(estimand.frontdoor or ()))}
    show_graph(g, node_styles=styles, height=300, key="est_graph")
    st.caption("Orange ring: adjusted for. Grey ring: instrument or front-door mediator.")
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
names_ok = {a.name for a in usable}
defaults = ({"ps_weighting"} if "ps_weighting" in names_ok else {usable[0].name} if usable else set()) \
    | (names_ok & {"linear_regression"})
cols = st.columns(max(len(usable), 1))
chosen = [a.name for a, col in zip(usable, cols)
          if col.checkbox(METHODS[a.name].short, value=a.name in defaults, key=f"est_m:{a.name}",
                          help=f"{a.label}: {METHODS[a.name].description}")]
skipped = [f"{a.label} ({a.reason})" for a in avail if not a.available]
if skipped:
    st.caption("Not applicable here: " + "; ".join(skipped) + ".")
pkey = repr((gk, ref.fingerprint, treatment, outcome, tv, cv, override, n_boot, seed))
store = state.page_state("est_results", {})
results = store.setdefault(pkey, {})
while len(store) > 6:
    store.pop(next(iter(store)))
cancelled = state.page_state("est_cancelled", set())
todo = [m for m in chosen if m not in results]
go = st.button("Estimate", type="primary", key="est_go", disabled=not todo)
if go:
    cancelled.discard(pkey)
if todo and (go or pkey not in cancelled):
    with st.status("Estimating…", expanded=True) as status:
        st.button("Cancel", key="est_cancel", on_click=_cancel, args=(pkey,))
        bar = st.progress(0.0)
        for i, m in enumerate(todo):
            with guard():
                results[m] = estimate_effect(df, g, treatment, outcome, m, treatment_value=tv,
                                             control_value=cv, adjustment_set=override, seed=seed,
                                             n_bootstrap=n_boot,
                                             progress=_bar(bar, i / len(todo), (i + 1) / len(todo)))
        status.update(label="Estimated", state="complete", expanded=False)
elif todo and pkey in cancelled:
    st.info("Stopped at your request. Results so far are kept; press **Estimate** to continue.", icon=":material/stop_circle:")
shown = {m: results[m] for m in chosen if m in results}
if shown:
    state.set_page_state("est_last_good", (f"{treatment} → {outcome}", shown))
else:
    show_last_good("nothing was estimated for the current choice.")
primary = show_results(shown)

# ---- refutations and sensitivity -------------------------------------------------------------
st.subheader("Try to refute it")
target_m = st.selectbox("Estimate to check", list(shown), format_func=lambda m: shown[m].method_label,
                        key="est_ref_target")
target = shown[target_m]
kinds = [k for k in LABELS if target.estimand_kind == "backdoor"
         or k not in ("random_common_cause", "unobserved_common_cause")]
refs = state.page_state("est_refutations", {}).setdefault(pkey + target_m, {})
bcols = st.columns(len(kinds) + 1)
clicked = [k for k, col in zip(kinds, bcols) if col.button(LABELS[k], key=f"est_ref_{k}",
                                                           help=EXPECTED[k])]
if bcols[-1].button("Run all", type="primary", key="est_ref_all"):
    clicked = kinds
if clicked:
    with st.status("Refuting…", expanded=True) as status:
        st.button("Cancel", key="est_ref_cancel",
                  help="Stops after the current simulation; finished checks are kept.")
        bar = st.progress(0.0)
        for i, k in enumerate(clicked):
            with guard():
                refs[k] = refute(target, k, seed=seed, n_simulations=n_sims,
                                 progress=_bar(bar, i / len(clicked), (i + 1) / len(clicked)))
        status.update(label="Refutations done", state="complete", expanded=False)
if not refs:
    st.caption(f"Each check re-estimates the effect on deliberately changed data "
               f"({n_sims or default_simulations(target.method)} times). Press a button to run it.")
rcols = st.columns(2)
for i, r in enumerate(refs.values()):
    with rcols[i % 2]:
        (st.success if r.passed else st.warning)(f"**{r.label}: {r.verdict}.** {r.explanation}",
                                                 icon=":material/check_circle:" if r.passed else ":material/warning:")
        show_chart(charts.refutation_chart, r, height=220)
if target.estimand_kind == "backdoor":
    with guard():
        sens = sensitivity(target)
        st.markdown("**Sensitivity to a hidden confounder**")
        show_chart(charts.sensitivity_chart, sens)
        st.markdown(sens.explanation)
        for note in sens.notes:
            st.caption(f":material/info: {note}")

# ---- linked charts: subgroups ------------------------------------------------------------------
st.subheader("Explore subgroups")
after = g.descendants(treatment)
covariates = [c for c in measured if c not in (treatment, outcome) and c not in after]
if not covariates:
    st.caption(f"No measured variable comes before {treatment} in the graph, so there is nothing to "
               "form causal subgroups with (subgroups by a consequence of the treatment mislead).")
    st.stop()
if target.method in FAST or target.estimand_kind == "frontdoor":
    fast = target.method
else:
    fast = "ps_weighting" if tv is not None and target.adjustment_set else "linear_regression"
fast_est = shown.get(fast) or results.get(fast)
if fast_est is None:
    with guard():
        fast_est = results[fast] = estimate_effect(df, g, treatment, outcome, fast, treatment_value=tv,
                                                   control_value=cv, adjustment_set=override)
if fast_est is None:
    st.stop()
cov_key = f"est_cov:{gk}:{treatment}:{outcome}"
if cov_key not in st.session_state:
    st.session_state[cov_key] = next((z for z in adjustment if z in covariates), covariates[0])
m1, m2 = st.columns([2, 3], gap="large")
with m1:
    ev = show_chart(charts.node_picker_chart, g, adjustment=adjustment,
                    current=st.session_state[cov_key], on_select="rerun", key=f"est_nodes:{gk}")
    picked = charts.picked_node(ev.selection if ev else None)
    if picked and picked != state.page_state("est_last_pick") and picked in covariates:
        state.set_page_state("est_last_pick", picked)
        st.session_state[cov_key] = picked
        st.rerun()   # redraw the map with the ring on the clicked node
    cov = st.selectbox("Variable to explore (or click it on the map)", covariates, key=cov_key)
    bins = st.slider("Bins along it", 2, 8, 4, key="est_bins")
with m2:
    sel = show_chart(charts.covariate_chart, df, cov, treatment, treatment_label=tv,
                     control_label=cv, on_select="rerun", key=f"est_brush:{cov}", height=270)
    mask = charts.selection_mask(df, sel.selection if sel else None)
    st.caption("Drag across the histogram (or click bars) to select a subgroup.")
    if df[cov].dtype.kind in "if" and df[outcome].dtype.kind in "if" and df[cov].nunique() > 8:
        sc = show_chart(charts.scatter_chart, df, cov, outcome, treatment, treatment_label=tv,
                        control_label=cv, on_select="rerun", key=f"est_scatter:{cov}",
                        height=300)
        m_sc = charts.selection_mask(df, sc.selection if sc else None)
        mask = m_sc if mask is None else mask if m_sc is None else mask & m_sc
s1, s2, s3 = st.columns(3)
s1.metric("Overall effect", fmt(fast_est.value), help=fast_est.method_label)
s1.caption(f"{_ci(fast_est)}; n = {fast_est.n_rows}; {fast_est.method_label.lower()}")
if mask is not None:
    mkey = hashlib.sha1(np.packbits(mask).tobytes()).hexdigest()
    with guard():
        sub = _remember("est_subgroups", (pkey, fast, mkey), lambda: subgroup_effects(
            df, g, mask_or_column=mask, overall=fast_est, n_bootstrap=30))
        for col, row in zip((s2, s3), sub.table.itertuples()):
            col.metric(f"{row.group.capitalize()} (n = {row.n})", fmt(row.estimate),
                       delta=fmt(row.estimate - fast_est.value), delta_color="off")
            col.caption(f"95% CI {fmt(row.ci_low)} to {fmt(row.ci_high)}")
else:
    s2.caption("No subgroup selected yet: brush a chart above.")
with guard():
    cate = _remember("est_cate", (pkey, fast, cov, bins), lambda: subgroup_effects(
        df, g, mask_or_column=cov, bins=bins, overall=fast_est, n_bootstrap=30))
    st.markdown(f"**Effect along {cov}** (conditional effects, {fast_est.method_label.lower()})")
    show_chart(charts.cate_chart, cate)
    st.caption("Each point is the effect within that group, with its 95% interval; the grey band "
               "is the overall effect. Wide intervals mean the group is small.")
    for note in cate.notes:
        st.caption(f":material/info: {note}")
