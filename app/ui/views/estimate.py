"""The Estimate page's panels: results, refutations with sensitivity, and the linked-chart
subgroup explorer. The page picks the question and the estimators; these draw the rest."""
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from app.charts import estimation as charts
from app.estimation import (
    estimate_effect,
    mediation_effects,
    refute,
    sensitivity,
    subgroup_effects,
)
from app.estimation.overlap import DEFAULT_BOUNDS
from app.estimation.pipeline import OVERLAP_METHODS, disagreements
from app.estimation.refute import EXPECTED, LABELS, default_simulations
from app.graph import CausalGraph
from app.markup import md, md_names
from app.numbers import fmt
from app.ui import state
from app.ui.charts import show_chart
from app.ui.errors import guard

FAST = ("linear_regression", "ps_weighting", "iv")


@dataclass(frozen=True)
class Question:
    """What the page asks: the data, graph, treatment and outcome (with the compared values),
    the adjustment in use and the key that results are stored under."""

    df: pd.DataFrame
    g: CausalGraph
    measured: list
    treatment: str
    outcome: str
    tv: object
    cv: object
    override: list | None
    adjustment: list
    pkey: str


def cancel(flag: str) -> None:
    state.page_state("est_cancelled", set()).add(flag)


def progress_to(bar, lo: float = 0.0, hi: float = 1.0):
    return lambda f, msg: bar.progress(min(1.0, lo + (hi - lo) * f), text=md(msg))


def remember(name: str, key, compute):
    """Page memory for subgroup results (at most 30 per kind, oldest dropped first)."""
    cache = state.page_state(name, {})
    if key not in cache:
        cache[key] = compute()
        while len(cache) > 30:
            cache.pop(next(iter(cache)))
    return cache[key]


def ci_text(e) -> str:
    """The interval, and beside it a warning mark when the estimate carries warnings."""
    text = f"95% CI {fmt(e.ci_low)} to {fmt(e.ci_high)}" if e.has_ci else "no interval"
    n = len(getattr(e, "warnings", ()))
    if n:
        text += f"  \n:orange[:material/warning: {n} warning{'s' if n > 1 else ''}: read below]"
    return text


OVERLAP_CHOICES = {"none": "Use every unit",
                   "trim": "Trim units outside the bounds",
                   "weights": "Overlap weights (Li, Morgan & Zaslavsky 2018)"}


def overlap_options(applies: bool) -> tuple[tuple[float, float], str]:
    """The overlap bounds and what to do about units outside them (inside the Options box)."""
    b1, b2 = st.columns([2, 3])
    bounds = b1.slider("Propensity bounds [lower, upper]", 0.0, 1.0, DEFAULT_BOUNDS, 0.01,
                       key="est_bounds",
                       help="Units whose propensity score falls outside count as lacking overlap.")
    if bounds[0] >= bounds[1]:
        b1.caption("The lower bound must be below the upper: using the default 0.05 to 0.95.")
        bounds = DEFAULT_BOUNDS
    option = b2.radio("Weak overlap", list(OVERLAP_CHOICES), format_func=OVERLAP_CHOICES.get,
                      key="est_overlap", horizontal=True, disabled=not applies,
                      help="For the propensity-score estimators: trimming drops the units outside "
                           "the bounds (every propensity estimator); overlap weights weight each "
                           "unit by its chance of being in the other group (weighting only).")
    if not applies:
        b2.caption("Needs a two-valued treatment and something to adjust for.")
    return (float(bounds[0]), float(bounds[1])), option if applies else "none"


def overlap_for(method: str, option: str) -> str:
    """The overlap option one estimator gets: trimming for every propensity-score estimator,
    overlap weights for propensity-score weighting only, nothing for the others."""
    if option == "trim" and method in OVERLAP_METHODS or option == "weights" and method == "ps_weighting":
        return option
    return "none"


def show_results(shown: dict):
    """Metrics, sentence and the naive-vs-adjusted chart; returns the first estimate."""
    primary = next(iter(shown.values()))
    metrics = st.columns(len(shown) + 1)
    metrics[0].metric("Naive difference", fmt(primary.naive.value),
                      help="Unadjusted: mean outcome of the treated minus the untreated.")
    metrics[0].caption(f"95% CI {fmt(primary.naive.ci_low)} to {fmt(primary.naive.ci_high)}")
    for col, e in zip(metrics[1:], shown.values()):
        col.metric(e.method_label, fmt(e.value), help=f"{e.engine}; interval: {e.ci_method}")
        col.caption(ci_text(e))
    st.markdown(md(primary.sentence))
    show_chart(charts.effects_chart, list(shown.values()))
    st.caption("Grey: the naive difference. Blue: causal estimates. When they sit on opposite sides "
               "of the dashed zero line, confounding has reversed the sign (Simpson's paradox).")
    show_diagnostics(shown)
    with st.expander("How each number was computed"):
        st.dataframe([{"estimator": e.method_label, "estimate": e.value, "ci_low": e.ci_low,
                       "ci_high": e.ci_high, "interval": e.ci_method,
                       "E-value": e.evalue.point if e.evalue is not None else None,
                       "engine": e.engine,
                       "rows": e.n_rows, "seconds": round(e.seconds, 2)} for e in shown.values()],
                     hide_index=True, width="stretch")
        for e in shown.values():
            for note in e.notes:
                st.caption(f"{e.method_label}: {md(note)}")
    return primary


def show_diagnostics(shown: dict) -> None:
    """Beside the numbers: each estimate's warnings, the IV diagnostics and the overlap of
    treated and untreated units, each with one plain sentence (E-values: `hidden_confounder`)."""
    for e in shown.values():
        for w in e.warnings:
            st.warning(f"**{e.method_label}:** {md(w)}", icon=":material/warning:")
    for text in disagreements(list(shown.values())):
        st.warning(md(text), icon=":material/compare_arrows:")
    for e in shown.values():
        if e.iv is not None:
            show_iv_diagnostics(e)
    with_diag = [e for e in shown.values() if e.overlap is not None]
    if with_diag:
        diag = next((e.overlap for e in with_diag if e.overlap.choice is not None), with_diag[0].overlap)
        st.markdown("**Overlap: can treated and untreated units be compared?**")
        show_chart(charts.propensity_chart, diag)
        (st.caption if diag.ok else st.warning)(md(diag.message))
        c1, c2, c3 = st.columns(3)
        lo, hi = diag.bounds
        c1.metric("Outside the bounds", f"{diag.share_outside:.1%}",
                  help=f"Units whose propensity score is below {lo:g} or above {hi:g}.")
        c1.caption(f"Share of units with almost no comparable unit in the other group "
                   f"({round(diag.share_outside * diag.n):,} of {diag.n:,}).")
        c = diag.choice
        ess, by_group = (c.ess, c.ess_by_group) if c is not None else (diag.ess, diag.ess_by_group)
        c2.metric("Effective sample size", f"{ess:,.0f} of {diag.n:,}")
        c2.caption("How many equally weighted units the weighted comparison is worth"
                   + (" (after trimming)." if c is not None and c.option == "trim" else
                      " (overlap weights)." if c is not None else " (inverse-probability weights)."))
        c3.metric("Treated / control ESS",
                  f"{by_group['treated']:,.0f} / {by_group['control']:,.0f}")
        c3.caption("Per group: a small number means a few units carry the weights.")
        for e in with_diag:
            if e.overlap.choice is not None:
                st.caption(f"{e.method_label}: {md(e.overlap.choice.sentence)}")


def show_iv_diagnostics(e) -> None:
    """First-stage F, the Anderson–Rubin interval and Sargan's test, each with a sentence."""
    fit = e.iv
    scale = e.context.spec.t1 - e.context.spec.t0 if e.context is not None else 1.0
    st.markdown(f"**Instrument diagnostics** ({e.method_label})")
    c1, c2, c3 = st.columns(3)
    c1.metric("First-stage F", f"{fit.first_stage_f:.1f}")
    c1.caption("Weak (below 10): the estimate leans towards the plain regression."
               if fit.weak else "Above 10: the instrument moves the treatment clearly.")
    c2.metric("Anderson–Rubin 95% interval", fit.ar_text(scale))
    c2.caption("Valid however weak the instrument; compare it with the usual interval.")
    if fit.hansen_j is not None:
        c3.metric("Over-identification (Hansen J) p-value", f"{fit.hansen_p:.3f}",
                  help=f"Hansen J = {fit.hansen_j:.2f}, χ² with {fit.sargan_df} df, robust to "
                       f"unequal error variances; Sargan's version (equal variances): "
                       f"{fit.sargan:.2f}, p = {fit.sargan_p:.3f}.")
        c3.caption("Below 0.05: the instruments point to different effects, so at least one is "
                   "probably not a valid instrument." if fit.hansen_p < 0.05 else
                   "The instruments point to the same effect (this cannot prove them all valid: "
                   "they could share the same bias).")
    else:
        c3.caption("One instrument: whether it is valid cannot be tested from the data.")


def show_last_good(reason: str) -> None:
    """After a failed run: keep the last results that worked on screen, then stop."""
    label, shown = state.page_state("est_last_good", ("", {}))
    if shown:
        st.caption(f"Showing the last results that worked ({md(label)}); {md(reason)}")
        show_results(shown)
    st.stop()


def refutation_panel(q: Question, shown: dict, seed: int, n_sims: int | None):
    """Refute one of the shown estimates (buttons, progress, verdicts) and show its sensitivity
    to a hidden confounder; returns the estimate checked."""
    pkey = q.pkey
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
                                     progress=progress_to(bar, i / len(clicked), (i + 1) / len(clicked)))
            status.update(label="Refutations done", state="complete", expanded=False)
    if not refs:
        st.caption(f"Each check re-estimates the effect on deliberately changed data "
                   f"({n_sims or default_simulations(target.method)} times). Press a button to run it.")
    rcols = st.columns(2)
    for i, r in enumerate(refs.values()):
        with rcols[i % 2]:
            (st.success if r.passed else st.warning)(f"**{md(r.label)}: {md(r.verdict)}.** {md(r.explanation)}",
                                                     icon=":material/check_circle:" if r.passed else ":material/warning:")
            show_chart(charts.refutation_chart, r, height=220)
    hidden_confounder(target)
    return target


def hidden_confounder(target) -> None:
    """One section on a hidden confounder for the checked estimate: the Cinelli–Hazlett
    sensitivity plot (back-door estimates) and beside it the E-value, with what it means."""
    st.markdown("**Sensitivity to a hidden confounder** (Cinelli–Hazlett plot and E-value)")
    left, right = st.columns([3, 2], gap="large")
    if target.estimand_kind == "backdoor":
        with left, guard():
            sens = sensitivity(target)
            show_chart(charts.sensitivity_chart, sens)
            st.markdown(md(sens.explanation))
            for note in sens.notes:
                st.caption(f":material/info: {md(note)}")
    else:
        left.caption(f"The sensitivity plot (Cinelli & Hazlett 2020) is for adjustment estimates; "
                     f"this {md(target.estimand_label.lower())} estimate does not rest on "
                     "measuring every common cause.")
    ev = target.evalue
    with right:
        if ev is None:
            st.caption("No E-value for this estimate.")
            return
        st.metric("E-value", f"{ev.point:.2f}",
                  help=f"VanderWeele & Ding 2017; scale: {ev.scale}.")
        if ev.ci is not None:
            st.metric("E-value for the interval", f"{ev.ci:.2f}")
        st.caption(md(ev.sentence))
        st.caption(f"(Scale: {md(ev.scale)}. The plot measures strength as shares of variance "
                   "explained; the E-value as risk ratios: two rulers for the same question.)")


def subgroup_panel(q: Question, target, shown: dict, results: dict) -> None:
    """Linked charts: click a node or brush a chart to pick a subgroup; its effect appears."""
    df, g, gk, measured = q.df, q.g, q.g.content_hash(), q.measured
    treatment, outcome, tv, cv = q.treatment, q.outcome, q.tv, q.cv
    override, adjustment, pkey = q.override, q.adjustment, q.pkey
    st.subheader("Explore subgroups")
    after = g.descendants(treatment)
    covariates = [c for c in measured if c not in (treatment, outcome) and c not in after]
    if not covariates:
        st.caption(f"No measured variable comes before {md(treatment)} in the graph, so there is nothing to "
                   "form causal subgroups with (subgroups by a consequence of the treatment mislead).")
        return
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
        return
    cov_key = f"est_cov:{gk}:{treatment}:{outcome}"
    if cov_key not in st.session_state:
        st.session_state[cov_key] = next((z for z in adjustment if z in covariates), covariates[0])
    m1, m2 = st.columns([2, 3], gap="large")
    with m1:
        ev = show_chart(charts.node_picker_chart, g, adjustment=adjustment,
                        current=st.session_state[cov_key], on_select="rerun", key=f"est_nodes:{gk}",
                        width="content")   # its arrowheads are turned for its own size
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
        if df[cov].dtype.kind in "if" and df[outcome].dtype.kind in "if" and df[cov].nunique() > 8 \
                and df[outcome].nunique() > 2:   # a scatter of a 0/1 outcome shows two lines
            sc = show_chart(charts.scatter_chart, df, cov, outcome, treatment, treatment_label=tv,
                            control_label=cv, on_select="rerun", key=f"est_scatter:{cov}",
                            height=300)
            m_sc = charts.selection_mask(df, sc.selection if sc else None)
            mask = m_sc if mask is None else mask if m_sc is None else mask & m_sc
    s1, s2, s3 = st.columns(3)
    s1.metric("Overall effect", fmt(fast_est.value), help=fast_est.method_label)
    s1.caption(f"{ci_text(fast_est)}; n = {fast_est.n_rows}; {fast_est.method_label.lower()}")
    if mask is not None:
        mkey = hashlib.sha1(np.packbits(mask).tobytes()).hexdigest()
        with guard():
            sub = remember("est_subgroups", (pkey, fast, mkey), lambda: subgroup_effects(
                df, g, mask_or_column=mask, overall=fast_est, n_bootstrap=30))
            for col, row in zip((s2, s3), sub.table.itertuples()):
                col.metric(f"{md(row.group.capitalize())} (n = {row.n})", fmt(row.estimate),
                           delta=fmt(row.estimate - fast_est.value), delta_color="off")
                col.caption(f"95% CI {fmt(row.ci_low)} to {fmt(row.ci_high)}")
    else:
        s2.caption("No subgroup selected yet: brush a chart above.")
    with guard():
        cate = remember("est_cate", (pkey, fast, cov, bins), lambda: subgroup_effects(
            df, g, mask_or_column=cov, bins=bins, overall=fast_est, n_bootstrap=30))
        st.markdown(f"**Effect along {md(cov)}** (conditional effects, {fast_est.method_label.lower()})")
        show_chart(charts.cate_chart, cate)
        st.caption("Each point is the effect within that group, with its 95% interval; the grey band "
                   "is the overall effect. Wide intervals mean the group is small.")
        for note in cate.notes:
            st.caption(f":material/info: {md(note)}")


def mediation_panel(q: Question) -> None:
    """Split the effect into direct and indirect parts through mediators the user picks."""
    desc, anc = q.g.descendants(q.treatment), q.g.ancestors(q.outcome)
    candidates = [n for n in q.measured if n in desc and n in anc]
    if not candidates:
        return
    st.subheader("Direct and indirect effects")
    picked = st.multiselect("Mediators to split the effect at", candidates,
                            key=f"est_mediators:{q.pkey}",
                            help="Variables on a causal path from the treatment to the outcome.")
    if not picked:
        st.caption("Pick one or more mediators: the total effect is split into the part that runs "
                   "through them (indirect) and the rest (direct).")
        return
    with guard():
        r = remember("est_mediation", (q.pkey, tuple(picked)), lambda: mediation_effects(
            q.df, q.g, q.treatment, q.outcome, picked, treatment_value=q.tv, control_value=q.cv))
        c1, c2, c3 = st.columns(3)
        for col, label, v, ci, text in (
                (c1, "Total effect", r.total, r.total_ci, "Direct plus indirect."),
                (c2, "Direct (NDE)", r.nde, r.nde_ci,
                 "What changing the treatment does with the mediators held at their usual values."),
                (c3, "Indirect (NIE)", r.nie, r.nie_ci,
                 "What the treatment does only by changing the mediators.")):
            col.metric(label, fmt(v))
            col.caption(f"95% CI {fmt(ci[0])} to {fmt(ci[1])}. {text}")
        show_chart(charts.mediation_chart, r)
        st.markdown(md(r.sentence))
        if r.share_ci is not None:
            st.caption(f"Proportion mediated (indirect ÷ total): {r.share_mediated:.0%}, 95% CI "
                       f"{r.share_ci[0]:.0%} to {r.share_ci[1]:.0%} (same resamples).")
        elif r.share_ci_note:
            st.caption(md(r.share_ci_note))
        for note in r.notes:
            st.caption(f":material/info: {md(note)}")


def flow_panel(q: Question, shown: dict) -> None:
    """Where the effect flows: the total effect of the treatment on the outcome split by
    directed path in a linear SCM fitted on the data (app.models.flow, drawn by
    app.ui.views.flow), with one sentence relating the sum to the regression estimate; for
    discrete data, why not."""
    from app.errors import CausalCanvasError
    from app.models import ModelOptions
    from app.models.flow import path_effects
    from app.ui.views.flow import show_path_split
    from app.ui.widgets import workspace_model

    st.subheader("Where the effect flows")
    where = "The Intervene page's *where the effect flows* shows a fitted model's split, or why not."
    text = [v for v in (q.treatment, q.outcome) if not (pd.api.types.is_numeric_dtype(q.df[v])
                                                        or pd.api.types.is_bool_dtype(q.df[v]))]
    if text:
        st.info(f"{md_names(text)} {'holds' if len(text) == 1 else 'hold'} categories, not numbers, "
                "so the effect is not split by path here: a split by path adds up only in a linear "
                "model, where an effect is a product of coefficients along each path. " + where,
                icon=":material/route:")
        return
    try:
        model = workspace_model(ModelOptions(kind="linear"), {}, None)
    except CausalCanvasError as err:
        st.info("The effect is split by path only in a linear model of every variable in the "
                f"graph, and none can be fitted here: {md(err.user_message())} " + where,
                icon=":material/route:")
        return
    result = None
    with guard():
        result = path_effects(model, q.treatment, q.outcome)
    if result is None:
        return
    st.caption("A linear model fitted on the data (each variable its parents' weighted sum, by "
               "least squares) splits the total effect over the directed paths: the effect of a "
               "path is the product of the coefficients along it (Wright's rule).")
    st.markdown(result.summary())
    for note in model.notes:
        st.caption(f":material/info: {md(note)}")
    est = shown.get("linear_regression") or next(iter(shown.values()), None)
    if est is not None:
        try:
            scale = 1.0 if q.tv is None else float(q.tv) - float(q.cv)
        except (TypeError, ValueError):
            scale = 1.0
        st.markdown(result.against(est.method_label, est.value, est.ci_low, est.ci_high, scale))
    show_path_split(result, q.g, f"est:{model.key}:{q.treatment}:{q.outcome}", "est_flow_graph")
