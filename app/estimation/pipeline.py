"""identify → estimate: `estimate_effect` and the EffectEstimate it returns.

The result keeps (in memory, never pickled) the cleaned data and the estimator spec, so
`refute`, `sensitivity` and `subgroup_effects` can re-run exactly the same estimate.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
import pandas as pd

from app.errors import EstimationError
from app.estimation._engine import single_threaded
from app.estimation.estimators import (
    METHODS,
    FitSpec,
    IVFit,
    MethodAvailability,
    Progress,
    ShouldStop,
    normal_ci,
    run_method,
)
from app.estimation.evalue import EValue, evalue_of_difference
from app.estimation.identify import (
    KIND_LABELS,
    Estimand,
    identify_estimand,
    not_identified_error,
)
from app.estimation.overlap import DEFAULT_BOUNDS, OverlapResult, diagnose, with_choice
from app.estimation.prepare import (
    FEW_ROWS,
    MIN_GROUP,
    NEAR_COLLINEAR_R2,
    PreparedData,
    check_columns,
    collinearity,
    prepare,
)
from app.graph import CausalGraph
from app.numbers import fmt

METHOD_NAMES = ("auto", *METHODS)
OVERLAP_OPTIONS = ("none", "trim", "weights")   # what to do about weak overlap (back-door)
OVERLAP_METHODS = ("ps_weighting", "ps_stratification", "ps_matching", "ml")


@dataclass(frozen=True)
class NaiveDifference:
    """The unadjusted comparison: difference in mean outcome (binary treatment) or OLS slope."""

    value: float
    ci_low: float
    ci_high: float
    n_treated: int | None = None
    n_control: int | None = None


@dataclass(frozen=True)
class EffectEstimate:
    """One causal effect estimate with its interval, estimand, assumptions and explanation."""

    value: float
    ci_low: float | None
    ci_high: float | None
    method: str
    method_label: str
    estimand_kind: str
    estimand_label: str
    estimand_latex: str
    estimand_text: str
    treatment: str
    outcome: str
    treatment_label: str
    control_label: str
    adjustment_set: tuple[str, ...]
    instruments: tuple[str, ...]
    mediators: tuple[str, ...]
    n_rows: int
    naive: NaiveDifference
    ci_method: str
    engine: str
    notes: tuple[str, ...]
    sentence: str
    seconds: float
    se: float | None = None
    context: EstimationContext | None = field(default=None, repr=False, compare=False)
    warnings: tuple[str, ...] = ()        # shown beside the number: why not to trust it blindly
    overlap: OverlapResult | None = field(default=None, repr=False, compare=False)
    iv: IVFit | None = field(default=None, repr=False, compare=False)   # IV diagnostics
    evalue: EValue | None = None          # VanderWeele & Ding's E-value of the estimate

    @property
    def has_ci(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    @property
    def ci_excludes_zero(self) -> bool:
        return self.has_ci and (self.ci_low > 0 or self.ci_high < 0)

    def __str__(self) -> str:
        ci = f" (95% CI {fmt(self.ci_low)} to {fmt(self.ci_high)})" if self.has_ci else ""
        lines = [f"{self.method_label}: {fmt(self.value)}{ci}",
                 f"  estimand: {self.estimand_label}; {self.estimand_text}",
                 f"  naive difference: {fmt(self.naive.value)} "
                 f"(95% CI {fmt(self.naive.ci_low)} to {fmt(self.naive.ci_high)})",
                 f"  n = {self.n_rows}; {self.sentence}"]
        lines += [f"  note: {n}" for n in self.notes]
        if self.evalue is not None:
            lines.append(f"  {self.evalue.sentence}")
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass
class EstimationContext:
    """What refutations need to re-run the estimate: plain in-memory objects (not pickled)."""

    graph: CausalGraph
    estimand: Estimand
    prepared: PreparedData
    spec: FitSpec


def default_roles(graph: CausalGraph) -> tuple[str | None, str | None]:
    """The treatment and outcome the graph's roles suggest (first in node order)."""
    t = next((n for n in graph.nodes if n in graph.exposures), None)
    y = next((n for n in graph.nodes if n in graph.outcomes), None)
    return t, y


def _resolve_roles(graph: CausalGraph, treatment: str | None, outcome: str | None):
    dt, dy = default_roles(graph)
    treatment = treatment or dt
    outcome = outcome or dy
    if not treatment or not outcome:
        raise EstimationError(
            "Choose a treatment and an outcome.",
            hint="Give the graph an exposure and an outcome role, or pick them on this page.")
    return treatment, outcome


def naive_difference(prep: PreparedData) -> NaiveDifference:
    """Unadjusted difference: Welch interval for a binary treatment, HC1 OLS slope otherwise."""
    d = prep.data
    t = d[prep.treatment].to_numpy(float)
    y = d[prep.outcome].to_numpy(float)
    if prep.binary_treatment:
        y1, y0 = y[t == 1], y[t == 0]
        diff = float(y1.mean() - y0.mean())
        var = (y1.var(ddof=1) if len(y1) > 1 else 0.0) / len(y1) + \
              (y0.var(ddof=1) if len(y0) > 1 else 0.0) / len(y0)
        lo, hi = normal_ci(diff, math.sqrt(var))
        return NaiveDifference(diff, lo, hi, int(len(y1)), int(len(y0)))
    tc = t - t.mean()
    slope = float(np.sum(tc * (y - y.mean())) / np.sum(tc ** 2))
    resid = y - y.mean() - slope * tc
    n = len(y)
    se = math.sqrt(np.sum(tc ** 2 * resid ** 2) / np.sum(tc ** 2) ** 2 * n / max(n - 2, 1))
    scale = prep.treatment_value - prep.control_value
    lo, hi = normal_ci(slope * scale, se * abs(scale))
    return NaiveDifference(slope * scale, lo, hi)


def _iv_controls(graph: CausalGraph, est: Estimand, observed: set[str]) -> tuple[str, ...]:
    """Covariates for 2SLS: the conditioning set W of a conditional instrument, plus measured
    pre-treatment parents of treatment or outcome when the instruments stay valid given them
    (Z d-separated from Y given the controls once the treatment's arrows are cut)."""
    from app.analysis import d_separated

    g = graph.to_networkx()
    t, y = est.treatment, est.outcome
    banned = {t, y, *est.instruments} | nx.descendants(g, t) | nx.descendants(g, y)
    for z in est.instruments:
        banned |= nx.descendants(g, z)
    given = set(est.iv_given)
    cands = (set(graph.parents(t)) | set(graph.parents(y))) - given
    extra = {c for c in cands if c in observed and c not in banned}
    if not extra:
        return tuple(sorted(given))
    cut = graph
    for c in graph.children(t):
        cut = cut.remove_edge(t, c)
    full = sorted(given | extra)
    if all(d_separated(cut, z, y, full) for z in est.instruments):
        return tuple(full)
    return tuple(sorted(given))


def _auto_method(est: Estimand, binary_t: bool) -> str:
    kinds = est.kinds
    if "backdoor" in kinds:
        return "ps_weighting" if binary_t and est.backdoor else "linear_regression"
    if "frontdoor" in kinds:
        return "frontdoor"
    return "iv"


def _availability(est: Estimand, prep_binary: bool | None, n_mediators: int) -> list[MethodAvailability]:
    out = []
    for m in METHODS.values():
        ok, why = True, "applies"
        if m.kind == "backdoor" and est.backdoor is None:
            ok, why = False, ("no valid adjustment set: a back-door path goes through an "
                              "unmeasured variable")
        elif m.kind == "frontdoor" and not est.frontdoor:
            ok, why = False, "no mediator satisfies the front-door criterion in this graph"
        elif m.kind == "frontdoor" and n_mediators != 1:
            ok, why = False, "the front-door estimator handles exactly one mediator"
        elif m.kind == "iv" and not est.instruments:
            ok, why = False, "no instrument in the graph (a cause of the treatment that reaches " \
                             "the outcome only through it and shares no cause with it)"
        elif m.binary_only and prep_binary is False:
            ok, why = False, "needs a treatment with two values (treated / control)"
        elif m.kind == "backdoor" and m.name != "linear_regression" and not est.backdoor:
            ok, why = False, "nothing to adjust for: the plain difference is already the estimate"
        out.append(MethodAvailability(m.name, m.label, m.kind, ok, why))
    return out


@single_threaded
def available_methods(graph: CausalGraph, treatment: str | None, outcome: str | None,
                      df: pd.DataFrame, *, treatment_value=None, control_value=None,
                      adjustment_set=None) -> list[MethodAvailability]:
    """Which estimators apply to this graph and data, and why the others do not."""
    treatment, outcome = _resolve_roles(graph, treatment, outcome)
    check_columns(df, graph.nodes, treatment, outcome)
    est = identify_estimand(graph, treatment, outcome, df.columns, adjustment_set=adjustment_set)
    try:
        prep = prepare(df, treatment, outcome, treatment_value=treatment_value,
                       control_value=control_value)
        binary = prep.binary_treatment
    except EstimationError:
        binary = None
    return _availability(est, binary, len(est.frontdoor or ()))


@single_threaded
def estimate_effect(df: pd.DataFrame, graph: CausalGraph, treatment: str | None = None,
                    outcome: str | None = None, method: str = "auto", *,
                    control_value=None, treatment_value=None, ci: bool = True, seed: int = 0,
                    adjustment_set=None, n_bootstrap: int = 100,
                    overlap: str = "none", overlap_bounds=DEFAULT_BOUNDS,
                    overlap_diagnostic: OverlapResult | None = None,
                    progress: Progress = None, should_stop: ShouldStop = None) -> EffectEstimate:
    """Identify the effect of `treatment` on `outcome` in `graph` with DoWhy and estimate it.

    `method`: "auto" (best applicable) or one of METHODS. Treatment/outcome default to the
    graph's exposure/outcome roles. Raises EstimationError with a clear message on bad input;
    a degenerate but computable estimate carries `warnings` (shown beside the number).
    `overlap` (back-door, two-valued treatment): "none"; "trim" drops units whose propensity
    score is outside `overlap_bounds` before estimating; "weights" uses overlap weights
    (propensity-score weighting only). Either changes the population the effect is for.
    `overlap_diagnostic`: the overlap diagnostics already computed for this treatment and
    adjustment set (`overlap_diagnostics`), used instead of fitting the propensity model again
    when it is for the same units, set and bounds (otherwise it is computed anew).
    """
    start = time.perf_counter()
    if method not in METHOD_NAMES:
        raise EstimationError(f"Unknown estimation method '{method}'.",
                              hint="Choose one of: " + ", ".join(METHOD_NAMES) + ".")
    if overlap not in OVERLAP_OPTIONS:
        raise EstimationError(f"Unknown overlap option '{overlap}'.",
                              hint="Choose one of: " + ", ".join(OVERLAP_OPTIONS) + ".")
    treatment, outcome = _resolve_roles(graph, treatment, outcome)
    check_columns(df, graph.nodes, treatment, outcome)
    est = identify_estimand(graph, treatment, outcome, df.columns, adjustment_set=adjustment_set)
    if not est.identified:
        raise not_identified_error(est)
    # a first pass decides whether the treatment is binary (for "auto" and the checks)
    base = prepare(df, treatment, outcome, treatment_value=treatment_value, control_value=control_value)
    chosen = _auto_method(est, base.binary_treatment) if method == "auto" else method
    info = METHODS[chosen]
    avail = {a.name: a for a in _availability(est, base.binary_treatment, len(est.frontdoor or ()))}
    if not avail[chosen].available:
        raise EstimationError(f"{info.label} does not apply here: {avail[chosen].reason}.",
                              hint="Pick one of the estimators marked as applicable.")
    observed = set(c for c in df.columns if c in graph.nodes) - graph.latents
    spec_kw: dict = {}
    if info.kind == "backdoor":
        covs = list(est.backdoor or ())
        spec_kw["adjustment"] = tuple(covs)
    elif info.kind == "iv":
        controls = _iv_controls(graph, est, observed)
        covs = [*est.instruments, *controls]
        spec_kw.update(instruments=est.instruments, iv_controls=controls)
    else:
        covs = list(est.frontdoor or ())
        spec_kw["mediators"] = tuple(covs)
    prep = prepare(df, treatment, outcome, covs, treatment_value=treatment_value,
                   control_value=control_value)
    warnings: list[str] = []
    prep, diag, overlap_notes = _degenerate_and_overlap(prep, info.kind, chosen, covs, overlap,
                                                        overlap_bounds, warnings,
                                                        overlap_diagnostic)
    if overlap == "weights":
        spec_kw["weighting"] = "overlap"
    spec = FitSpec(method=chosen, kind=info.kind, estimand=est, prepared=prep, seed=seed,
                   n_bootstrap=n_bootstrap, **spec_kw)
    res = run_method(spec, prep.data, ci=ci, progress=progress, should_stop=should_stop)
    warnings.extend(res.warnings)
    _check_result(res, prep, warnings)
    naive = naive_difference(prep)
    notes = [*est.notes, *prep.notes, *overlap_notes, *res.notes]
    if method == "auto":
        notes.insert(0, f"Estimator chosen automatically: {info.label}.")
    if info.kind == "backdoor":
        notes.append(f"Adjustment set {{{', '.join(covs)}}} ({est.adjustment_source}).")
    ctx = EstimationContext(graph=graph, estimand=est, prepared=prep, spec=spec)
    return EffectEstimate(
        value=float(res.value), ci_low=res.ci_low, ci_high=res.ci_high, method=chosen,
        method_label=info.label, estimand_kind=info.kind, estimand_label=KIND_LABELS[info.kind],
        estimand_latex=est.latex(info.kind), estimand_text=est.text(info.kind),
        treatment=treatment, outcome=outcome, treatment_label=prep.treatment_label,
        control_label=prep.control_label, adjustment_set=tuple(spec.adjustment),
        instruments=tuple(spec.instruments), mediators=tuple(spec.mediators),
        n_rows=prep.n, naive=naive, ci_method=res.ci_method, engine=res.engine,
        notes=tuple(notes), sentence=effect_sentence(
            prep, res.value, res.ci_low, res.ci_high, naive, info.kind,
            spec.instruments if info.kind == "iv" else covs, spec.iv_controls) + (
            " Read the warnings before relying on this number." if warnings else ""),
        seconds=time.perf_counter() - start, se=res.se, context=ctx, warnings=tuple(warnings),
        overlap=diag, iv=res.iv, evalue=estimate_evalue(prep, res.value, res.ci_low, res.ci_high))


def estimate_evalue(prep: PreparedData, value: float, lo: float | None,
                    hi: float | None) -> EValue:
    """The E-value of an estimate on `prep`'s data (conversions in app.estimation.evalue)."""
    y = prep.data[prep.outcome].to_numpy(float)
    t = prep.data[prep.treatment].to_numpy(float)
    baseline = float(y[t == 0].mean()) if prep.binary_treatment else float(y.mean())
    return evalue_of_difference(value, lo, hi, binary_outcome=prep.binary_outcome,
                                baseline=baseline, sd=float(np.std(y, ddof=1)),
                                treatment=prep.treatment, outcome=prep.outcome)


def _degenerate_and_overlap(prep: PreparedData, kind: str, method: str, covs, overlap: str,
                            bounds, warnings: list[str], given: OverlapResult | None = None):
    """Refuse or flag what makes an estimate meaningless; apply the overlap option (with the
    diagnostics `given` when they are for the same units, set and bounds: `_fits`).

    Returns the (possibly trimmed) data, the overlap diagnostics (back-door with a two-valued
    treatment and an adjustment set, else None) and notes; appends to `warnings`.
    """
    notes: list[str] = []
    if kind == "backdoor" and covs:
        r2 = collinearity(prep, covs)
        if r2 >= NEAR_COLLINEAR_R2:
            warnings.append(
                f"The adjustment set explains {r2:.1%} of the variation in {prep.treatment}: little "
                "independent variation is left, so the estimate rests on few comparisons (and "
                "may extrapolate). Check for an adjustment variable that nearly copies the treatment.")
    diag = None
    if kind == "backdoor" and prep.binary_treatment and covs and (
            method in OVERLAP_METHODS or overlap != "none"):
        diag = given if _fits(given, prep, covs, bounds) else diagnose(prep, covs, bounds)
    if overlap != "none":
        if diag is None:
            raise EstimationError(
                "Trimming and overlap weights apply to back-door estimates of a treatment with "
                "two values and a non-empty adjustment set.", hint="Set the overlap option to none.")
        if overlap == "weights" and method != "ps_weighting":
            raise EstimationError("Overlap weights are a form of propensity-score weighting.",
                                  hint="Choose propensity-score weighting, or trimming instead.")
    if overlap == "trim":
        lo, hi = diag.bounds
        keep = (diag.scores >= lo) & (diag.scores <= hi)
        data = prep.data.loc[keep].reset_index(drop=True)
        n1 = int(data[prep.treatment].sum())
        if min(n1, len(data) - n1) < MIN_GROUP:
            raise EstimationError(
                f"Trimming to propensity scores in [{lo:g}, {hi:g}] leaves {n1} treated and "
                f"{len(data) - n1} untreated units: too few to compare.",
                hint="Widen the bounds, or use overlap weights.")
        notes.append(f"Trimmed: {int((~keep).sum())} of {prep.n} units with a propensity score "
                     f"outside [{lo:g}, {hi:g}] were left out (Crump et al. 2009); the effect is "
                     "for the remaining units, not for everyone.")
        prep = replace(prep, data=data)
        diag = with_choice(diag, "trim", prep)
    elif overlap == "weights":
        diag = with_choice(diag, "weights")
    elif diag is not None and not diag.ok and overlap == "none":
        warnings.append(diag.message)
    small = prep.n < FEW_ROWS
    if prep.binary_treatment:
        n1 = int(prep.data[prep.treatment].sum())
        small = small or min(n1, prep.n - n1) < 10
    if small:
        warnings.append(f"Few rows ({prep.n}" + (f"; {n1} treated, {prep.n - n1} untreated"
                                                   if prep.binary_treatment else "") +
                        "): the interval uses a large-sample approximation and may be too narrow.")
    return prep, diag, notes


def _fits(given: OverlapResult | None, prep: PreparedData, covs, bounds) -> bool:
    """Whether precomputed overlap diagnostics describe exactly these units: the same treatment
    coding, adjustment set (its non-constant columns, as `diagnose` keeps them), bounds and rows
    (the treatment column unit by unit), so that its scores line up with `prep.data`."""
    if given is None or given.choice is not None or given.treatment != prep.treatment \
            or given.n != prep.n:
        return False
    used = {c for c in covs if c in prep.data.columns and prep.data[c].nunique() > 1}
    if set(given.adjustment) != used or tuple(map(float, bounds)) != tuple(given.bounds):
        return False
    if (given.treated_label, given.control_label) != (prep.treatment_label, prep.control_label):
        return False
    return bool(np.array_equal(given.treated, prep.data[prep.treatment].to_numpy(int) == 1))


def _check_result(res, prep: PreparedData, warnings: list[str]) -> None:
    """Never show a NaN or an interval that claims certainty the data cannot give."""
    if not math.isfinite(res.value):
        raise EstimationError(
            "The estimate came out as an undefined number (not finite).",
            hint="The data may have columns that are constant or exact copies of each other, or "
                 "extreme values: check the columns used.")
    if res.ci_low is None or res.ci_high is None:
        return
    if not (math.isfinite(res.ci_low) and math.isfinite(res.ci_high)):
        res.ci_low = res.ci_high = res.se = None
        res.ci_method = "none (the interval could not be computed)"
        warnings.append("No confidence interval could be computed on these data (the standard "
                        "error is undefined), so the uncertainty of the estimate is unknown.")
    elif res.ci_high - res.ci_low <= 1e-9 * max(1.0, abs(res.value)):
        warnings.append(
            f"The interval has zero width: in these data {prep.outcome} is an exact function of "
            "the variables in the model (no residual variation). Real data do not justify such "
            "certainty; check for a column computed from the outcome.")


def effect_sentence(prep: PreparedData, value: float, lo: float | None, hi: float | None,
                    naive: NaiveDifference, kind: str, covs, iv_controls=()) -> str:
    """One plain-language sentence: what changing the treatment does to the outcome."""
    t, y = prep.treatment, prep.outcome
    if prep.binary_treatment:
        change = f"Setting {t} to {prep.treatment_label} instead of {prep.control_label}"
    elif prep.treatment_value - prep.control_value == 1:
        change = f"Each one-unit increase in {t}"
    else:
        change = f"Moving {t} from {prep.control_label} to {prep.treatment_label}"
    if prep.binary_outcome:
        def num(v: float) -> str:
            return f"{v * 100:+.1f}"
        amount = f"the share with {prep.outcome_label} by {num(value)} percentage points"
        naive_txt = f"{num(naive.value)} points"
    else:
        def num(v: float) -> str:
            return fmt(v)
        amount = f"{y} by {fmt(value)} on average"
        naive_txt = fmt(naive.value)
    ci = ""
    if lo is not None and hi is not None:
        zero = "includes 0, so the data are also compatible with no effect" if lo <= 0 <= hi \
            else "excludes 0"
        ci = f" (95% CI {num(lo)} to {num(hi)}, which {zero})"
    how = {"backdoor": f"after adjusting for {', '.join(covs)}" if covs else "with no adjustment needed",
           "frontdoor": f"through the mediator {', '.join(covs)}",
           "iv": f"using the instrument {', '.join(covs)}" + (
               f" (controlling for {', '.join(iv_controls)} in both stages)" if iv_controls else "")
           }[kind]
    flip = ""
    if naive.value * value < 0:
        flip = " The unadjusted comparison points the other way: confounding reverses the sign " \
               "(Simpson's paradox)."
    return f"{change} changes {amount}{ci}, {how}. The unadjusted difference is {naive_txt}.{flip}"


def disagreements(estimates) -> list[str]:
    """A sentence for each pair of estimates whose 95% intervals do not overlap, with what could
    explain it: each estimator rests on its own assumptions, so both cannot be right."""
    reasons = {
        "backdoor": "a confounder missing from the adjustment set, or a wrong model form",
        "iv": "an invalid instrument (one that affects the outcome other than through the "
              "treatment, or shares a cause with it), or a different population (IV estimates "
              "the effect among those the instrument moves)",
        "frontdoor": "a mediator that does not carry the whole effect, or a confounded mediator",
    }
    out = []
    items = [e for e in estimates if e.has_ci]
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if a.ci_high < b.ci_low or b.ci_high < a.ci_low:
                why = [reasons[a.estimand_kind]]
                if b.estimand_kind != a.estimand_kind:
                    why.append(reasons[b.estimand_kind])
                elif {a.method, b.method} & {"ps_weighting", "ps_stratification", "ps_matching",
                                             "ml"}:
                    why.append("weak overlap, where weighting and matching lean on few units "
                               "while regression extrapolates")
                out.append(f"{a.method_label} ({fmt(a.ci_low)} to {fmt(a.ci_high)}) and "
                           f"{b.method_label} ({fmt(b.ci_low)} to {fmt(b.ci_high)}) disagree: their "
                           "intervals do not overlap. Possible reasons: " + "; ".join(why) + ".")
    return out
