"""The automatic analysis: profile → choose and run discovery (bootstrap) → merge with your graph
and knowledge → test the graph's implications → identify → estimate (several estimators) →
refute → sensitivity → what would change the conclusion → verdict.

Every step calls the app's engine (app.data, app.discovery, app.analysis, app.estimation); this
module only decides, by the stated rules in app.report.rules, what to run and records why.
The same inputs give the same ReportResult: one seed drives every random step.
"""
from __future__ import annotations

import dataclasses
import platform
import time
from collections.abc import Callable, Mapping
from importlib import metadata

import pandas as pd

from app.data import Dataset, dataset_from_frame, profile, with_types
from app.discovery import METHODS, Knowledge
from app.errors import Cancelled, CausalCanvasError, DataError, EstimationError, QueryError
from app.estimation.overlap import deciding_variables
from app.graph import CausalGraph
from app.report.alternatives import adjustment_rule, graph_alternatives
from app.report.result import (
    Alternative,
    Check,
    EstimateRow,
    ReportResult,
    ReportSettings,
    Rule,
)
from app.report.rules import (
    ARROW,
    choose_method,
    determiner_rule,
    discovery_variables,
    efficient_adjustment_set,
    ensure_effect_edge,
    learned_graph,
    merge_graphs,
    parent_choices,
    report_knowledge,
    with_question,
)

MIN_ROWS = 30
MAX_PLUGIN_LEVELS = 20
Progress = Callable[[float, str], None]

# (stage, what the progress bar says, share of the run's time) — shares measured on Lalonde
STAGES: tuple[tuple[str, str, float], ...] = (
    ("check", "Checking the inputs", 0.01),
    ("profile", "Profiling the data", 0.02),
    ("discovery", "Learning the graph from the data", 0.50),
    ("graph", "Merging with your graph and knowledge", 0.02),
    ("implications", "Testing the graph's implications", 0.04),
    ("identify", "Identifying the effect", 0.03),
    ("estimate", "Estimating the effect", 0.10),
    ("refute", "Trying to refute the estimate", 0.18),
    ("sensitivity", "Sensitivity to hidden confounding", 0.02),
    ("alternatives", "What would change the conclusion", 0.08),
)
VERSION_PACKAGES = ("numpy", "pandas", "scipy", "networkx", "scikit-learn", "statsmodels",
                    "causal-learn", "dowhy", "pgmpy")


class _Stages:
    """Progress reporting and cancel checks between (and inside) stages."""

    def __init__(self, progress: Progress | None, cancel: Callable[[], bool] | None) -> None:
        self.progress, self.cancel_fn = progress, cancel
        self.start = {s: sum(w for _, _, w in STAGES[:i]) for i, (s, _, _) in enumerate(STAGES)}
        self.weight = {s: w for s, _, w in STAGES}
        self.label = {s: lbl for s, lbl, _ in STAGES}
        self.timings: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def cancelled(self) -> bool:
        return bool(self.cancel_fn and self.cancel_fn())

    def check(self) -> None:
        if self.cancelled():
            raise Cancelled("Stopped at your request; the previous report (if any) is kept.")

    def begin(self, stage: str) -> None:
        self.end()
        self.check()
        self._current = (stage, time.perf_counter())
        self.update(stage, 0.0)

    def update(self, stage: str, fraction: float, detail: str = "") -> None:
        if self.progress:
            total = self.start[stage] + self.weight[stage] * min(max(fraction, 0.0), 1.0)
            text = self.label[stage] + (f" — {detail}" if detail else "") + "…"
            self.progress(min(total, 1.0), text)

    def end(self) -> None:
        if self._current:
            stage, t0 = self._current
            self.timings[stage] = time.perf_counter() - t0
            self._current = None


def make_report(data: pd.DataFrame | Dataset, treatment: str, outcome: str, *,
                graph: CausalGraph | None = None, knowledge: Knowledge | None = None,
                types: Mapping[str, str] | None = None, name: str | None = None,
                bootstrap: int = 50, seed: int = 0, alpha: float = 0.05, method: str = "auto",
                use_graph: bool = True, add_learned: bool = True, latent: bool | None = None,
                domain_column: str | None = None, outcome_last: bool = True,
                treatment_value=None, control_value=None,
                refutation_simulations: int | None = None,
                progress: Progress | None = None,
                cancel: Callable[[], bool] | None = None) -> ReportResult:
    """Run the whole automatic causal analysis of `treatment` → `outcome` on `data`.

    graph: your causal graph (merged with what discovery learns when `use_graph`); knowledge:
    required/forbidden edges and tiers for discovery. bootstrap: discovery resamples for edge
    confidence (0 = none). latent: True/False to say whether unmeasured common causes are
    suspected (None: decide from the graph). refutation_simulations: re-estimates per
    refutation (None: the engine's defaults; 0: skip refutations).
    progress(fraction, text) is called as stages advance; cancel() is polled between stages and
    inside the long ones (raises app.errors.Cancelled).
    """
    st = _Stages(progress, cancel)
    st.begin("check")
    settings = ReportSettings(
        treatment=str(treatment), outcome=str(outcome), bootstrap=bootstrap, seed=seed,
        alpha=alpha, method=str(method).lower(), use_graph=bool(use_graph),
        add_learned=bool(add_learned), latent=latent, domain_column=domain_column,
        outcome_last=bool(outcome_last), treatment_value=treatment_value,
        control_value=control_value, refutation_simulations=refutation_simulations)
    dataset = _dataset(data, name, types)
    df = dataset.df
    user_graph = graph if graph is not None and graph.nodes else None
    _check_inputs(df, settings, user_graph if settings.use_graph else None)
    from app.estimation.prepare import prepare

    coding_prep = prepare(df, settings.treatment, settings.outcome,
                          treatment_value=treatment_value, control_value=control_value)

    st.begin("profile")
    prof = profile(dataset)
    graph_for_rules = user_graph if settings.use_graph else None
    variables, excluded, size_rule = discovery_variables(
        df, dataset.types, settings, graph_for_rules.nodes if graph_for_rules else ())
    profile_notes = _profile_notes(df, prof, settings, coding_prep, excluded)
    determiners = deciding_variables(
        df, settings.treatment, [c for c in df.columns if c != settings.outcome])

    st.begin("discovery")
    method_arg, suspected, method_rules = choose_method(settings, graph_for_rules, len(df))
    method_rules = (*method_rules, size_rule)
    k, k_lines = report_knowledge(knowledge, variables, settings)
    disc, disc_error = None, ""
    try:
        from app.discovery import discover

        disc = discover(df, method_arg, variables=variables, knowledge=k, alpha=alpha,
                        bootstrap=bootstrap, seed=seed, domain_column=domain_column,
                        max_rows=settings.max_rows, types=dataset.types,
                        progress=lambda d, n: st.update("discovery", d / max(n, 1),
                                                        f"resample {d} of {n}"),
                        cancel=st.cancelled)
    except Cancelled:
        raise
    except CausalCanvasError as err:
        if graph_for_rules is None:
            raise
        disc_error = err.user_message()

    st.begin("graph")
    graph_notes: list[str] = []
    conflicts: list = []
    added: list[str] = []
    if graph_for_rules is not None:
        base, notes = with_question(graph_for_rules, settings.treatment, settings.outcome,
                                    df.columns)
        graph_notes += notes
        final, merge_rules, conflicts, added = merge_graphs(base, disc, k, settings)
        source = "merged" if added else "yours"
        final, effect_rule = ensure_effect_edge(final, settings.treatment, settings.outcome)
        possible: tuple[Alternative, ...] = ()
    else:
        final, merge_rules, notes, effect_rule, possible = _graph_from_learned(
            df, disc, settings, st, determiners)
        graph_notes += notes
        source = "learned"
    merge_rules = (*merge_rules, effect_rule)
    if graph_for_rules is not None and effect_rule.applied:
        graph_notes.append(f"Your graph has no directed path from {settings.treatment} to "
                           f"{settings.outcome}; {settings.treatment} {ARROW} {settings.outcome} "
                           "was added so the effect can be estimated.")

    st.begin("implications")
    implications, impl_note = None, ""
    try:
        from app.analysis import test_implications

        implications = test_implications(final, df, alpha, types=dataset.types)
    except (QueryError, DataError) as err:
        impl_note = err.user_message()
    if source == "learned" and implications is not None:
        impl_note = ("The graph was learned from these same data, so it tends to agree with them: "
                     "these tests check the choices made on top of the data (kept edges, "
                     "directions), not an independent hypothesis.")

    st.begin("identify")
    from app.analysis import adjustment_sets, frontdoor_sets, identify, instruments

    measured = [n for n in final.nodes if n in df.columns and n not in final.latents]
    estimand = identify(final, settings.treatment, settings.outcome)
    minimal = tuple(tuple(n for n in final.nodes if n in s)
                    for s in adjustment_sets(final, settings.treatment, settings.outcome, limit=20))
    efficient = efficient_adjustment_set(final, settings.treatment, settings.outcome, measured)
    ivs = tuple(str(i) for i in instruments(final, settings.treatment, settings.outcome))
    fds = tuple(tuple(n for n in final.nodes if n in s)
                for s in frontdoor_sets(final, settings.treatment, settings.outcome, limit=5))

    st.begin("estimate")
    rows, by_row, est_rules, est_notes, naive, overlap = _estimate(
        df, final, settings, minimal, efficient, bool(ivs), bool(fds), estimand, coding_prep, st,
        determiners)
    effects = [e for e in by_row if e is not None]
    primary_row = next((r for r in rows if r.primary and r.ok), None)
    primary_est = by_row[rows.index(primary_row)] if primary_row is not None else None

    st.begin("refute")
    refutations, refute_note = _refute(primary_est, settings, st)

    st.begin("sensitivity")
    sens, sens_note = None, ""
    if primary_est is not None and primary_est.estimand_kind == "backdoor":
        try:
            from app.estimation import sensitivity

            sens = sensitivity(primary_est)
        except EstimationError as err:
            sens_note = err.user_message()
    elif primary_est is not None:
        sens_note = ("The sensitivity analysis is for adjustment (back-door) estimates; this "
                     f"{primary_est.estimand_label.lower()} estimate already allows a hidden "
                     "common cause of treatment and outcome.")

    st.begin("alternatives")
    alts: tuple = ()
    if primary_row is not None and primary_row.kind == "backdoor":
        alts = graph_alternatives(df, final, primary_row, disc, k, settings, cancel=st.cancelled)
    st.end()

    checks, verdict = _verdict(primary_row, rows, implications, conflicts, refutations, sens,
                               alts, source, disc, possible, overlap)
    assumptions = _assumptions(settings, final, primary_row, rows, source, disc, suspected,
                               coding_prep, effect_rule)
    what = _what_would_change(primary_row, sens, alts, conflicts, implications, rows, settings)
    coding = {"treatment_label": coding_prep.treatment_label,
              "control_label": coding_prep.control_label,
              "binary_treatment": coding_prep.binary_treatment,
              "binary_outcome": coding_prep.binary_outcome,
              "outcome_label": coding_prep.outcome_label,
              "treatment_value": coding_prep.treatment_value,
              "control_value": coding_prep.control_value}
    return ReportResult(
        settings=settings, dataset_name=dataset.name, fingerprint=dataset.fingerprint,
        n_rows=len(df), n_columns=df.shape[1], profile=prof, profile_notes=tuple(profile_notes),
        variables=tuple(variables), excluded=tuple(excluded), method_rules=method_rules,
        knowledge_summary=k_lines, discovery=disc, discovery_error=disc_error,
        user_graph=user_graph, graph_source=source, merge_rules=tuple(merge_rules),
        conflicts=tuple(conflicts), added_edges=tuple(added), final_graph=final,
        graph_notes=tuple(graph_notes), implications=implications, implications_note=impl_note,
        estimand=estimand, minimal_sets=minimal, efficient_set=efficient, instruments=ivs,
        frontdoor_sets=fds, estimator_rules=tuple(est_rules), estimates=tuple(rows),
        naive=naive, coding=coding, estimation_notes=tuple(est_notes),
        refutations=tuple(refutations), refutation_note=refute_note, sensitivity=sens,
        sensitivity_note=sens_note, alternatives=tuple(alts), possible_effects=possible,
        assumptions=tuple(assumptions),
        what_would_change=tuple(what), checks=tuple(checks), verdict=verdict,
        headline=primary_est.sentence if primary_est is not None else "",
        versions=_versions(), effect_estimates=tuple(effects), timings=dict(st.timings))


# ---- the graph from discovery alone --------------------------------------------------------------
def _graph_from_learned(df, disc, s: ReportSettings, st, determiners=()):
    """The learned graph as a DAG for the analysis. Every orientation of the undecided edges at
    the treatment that adds no collider there is tried (local IDA); the one whose regression
    estimate is smallest in absolute value is used (a conservative lower bound on the effect's
    size, as IDA recommends) and all are returned as possible effects."""
    from app.estimation import estimate_effect

    t, y = s.treatment, s.outcome
    sibs, choices = parent_choices(disc, s)
    options = []
    for i, choice in enumerate(choices):
        st.update("graph", i / len(choices), f"orientation {i + 1} of {len(choices)}")
        st.check()
        g, rules, notes = learned_graph(disc, s, choice)
        g, _ = with_question(g, t, y, df.columns)
        g, effect_rule = ensure_effect_edge(g, t, y)
        measured = [n for n in g.nodes if n in df.columns and n not in g.latents]
        zs = adjustment_rule(g, t, y, measured) if y in g.descendants(t) else None
        est = None
        if zs is not None and set(zs) & set(determiners):
            zs = None   # adjusting for a variable that decides the treatment: no overlap
        if len(choices) > 1 and zs is not None:
            try:
                est = estimate_effect(df, g, t, y, method="linear_regression",
                                      adjustment_set=list(zs), seed=s.seed,
                                      treatment_value=s.treatment_value,
                                      control_value=s.control_value)
            except Cancelled:
                raise
            except CausalCanvasError:
                est = None
        options.append((choice, g, rules, notes, effect_rule, zs, est))
    pick = min(range(len(options)), key=lambda i: (
        abs(options[i][6].value) if options[i][6] is not None else float("inf"), i))
    choice, g, rules, notes, effect_rule, zs, est = options[pick]
    sib_text = ", ".join(sibs)
    rule = Rule(
        "Undecided edges at the treatment",
        f"When the data leave the direction of edges at {t} undecided, every orientation that "
        f"adds no new collider at {t} is tried (local IDA, Maathuis, Kalisch & Bühlmann 2009); "
        "the analysis uses the one whose regression estimate is smallest in absolute value (a "
        "conservative lower bound on the size of the effect), and lists them all.",
        len(options) > 1,
        (f"{len(options)} orientations of {sib_text}; used: "
         + (", ".join(f"{z} {ARROW} {t}" for z in choice) or f"all out of {t}") + ".")
        if len(options) > 1 else "")
    possible: list[Alternative] = []
    if len(options) > 1:
        for c, g_c, _, _, _, zs_c, est_c in options:
            into = ", ".join(f"{z} {ARROW} {t}" for z in c)
            out = ", ".join(f"{t} {ARROW} {z}" for z in sibs if z not in c)
            change = "; ".join(x for x in (into, out) if x)
            flips = None
            if est_c is not None and est is not None:
                flips = bool((est_c.value > 0) != (est.value > 0)
                             or est_c.ci_excludes_zero != est.ci_excludes_zero)
            possible.append(Alternative(
                change, "An orientation the data allow.", zs_c is not None, zs_c,
                est_c.value if est_c is not None else None,
                est_c.ci_low if est_c is not None else None,
                est_c.ci_high if est_c is not None else None, flips,
                "used (smallest absolute estimate)" if c == choice else
                "" if zs_c is not None else _no_set_reason(g_c, t, y, df, determiners)))
    return g, (*rules[:1], rule, *rules[1:]), notes, effect_rule, tuple(possible)


# ---- inputs ------------------------------------------------------------------------------------
def _dataset(data, name: str | None, types: Mapping[str, str] | None) -> Dataset:
    if isinstance(data, Dataset):
        return with_types(data, types) if types else data
    if not isinstance(data, pd.DataFrame):
        raise DataError("The report needs a table (a pandas DataFrame or a loaded Dataset).")
    df = data.copy()
    df.columns = [str(c) for c in df.columns]
    return dataset_from_frame(df, name or "data", types=types)


def _column_hint(df: pd.DataFrame, wanted: str) -> str:
    close = [c for c in map(str, df.columns) if c.lower() == wanted.lower()]
    cols = ", ".join(map(str, list(df.columns)[:15])) + (" …" if df.shape[1] > 15 else "")
    return (f"Did you mean '{close[0]}'? " if close else "") + f"The columns are: {cols}."


def _check_inputs(df: pd.DataFrame, s: ReportSettings, graph: CausalGraph | None) -> None:
    """Every bad input becomes one clear DataError before any computation."""
    for role, col in (("treatment", s.treatment), ("outcome", s.outcome)):
        if not col:
            raise DataError(f"Choose the {role} column.")
        if col not in df.columns:
            raise DataError(f"There is no {role} column '{col}' in the data.",
                            hint=_column_hint(df, col))
    if s.treatment == s.outcome:
        raise DataError(f"'{s.treatment}' cannot be both the treatment and the outcome.",
                        hint="Pick the cause you would change as the treatment and the result "
                             "you care about as the outcome.")
    if len(df) < MIN_ROWS:
        raise DataError(f"The table has only {len(df)} rows; an automatic causal analysis needs "
                        f"at least {MIN_ROWS}.",
                        hint="With so few rows no independence test or estimate is reliable.")
    for role, col in (("treatment", s.treatment), ("outcome", s.outcome)):
        values = df[col].dropna()
        if values.nunique() < 2:
            shown = f" ({values.iloc[0]!r})" if len(values) else ""
            raise DataError(f"The {role} '{col}' has only one value{shown}.",
                            hint="An effect compares different values: choose a column that "
                                 "varies.")
    complete = int(df[[s.treatment, s.outcome]].notna().all(axis=1).sum())
    if complete < MIN_ROWS:
        raise DataError(f"Only {complete} rows have both '{s.treatment}' and '{s.outcome}'; "
                        f"at least {MIN_ROWS} are needed.", hint="Check for missing values.")
    if s.domain_column is not None:
        if s.domain_column not in df.columns:
            raise DataError(f"There is no domain/time column '{s.domain_column}'.",
                            hint=_column_hint(df, s.domain_column))
        if s.domain_column in (s.treatment, s.outcome):
            raise DataError("The domain/time column must differ from the treatment and outcome.")
    if not isinstance(s.bootstrap, int) or isinstance(s.bootstrap, bool) or not 0 <= s.bootstrap <= 1000:
        raise DataError("The number of bootstrap resamples must be a whole number from 0 to 1000.")
    if not isinstance(s.seed, int) or isinstance(s.seed, bool) or s.seed < 0:
        raise DataError("The seed must be a whole number ≥ 0.")
    if not (isinstance(s.alpha, int | float) and 0 < s.alpha < 1):
        raise DataError(f"The significance level must be between 0 and 1, not {s.alpha!r}.")
    if s.method not in METHODS:
        raise DataError(f"Unknown discovery method '{s.method}'.",
                        hint="Choose one of: " + ", ".join(METHODS) + ".")
    sims = s.refutation_simulations
    if sims is not None and (not isinstance(sims, int) or sims == 1 or not 0 <= sims <= 1000):
        raise DataError("Refutation simulations must be 0 (skip) or a whole number from 2 to 1000.")
    if graph is not None:
        for role, col in (("treatment", s.treatment), ("outcome", s.outcome)):
            if col not in graph.nodes:
                raise DataError(f"Your graph has no node '{col}' (the {role}).",
                                hint="Name the graph's nodes like the data columns, or run the "
                                     "report without your graph.")
        if s.treatment in graph.latents or s.outcome in graph.latents:
            raise DataError("The treatment and the outcome must be measured, but your graph "
                            "marks one of them latent.")


def _profile_notes(df: pd.DataFrame, prof, s: ReportSettings, prep, excluded) -> list[str]:
    """What the profile implies for the analysis, one stated rule per sentence."""
    n, notes = len(df), []
    kinds: dict[str, int] = {}
    for c in prof.column_profiles:
        kinds[c.type] = kinds.get(c.type, 0) + 1
    notes.append(f"{n:,} rows × {df.shape[1]} columns: " + ", ".join(
        f"{v} {k}" for k, v in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))) + ".")
    if n < 500:
        notes.append("With fewer than 500 rows, independence tests and scores have little power: "
                     "weak edges may be missed, and bootstrap confidence will be modest.")
    elif n > s.max_rows:
        notes.append(f"More than {s.max_rows:,} rows: discovery uses a random sample of "
                     f"{s.max_rows:,} (seeded); estimation uses all rows.")
    missing = [(c.name, c.missing) for c in prof.column_profiles if c.missing]
    if missing:
        worst = sorted(missing, key=lambda kv: -kv[1])[:5]
        notes.append("Missing values in " + ", ".join(f"{c} ({m / n:.0%})" for c, m in worst)
                     + (" …" if len(missing) > 5 else "") + ". Each step leaves out rows with a "
                     "missing value in the columns it uses (complete-case analysis): unbiased only "
                     "if being missing is unrelated to the values themselves.")
    else:
        notes.append("No missing values.")
    if prep.binary_treatment:
        notes.append(f"The treatment '{s.treatment}' has two values: effects compare "
                     f"{prep.treatment_label} (treated) with {prep.control_label} (control), and "
                     "propensity-score estimators apply.")
    else:
        notes.append(f"The treatment '{s.treatment}' is numeric: effects are per one-unit "
                     "increase; only regression-type estimators apply.")
    if prep.binary_outcome:
        notes.append(f"The outcome '{s.outcome}' has two values: effects are differences in the "
                     f"share with {prep.outcome_label} (percentage points).")
    else:
        notes.append(f"The outcome '{s.outcome}' is numeric: effects are differences in its mean.")
    dates = [c.name for c in prof.column_profiles if c.type == "datetime"]
    if dates and s.domain_column is None:
        notes.append(f"'{dates[0]}' holds dates. If causal mechanisms may change over time, give "
                     "it (or a period derived from it) as the domain/time column.")
    if excluded:
        notes.append("Left out of discovery: " + "; ".join(f"{c} ({why})" for c, why in excluded)
                     + ".")
    return notes


# ---- estimation ----------------------------------------------------------------------------------
def _no_set_reason(g, t, y, df, determiners) -> str:
    """Why an orientation has no usable adjustment set: no valid set, or only sets that hold a
    variable deciding the treatment."""
    measured = [n for n in g.nodes if n in df.columns and n not in g.latents]
    zs = adjustment_rule(g, t, y, measured) if y in g.descendants(t) else None
    bad = sorted(set(zs or ()) & set(determiners))
    if bad:
        return (f"no overlap: adjusting needs {', '.join(bad)}, which decides {t} (positivity "
                "fails)")
    return "no valid adjustment set"


def _estimate(df, g, s: ReportSettings, minimal, efficient, has_iv, has_fd, estimand, prep, st,
              determiners=()):
    """Run the estimator plan; returns the rows, the EffectEstimate behind each row (None for
    rows that did not run or are not engine estimates), rules, notes and the naive difference.
    Adjustment sets holding a variable that decides the treatment are never used (no overlap)."""
    from app.estimation import available_methods, estimate_effect
    from app.estimation.pipeline import naive_difference

    t, y = s.treatment, s.outcome
    rules: list[Rule] = []
    notes: list[str] = []
    plan: list[tuple[str, tuple[str, ...] | None, str, bool]] = []   # method, set, why, primary
    blocked = set(determiners)
    had_sets, had_efficient = bool(minimal), efficient is not None
    if efficient is not None and set(efficient) & blocked:
        efficient = None
    minimal = tuple(m for m in minimal if not set(m) & blocked)
    rules.append(determiner_rule(determiners, t, prep.binary_treatment))
    main_set = efficient if efficient is not None else (minimal[0] if minimal else None)
    overlap = None
    if main_set and prep.binary_treatment:
        main_set, overlap, overlap_rule = _overlap_choice(df, s, main_set, minimal)
        rules.append(overlap_rule)
    binary_t = prep.binary_treatment
    if main_set is not None:
        why_set = ("the efficient adjustment set (smallest variance among valid sets, Henckel et "
                   "al. 2022)" if efficient is not None else "the smallest valid adjustment set")
        set_txt = "{" + ", ".join(main_set) + "}"
        plan.append(("linear_regression", main_set,
                     f"Primary: regression adjustment for {set_txt}, {why_set}. Transparent, and "
                     "the sensitivity analysis is exact for it.", True))
        if binary_t and main_set:
            plan.append(("ps_weighting", main_set,
                         "Check: models the treatment instead of the outcome; agreement with "
                         "regression means the answer does not hinge on the outcome model.", False))
            if len(df) >= 100:
                plan.append(("ml", main_set,
                             "Check: flexible (gradient boosting) and doubly robust: right if "
                             "either the outcome or the treatment model is right.", False))
        if minimal and tuple(sorted(minimal[0])) != tuple(sorted(main_set)):
            plan.append(("linear_regression", minimal[0],
                         "Check: the smallest valid set "
                         + ("{" + ", ".join(minimal[0]) + "}" if minimal[0] else
                            "(nothing to adjust for)")
                         + "; another valid set should give a similar answer.", False))
        if has_iv:
            plan.append(("iv", None, "Check: an instrument exists; the IV estimate rests on "
                                     "different assumptions (no unmeasured-confounding "
                                     "assumption for the treatment).", False))
    elif has_fd:
        plan.append(("frontdoor", None, "Primary: no valid adjustment set, but a front-door "
                                        "mediator set exists.", True))
        if has_iv:
            plan.append(("iv", None, "Check: an instrument exists.", False))
    elif has_iv:
        plan.append(("iv", None, "Primary: no valid adjustment set, but an instrument exists.",
                     True))
    rules.append(Rule(
        "Adjustment set",
        "Adjust for the efficient (optimal) adjustment set when it is valid, fully measured and "
        "keeps overlap; otherwise for the smallest such valid set.", main_set is not None,
        ("{" + ", ".join(main_set) + "}" + (" (efficient set)" if efficient is not None else
                                            " (smallest set)")) if main_set is not None else
        ("Every valid adjustment set holds a variable that decides the treatment (no overlap)."
         if blocked and (had_sets or had_efficient) else
         "No valid adjustment set of measured variables.")))
    rules.append(Rule(
        "Estimators",
        "Back-door: linear regression always (primary); with a two-valued treatment and something "
        "to adjust for, also propensity-score weighting and (≥ 100 rows) doubly robust machine "
        "learning; regression on the smallest valid set when it differs; an instrumental-variable "
        "estimate whenever an instrument exists. Without a valid adjustment set: front-door, "
        "then instrumental variables.", bool(plan),
        f"{len(plan)} estimator run(s)." if plan else "Nothing applies: the effect is not "
                                                      "identifiable from this graph and data."))
    if main_set and not binary_t:
        notes.append("Only regression-type estimators apply to a numeric treatment (propensity-"
                     "score and machine-learning estimators need two treatment groups), so the "
                     "checks are other valid adjustment sets and instruments where they exist.")
    if main_set == () and binary_t:
        notes.append("Nothing needs adjusting for (no back-door path), so every adjustment "
                     "estimator reduces to the difference in means; the checks use other valid "
                     "sets where there are any.")
    rows: list[EstimateRow] = []
    effects: list = []
    skipped: list[str] = []
    for i, (method, zs, why, primary) in enumerate(plan):
        st.update("estimate", i / max(len(plan), 1), f"estimator {i + 1} of {len(plan)}")
        st.check()
        from app.estimation import METHODS as EST_METHODS

        info = EST_METHODS[method]
        try:
            avail = {a.name: a for a in available_methods(
                g, t, y, df, treatment_value=s.treatment_value, control_value=s.control_value,
                adjustment_set=list(zs) if zs is not None else None)}
            if not avail[method].available:
                skipped.append(f"{info.label}: {avail[method].reason}")
                continue
            e = estimate_effect(df, g, t, y, method=method,
                                adjustment_set=list(zs) if zs is not None else None,
                                seed=s.seed, treatment_value=s.treatment_value,
                                control_value=s.control_value, should_stop=st.cancelled)
        except Cancelled:
            raise
        except CausalCanvasError as err:
            rows.append(EstimateRow(method, info.label, info.kind, tuple(zs or ()), why,
                                    error=err.message, primary=primary))
            effects.append(None)
            continue
        effects.append(e)
        rows.append(EstimateRow(method, e.method_label, e.estimand_kind,
                                tuple(e.adjustment_set or e.instruments or e.mediators), why,
                                e.value, e.ci_low, e.ci_high, e.ci_method, e.n_rows,
                                primary=primary))
        for note in e.notes:
            # the sets are shown in the table; the engine calls a passed set "chosen by you"
            if note.startswith("Adjustment set {") or note.startswith("Estimator chosen"):
                continue
            if note not in notes:
                notes.append(note)
    if skipped:
        rules[-1] = dataclasses.replace(rules[-1], outcome=rules[-1].outcome + " Skipped (the "
                                        "estimation engine says it does not apply): "
                                        + "; ".join(skipped) + ".")
    if rows and not any(r.primary and r.ok for r in rows):
        # the planned primary failed: promote the first estimate that ran
        first = next((r for r in rows if r.ok), None)
        if first is not None:
            rows = [dataclasses.replace(r, primary=r is first) for r in rows]
    plug = _plug_in(df, estimand, s, prep)
    if plug is not None:
        rows.append(plug)
        effects.append(None)
    ran = [e for e in effects if e is not None]
    naive = ran[0].naive if ran else naive_difference(prep)
    return rows, effects, rules, notes, naive, overlap


MAX_OVERLAP_TRIES = 6


def _overlap_choice(df, s: ReportSettings, main_set, minimal):
    """The adjustment set to use, its overlap diagnostics and the stated rule: the planned set
    unless its propensity scores overlap poorly and another valid set (tried in order, at most
    MAX_OVERLAP_TRIES) overlaps well."""
    from app.estimation.overlap import overlap_diagnostics

    tried = []
    for zs in dict.fromkeys([tuple(main_set), *(tuple(m) for m in minimal if m)]):
        if len(tried) >= MAX_OVERLAP_TRIES:
            break
        try:
            o = overlap_diagnostics(df, s.treatment, list(zs), treatment_value=s.treatment_value,
                                    control_value=s.control_value)
        except CausalCanvasError:
            continue
        tried.append((zs, o))
        if o.ok:
            break
    text = ("Adjust for a set whose propensity scores overlap: when the planned set leaves "
            "treated or untreated units without comparable units (share outside [0.05, 0.95] "
            "over 10%, or weights worth under a tenth of a group), the next valid set that "
            "overlaps well is used instead; if none does, the verdict says so.")
    if not tried:
        return main_set, None, Rule("Overlap of the adjustment set", text, False)
    good = next(((zs, o) for zs, o in tried if o.ok), None)
    first_zs, first = tried[0]
    if good is None:
        return main_set, first, Rule("Overlap of the adjustment set", text, True,
                                     f"No valid set overlaps well: {first.message}")
    if good[0] != tuple(main_set):
        return good[0], good[1], Rule(
            "Overlap of the adjustment set", text, True,
            "{" + ", ".join(first_zs) + "} overlaps poorly (" + first.message + "); used {"
            + ", ".join(good[0]) + "} instead.")
    return main_set, good[1], Rule("Overlap of the adjustment set", text, False,
                                   good[1].message)


def _plug_in(df, estimand, s: ReportSettings, prep) -> EstimateRow | None:
    """The identified formula evaluated on the table's frequencies (discrete data only): a
    nonparametric check with no modelling assumption."""
    from app.estimation.prepare import prepare

    if not (estimand.identifiable and prep.binary_treatment and prep.binary_outcome):
        return None
    if estimand.kind not in ("backdoor", "frontdoor"):
        return None
    zs = sorted(estimand.adjustment_set or estimand.frontdoor_set or ())
    if any(z not in df.columns or df[z].nunique() > MAX_PLUGIN_LEVELS for z in zs):
        return None
    label = "Plug-in of the identified formula (frequencies)"
    why = ("Check: the identification formula computed directly from the table's frequencies; "
           "no model at all, so it is exact for these data when every combination occurs.")
    try:
        coded = prepare(df, s.treatment, s.outcome, zs, treatment_value=s.treatment_value,
                        control_value=s.control_value).data
        hi = estimand.evaluate(coded, {s.treatment: 1.0}, {s.outcome: 1.0})
        lo = estimand.evaluate(coded, {s.treatment: 0.0}, {s.outcome: 1.0})
    except CausalCanvasError as err:
        return EstimateRow("plug_in", label, "plug-in", tuple(zs), why, error=err.message)
    return EstimateRow("plug_in", label, "plug-in", tuple(zs), why, float(hi - lo),
                       ci_method="none (point value)", n_rows=len(coded))


def _refute(primary, s: ReportSettings, st):
    """The engine's refutations of the primary estimate, one kind at a time (with progress)."""
    if primary is None:
        return [], "No estimate to refute."
    if s.refutation_simulations == 0:
        return [], "Refutations were switched off (0 simulations)."
    from app.estimation import REFUTATIONS, refute

    kinds = [k for k in REFUTATIONS if primary.estimand_kind == "backdoor"
             or k not in ("random_common_cause", "unobserved_common_cause")]
    out, notes = [], []
    for i, kind in enumerate(kinds):
        def sub(frac: float, msg: str, i=i) -> None:
            st.update("refute", (i + frac) / len(kinds), msg)
        try:
            out.append(refute(primary, kind, seed=s.seed, progress=sub, should_stop=st.cancelled,
                              n_simulations=s.refutation_simulations))
        except Cancelled:
            raise
        except CausalCanvasError as err:
            notes.append(f"{kind.replace('_', ' ')}: {err.message}")
    return out, " ".join(notes)


# ---- verdict -------------------------------------------------------------------------------------
def _fmt(v: float | None) -> str:
    from app.estimation.pipeline import fmt

    return fmt(v)


def _verdict(primary: EstimateRow | None, rows, implications, conflicts, refutations, sens,
             alts, source, disc, possible=(), overlap=None) -> tuple[list[Check], str]:
    """The checks behind the conclusion (each with its stated rule) and the verdict sentence."""
    checks: list[Check] = []
    if primary is None:
        errs = "; ".join(f"{r.label}: {r.error}" for r in rows if r.error) or \
            "no estimator applies to this graph"
        return [Check("Estimate", "warn", f"No estimate could be computed ({errs}).")], (
            "The effect could not be estimated from these data and this graph (see "
            "Identification): no conclusion about its size is possible.")
    ci = (f"95% CI {_fmt(primary.ci_low)} to {_fmt(primary.ci_high)}" if primary.has_ci
          else "no interval")
    checks.append(Check("Statistical evidence", "pass" if primary.ci_excludes_zero else "warn",
                        f"Primary estimate {_fmt(primary.value)} ({ci}): the interval "
                        + ("excludes 0." if primary.ci_excludes_zero else "includes 0.")))
    others = [r for r in rows if r.ok and r is not primary]
    if others:
        opposite = [r for r in others if (r.value > 0) != (primary.value > 0) and r.value != 0]
        outside = [r for r in others if primary.has_ci and not primary.ci_low <= r.value <= primary.ci_high]
        if opposite:
            checks.append(Check("Estimators agree", "warn",
                                "Opposite sign from " + ", ".join(r.label for r in opposite) + "."))
        elif outside:
            checks.append(Check("Estimators agree", "warn",
                                "Same sign, but outside the primary 95% interval: "
                                + ", ".join(f"{r.label} ({_fmt(r.value)})" for r in outside) + "."))
        else:
            checks.append(Check("Estimators agree", "pass",
                                f"All {len(others) + 1} estimates have the same sign and lie "
                                "inside the primary estimate's 95% interval."))
    else:
        checks.append(Check("Estimators agree", "info", "Only one estimator applies here."))
    if overlap is not None and primary.kind == "backdoor" and \
            set(overlap.adjustment) <= set(primary.adjustment_set):
        checks.append(Check("Overlap (positivity)", "pass" if overlap.ok else "warn",
                            overlap.message))
    if implications is None or not len(implications):
        checks.append(Check("Graph fits the data", "info",
                            "No implied independence could be tested."))
    else:
        n_bad = len(implications.violated)
        checks.append(Check("Graph fits the data", "pass" if implications.consistent else "warn",
                            f"{n_bad} of {len(implications)} implied independencies clearly "
                            "violated (Holm-corrected)." if n_bad else
                            f"None of {len(implications)} implied independencies is clearly "
                            "violated."))
    if source != "learned":
        # rule: a reversed edge, a hidden cause, a blocked strong edge, or an edge of yours that
        # discovery (almost) never found (≤ 10% of resamples) is serious; weaker extras are not
        serious = [c for c in conflicts if c.kind in ("reversed", "latent", "not_added",
                                                      "outside_both")
                   or (c.kind == "not_found" and (c.confidence is None or c.confidence <= 0.1))]
        checks.append(Check("Discovery agrees with your graph", "pass" if not serious else "warn",
                            "No serious disagreement." if not serious else
                            f"{len(serious)} disagreement(s), e.g. {serious[0].edge}: "
                            f"{serious[0].text}"))
    elif disc is not None and disc.bootstrap:
        shaky = [e for e in disc.edges if (c := disc.confidence_of(e.a, e.b)) is not None
                 and 0.5 <= c.present < 0.8]
        checks.append(Check("Stable learned graph", "pass" if not shaky else "info",
                            "Every kept edge was found in at least 80% of the resamples." if not
                            shaky else f"{len(shaky)} kept edge(s) found in only 50–80% of the "
                                       "resamples: " + ", ".join(e.text for e in shaky[:4]) + "."))
    if refutations:
        failed = [r for r in refutations if not r.passed]
        checks.append(Check("Refutations", "pass" if not failed else "warn",
                            f"All {len(refutations)} passed." if not failed else
                            "Warning from " + ", ".join(r.label for r in failed) + "."))
    if sens is not None:
        bench = float(sens.benchmarks["strength"].max()) if len(sens.benchmarks) else None
        rv = sens.robustness_value_ci
        if rv == 0:
            checks.append(Check("Robust to hidden confounding", "info",
                                "The 95% interval already includes 0; a hidden confounder "
                                f"explaining {sens.robustness_value:.1%} of the residual variation "
                                "of both treatment and outcome would bring the estimate itself "
                                "to 0."))
        elif bench is not None:
            ok = rv > bench
            text = (f"A hidden confounder must explain {rv:.1%} of the residual variation of both "
                    f"treatment and outcome to make the 95% interval include 0; the strongest "
                    f"measured covariate corresponds to {bench:.1%}.")
        else:
            ok = rv >= 0.05
            text = (f"A hidden confounder must explain {rv:.1%} of the residual variation of both "
                    "treatment and outcome to make the 95% interval include 0 (rule: at least 5% "
                    "when no measured covariate can serve as a benchmark).")
        if rv > 0:
            checks.append(Check("Robust to hidden confounding", "pass" if ok else "warn", text))
    if possible:
        vals = [a.value for a in possible if a.value is not None]
        flips = [a for a in possible if a.changes_conclusion or not a.identifiable]
        span = ("" if not vals else f" (from {_fmt(min(vals))} to {_fmt(max(vals))})"
                if _fmt(min(vals)) != _fmt(max(vals)) else f" (all estimable ones: {_fmt(vals[0])})")
        # rule: warn when an orientation changes the conclusion, or when the sizes differ by
        # more than a factor of two (the data then do not pin down how large the effect is)
        sizes = [abs(v) for v in vals]
        vague = bool(sizes) and max(sizes) > 2 * min(sizes)
        unusable = [a for a in possible if not a.identifiable]
        if unusable and len(unusable) == len(flips):
            text = (f"{len(unusable)} of {len(possible)} orientations the data allow leave no "
                    f"usable adjustment set ({unusable[0].note or 'no valid set'}){span}: if one "
                    "of them is the truth, the effect cannot be estimated by adjustment.")
        elif flips:
            text = (f"{len(flips)} of {len(possible)} orientations the data allow change the "
                    f"conclusion{span}: the data alone cannot settle it.")
        elif vague:
            text = (f"All {len(possible)} orientations the data allow give the same conclusion, "
                    f"but the size varies by more than a factor of two{span}.")
        else:
            text = (f"All {len(possible)} orientations the data allow give the same conclusion"
                    f"{span}.")
        checks.append(Check("Undecided directions at the treatment",
                            "warn" if flips or vague else "pass",
                            text + (" Background knowledge (required/forbidden edges or tiers) "
                                    "would settle it." if flips or vague else "")))
    if alts:
        flips = [a for a in alts if a.changes_conclusion]
        checks.append(Check("Robust to graph changes", "pass" if not flips else "warn",
                            f"None of {len(alts)} one-edge changes at the treatment or outcome "
                            "changes the conclusion." if not flips else
                            f"{len(flips)} of {len(alts)} one-edge changes alter the conclusion, "
                            f"e.g. {flips[0].change}."))
    warns = [c for c in checks if c.status == "warn"]
    poor_overlap = any(c.name == "Overlap (positivity)" and c.status == "warn" for c in checks)
    if poor_overlap:
        verdict = ("Not reliable: treated and untreated units barely overlap on the adjustment "
                   "set, so the estimate compares units that have few or no counterparts and "
                   "rests on extrapolation (see the Overlap check); "
                   + ("its 95% interval includes 0." if not primary.ci_excludes_zero else
                      f"{len(warns) - 1} other check(s) raise doubts." if len(warns) > 1 else
                      "the other checks pass."))
    elif not primary.ci_excludes_zero:
        verdict = ("No clear effect: the primary estimate's 95% interval includes 0, so the data "
                   "are compatible with no effect" + (f" (and {len(warns) - 1} other check(s) "
                                                      "raise doubts)." if len(warns) > 1 else "."))
    elif not warns:
        verdict = (f"Consistent evidence of an effect: every one of the {len(checks)} checks "
                   "below passes or is only informative.")
    else:
        verdict = (f"Evidence of an effect, with caveats: {len(warns)} of {len(checks)} checks "
                   "raise doubts (" + ", ".join(c.name.lower() for c in warns) + ").")
    return checks, verdict


def _assumptions(s: ReportSettings, g: CausalGraph, primary, rows, source, disc, suspected,
                 prep, effect_rule: Rule) -> list[str]:
    out = []
    hidden = [f"{a} ↔ {b}" for a, b in sorted(g.bidirected)]
    latent = sorted(g.latents)
    out.append("The graph used (below) is right: every common cause of two of its variables is "
               "in it" + (" — measured, or shown as latent (" + ", ".join(latent + hidden) + ")"
                          if latent or hidden else "") + ". This is the assumption everything "
               "else rests on; the sensitivity analysis and the graph alternatives test how much "
               "it matters.")
    if effect_rule.applied:
        out.append(f"The edge {s.treatment} → {s.outcome} was added so an effect can be "
                   "estimated (the graph had no causal path).")
    if s.outcome_last:
        out.append(f"{s.outcome} is measured after everything else and causes none of the other "
                   "variables.")
    out.append("Consistency and no interference: each unit's outcome depends only on its own "
               "treatment, and the treatment means the same thing for everyone.")
    out.append("Positivity: every kind of unit (each combination of the adjustment variables) "
               "could receive either treatment value.")
    if disc is not None:
        out.append("Discovery: rows are independent draws from one population; every "
                   "independence in the data comes from the graph's structure (faithfulness)"
                   + ("" if suspected or disc.method == "fci" else
                      "; no unmeasured common cause of two measured variables (causal "
                      "sufficiency)") + ".")
    kinds = {r.method for r in rows if r.ok}
    if "linear_regression" in kinds:
        out.append("Linear regression: the effect is the same for everyone and the outcome is "
                   "linear in the adjustment variables.")
    if "ps_weighting" in kinds:
        out.append("Propensity-score weighting: the logistic model of the treatment is right.")
    if "ml" in kinds:
        out.append("Doubly robust ML: either the outcome model or the treatment model is right.")
    if "iv" in kinds:
        out.append("Instrumental variable: the instrument affects the outcome only through the "
                   "treatment and shares no cause with the outcome.")
    if "frontdoor" in kinds:
        out.append("Front-door: the mediator carries the whole effect and its links to treatment "
                   "and outcome are unconfounded.")
    if any(n for n in prep.notes if "Only rows" in n):
        out.append("Only the two compared treatment values are used.")
    out.append("Complete cases: rows with a missing value in a column a step uses are left out of "
               "that step.")
    return out


def _what_would_change(primary, sens, alts, conflicts, implications, rows, s) -> list[str]:
    out = []
    if sens is not None:
        out.append(sens.explanation)
    for a in alts:
        if a.changes_conclusion:
            if a.identifiable and a.value is not None:
                zs = ", ".join(a.adjustment_set or ()) or "nothing"
                out.append(f"If the graph were changed to {a.change}, the report would adjust for "
                           f"{{{zs}}} and the regression estimate {_fmt(a.value)} (95% CI {_fmt(a.ci_low)} to "
                           f"{_fmt(a.ci_high)}). {a.reason}")
            else:
                out.append(f"If the graph were changed to {a.change}: {a.note} {a.reason}")
    for c in conflicts:
        if c.kind in ("reversed", "latent", "not_added", "outside_both"):
            out.append(f"Discovery disagrees with your graph on {c.edge}: {c.text}")
    if implications is not None and implications.violated:
        worst = ", ".join(t.independence.text for t in implications.violated[:3])
        out.append(f"The data contradict implied independencies ({worst}): an edge or a common "
                   "cause is probably missing between those variables; if it involves the "
                   "treatment or the outcome, the adjustment set may change.")
    if primary is not None and primary.has_ci and primary.ci_excludes_zero:
        width = primary.ci_high - primary.ci_low
        if width > 0 and abs(primary.value) / width < 0.75:
            out.append("The interval is wide relative to the estimate: a modestly different "
                       "sample could give an interval that includes 0.")
    if not out:
        out.append("None of the checks found a single change (graph edge, hidden confounder of "
                   "the size of the measured ones) that would overturn the conclusion.")
    return out


def _versions() -> tuple[tuple[str, str], ...]:
    import app

    out = [("Python", platform.python_version()), ("Causal Canvas", app.__version__)]
    for pkg in VERSION_PACKAGES:
        try:
            out.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(out)


__all__ = ["MIN_ROWS", "STAGES", "make_report"]
