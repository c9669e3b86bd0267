"""Sensitivity to an unmeasured confounder: the estimate against the confounder's strength.

Uses the omitted-variable-bias bound of Cinelli & Hazlett (2020), "Making sense of
sensitivity", JRSS-B 82(1) — the method behind DoWhy's "linear-partial-R2" sensitivity analyser.
Strength is the share of the remaining variation of treatment and of outcome that a hidden
confounder explains (partial R², taken equal for both). The bound is exact for the regression
adjustment estimate, which is what the chart shows; it is instant (no simulation).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.errors import EstimationError
from app.estimation._engine import single_threaded
from app.estimation.pipeline import EffectEstimate
from app.estimation.prepare import design_matrix
from app.numbers import fmt


@dataclass(frozen=True)
class SensitivityResult:
    """The sensitivity curve (`table`) and the numbers that summarise it."""

    table: pd.DataFrame          # strength, adjusted_estimate, ci_low, ci_high
    estimate: float              # the regression-adjusted estimate the bound applies to
    se: float
    dof: int
    robustness_value: float      # strength that brings the estimate to 0
    robustness_value_ci: float   # strength that makes the 95% CI include 0
    benchmarks: pd.DataFrame     # covariate, r2_treatment, r2_outcome, strength, adjusted_estimate
    explanation: str
    treatment_scale: float = 1.0
    notes: tuple[str, ...] = field(default=())


def _ols(y: np.ndarray, x: np.ndarray):
    """Coefficients, standard errors and residual degrees of freedom (classical OLS)."""
    n, k = x.shape
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    dof = n - np.linalg.matrix_rank(x)
    sigma2 = resid @ resid / dof
    cov = sigma2 * np.linalg.pinv(x.T @ x)
    return beta, np.sqrt(np.maximum(np.diag(cov), 0)), int(dof)


def partial_r2(t_value: float, dof: int) -> float:
    return t_value ** 2 / (t_value ** 2 + dof)


def robustness_value(t_value: float, dof: int, q: float = 1.0, alpha: float | None = None) -> float:
    """Cinelli & Hazlett's RV_q (alpha=None) or RV_{q,α}: the equal partial R² that explains away
    q·100% of the estimate (or makes its (1−α) CI reach the null)."""
    from scipy import stats

    f = q * abs(t_value) / math.sqrt(dof)
    if alpha is not None:
        f_crit = abs(stats.t.ppf(alpha / 2, dof - 1)) / math.sqrt(dof - 1)
        if f - f_crit <= 0:
            return 0.0
        if f > 1 / f_crit:     # the extreme case of sensemakr's RV_{q,α} (also in DoWhy)
            return (f ** 2 - f_crit ** 2) / (1 + f ** 2)
        f -= f_crit
    return 0.5 * (math.sqrt(f ** 4 + 4 * f ** 2) - f ** 2)


def bias(se: float, dof: int, r2_outcome, r2_treatment):
    """Largest bias of the regression estimate from a confounder with these partial R²s."""
    r2_outcome = np.asarray(r2_outcome, dtype=float)
    r2_treatment = np.asarray(r2_treatment, dtype=float)
    return se * math.sqrt(dof) * np.sqrt(r2_outcome * r2_treatment / (1 - r2_treatment))


def equal_strength(r2_outcome: float, r2_treatment: float) -> float:
    """The equal partial R² r with the same bias as the pair (r²/(1−r) = r_y·r_t/(1−r_t))."""
    b = r2_outcome * r2_treatment / (1 - r2_treatment)
    return 0.5 * (-b + math.sqrt(b * b + 4 * b))


@single_threaded
def sensitivity(estimate: EffectEstimate, *, max_strength: float | None = None,
                n_points: int = 41, k: float = 1.0) -> SensitivityResult:
    """Estimate vs hidden-confounder strength (partial R²) for a back-door estimate.

    Benchmarks: a confounder `k` times as strong as each measured covariate (Cinelli & Hazlett
    §6.1), placed on the curve at the equal strength with the same bias.
    """
    ctx = estimate.context
    if ctx is None:
        raise EstimationError("Sensitivity needs an estimate made in this session.",
                              hint="Run the estimate again.")
    if estimate.estimand_kind != "backdoor":
        raise EstimationError(
            "The sensitivity chart is for back-door (adjustment) estimates; instrumental-variable "
            "and front-door estimates are built to allow a hidden treatment–outcome confounder.")
    spec, data = ctx.spec, ctx.prepared.data
    adj = [c for c in spec.adjustment if data[c].nunique() > 1]
    y = data[spec.outcome].to_numpy(float)
    t = data[spec.treatment].to_numpy(float)
    w = design_matrix(data, adj)
    n = len(y)
    x = np.column_stack([np.ones(n), t, w])
    beta, se, dof = _ols(y, x)
    if dof < 3:
        raise EstimationError("Too few rows for a sensitivity analysis.")
    scale = spec.t1 - spec.t0
    b, s = float(beta[1]), float(se[1])
    if s == 0 or not math.isfinite(s):
        raise EstimationError("The regression estimate has no sampling variation; nothing to analyse.")
    t_value = b / s
    rv = robustness_value(t_value, dof)
    rv_ci = robustness_value(t_value, dof, alpha=0.05)

    bench_rows = []
    if w.shape[1]:
        names = _design_names(data, adj)
        beta_t, se_t, dof_t = _ols(t, np.column_stack([np.ones(n), w]))
        for j, name in enumerate(names):
            if se_t[j + 1] == 0 or se[j + 2] == 0:
                continue
            r2dx = partial_r2(beta_t[j + 1] / se_t[j + 1], dof_t)
            r2yx = partial_r2(beta[j + 2] / se[j + 2], dof)
            if k * r2dx >= 1:
                continue
            r2du = k * r2dx / (1 - r2dx)
            r2zx = k * r2dx ** 2 / ((1 - k * r2dx) * (1 - r2dx))
            if r2du >= 1 or r2zx >= 1:
                continue
            r2yu = min(((math.sqrt(k) + math.sqrt(r2zx)) / math.sqrt(1 - r2zx)) ** 2
                       * r2yx / (1 - r2yx), 1.0)
            bb = float(bias(s, dof, r2yu, r2du))
            bench_rows.append({"covariate": name, "r2_treatment": r2du, "r2_outcome": r2yu,
                               "strength": equal_strength(r2yu, r2du),
                               "adjusted_estimate": float(np.sign(b) * (abs(b) - bb)) * scale})
    benchmarks = pd.DataFrame(bench_rows, columns=["covariate", "r2_treatment", "r2_outcome",
                                                   "strength", "adjusted_estimate"])
    top = max([rv * 1.5, 0.05, *(benchmarks["strength"] * 1.2 if len(benchmarks) else [])])
    top = min(max_strength or top, 0.95)
    grid = np.linspace(0, top, n_points)
    bias_grid = bias(s, dof, grid, grid)
    adj_est = np.sign(b) * (abs(b) - bias_grid)
    from scipy import stats

    se_adj = s * math.sqrt(dof / (dof - 1))   # equal strengths: the (1−r_y)/(1−r_t) factor is 1
    crit = stats.t.ppf(0.975, dof - 1)
    table = pd.DataFrame({
        "strength": grid,
        "adjusted_estimate": adj_est * scale,
        "ci_low": (adj_est - crit * se_adj) * scale,
        "ci_high": (adj_est + crit * se_adj) * scale,
    })
    if scale < 0:
        table[["ci_low", "ci_high"]] = table[["ci_high", "ci_low"]].to_numpy()
    strongest = benchmarks.sort_values("strength").iloc[-1] if len(benchmarks) else None
    text = (f"A hidden confounder would need to explain {rv:.0%} of the remaining variation of "
            f"both {spec.treatment} and {spec.outcome} to bring the estimate to zero")
    text += (f", and {rv_ci:.0%} to make its 95% interval include zero." if rv_ci > 0 else
             "; its 95% interval already includes zero.")
    if strongest is not None:
        text += (f" For comparison, a confounder as strong as {strongest.covariate} (the strongest "
                 f"measured one) would leave {fmt(strongest.adjusted_estimate)}.")
    notes = []
    if estimate.method != "linear_regression":
        notes.append(f"The bound is computed for the regression-adjusted estimate ({fmt(b * scale)}), "
                     f"which may differ from the {estimate.method_label.lower()} estimate "
                     f"({fmt(estimate.value)}).")
    return SensitivityResult(table=table, estimate=b * scale, se=s * abs(scale), dof=dof,
                             robustness_value=rv, robustness_value_ci=rv_ci,
                             benchmarks=benchmarks, explanation=text, treatment_scale=scale,
                             notes=tuple(notes))


def _design_names(data: pd.DataFrame, columns) -> list[str]:
    return [str(c) for c in pd.get_dummies(data[list(columns)], drop_first=True, dtype=float).columns]
