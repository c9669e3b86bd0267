"""Why is this unit unusual? Root-cause attribution of one unit's outlier score to upstream noise.

Budhathoki, Blöbaum, Kasiviswanathan & Janzing (ICML 2022), "Causal structure-based root cause
analysis of outliers": the outlier score of the outcome value y is the information-theoretic
(IT) score S(y) = −log P(τ(Y) ≥ τ(y)) with τ(y) = |y − E Y|. Each upstream node j has a noise
term U_j; for a set S of nodes, w(S) = log P(τ(Y) ≥ τ(y) | U_S = u_S), the unit's own noise
values fixed for S and the rest drawn from the model. The Shapley values of w sum to
w(all) − w(none) = S(y): each node's part of the surprise, in nats.

In a linear-Gaussian SCM the noise terms are the unit's exact residuals u = x − c − Bx, and
Y | U_S is Gaussian (mean E Y + Σ_S a_j u_j, variance Σ_{j∉S} a_j² σ_j², a = e_Y (I−B)⁻¹), so
every w(S) is a closed-form tail probability: no sampling (DoWhy GCM samples the rest).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app import settings
from app.attribution.change import NodeShare, lead_sentence, percent
from app.attribution.mechanisms import Prepared, fit_linear, prepare
from app.attribution.shapley import Progress, shapley
from app.errors import ModelError
from app.graph import CausalGraph
from app.markup import md

LOG_FLOOR = -700.0       # log P below this (P < 1e-304) is counted as this


@dataclass(frozen=True)
class AnomalyAttribution:
    """One unit's outlier score for the outcome, split over the upstream nodes' noise."""

    outcome: str
    row: object                  # the row's label in the table
    value: float                 # the unit's outcome
    expected: float              # the outcome's mean under the model
    sd: float                    # the outcome's standard deviation under the model
    score: float                 # IT score −log P(|Y − E Y| ≥ |y − E Y|), nats
    parts: tuple[NodeShare, ...]
    noise_z: dict[str, float]    # each node's noise for this unit, in its own standard deviations
    method: str
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """The unit's outcome, how rare it is, and the main root cause (Markdown, names escaped)."""
        p = math.exp(-self.score)
        rare = (f"about once in {1 / p:,.0f} rows" if p > 0 and 1 / p < 1e15
                else "practically never")
        head = (f"Row {md(str(self.row))}: **{md(self.outcome)}** = {self.value:.4g}, where the "
                f"model expects {self.expected:.4g} ± {self.sd:.3g}. A value at least this far "
                f"from the mean happens {rare} (outlier score {self.score:.3g} nats).")
        if self.parts and self.score > 0:
            head += " " + lead_sentence(self.parts[0], "the noise of")
        return head

    def sentence(self, part: NodeShare) -> str:
        """A plain-language sentence for one node's number (Markdown, names escaped)."""
        z = self.noise_z.get(part.node, 0.0)
        own = (f"its own noise for this row is {z:+.2f} standard deviations from what its "
               "parents predict")
        verb = "adds" if part.value >= 0 else "takes away"
        # the verb carries the sign: "takes away 1.2 nats (17% of the score)", never "(-17%)"
        share = f" ({percent(abs(part.share))} of the score)" if part.share is not None else ""
        return (f"**{md(part.node)}**: {own}; it {verb} {abs(part.value):.3g} nats of the "
                f"surprise{share}.")


def _tail_log(m: float, var: float, mean: float, t: float) -> float:
    """log P(|Y − mean| ≥ t) for Y ~ N(m, var); a point mass when var is 0."""
    from scipy.stats import norm

    if var <= 0:
        return 0.0 if abs(m - mean) >= t * (1 - 1e-9) else LOG_FLOOR
    s = math.sqrt(var)
    return max(LOG_FLOOR, float(np.logaddexp(norm.logsf((mean + t - m) / s),
                                             norm.logcdf((mean - t - m) / s))))


def _linear_parts(prep: Prepared):
    fit = fit_linear(prep, prep.old)
    n = len(prep.order)
    a = np.linalg.solve((np.eye(n) - fit.coef).T, np.eye(n)[n - 1])   # e_y (I − B)⁻¹
    mean = float(a @ fit.intercept)
    var = float(a ** 2 @ fit.noise_var)
    return fit, a, mean, var


def _prepare(graph: CausalGraph, outcome: str, df: pd.DataFrame, seed: int) -> Prepared:
    prep = prepare(graph, outcome, df, None, kind="auto", seed=seed)
    if prep.kind != "linear":
        raise ModelError("Root-cause attribution of one unit needs each node's noise, which a "
                         "probability table does not determine; it works on linear models "
                         "(numeric, continuous data).",
                         hint="Use the distribution-change tab for discrete data.")
    return prep


def outlier_scores(graph: CausalGraph, outcome: str, df: pd.DataFrame, *, seed: int = 0
                   ) -> pd.Series:
    """Each complete row's IT outlier score of the outcome (nats), by the row's label."""
    prep = _prepare(graph, outcome, df, seed)
    _, _, mean, var = _linear_parts(prep)
    rows = df[list(prep.order)].dropna()
    z = np.abs(rows[outcome].to_numpy(dtype=float) - mean) / math.sqrt(var)
    from scipy.stats import norm

    return pd.Series(-(math.log(2) + norm.logsf(z)), index=rows.index, name="outlier score")


def anomaly_attribution(graph: CausalGraph, outcome: str, df: pd.DataFrame, row: object, *,
                        seed: int = 0, permutations: int = settings.ATTRIBUTION_PERMUTATIONS,
                        progress: Progress | None = None,
                        cancel: Callable[[], bool] | None = None) -> AnomalyAttribution:
    """Split the outlier score of `outcome` in row `row` (a label of df's index) over the
    noise of the upstream nodes. The model is the linear-Gaussian SCM fitted on all of df."""
    if row not in df.index:
        raise ModelError(f"There is no row {row!r} in the data.")
    unit = df.loc[[row]]
    if len(unit) != 1:
        raise ModelError(f"Several rows are labelled {row!r}; pick a row by a unique label.")
    prep = _prepare(graph, outcome, df, seed)
    if unit[list(prep.order)].isna().any(axis=None):
        raise ModelError(f"Row {row!r} has a missing value upstream of '{outcome}'.")
    fit, a, mean, var = _linear_parts(prep)
    u = fit.residuals(prep.order, unit)[0]
    y = float(unit[outcome].iloc[0])
    t = abs(y - mean)
    contrib, noise_var = a * u, a ** 2 * fit.noise_var

    def w(mask: int) -> float:
        take = np.array([(mask >> i) & 1 for i in range(len(a))], dtype=bool)
        return _tail_log(mean + float(contrib[take].sum()), float(noise_var[~take].sum()), mean, t)

    res = shapley(w, len(prep.order), exact_up_to=settings.ATTRIBUTION_EXACT_NODES,
                  permutations=permutations, seed=seed, progress=progress, cancel=cancel)
    score = res.full - res.empty
    parts = sorted((NodeShare(name, float(val), float(val / score) if score > 1e-12 else None, se)
                    for name, val, se in zip(prep.order, res.values, res.std_errors, strict=True)),
                   key=lambda p: -abs(p.value))
    sd = np.sqrt(fit.noise_var)
    noise_z = {v: float(u[i] / sd[i]) if sd[i] > 0 else 0.0 for i, v in enumerate(prep.order)}
    notes = ("The model is linear with Gaussian noise, fitted on all rows; each node's noise for "
             "this row is its residual (value minus what its parents predict).", *prep.notes)
    return AnomalyAttribution(outcome, row, y, mean, math.sqrt(var), score, tuple(parts),
                              noise_z, res.method(), notes)
