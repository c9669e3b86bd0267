"""Mediation from data: natural direct and indirect effects of a treatment through mediators.

Identification (Pearl 2001; VanderWeele 2015, *Explanation in Causal Inference*, §2.2): with a
set C of pre-treatment covariates, the natural effects are identified when
  (1) C blocks every back-door path from treatment to outcome,
  (2) C blocks every back-door path from treatment to the mediators,
  (3) C plus the treatment blocks every back-door path from the mediators to the outcome, and
  (4) no mediator–outcome confounder is itself affected by the treatment.
They are checked on the graph by d-separation (each in the graph without the arrows out of the
treatment / mediators); (3) fails exactly when some confounder is unmeasured or
treatment-induced, and the reason names it.

Estimation (linear models, the product-of-coefficients method; Baron & Kenny 1986,
VanderWeele 2015 §2.4): M_j = a_j·T + C + e_j and Y = c'·T + Σ b_j·M_j + C + e. For a treatment
change Δ, NDE = CDE = c'·Δ and NIE = Σ a_j b_j·Δ; total = NDE + NIE. This assumes linear
relations and no treatment–mediator interaction.

A two-valued outcome with one mediator uses Pearl's mediation formula (Pearl 2012, "The
Mediation Formula") with fitted models instead: a logistic model of the outcome on treatment,
mediator, their interaction and C, and a logistic (two-valued mediator) or normal linear
(numeric mediator) model of the mediator on treatment and C;
  NDE = mean over units of E_{M | t0, c}[P(Y | t1, M, c) − P(Y | t0, M, c)],
  NIE = mean over units of E_{M | t1, c}[P(Y | t1, M, c)] − E_{M | t0, c}[P(Y | t1, M, c)],
the expectation over a numeric mediator by the trapezoid rule on a fine normal grid (accurate to
1e-12), interpolated across units (`_normal_logistic_mean`).
Intervals: percentile bootstrap of the whole fit (both models together); each resample is a
vector of multinomial counts over the rows, and its logistic fits are Newton steps warm-started
at the full-sample fit. The proportion mediated (NIE ÷ total) gets the percentile interval of
its ratio over the same resamples, except when the total effect's interval covers 0 (then the
ratio is unbounded and the result says so instead).
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.errors import CausalCanvasError, EstimationError
from app.estimation.prepare import PreparedData, design_matrix, prepare
from app.graph import CausalGraph


@dataclass(frozen=True)
class MediationResult:
    """Natural direct and indirect effects with 95% percentile-bootstrap intervals."""

    treatment: str
    outcome: str
    mediators: tuple[str, ...]
    covariates: tuple[str, ...]
    total: float
    nde: float                       # natural direct effect (= controlled direct effect here)
    nie: float                       # natural indirect effect, through all mediators together
    total_ci: tuple[float, float]
    nde_ci: tuple[float, float]
    nie_ci: tuple[float, float]
    share_mediated: float | None     # NIE / total (None when the total is ~0)
    cde: float                       # controlled direct effect, mediators fixed at a typical value
    method: str                      # "product of coefficients" or "mediation formula"
    n_rows: int
    n_bootstrap: int
    sentence: str
    notes: tuple[str, ...]
    seconds: float
    share_ci: tuple[float, float] | None = None   # percentile over the same resamples
    share_ci_note: str = ""          # why there is no interval for the share, when there is none


@dataclass(frozen=True)
class MediationCheck:
    """Whether the graph identifies the natural effects, with the covariate set used or why not."""

    ok: bool
    covariates: tuple[str, ...]
    reason: str


def _cut_out(graph: CausalGraph, nodes: Iterable[str]) -> CausalGraph:
    g = graph
    for a in nodes:
        for c in graph.children(a):
            if (a, c) in g.edges:
                g = g.remove_edge(a, c)
    return g


def _conditions(graph: CausalGraph, t: str, y: str, ms: tuple[str, ...],
                cs: tuple[str, ...]) -> str | None:
    """None when conditions (1)–(3) hold with covariates `cs`, else the first failure."""
    from app.analysis import d_separated

    no_t = _cut_out(graph, [t])
    if not d_separated(no_t, t, y, cs):
        return f"the covariates do not block every back-door path from {t} to {y}"
    for m in ms:
        if not d_separated(no_t, t, m, cs):
            return f"the covariates do not block every back-door path from {t} to {m}"
    no_m = _cut_out(graph, ms)
    for m in ms:
        if not d_separated(no_m, m, y, [*cs, t, *[o for o in ms if o != m]]):
            return (f"a back-door path from the mediator {m} to {y} stays open given {t} and the "
                    "covariates (an unmeasured mediator–outcome confounder)")
    return None


def check_mediation(graph: CausalGraph, treatment: str, outcome: str, mediators: Iterable[str],
                    measured: Iterable[str]) -> MediationCheck:
    """Conditions (1)–(4) of the module doc; the covariates tried are the measured
    pre-treatment ancestors of treatment, mediators or outcome, then each minimal adjustment set."""
    from app.analysis import adjustment_sets

    t, y, ms = treatment, outcome, tuple(dict.fromkeys(mediators))
    if not ms:
        return MediationCheck(False, (), "Choose at least one mediator.")
    for m in ms:
        if m not in graph.nodes:
            return MediationCheck(False, (), f"The mediator '{m}' is not a node of the graph.")
        if m not in graph.descendants(t) or y not in graph.descendants(m):
            return MediationCheck(False, (), f"'{m}' is not on a directed path from {t} to {y}, "
                                             "so it does not mediate the effect.")
    measured = set(measured) - graph.latents
    missing = [m for m in ms if m not in measured]
    if missing:
        return MediationCheck(False, (), f"The mediator '{missing[0]}' is not measured.")
    after_t = graph.descendants(t)
    # (4) treatment-induced confounder: a descendant of T, not a chosen mediator, that causes
    # a mediator and (not only through the mediators) the outcome
    for node in sorted(after_t - set(ms) - {y}):
        reaches_m = any(m in graph.descendants(node) for m in ms)
        reaches_y = y in _cut_out(graph, ms).descendants(node)
        if reaches_m and reaches_y:
            return MediationCheck(False, (), (
                f"'{node}' is affected by {t} and affects both a mediator and {y}: a "
                "treatment-induced mediator–outcome confounder. Natural direct and indirect "
                "effects are not identified then (Avin, Shpitser & Pearl 2005), whatever is "
                f"measured; add '{node}' to the mediators to split the effect at both."))
    pre = {n for n in measured - after_t - {t, y, *ms}
           if n in graph.ancestors(t) | graph.ancestors(y) | set().union(*(graph.ancestors(m) for m in ms))}
    tried = [tuple(sorted(pre))]
    try:
        tried += [tuple(sorted(s)) for s in adjustment_sets(graph, t, y)]
    except CausalCanvasError:       # the listing is a second chance only
        pass
    first_reason = None
    for cs in dict.fromkeys(tried):
        reason = _conditions(graph, t, y, ms, cs)
        if reason is None:
            return MediationCheck(True, cs, "identified")
        first_reason = first_reason or reason
    return MediationCheck(False, (), f"Not identified: {first_reason}.")


def _effects(gram: np.ndarray, km: int, kc: int) -> tuple[float, float]:
    """(NDE, NIE) per unit of treatment from the cross-products of [1, T, M…, C…, Y]."""
    def coefs(x: list[int], target: int) -> np.ndarray:
        return np.linalg.pinv(gram[np.ix_(x, x)], rcond=1e-12, hermitian=True) @ gram[x, target]

    im = list(range(2, 2 + km))
    ic = list(range(2 + km, 2 + km + kc))
    iy = 2 + km + kc
    a = np.array([coefs([0, 1, *ic], j)[1] for j in im])
    out = coefs([0, 1, *im, *ic], iy)
    return float(out[1]), float(a @ out[2:2 + km])


NEWTON_TOL = 1e-6    # Newton stops after a step this small (the error left is about its square)
NEWTON_MAX = 50


def _weighted_logit(xt: np.ndarray, y: np.ndarray, w: np.ndarray | None,
                    start: np.ndarray | None) -> np.ndarray:
    """Maximum-likelihood logistic coefficients by Newton–Raphson with frequency weights `w`
    (a bootstrap resample as multinomial counts), warm-started at `start` (the full-sample fit:
    a resample then needs three steps). `xt` is the design transposed (columns × units, the
    first row ones): the products then run over contiguous rows. Raises EstimationError on
    (quasi-)separation, as NewtonLogit does."""
    from scipy.special import expit

    from app.estimation.logit import NewtonLogit

    if start is None:
        return NewtonLogit().fit(xt[1:].T, y).coef_
    beta = np.array(start, dtype=float)
    for _ in range(NEWTON_MAX):
        p = expit(beta @ xt)
        r, v = y - p, p * (1 - p)
        if w is not None:
            r, v = r * w, v * w
        step = np.linalg.lstsq((xt * v) @ xt.T + 1e-10 * np.eye(len(beta)), xt @ r,
                               rcond=None)[0]
        beta = beta + step
        if not np.all(np.isfinite(beta)) or np.max(np.abs(step)) < NEWTON_TOL:
            break
    if not np.all(np.isfinite(beta)) or np.max(np.abs(beta @ xt)) > NewtonLogit.eta_limit:
        raise EstimationError("Perfect separation in a logistic model of the mediation formula.")
    return beta


GRID_STEP = 0.1     # knot spacing of the interpolated expectation (error ≤ step⁴/384 · 0.13 ≈ 3e-8)
Z_NODES = np.linspace(-9.0, 9.0, 901)          # trapezoid rule over the standard normal
Z_WEIGHTS = np.exp(-Z_NODES ** 2 / 2) / np.exp(-Z_NODES ** 2 / 2).sum()


def _normal_expit(a: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """E[expit(a + scale·Z)], Z standard normal, and its derivative in a, per entry of `a`.

    The trapezoid rule on a fine grid converges exponentially for this analytic integrand
    (Trefethen & Weideman 2014, SIAM Review 56:385): about e^(−2π²/(0.02·|scale|)), below 1e-12
    up to |scale| = 50, where 16-node Gauss–Hermite is already off by 1e-4 at |scale| = 2.5."""
    from scipy.special import expit

    p = expit(a[:, None] + scale * Z_NODES[None, :])
    return p @ Z_WEIGHTS, (p * (1 - p)) @ Z_WEIGHTS


def _normal_logistic_mean(a: np.ndarray, scale: float) -> np.ndarray:
    """E[expit(a_i + scale·Z)], Z standard normal, per unit.

    The expectation is one smooth function of a_i, so it is computed at knots GRID_STEP apart
    across the units' range and read off by cubic Hermite interpolation with its exact
    derivative: a few passes over the units instead of one per quadrature node (error about
    3e-8: the usual Δ⁴/384 · max|f⁗| bound, |f⁗| ≤ max|expit⁗| ≈ 0.13)."""
    reach = 40.0 + 9.0 * abs(scale)      # beyond: expit is 0 or 1 at every node
    a = np.clip(a, -reach, reach)
    lo, hi = float(a.min()), float(a.max())
    k = int(np.ceil((hi - lo) / GRID_STEP)) + 1
    if k < 2:
        return _normal_expit(a, scale)[0]
    step = (hi - lo) / (k - 1)
    h, dh = _normal_expit(lo + step * np.arange(k), scale)
    pos = (a - lo) / step
    i = np.minimum(pos.astype(np.intp), k - 2)
    u = pos - i
    u2 = u * u
    u3 = u2 * u
    return ((2 * u3 - 3 * u2 + 1) * h[i] + (u3 - 2 * u2 + u) * (step * dh[i])
            + (3 * u2 - 2 * u3) * h[i + 1] + (u3 - u2) * (step * dh[i + 1]))


def _formula_setup(t: np.ndarray, m: np.ndarray, c: np.ndarray, y: np.ndarray, t1: float,
                   t0: float, binary_m: bool, m_ref: float):
    """The mediation formula for a two-valued outcome (module doc) as a function of bootstrap
    weights: `effects(w=None)` gives (NDE, NIE, CDE at m_ref), w being multinomial counts (a
    resample without copying rows; rows with count 0 are skipped). The first call (no weights)
    fits from scratch and warm-starts the logistic fits of every later call."""
    from scipy.special import expit

    kc = c.shape[1]
    # one array, a row per variable: [1, t, c…] is the mediator's design, [1, t, c…, m, t·m]
    # the outcome's; the outcome and the mediator follow
    rows = np.vstack([np.ones(len(t)), t, c.T, m, t * m, y, m])
    ixm, ixy = slice(0, 2 + kc), slice(0, 4 + kc)
    im, itm = 2 + kc, 3 + kc
    start: dict = {}

    def effects(w: np.ndarray | None = None) -> tuple[float, float, float]:
        if w is not None:
            keep = np.flatnonzero(w)
            w, r = w[keep].astype(float), np.take(rows, keep, axis=1)
        else:
            r = rows
        xm_, xy_, y_, m_ = r[ixm], r[ixy], r[-2], r[-1]
        b = _weighted_logit(xy_, y_, w, start.get("y"))
        start.setdefault("y", b)
        base = b[0] + b[2:im] @ xm_[2:]           # intercept + covariates, per unit
        bm, btm = b[im], b[itm]
        cde = expit(base + b[1] * t1 + (bm + btm * t1) * m_ref) \
            - expit(base + b[1] * t0 + (bm + btm * t0) * m_ref)
        if binary_m:
            a = _weighted_logit(xm_, m_, w, start.get("m"))
            start.setdefault("m", a)
            lin = a[0] + a[2:] @ xm_[2:]
            q0, q1 = expit(lin + a[1] * t0), expit(lin + a[1] * t1)   # P(M = 1 | t, c)

            def e_y(tv: float, q: np.ndarray) -> np.ndarray:          # E_{M ~ q}[P(Y | tv, M)]
                return (1 - q) * expit(base + b[1] * tv) + q * expit(base + b[1] * tv + bm + btm * tv)

            y1_m0, y0_m0, y1_m1 = e_y(t1, q0), e_y(t0, q0), e_y(t1, q1)
        else:
            xw = xm_ if w is None else xm_ * w
            coef = np.linalg.lstsq(xw @ xm_.T, xw @ m_, rcond=None)[0]
            resid = m_ - coef @ xm_
            total = len(m_) if w is None else float(w.sum())
            mean_r = float(np.average(resid, weights=w))
            sd = float(np.sqrt(np.average((resid - mean_r) ** 2, weights=w) * total
                               / (total - xm_.shape[0])))
            mu = coef[0] + coef[2:] @ xm_[2:]

            def e_y(tv: float, tm: float) -> np.ndarray:   # E_{M ~ N(mu + coef₁·tm, sd)}[P(Y | tv, M)]
                slope = bm + btm * tv
                return _normal_logistic_mean(base + b[1] * tv + slope * (mu + coef[1] * tm),
                                             slope * sd)

            y1_m0, y0_m0, y1_m1 = e_y(t1, t0), e_y(t0, t0), e_y(t1, t1)
        nde, nie = y1_m0 - y0_m0, y1_m1 - y1_m0
        return tuple(float(np.average(v, weights=w)) for v in (nde, nie, cde))

    return effects


def mediation_effects(df: pd.DataFrame, graph: CausalGraph, treatment: str, outcome: str,
                      mediators: Iterable[str], *, treatment_value=None, control_value=None,
                      n_bootstrap: int = 200, seed: int = 0) -> MediationResult:
    """Natural direct and indirect effects of `treatment` on `outcome` through `mediators`
    (module doc); raises EstimationError with the reason when the graph does not identify them."""
    start = time.perf_counter()
    ms = tuple(dict.fromkeys(mediators))
    check = check_mediation(graph, treatment, outcome, ms, df.columns)
    if not check.ok:
        raise EstimationError(f"Mediation: {check.reason}",
                              hint="Check the graph's arrows into the mediators and the outcome.")
    prep: PreparedData = prepare(df, treatment, outcome, [*ms, *check.covariates],
                                 treatment_value=treatment_value, control_value=control_value)
    d = prep.data
    for m in ms:
        if not pd.api.types.is_numeric_dtype(d[m]):
            raise EstimationError(f"The mediator '{m}' has several text categories; the linear "
                                  "mediation estimator needs numeric or two-valued mediators.")
    c = design_matrix(d, check.covariates)
    t = d[treatment].to_numpy(float)
    y = d[outcome].to_numpy(float)
    delta = prep.treatment_value - prep.control_value
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    draws = np.empty((n_bootstrap, 3))
    if prep.binary_outcome:
        if len(ms) != 1:
            raise EstimationError(
                "For an outcome with two values, mediation is estimated through one mediator at "
                f"a time ({len(ms)} were chosen).", hint="Pick a single mediator.")
        m = d[ms[0]].to_numpy(float)
        binary_m = len(np.unique(m)) == 2
        if binary_m:
            m = (m == m.max()).astype(float)
        m_ref = float(np.round(m.mean())) if binary_m else float(m.mean())
        effects = _formula_setup(t, m, c, y, prep.treatment_value, prep.control_value,
                                 binary_m, m_ref)
        method = "mediation formula"
        with threadpool_limits(limits=1):
            nde, nie, cde = effects()
            for i in range(n_bootstrap):
                # a resample as multinomial counts: the same estimate, without copying rows
                w = np.bincount(rng.integers(0, len(y), len(y)), minlength=len(y))
                try:
                    draws[i] = effects(w)
                except EstimationError:          # a resample with perfect separation
                    draws[i] = np.nan
        draws = draws[~np.isnan(draws).any(1)]
        if len(draws) < 0.8 * n_bootstrap:
            raise EstimationError("Too many bootstrap resamples could not be fitted (perfect "
                                  "separation), so there is no reliable interval.")
    else:
        cols = np.column_stack([t, d[list(ms)].to_numpy(float), c, y])
        arr = np.column_stack([np.ones(len(d)), cols - cols.mean(0)])   # centred: well conditioned
        km, kc = len(ms), c.shape[1]
        method = "product of coefficients"
        with threadpool_limits(limits=1):    # small products: threads only contend (2 cores)
            nde, nie = (v * delta for v in _effects(arr.T @ arr, km, kc))
            cde = nde
            for i in range(n_bootstrap):
                # a resample as multinomial counts: the same estimate, without copying rows
                w = np.bincount(rng.integers(0, len(d), len(d)), minlength=len(d)).astype(float)
                draws[i, :2] = _effects(arr.T @ (arr * w[:, None]), km, kc)
        draws[:, :2] *= delta
        draws[:, 2] = draws[:, 0]

    def pct(v: np.ndarray) -> tuple[float, float]:
        lo, hi = np.percentile(v, [2.5, 97.5])
        return float(lo), float(hi)

    total = nde + nie
    share = nie / total if abs(total) > 1e-12 else None
    total_ci = pct(draws[:, 0] + draws[:, 1])
    share_ci, share_ci_note = _share_interval(share, total_ci, draws)
    if prep.binary_outcome:
        notes = [*prep.notes, "The outcome has two values: effects are differences in its share, "
                 "from Pearl's mediation formula with a logistic outcome model (with a "
                 "treatment–mediator interaction); the controlled direct effect fixes the "
                 f"mediator at {m_ref:.3g}."]
    else:
        notes = [*prep.notes, "Linear models without treatment–mediator interaction (product of "
                 "coefficients); the controlled direct effect equals the natural direct effect."]
    notes.append(f"Covariates adjusted for: {', '.join(check.covariates) or 'none needed'}.")
    via = ", ".join(ms)
    part = f" ({share:.0%} of the total)" if share is not None and 0 <= share <= 1 else ""
    sentence = (f"Of the total effect {total:.3g} of {treatment} on {outcome}, {nie:.3g} runs "
                f"through {via}{part} and {nde:.3g} is direct (through every other path).")
    return MediationResult(
        treatment=treatment, outcome=outcome, mediators=ms, covariates=check.covariates,
        total=total, nde=nde, nie=nie, total_ci=total_ci,
        nde_ci=pct(draws[:, 0]),
        nie_ci=pct(draws[:, 1]), share_mediated=share, cde=cde, method=method, n_rows=prep.n,
        n_bootstrap=len(draws),
        sentence=sentence, notes=tuple(notes), seconds=time.perf_counter() - start,
        share_ci=share_ci, share_ci_note=share_ci_note)


def _share_interval(share: float | None, total_ci: tuple[float, float], draws: np.ndarray
                    ) -> tuple[tuple[float, float] | None, str]:
    """The 95% percentile interval of NIE ÷ total over the bootstrap resamples (the same draws
    as the other intervals), or None with the reason: a ratio whose denominator may be 0 has no
    bounded interval, so none is given when the total effect's interval covers 0."""
    if share is None:
        return None, "The total effect is zero, so there is no share of it to give an interval for."
    if total_ci[0] <= 0 <= total_ci[1]:
        return None, ("No interval: the total effect's 95% interval includes 0, and a share of a "
                      "total that may be zero can take any value.")
    lo, hi = np.percentile(draws[:, 1] / (draws[:, 0] + draws[:, 1]), [2.5, 97.5])
    return (float(lo), float(hi)), ""


__all__ = ["MediationCheck", "MediationResult", "check_mediation", "mediation_effects"]
