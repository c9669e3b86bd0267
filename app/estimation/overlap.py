"""Overlap (positivity): can treated and untreated units be compared at every covariate value?

`overlap_diagnostics` fits the propensity score P(treated | adjustment set) with an exact
logistic model and reports, in one typed result used by the Estimate page, the estimators and
the Report's verdict:
- the scores of each treatment group (for the mirrored histogram),
- the share of units whose score lies outside [lo, hi] (default [0.05, 0.95]; Crump et al. 2009
  suggest trimming at 0.1/0.9, the 0.05/0.95 default is the milder common choice),
- the effective sample size of the inverse-probability weights, Kish's (Σw)² / Σw², overall and
  per group: it says how many equally weighted units the weighted comparison is worth,
- the adjustment variables that on their own (nearly) determine the treatment (AUC of their
  one-variable propensity model ≥ 0.95, in either direction): such a variable leaves no comparison once held fixed,
  and if it does not affect the outcome it is an instrument, which should not be adjusted for.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.errors import EstimationError
from app.estimation._engine import quiet
from app.estimation.prepare import PreparedData, design_matrix, prepare

DEFAULT_BOUNDS = (0.05, 0.95)
MAX_SHARE_OUTSIDE = 0.10     # more units than this outside the bounds: overlap fails
MIN_ESS_SHARE = 0.10         # a group's weights worth fewer than this share of its units: fails
DETERMINING_AUC = 0.95       # one variable ranks treated above untreated this reliably: flagged
SCREEN_ROWS = 100_000        # rows used for that screen on larger tables


@dataclass(frozen=True)
class OverlapChoice:
    """What an estimate did about overlap: "trim" (units outside the bounds left out, then
    inverse-probability weights on the rest, with the score refitted there) or "weights"
    (overlap weights 1 − e for the treated and e for the untreated, Li, Morgan & Zaslavsky 2018),
    with the effective sample size of the weights the estimate actually used."""

    option: str
    n_used: int
    n_dropped: int
    ess: float
    ess_by_group: dict[str, float]
    sentence: str


@dataclass(frozen=True)
class OverlapResult:
    """Positivity diagnostics for one treatment and adjustment set (see the module doc)."""

    treatment: str
    adjustment: tuple[str, ...]
    bounds: tuple[float, float]
    n: int
    n_by_group: dict[str, int]             # keys "treated" and "control"
    share_outside: float                   # share of all units with a score outside bounds
    share_outside_by_group: dict[str, float]
    ess: float                             # Kish effective sample size of the IPW weights
    ess_by_group: dict[str, float]
    determining: tuple[str, ...]           # adjustment variables that nearly fix the treatment
    ok: bool
    message: str                           # plain language, for the page and the Report
    treated_label: str = "treated"
    control_label: str = "control"
    scores: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)
    treated: np.ndarray = field(default_factory=lambda: np.empty(0, bool), repr=False,
                                compare=False)
    choice: OverlapChoice | None = None    # set when the estimate trimmed or used overlap weights

    @property
    def problems(self) -> tuple[str, ...]:
        """Each failed check as a short sentence (empty when `ok`)."""
        return _problems(self)


def propensity_scores(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """P(treated | x) from an unpenalised logistic fit; under separation the scores go to 0/1
    (the diagnostic reports that instead of refusing, as the estimators do)."""
    from app.estimation.logit import NewtonLogit

    if x.shape[1] == 0:
        return np.full(len(t), float(np.mean(t)))
    with quiet():
        model = NewtonLogit(strict=False).fit(x, t)
        p = model.predict_proba(x)[:, 1]
    return np.clip(np.nan_to_num(p, nan=float(np.mean(t))), 0.0, 1.0)


def kish_ess(w: np.ndarray) -> float:
    """Kish's effective sample size (Σw)² / Σw² (n for equal weights, 1 for one dominant unit)."""
    w = np.asarray(w, dtype=float)
    s2 = float(np.sum(w ** 2))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else 0.0


def auc(score: np.ndarray, t: np.ndarray) -> float:
    """Area under the ROC curve (Mann–Whitney, ties count half), symmetric: max(AUC, 1 − AUC)."""
    ranks = pd.Series(score).rank(method="average").to_numpy()
    n1 = float(np.sum(t == 1))
    n0 = len(t) - n1
    if n1 == 0 or n0 == 0:
        return 0.5
    a = (np.sum(ranks[t == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
    return float(max(a, 1 - a))


def _one_variable_scores(s: pd.Series, t: np.ndarray) -> np.ndarray:
    """A score ranking units as P(treated | this variable) does: the treated share per value
    for a few-valued variable (the saturated model), else the variable itself (a one-variable
    logistic score is monotone in it, and the AUC only sees the order)."""
    if isinstance(s.dtype, pd.CategoricalDtype) or s.nunique() <= 20:
        share = pd.Series(t, index=s.index).groupby(s.astype(str).to_numpy()).transform("mean")
        return share.to_numpy(float)
    return s.to_numpy(float)


def _determining(prep: PreparedData, adjustment: tuple[str, ...], t: np.ndarray) -> tuple[str, ...]:
    """Adjustment variables whose one-variable AUC reaches DETERMINING_AUC (on an even sample
    of at most SCREEN_ROWS rows: the AUC is a screen, ±0.005 at that size)."""
    rows = np.arange(len(t))
    if len(t) > SCREEN_ROWS:
        rows = np.linspace(0, len(t) - 1, SCREEN_ROWS).astype(int)
    data, t = prep.data.iloc[rows], t[rows]
    return tuple(c for c in adjustment
                 if auc(_one_variable_scores(data[c], t), t) >= DETERMINING_AUC)


DETERMINED_SHARE = 0.5      # rows whose treatment one variable decides (p ≤ 1% or ≥ 99%)
DETERMINED_R2 = 0.99        # a numeric treatment explained this well by one variable


def deciding_variables(df: pd.DataFrame, treatment: str, candidates: Iterable[str]
                          ) -> dict[str, float]:
    """Variables that (near-)determine the treatment, with how strongly: for a two-valued
    treatment, the share of rows whose treatment a small tree on that variable alone predicts with
    probability ≤ 1% or ≥ 99%; for a numeric one, that tree's R². Adjusting for such a variable
    leaves no comparable treated and untreated units (positivity fails): it is a candidate
    instrument or a dose of the treatment, never part of the primary adjustment set."""
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    out: dict[str, float] = {}
    if treatment not in df.columns:
        return out
    t_all = df[treatment]
    values = t_all.dropna().unique()
    for z in candidates:
        if z == treatment or z not in df.columns:
            continue
        both = df[[treatment, z]].dropna()
        if len(both) < 20 or both[z].nunique() < 2:
            continue
        x = column_codes(both[z]).reshape(-1, 1)
        if not np.all(np.isfinite(x)):
            continue
        leaf = max(10, len(both) // 200)
        if len(values) == 2:
            t = (both[treatment] == sorted(values, key=str)[1]).to_numpy(dtype=int)
            if t.min() == t.max():
                continue
            tree = DecisionTreeClassifier(max_depth=4, min_samples_leaf=leaf, random_state=0)
            p = tree.fit(x, t).predict_proba(x)[:, 1]
            share = float(np.mean((p <= 0.01) | (p >= 0.99)))
            if share >= DETERMINED_SHARE:
                out[z] = share
        elif pd.api.types.is_numeric_dtype(both[treatment]):
            t = both[treatment].to_numpy(dtype=float)
            if not np.all(np.isfinite(t)) or np.var(t) == 0:
                continue
            tree = DecisionTreeRegressor(max_depth=6, min_samples_leaf=leaf, random_state=0)
            r2 = float(tree.fit(x, t).score(x, t))
            if r2 >= DETERMINED_R2:
                out[z] = r2
    return out


def column_codes(s: pd.Series) -> np.ndarray:
    """A column as numbers (for a tree or a rank correlation): its values, or the codes of its
    categories; missing values are NaN."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float, na_value=np.nan)
    return s.astype("category").cat.codes.replace(-1, np.nan).to_numpy(dtype=float)


def _check_bounds(bounds) -> tuple[float, float]:
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise EstimationError("Overlap bounds must be two numbers, e.g. (0.05, 0.95).") from None
    if not 0.0 <= lo < hi <= 1.0:
        raise EstimationError(f"Overlap bounds must satisfy 0 ≤ low < high ≤ 1 (got {lo}, {hi}).")
    return lo, hi


def overlap_diagnostics(df: pd.DataFrame, treatment: str, adjustment: Iterable[str], *,
                        bounds=DEFAULT_BOUNDS, treatment_value=None,
                        control_value=None) -> OverlapResult:
    """Propensity-score overlap of `treatment` given `adjustment` in `df` (see the module doc).

    The treatment must have two values (coded as for `estimate_effect`); raises EstimationError
    otherwise. Rows with a missing value in a column used are left out.
    """
    _check_bounds(bounds)
    adjustment = tuple(dict.fromkeys(a for a in adjustment if a != treatment))
    if treatment not in df.columns:
        raise EstimationError(f"The treatment '{treatment}' is not in the data.")
    # any numeric stand-in outcome: prepare() codes the treatment and covariates the same way
    work = df.loc[:, [treatment, *[a for a in adjustment if a in df.columns]]].copy()
    outcome = "__overlap_outcome__"
    work[outcome] = np.arange(len(work)) % 2
    prep = prepare(work, treatment, outcome, adjustment, treatment_value=treatment_value,
                   control_value=control_value)
    from threadpoolctl import threadpool_limits

    # one BLAS thread, as in app.estimation._engine.one_thread, without importing DoWhy
    with threadpool_limits(limits=1):
        return diagnose(prep, adjustment, bounds)


def diagnose(prep: PreparedData, adjustment: Iterable[str],
             bounds=DEFAULT_BOUNDS) -> OverlapResult:
    """The diagnostics on already prepared data (as `estimate_effect` has them)."""
    lo, hi = _check_bounds(bounds)
    treatment = prep.treatment
    if not prep.binary_treatment:
        raise EstimationError(
            f"Overlap diagnostics need a treatment with two values; '{treatment}' is numeric "
            "with many values.", hint="Choose a treatment value and a control value to compare.")
    t = prep.data[treatment].to_numpy(int)
    used = tuple(c for c in adjustment if c in prep.data.columns and prep.data[c].nunique() > 1)
    p = propensity_scores(design_matrix(prep.data, used), t)
    outside = (p < lo) | (p > hi)
    w = ipw_weights(p, t)
    groups = {"treated": t == 1, "control": t == 0}
    res = OverlapResult(
        treatment=treatment, adjustment=used, bounds=(lo, hi), n=len(t),
        n_by_group={g: int(m.sum()) for g, m in groups.items()},
        share_outside=float(outside.mean()),
        share_outside_by_group={g: float(outside[m].mean()) for g, m in groups.items()},
        ess=kish_ess(w), ess_by_group={g: kish_ess(w[m]) for g, m in groups.items()},
        determining=_determining(prep, used, t), ok=True, message="",
        treated_label=prep.treatment_label, control_label=prep.control_label, scores=p,
        treated=t == 1)
    return _with_verdict(res, _problems(res))


def ipw_weights(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Inverse-probability weights 1/e (treated) and 1/(1 − e) (untreated), e clipped off 0/1."""
    e = np.clip(p, 1e-6, 1 - 1e-6)
    return np.where(t == 1, 1 / e, 1 / (1 - e))


def overlap_weights(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Overlap weights (Li, Morgan & Zaslavsky 2018): 1 − e for the treated, e for the untreated."""
    return np.where(t == 1, 1 - p, p)


def with_choice(r: OverlapResult, option: str, trimmed: PreparedData | None = None) -> OverlapResult:
    """`r` with what the estimate did about overlap (`OverlapChoice`): for "weights", the overlap
    weights of r's scores; for "trim", the inverse-probability weights refitted on `trimmed` (the
    data left after dropping the units outside r's bounds, as the estimator sees it)."""
    from dataclasses import replace

    lo, hi = r.bounds
    if option == "weights":
        t, w, n_used = r.treated.astype(int), overlap_weights(r.scores, r.treated.astype(int)), r.n
        text = (f"Overlap weights: all {r.n:,} units are kept; each treated unit counts by 1 − e "
                "and each untreated unit by e (e = its propensity score), so the units that could "
                "have been in either group count most and no unit dominates")
    elif option == "trim" and trimmed is not None:
        t = trimmed.data[r.treatment].to_numpy(int)
        used = tuple(c for c in r.adjustment if trimmed.data[c].nunique() > 1)
        w, n_used = ipw_weights(propensity_scores(design_matrix(trimmed.data, used), t), t), len(t)
        text = (f"Trimmed: {r.n - n_used:,} of {r.n:,} units with a propensity score outside "
                f"[{lo:g}, {hi:g}] were left out and the remaining {n_used:,} compared")
    else:
        raise EstimationError(f"Unknown overlap option '{option}'.")
    ess = kish_ess(w)
    by_group = {"treated": kish_ess(w[t == 1]), "control": kish_ess(w[t == 0])}
    choice = OverlapChoice(option, n_used, r.n - n_used, ess, by_group,
                           text + f"; the weighted comparison is worth {ess:,.0f} units.")
    return replace(r, choice=choice)


def _problems(r: OverlapResult) -> tuple[str, ...]:
    lo, hi = r.bounds
    out = []
    if r.share_outside > MAX_SHARE_OUTSIDE:
        out.append(f"{r.share_outside:.0%} of units have a propensity score below {lo:g} or above "
                   f"{hi:g}: for them the other treatment group has almost no comparable units")
    for g, label in (("treated", r.treated_label), ("control", r.control_label)):
        n_g = r.n_by_group[g]
        if n_g and r.ess_by_group[g] < MIN_ESS_SHARE * n_g:
            out.append(f"the weighted {r.treatment} = {label} group is worth only "
                       f"{r.ess_by_group[g]:.0f} of its {n_g} units (a few units carry the weights)")
    if r.determining:
        out.append(f"{', '.join(r.determining)} on its own nearly determines {r.treatment} "
                   "(if it does not affect the outcome it is an instrument, which should not "
                   "be adjusted for)")
    return tuple(out)


def _with_verdict(r: OverlapResult, problems: tuple[str, ...]) -> OverlapResult:
    from dataclasses import replace

    if not r.adjustment:
        msg = (f"Nothing is adjusted for, so every unit has the same chance of {r.treatment} "
               f"({r.n_by_group['treated'] / max(r.n, 1):.0%}) and overlap holds.")
    elif not problems:
        msg = (f"Treated and untreated units overlap well on {', '.join(r.adjustment)}: "
               f"{r.share_outside:.0%} of units fall outside the bounds and the weighted comparison "
               f"is worth {r.ess:.0f} of {r.n} units.")
    else:
        msg = ("Weak overlap: " + "; ".join(problems) + ". Estimates that weight or match lean on "
               "few units or extrapolate; consider trimming or overlap weights.")
    return replace(r, ok=not problems, message=msg)


__all__ = ["DEFAULT_BOUNDS", "OverlapChoice", "OverlapResult", "auc", "ipw_weights",
           "overlap_weights", "with_choice", "deciding_variables", "diagnose", "kish_ess",
           "overlap_diagnostics",
           "propensity_scores"]
