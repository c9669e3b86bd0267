"""The estimators: DoWhy's, each with a confidence interval that is fast enough for the app.

How each interval is computed, and why (measured in benchmarks/estimation.py):
- linear regression: DoWhy's OLS fit; heteroskedasticity-robust (HC1) standard error, exact and
  instant.
- propensity-score weighting: DoWhy's weighting estimator with our exact (unpenalised) logistic
  model; standard error from the M-estimation sandwich that accounts for the estimated
  propensity score (Lunceford & Davidian 2004). DoWhy's default is a 399-draw bootstrap:
  ~1.5 s per 20 draws on 100k rows, so ~30 s; the sandwich takes milliseconds.
- propensity-score stratification and matching, front-door: percentile bootstrap of the DoWhy
  estimator, run by us in chunks so the page shows progress and can cancel.
- instrumental variables: DoWhy's Wald estimator for one instrument and no covariates; two-stage
  least squares with covariates otherwise (DoWhy 0.14's IV estimator takes no covariates); robust
  (HC1) 2SLS standard errors; first-stage F, the Anderson–Rubin interval (valid however weak the
  instrument) and, with several instruments, Sargan's over-identification test.
- machine learning: cross-fitted augmented IPW (doubly robust) with gradient-boosted trees from
  scikit-learn, influence-function standard error (Chernozhukov et al. 2018). DoWhy's own ML
  estimators need EconML, which is not installed.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.errors import Cancelled, EstimationError
from app.estimation._engine import one_thread, quiet
from app.estimation.identify import Estimand
from app.estimation.logit import NewtonLogit
from app.estimation.prepare import PreparedData, design_matrix

Z95 = 1.959963984540054
PS_BOUNDS = (0.01, 0.99)
Progress = Callable[[float, str], None] | None
ShouldStop = Callable[[], bool] | None


@dataclass(frozen=True)
class MethodInfo:
    """What an estimator needs and what it assumes, in words a student understands."""

    name: str
    label: str
    kind: str                     # the estimand it estimates: backdoor / frontdoor / iv
    binary_only: bool
    description: str
    ci: str
    short: str = ""               # checkbox label


METHODS: dict[str, MethodInfo] = {m.name: m for m in (
    MethodInfo("linear_regression", "Linear regression", "backdoor", False,
               "Regress the outcome on the treatment and the adjustment set; the treatment "
               "coefficient is the effect. Assumes the effect is the same for everyone and "
               "the relation is linear.", "robust (HC1) standard error", "Regression"),
    MethodInfo("ps_stratification", "Propensity-score stratification", "backdoor", True,
               "Group units with similar chances of treatment (propensity score), compare "
               "treated and untreated within each group, and average.", "bootstrap",
               "PS stratification"),
    MethodInfo("ps_matching", "Propensity-score matching", "backdoor", True,
               "Pair each unit with the most similar unit of the other group by propensity "
               "score and average the differences.", "bootstrap", "PS matching"),
    MethodInfo("ps_weighting", "Propensity-score weighting (IPW)", "backdoor", True,
               "Weight each unit by 1 / (chance of the treatment it got), so both groups look "
               "like the whole population, then compare weighted means.",
               "sandwich standard error (accounts for the estimated propensity score)",
               "PS weighting (IPW)"),
    MethodInfo("ml", "Machine learning (doubly robust, gradient boosting)", "backdoor", True,
               "Flexible models of the outcome and of the treatment, combined so the estimate "
               "stays right if either model is right (cross-fitted AIPW).",
               "influence-function standard error", "ML (doubly robust)"),
    MethodInfo("iv", "Instrumental variable (Wald / 2SLS)", "iv", False,
               "Use only the variation in the treatment caused by the instrument.",
               "robust (HC1) 2SLS standard error", "IV (Wald / 2SLS)"),
    MethodInfo("frontdoor", "Front-door (two-stage regression)", "frontdoor", False,
               "Chain the effect of the treatment on the mediator and of the mediator on the "
               "outcome (adjusting for the treatment).", "bootstrap", "Front-door"),
)}


@dataclass(frozen=True)
class MethodAvailability:
    """Whether an estimator applies here, and if not, why (shown next to its checkbox)."""

    name: str
    label: str
    kind: str
    available: bool
    reason: str


@dataclass
class FitSpec:
    """Everything needed to re-run one estimator on (modified) data: kept for refutations."""

    method: str
    kind: str
    estimand: Estimand
    prepared: PreparedData
    adjustment: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    mediators: tuple[str, ...] = ()
    iv_controls: tuple[str, ...] = ()
    weighting: str = "ate"        # ps_weighting: "ate" (1/e) or "overlap" (Li et al. 2018)
    seed: int = 0
    n_bootstrap: int = 100

    @property
    def treatment(self) -> str:
        return self.prepared.treatment

    @property
    def outcome(self) -> str:
        return self.prepared.outcome

    @property
    def t1(self) -> float:
        return self.prepared.treatment_value

    @property
    def t0(self) -> float:
        return self.prepared.control_value


@dataclass
class MethodResult:
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    se: float | None = None
    ci_method: str = ""
    notes: list[str] = field(default_factory=list)
    engine: str = "DoWhy"
    warnings: list[str] = field(default_factory=list)
    iv: IVFit | None = None


# ---- helpers ----------------------------------------------------------------------------
def normal_ci(value: float, se: float) -> tuple[float, float]:
    return value - Z95 * se, value + Z95 * se


def _check_stop(should_stop: ShouldStop) -> None:
    if should_stop is not None and should_stop():
        raise Cancelled()


def _wrap(fn, what: str):
    """Run a DoWhy call; turn its raw exceptions into an EstimationError a student can read."""
    try:
        with quiet():
            return fn()
    except (EstimationError, Cancelled):
        raise
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError, KeyError, IndexError,
            TypeError, Exception) as err:  # noqa: BLE001 - boundary: never leak a raw library error
        raise EstimationError(f"{what} failed on this data: {err}",
                              hint="Try another estimator, or check the data for constant or "
                                   "nearly duplicate columns.") from err


def _dowhy_backdoor(spec: FitSpec, adjustment):
    ie = spec.estimand.dowhy_for("backdoor")
    ie.set_backdoor_variables(list(adjustment), "backdoor")
    return ie


def _usable_adjustment(spec: FitSpec, data: pd.DataFrame, adjustment=None) -> list[str]:
    """The adjustment set minus columns that are constant in `data` (e.g. inside a subgroup)."""
    adj = list(spec.adjustment if adjustment is None else adjustment)
    return [c for c in adj if data[c].nunique(dropna=False) > 1]


# ---- back-door estimators -----------------------------------------------------------------
def linear_regression(spec: FitSpec, data: pd.DataFrame, *, ci: bool = True, adjustment=None,
                      **_) -> MethodResult:
    from dowhy.causal_estimators.linear_regression_estimator import LinearRegressionEstimator

    adj = _usable_adjustment(spec, data, adjustment)

    def run():
        est = LinearRegressionEstimator(_dowhy_backdoor(spec, adj))
        est.fit(data, effect_modifier_names=[])
        e = est.estimate_effect(data, treatment_value=spec.t1, control_value=spec.t0,
                                target_units="ate")
        return est, float(e.value)

    est, value = _wrap(run, "Linear regression")
    res = MethodResult(value)
    if ci:
        robust = est.model.get_robustcov_results(cov_type="HC1")
        se = float(robust.bse[1]) * abs(spec.t1 - spec.t0)
        res.se, res.ci_method = se, METHODS["linear_regression"].ci
        res.ci_low, res.ci_high = normal_ci(value, se)
    return res


def _ps_estimator(cls, spec: FitSpec, adj, **kw):
    return cls(_dowhy_backdoor(spec, adj), propensity_score_model=NewtonLogit(), **kw)


def _need_covariates(adj, method: str) -> None:
    if not adj:
        raise EstimationError(
            f"{METHODS[method].label} needs at least one variable to adjust for, and the "
            "adjustment set is empty here.",
            hint="With nothing to adjust for, the plain difference in means is already the "
                 "estimate: use linear regression.")


def _overlap_note(p: np.ndarray) -> str | None:
    lo, hi = PS_BOUNDS
    frac = float(np.mean((p < lo) | (p > hi)))
    if frac > 0:
        return (f"{frac:.1%} of units have a propensity score below {lo} or above {hi} (little "
                "overlap); their scores were clipped, so weighting estimates lean on few units.")
    return None


def ps_weighting(spec: FitSpec, data: pd.DataFrame, *, ci: bool = True, adjustment=None,
                 **_) -> MethodResult:
    from dowhy.causal_estimators.propensity_score_weighting_estimator import (
        PropensityScoreWeightingEstimator,
    )

    adj = _usable_adjustment(spec, data, adjustment)
    _need_covariates(adj, "ps_weighting")
    if spec.weighting == "overlap":
        return overlap_weighting(spec, data, adj, ci=ci)

    def run():
        est = _ps_estimator(PropensityScoreWeightingEstimator, spec, adj, min_ps_score=PS_BOUNDS[0],
                            max_ps_score=PS_BOUNDS[1], weighting_scheme="ips_weight")
        est.fit(data, effect_modifier_names=[])
        e = est.estimate_effect(data.copy(), treatment_value=1, control_value=0, target_units="ate")
        return est, float(e.value)

    est, value = _wrap(run, "Propensity-score weighting")
    res = MethodResult(value)
    x = np.asarray(est._observed_common_causes, dtype=float)
    p_raw = est.propensity_score_model.predict_proba(x)[:, 1]
    note = _overlap_note(p_raw)
    if note:
        res.notes.append(note)
    if ci:
        t = data[spec.treatment].to_numpy(float)
        y = data[spec.outcome].to_numpy(float)
        se = ipw_sandwich_se(NewtonLogit._design(x), t, y, p_raw, *PS_BOUNDS)
        res.se, res.ci_method = se, METHODS["ps_weighting"].ci
        res.ci_low, res.ci_high = normal_ci(value, se)
    return res


def overlap_weighting(spec: FitSpec, data: pd.DataFrame, adj, *, ci: bool = True) -> MethodResult:
    """Overlap weights (Li, Morgan & Zaslavsky 2018): treated weighted by 1 − e, untreated by e.

    The estimand is the effect in the overlap population (units that could have been in either
    group); weights are bounded, so no unit dominates and no clipping is needed.
    """
    x = design_matrix(data, adj)
    t = data[spec.treatment].to_numpy(float)
    y = data[spec.outcome].to_numpy(float)
    with quiet():
        p = NewtonLogit(strict=False).fit(x, t).predict_proba(x)[:, 1]
    w1, w0 = t * (1 - p), (1 - t) * p
    if w1.sum() <= 0 or w0.sum() <= 0:
        raise EstimationError("Overlap weights are all zero in one treatment group: the groups "
                              "do not overlap at all on the adjustment set.")
    value = float(np.sum(w1 * y) / w1.sum() - np.sum(w0 * y) / w0.sum())
    res = MethodResult(value, engine="overlap weights (Li, Morgan & Zaslavsky 2018)")
    res.notes.append("Overlap weights: the effect is for the units that could have been in either "
                     "group (the overlap population), not for everyone.")
    if ci:
        se = ipw_sandwich_se(NewtonLogit._design(x), t, y, p, scheme="overlap")
        res.se, res.ci_method = se, "sandwich standard error (overlap weights, estimated score)"
        res.ci_low, res.ci_high = normal_ci(value, se)
    return res


def ipw_sandwich_se(xd: np.ndarray, t: np.ndarray, y: np.ndarray, p_raw: np.ndarray,
                    lo: float = 0.0, hi: float = 1.0, *, scheme: str = "ate") -> float:
    """Standard error of a normalised (Hajek) weighted ATE with an estimated logistic propensity.

    Stacked estimating equations θ = (β, μ1, μ0): X(T − e), T w1 (Y − μ1), (1−T) w0 (Y − μ0) with
    w1 = 1/e, w0 = 1/(1−e) ("ate") or w1 = 1 − e, w0 = e ("overlap");
    Var(θ̂) = A⁻¹ B A⁻ᵀ / n (Lunceford & Davidian 2004). Clipped scores do not move with β.
    """
    n, k = xd.shape
    e = np.clip(p_raw, lo, hi)
    free = (p_raw > lo) & (p_raw < hi)
    pw = p_raw * (1 - p_raw)
    if scheme == "overlap":
        w1, w0 = t * (1 - e), (1 - t) * e
        dw1, dw0 = -pw, pw                       # d w/d(x'β) for each group's weight
    else:
        w1, w0 = t / e, (1 - t) / (1 - e)
        dw1, dw0 = -(1 - e) / e, e / (1 - e)
    mu1 = np.sum(w1 * y) / np.sum(w1)
    mu0 = np.sum(w0 * y) / np.sum(w0)
    r1, r0 = y - mu1, y - mu0
    psi = np.column_stack([xd * (t - p_raw)[:, None], w1 * r1, w0 * r0])
    a = np.zeros((k + 2, k + 2))
    a[:k, :k] = (xd * pw[:, None]).T @ xd / n
    de1 = np.where(free, t * dw1 * r1, 0.0)      # d/dβ of T w1 (Y − μ1), per row / x
    de0 = np.where(free, (1 - t) * dw0 * r0, 0.0)
    a[k, :k] = -(xd * de1[:, None]).sum(0) / n
    a[k + 1, :k] = -(xd * de0[:, None]).sum(0) / n
    a[k, k] = np.mean(w1)
    a[k + 1, k + 1] = np.mean(w0)
    b = psi.T @ psi / n
    a_inv = np.linalg.pinv(a)
    v = a_inv @ b @ a_inv.T / n
    grad = np.zeros(k + 2)
    grad[k], grad[k + 1] = 1.0, -1.0
    return float(math.sqrt(max(grad @ v @ grad, 0.0)))


def _num_strata(n: int) -> int:
    """About 100 rows per stratum, between 5 (Rosenbaum & Rubin's quintiles) and 50.

    DoWhy's "auto" starts from n/10 strata and halves; its per-stratum filter then makes each
    estimate ~0.15 s on 2,000 rows, too slow for a bootstrap.
    """
    return int(min(max(n // 100, 5), 50))


def ps_stratification(spec: FitSpec, data: pd.DataFrame, *, ci: bool = True, adjustment=None,
                      **kw) -> MethodResult:
    from dowhy.causal_estimators.propensity_score_stratification_estimator import (
        PropensityScoreStratificationEstimator,
    )

    adj = _usable_adjustment(spec, data, adjustment)
    _need_covariates(adj, "ps_stratification")

    def point(d: pd.DataFrame) -> float:
        a = _usable_adjustment(spec, d, adj)
        _need_covariates(a, "ps_stratification")

        def run():
            est = _ps_estimator(PropensityScoreStratificationEstimator, spec, a,
                                num_strata=_num_strata(len(d)), clipping_threshold=5)
            est.fit(d, effect_modifier_names=[])
            return float(est.estimate_effect(d.copy(), treatment_value=1, control_value=0,
                                             target_units="ate").value)
        return _wrap(run, "Propensity-score stratification")

    return _with_bootstrap(point, spec, data, ci, "ps_stratification", **kw)


def ps_matching(spec: FitSpec, data: pd.DataFrame, *, ci: bool = True, adjustment=None,
                **kw) -> MethodResult:
    from dowhy.causal_estimators.propensity_score_matching_estimator import (
        PropensityScoreMatchingEstimator,
    )

    adj = _usable_adjustment(spec, data, adjustment)
    _need_covariates(adj, "ps_matching")

    def point(d: pd.DataFrame) -> float:
        a = _usable_adjustment(spec, d, adj)
        _need_covariates(a, "ps_matching")

        def run():
            est = _ps_estimator(PropensityScoreMatchingEstimator, spec, a)
            est.fit(d, effect_modifier_names=[])
            return float(est.estimate_effect(d.copy(), treatment_value=1, control_value=0,
                                             target_units="ate").value)
        return _wrap(run, "Propensity-score matching")

    res = _with_bootstrap(point, spec, data, ci, "ps_matching", **kw)
    x = design_matrix(data, adj)
    distinct = len(np.unique(np.round(x, 12), axis=0))
    if distinct < 0.5 * len(data):
        res.notes.append(
            f"Many units share the same covariate values ({distinct} distinct patterns in "
            f"{len(data)} rows): DoWhy's matching takes one arbitrary match per tie, so this "
            "estimate is unreliable here. Prefer weighting or stratification.")
    if ci:
        res.notes.append("Bootstrap intervals for matching are approximate (Abadie & Imbens 2008).")
    return res


def ml_aipw(spec: FitSpec, data: pd.DataFrame, *, ci: bool = True, adjustment=None,
            folds: int = 5, **_) -> MethodResult:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.model_selection import StratifiedKFold

    adj = _usable_adjustment(spec, data, adjustment)
    _need_covariates(adj, "ml")
    x = design_matrix(data, adj)
    t = data[spec.treatment].to_numpy(int)
    y = data[spec.outcome].to_numpy(float)
    n = len(y)
    n_min = int(min(np.sum(t == 1), np.sum(t == 0)))
    k = max(2, min(folds, n_min))
    if n_min < 4:
        raise EstimationError("The machine-learning estimator needs at least 4 treated and 4 "
                              "untreated units.")
    # shallow, regularised trees: deep ones overfit the propensity on small data (Lalonde, 445
    # rows: scores near 0/1 and an estimate 3x off); these settings were checked on it
    params = dict(max_iter=100, learning_rate=0.05, max_depth=3, l2_regularization=1.0,
                  min_samples_leaf=int(min(max(20, n // 20), 200)), early_stopping=False,
                  random_state=spec.seed)
    mu1, mu0, e = np.zeros(n), np.zeros(n), np.zeros(n)
    cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=spec.seed)
    with quiet(), one_thread():
        for train, test in cv.split(x, t):
            xt, tt, yt = x[train], t[train], y[train]
            clf = HistGradientBoostingClassifier(**params).fit(xt, tt)
            e[test] = clf.predict_proba(x[test])[:, 1]
            for arm, out in ((1, mu1), (0, mu0)):
                m = tt == arm
                reg = HistGradientBoostingRegressor(**params).fit(xt[m], yt[m])
                out[test] = reg.predict(x[test])
    res = MethodResult(0.0, engine="scikit-learn (cross-fitted AIPW)")
    note = _overlap_note(e)
    if note:
        res.notes.append(note)
    e = np.clip(e, *PS_BOUNDS)
    psi = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
    res.value = float(np.mean(psi))
    if ci:
        se = float(np.std(psi, ddof=1) / math.sqrt(n))
        res.se, res.ci_method = se, METHODS["ml"].ci
        res.ci_low, res.ci_high = normal_ci(res.value, se)
    res.notes.append(f"{k}-fold cross-fitting with gradient-boosted trees (scikit-learn).")
    return res


# ---- instrumental variables -----------------------------------------------------------
WEAK_F = 10.0     # Staiger & Stock (1997) rule of thumb for the first-stage F


@dataclass(frozen=True)
class IVFit:
    """Two-stage least squares of y on x (one endogenous regressor) with its diagnostics.

    `ar_ci`/`ar_kind`: the Anderson–Rubin 95% confidence set (Anderson & Rubin 1949), the
    values b for which regressing y − b·x on instruments and controls shows no instrument
    effect; valid however weak the instrument. It is "bounded" (ar_ci = (lo, hi)), "two rays"
    (everything outside (lo, hi)), "everything" or "empty". `sargan`: Sargan's n·R² of the
    2SLS residuals on all exogenous variables, χ² with `sargan_df` = (#instruments − 1) degrees
    of freedom (None with one instrument); it assumes homoskedastic errors. `hansen_j`: Hansen's
    (1982) J, the same over-identification test with heteroskedasticity-robust weighting: n times
    the efficient two-step GMM criterion (Hayashi 2000 §3.6; Wooldridge 2010 §8.5.2), same df.
    """

    beta: float
    se: float                      # HC1 (heteroskedasticity-robust, n/(n−k) scaled)
    first_stage_f: float
    n: int
    ar_ci: tuple[float, float] | None
    ar_kind: str
    sargan: float | None = None
    sargan_p: float | None = None
    sargan_df: int = 0
    hansen_j: float | None = None
    hansen_p: float | None = None

    @property
    def weak(self) -> bool:
        return self.first_stage_f < WEAK_F

    def ar_text(self, scale: float = 1.0) -> str:
        """The Anderson–Rubin set in words (for a treatment change of `scale` units)."""
        if self.ar_kind in ("everything", "empty"):
            return {"everything": "every value (the data cannot rule any effect out)",
                    "empty": "empty (the instruments disagree with each other)"}[self.ar_kind]
        lo, hi = sorted(v * scale for v in self.ar_ci)
        from app.numbers import fmt

        if self.ar_kind == "bounded":
            return f"{fmt(lo)} to {fmt(hi)}"
        return f"below {fmt(lo)} or above {fmt(hi)} (unbounded)"


def _inv(m: np.ndarray) -> np.ndarray:
    return np.linalg.pinv(m, rcond=1e-13, hermitian=True)


def _anderson_rubin(g: np.ndarray, iz, iw, ix: int, iy: int, n: int, k: int,
                    alpha: float = 0.05) -> tuple[tuple[float, float] | None, str]:
    """Invert the homoskedastic AR test {b : a b² + c1 b + d ≤ 0}, from the cross-product
    matrix `g` of centred columns (instruments iz, controls iw, treatment ix, outcome iy)."""
    from scipy import stats

    def partial(rows, cols):     # cross-products after partialling out the controls
        if not len(iw):
            return g[np.ix_(rows, cols)]
        return g[np.ix_(rows, cols)] - g[np.ix_(rows, iw)] @ _inv(g[np.ix_(iw, iw)]) @ g[np.ix_(iw, cols)]

    zz = partial(iz, iz)
    zyx = partial(iz, [iy, ix])
    yx = partial([iy, ix], [iy, ix])
    q = int(np.linalg.matrix_rank(zz))
    p = zyx.T @ _inv(zz) @ zyx               # [[y'Py, y'Px], [x'Py, x'Px]]
    m = yx - p
    kappa = stats.f.ppf(1 - alpha, q, n - k) * q / (n - k)
    a = p[1, 1] - kappa * m[1, 1]
    b = -2 * (p[0, 1] - kappa * m[0, 1])
    d = p[0, 0] - kappa * m[0, 0]
    disc = b * b - 4 * a * d
    if abs(a) < 1e-14 * max(1.0, yx[1, 1]):
        return None, "everything"
    if disc < 0:
        return None, ("empty" if a > 0 else "everything")
    r = sorted(((-b - math.sqrt(disc)) / (2 * a), (-b + math.sqrt(disc)) / (2 * a)))
    return (float(r[0]), float(r[1])), ("bounded" if a > 0 else "two rays")


def iv_fit(y: np.ndarray, x: np.ndarray, z: np.ndarray, w: np.ndarray) -> IVFit:
    """2SLS of y on x with instruments z and exogenous controls w in both stages (IVFit doc).

    Everything but the robust variance comes from one cross-product matrix of the centred
    columns (centring removes the intercept and keeps the normal equations well conditioned),
    so the cost is two passes over the rows.
    """
    from scipy import stats

    n = len(y)
    z = z.reshape(n, -1)
    w = w.reshape(n, -1)
    qz, kw = z.shape[1], w.shape[1]
    a = np.column_stack([z, w, x, y]).astype(float)
    a -= a.mean(0)
    g = a.T @ a
    iz, iw = list(range(qz)), list(range(qz, qz + kw))
    ix, iy = qz + kw, qz + kw + 1
    izf = iz + iw                          # all exogenous columns
    ixf = [ix] + iw                        # regressors: treatment, then controls
    pi = _inv(g[np.ix_(izf, izf)]) @ g[np.ix_(izf, ixf)]          # first stage
    xhx = pi.T @ g[np.ix_(izf, izf)] @ pi
    beta = _inv(xhx) @ (pi.T @ g[izf, iy])
    resid = a[:, iy] - a[:, ixf] @ beta
    xhat = a[:, izf] @ pi
    bread = _inv(xhx)
    meat = (xhat * (resid ** 2)[:, None]).T @ xhat
    k = 2 + kw                             # intercept, treatment, controls
    v = bread @ meat @ bread * n / max(n - k, 1)
    # first-stage F for the excluded instruments (homoskedastic form, as the rule of thumb)
    xx = g[ix, ix]
    rss_u = xx - g[ix, izf] @ _inv(g[np.ix_(izf, izf)]) @ g[izf, ix]
    rss_r = xx - (g[ix, iw] @ _inv(g[np.ix_(iw, iw)]) @ g[iw, ix] if kw else 0.0)
    dof = n - 1 - qz - kw
    if rss_r <= 1e-12 * xx:            # the controls alone fix the treatment: nothing to move
        f = 0.0
    elif rss_u <= 1e-12 * xx or dof <= 0:   # the instruments fix it exactly
        f = float("inf")
    else:
        f = ((rss_r - rss_u) / qz) / (rss_u / dof)
    ar_ci, ar_kind = _anderson_rubin(g, iz, iw, ix, iy, n, 1 + qz + kw)
    sargan = sargan_p = None
    if qz > 1:
        zr = a[:, izf].T @ resid
        explained = zr @ _inv(g[np.ix_(izf, izf)]) @ zr
        tss = float(np.sum((resid - resid.mean()) ** 2))
        sargan = float(n * explained / tss) if tss > 0 else 0.0
        sargan_p = float(stats.chi2.sf(sargan, qz - 1))
        hansen = hansen_j(a[:, izf], a[:, ixf], a[:, iy], resid)
        hansen_p = float(stats.chi2.sf(hansen, qz - 1))
    return IVFit(float(beta[0]), float(math.sqrt(max(v[0, 0], 0.0))), float(f), n, ar_ci,
                 ar_kind, sargan, sargan_p, qz - 1 if qz > 1 else 0,
                 hansen if qz > 1 else None, hansen_p if qz > 1 else None)


def hansen_j(z: np.ndarray, x: np.ndarray, y: np.ndarray, u: np.ndarray) -> float:
    """Hansen's J from centred instruments `z`, regressors `x`, outcome `y` and 2SLS residuals
    `u`: Ŝ = Σ u_i² z_i z_i' / n (the intercept's moment appended as a column of ones), the
    efficient two-step GMM estimate with weight Ŝ⁻¹, and J = n ḡ' Ŝ⁻¹ ḡ at that estimate,
    ḡ = Z'e / n (Hayashi 2000, Proposition 3.6)."""
    n = len(y)
    ones = np.ones((n, 1))
    zf, xf = np.hstack([ones, z]), np.hstack([ones, x])
    s_hat = (zf * (u ** 2)[:, None]).T @ zf / n
    w = _inv(s_hat)
    zx, zy = zf.T @ xf / n, zf.T @ y / n
    b = _inv(zx.T @ w @ zx) @ (zx.T @ w @ zy)
    g = zy - zx @ b
    return float(n * g @ w @ g)


def tsls(y: np.ndarray, x: np.ndarray, z: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """(2SLS coefficient of x, its HC1 standard error, first-stage F): `iv_fit` in short."""
    fit = iv_fit(y, x, z, w)
    return fit.beta, fit.se, fit.first_stage_f


def instrumental_variable(spec: FitSpec, data: pd.DataFrame, *, ci: bool = True, **_) -> MethodResult:
    from dowhy.causal_estimators.instrumental_variable_estimator import (
        InstrumentalVariableEstimator,
    )

    inst = list(spec.instruments)
    controls = [c for c in spec.iv_controls if data[c].nunique() > 1]
    y = data[spec.outcome].to_numpy(float)
    x = data[spec.treatment].to_numpy(float)
    z = design_matrix(data, inst)
    w = design_matrix(data, controls)
    if z.shape[1] == 0 or np.all(np.std(z, axis=0) == 0):
        raise EstimationError(f"The instrument {', '.join(inst)} does not vary in the data.")
    fit = iv_fit(y, x, z, w)
    f = fit.first_stage_f
    scale = spec.t1 - spec.t0
    if f < 1e-6:
        raise EstimationError(
            f"The instrument {', '.join(inst)} does not move the treatment {spec.treatment} at all "
            "in the data" + (" once the controls are held fixed" if controls else "") +
            ", so the IV estimate is undefined.",
            hint="An instrument must be associated with the treatment.")
    if not math.isfinite(f):
        raise EstimationError(
            f"The instrument {', '.join(inst)} determines the treatment {spec.treatment} exactly, so "
            "it is (a copy of) the treatment itself: the IV estimate would equal the plain "
            "regression and remove no confounding.",
            hint="An instrument is a separate cause of the treatment; check the column and the graph.")
    res = MethodResult(fit.beta * scale, iv=fit)
    if len(inst) == 1 and not controls and data[inst[0]].nunique() <= 2:
        def run():
            est = InstrumentalVariableEstimator(spec.estimand.dowhy_for("iv"))
            est.fit(data, effect_modifier_names=[])
            return float(est.estimate_effect(data, treatment_value=spec.t1,
                                             control_value=spec.t0).value)
        res.value = _wrap(run, "Instrumental-variable estimation") * scale
        res.engine = "DoWhy (Wald estimator)"
    else:
        res.engine = "two-stage least squares (DoWhy's IV estimator takes no covariates)"
        if controls:
            res.notes.append("Covariates used in both IV stages: " + ", ".join(controls) + ".")
    if fit.weak:
        res.warnings.append(
            f"Weak instrument: first-stage F = {f:.1f} (below {WEAK_F:g}), so the estimate may be "
            "biased towards the plain regression and its usual interval is unreliable. The "
            f"Anderson–Rubin 95% interval, valid however weak the instrument, is {fit.ar_text(scale)}.")
    else:
        res.notes.append(f"First-stage F statistic = {f:.0f} (instrument strength; > {WEAK_F:g} is "
                         f"the usual bar). Anderson–Rubin 95% interval: {fit.ar_text(scale)}.")
    if fit.sargan is not None:
        text = (f"Over-identification test: Hansen J χ²({fit.sargan_df}) = {fit.hansen_j:.2f}, "
                f"p = {fit.hansen_p:.3f} (robust); Sargan {fit.sargan:.2f}, "
                f"p = {fit.sargan_p:.3f} (if the errors are homoskedastic)")
        if fit.hansen_p < 0.05:
            res.warnings.append(text + ": the instruments disagree about the effect, so at least "
                                "one of them is probably not a valid instrument.")
        else:
            res.notes.append(text + " (no evidence that the instruments disagree).")
    if ci:
        res.se = fit.se * abs(scale)
        res.ci_method = METHODS["iv"].ci
        res.ci_low, res.ci_high = normal_ci(res.value, res.se)
    return res


# ---- front-door -----------------------------------------------------------------------------
def frontdoor(spec: FitSpec, data: pd.DataFrame, *, ci: bool = True, **kw) -> MethodResult:
    from dowhy.causal_estimators.two_stage_regression_estimator import TwoStageRegressionEstimator

    if len(spec.mediators) != 1:
        raise EstimationError(
            f"The front-door estimator handles one mediator; this graph has {len(spec.mediators)} "
            f"({', '.join(spec.mediators)}).")

    def point(d: pd.DataFrame) -> float:
        def run():
            est = TwoStageRegressionEstimator(spec.estimand.dowhy_for("frontdoor"))
            est.fit(d, effect_modifier_names=[])
            return float(est.estimate_effect(d, treatment_value=spec.t1,
                                             control_value=spec.t0).value)
        return _wrap(run, "Front-door estimation")

    return _with_bootstrap(point, spec, data, ci, "frontdoor", **kw)


# ---- bootstrap ------------------------------------------------------------------------------
def _with_bootstrap(point, spec: FitSpec, data: pd.DataFrame, ci: bool, method: str, *,
                    progress: Progress = None, should_stop: ShouldStop = None,
                    n_bootstrap: int | None = None, **_) -> MethodResult:
    res = MethodResult(point(data))
    if ci:
        n_boot = spec.n_bootstrap if n_bootstrap is None else n_bootstrap
        draws, failed = bootstrap(point, data, n_boot, spec.seed, progress=progress,
                                  should_stop=should_stop, label=METHODS[method].label)
        lo, hi = np.percentile(draws, [2.5, 97.5])
        res.ci_low, res.ci_high = float(lo), float(hi)
        res.se = float(np.std(draws, ddof=1))
        res.ci_method = f"percentile bootstrap, {len(draws)} resamples"
        if failed:
            res.notes.append(f"{failed} bootstrap resamples could not be estimated and were skipped.")
    return res


def bootstrap(point, data: pd.DataFrame, n_boot: int, seed: int, *, progress: Progress = None,
              should_stop: ShouldStop = None, label: str = "estimate",
              chunk: int = 10) -> tuple[np.ndarray, int]:
    """Re-estimate on `n_boot` resamples; check for Cancel and report progress every chunk."""
    rng = np.random.default_rng(seed)
    n = len(data)
    draws, failed = [], 0
    for b in range(n_boot):
        if b % chunk == 0:
            _check_stop(should_stop)
            if progress:
                progress(b / n_boot, f"{label}: bootstrap {b}/{n_boot}")
        idx = rng.integers(0, n, n)
        try:
            draws.append(point(data.iloc[idx].reset_index(drop=True)))
        except EstimationError:
            failed += 1
    if progress:
        progress(1.0, f"{label}: bootstrap done")
    if len(draws) < max(10, 0.8 * n_boot):
        raise EstimationError(
            f"Only {len(draws)} of {n_boot} bootstrap resamples could be estimated, so there is no "
            "reliable confidence interval.", hint="The data may be too small for this estimator.")
    return np.asarray(draws, dtype=float), failed


RUNNERS = {
    "linear_regression": linear_regression, "ps_weighting": ps_weighting,
    "ps_stratification": ps_stratification, "ps_matching": ps_matching, "ml": ml_aipw,
    "iv": instrumental_variable, "frontdoor": frontdoor,
}


def run_method(spec: FitSpec, data: pd.DataFrame, *, ci: bool = True, **kw) -> MethodResult:
    """Estimate with the method in `spec` on `data` (with a CI when `ci`)."""
    return RUNNERS[spec.method](spec, data, ci=ci, **kw)


def point_estimate(spec: FitSpec, data: pd.DataFrame, **kw) -> float:
    """Just the number (used by refutations, which re-estimate many times)."""
    return run_method(spec, data, ci=False, **kw).value
