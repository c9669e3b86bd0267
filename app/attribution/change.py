"""Why did the outcome's distribution change? Shapley attribution over replaced mechanisms.

Budhathoki, Janzing, Blöbaum & Ng (AISTATS 2021), "Why did the distribution change?": fit each
node's mechanism P(X_j | parents) on the old and on the new data; for a set S of nodes, let
P_S be the joint distribution with S's mechanisms taken from the new data and the others from
the old. The change of the outcome Y, D(P_old(Y), P_new(Y)), is split over the nodes by the
Shapley values of v(S) = D(P_old(Y), P_S(Y)); they sum to the total (efficiency).

The outcome's distribution under each P_S is computed exactly: linear-Gaussian mechanisms
give Y ~ N(e_Y (I−B)⁻¹ c, e_Y (I−B)⁻¹ D (I−B)⁻ᵀ e_Yᵀ); probability tables give P_S(Y) by
summing their product over the ancestors (app.models.engine). DoWhy GCM samples instead
(app.attribution.reference).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app import settings
from app.attribution.mechanisms import (
    Prepared,
    fit_discrete,
    fit_linear,
    kinds_note,
    prepare,
)
from app.attribution.shapley import Progress, shapley
from app.errors import ModelError
from app.graph import CausalGraph
from app.markup import md

MEASURES = {"mean": "change in the mean", "kl": "KL divergence from the old distribution"}
KL_FLOOR = 1e-12          # a probability the new distribution gives as 0 is read as this


@dataclass(frozen=True)
class NodeShare:
    """One node's part of the change: its Shapley value, the share of the total, its error."""

    node: str
    value: float
    share: float | None
    std_error: float = 0.0


@dataclass(frozen=True)
class ChangeAttribution:
    """The change of the outcome between two datasets, split over the upstream mechanisms."""

    outcome: str
    measure: str
    kind: str
    before: float          # the outcome's mean before and after (measure "mean"; 0 for "kl")
    after: float
    total: float           # v(all mechanisms replaced): the change to be explained
    parts: tuple[NodeShare, ...]   # largest |value| first
    method: str
    n_before: int
    n_after: int
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One sentence, in Markdown with names escaped, of what changed and who explains it."""
        y = md(self.outcome)
        if self.measure == "mean":
            head = (f"The mean of **{y}** went from {self.before:.4g} to {self.after:.4g} "
                    f"(a change of {self.total:+.4g}).")
        else:
            head = (f"The distribution of **{y}** moved by {self.total:.4g} nats "
                    "(KL divergence of the new distribution from the old).")
        if not self.parts:
            return head
        head += " " + lead_sentence(self.parts[0], "the change in the mechanism of")
        if sum(abs(p.value) for p in self.parts) > CANCEL_RATIO * abs(self.total):
            head += (" The parts largely cancel: the total change is small next to them, so "
                     "compare the parts' sizes rather than their shares of the total.")
        return head

    def sentence(self, part: NodeShare) -> str:
        """A plain-language sentence for one node's number (Markdown, names escaped)."""
        unit = "" if self.measure == "mean" else " nats"
        err = f" (± {part.std_error:.2g})" if part.std_error else ""
        if self.measure == "mean":
            what = "raised" if part.value >= 0 else "lowered"
            text = (f"The new mechanism of **{md(part.node)}** {what} the mean of "
                    f"{md(self.outcome)} by {abs(part.value):.4g}{err}")
        else:
            text = (f"The new mechanism of **{md(part.node)}** accounts for {part.value:.4g}"
                    f"{unit}{err} of the divergence")
        if part.share is not None and part.share < 0:    # "lowered …, -250% of the total" misread
            text += f", against the total change ({percent(-part.share)} of its size)"
        elif part.share is not None:
            text += f", {percent(part.share)} of the total"
        return text + "."


CANCEL_RATIO = 3.0    # parts this many times the total's size: their shares of it mislead


def percent(share: float) -> str:
    """A share as a whole percentage, never "-0%"."""
    return f"{share:.0%}" if round(share * 100) != 0 else "0%"


def lead_sentence(top: NodeShare, what: str) -> str:
    """The sentence naming the largest part (Markdown, name escaped); a part above the whole
    total is said as such (other parts pull the other way)."""
    name = f"{what} **{md(top.node)}**"
    if top.share is None:
        return f"The largest part comes from {name}."
    if top.share > 1:
        return (f"{name[0].upper()}{name[1:]} alone accounts for more than the whole "
                f"({percent(top.share)}); other nodes pull the other way.")
    if top.share >= 0.5:
        return f"Most of it comes from {name} ({percent(top.share)})."
    return f"The largest part comes from {name} ({percent(top.share)})."


def _linear_outcome(fit_old, fit_new, mask: int, y: int) -> tuple[float, float]:
    """Mean and variance of the outcome when the nodes in `mask` take the new mechanisms."""
    n = len(fit_old.intercept)
    take = np.array([(mask >> i) & 1 for i in range(n)], dtype=bool)
    c = np.where(take, fit_new.intercept, fit_old.intercept)
    b = np.where(take[:, None], fit_new.coef, fit_old.coef)
    d = np.where(take, fit_new.noise_var, fit_old.noise_var)
    row = np.linalg.solve((np.eye(n) - b).T, np.eye(n)[y])    # e_y (I − B)⁻¹
    return float(row @ c), float(row ** 2 @ d)


def gaussian_kl(m0: float, v0: float, m1: float, v1: float) -> float:
    """KL(N(m0, v0) ‖ N(m1, v1)) in nats."""
    if v0 <= 0 or v1 <= 0:
        raise ModelError("The outcome has no noise left in one of the fits, so its divergence "
                         "is infinite.", hint="Use the change in the mean instead.")
    return 0.5 * (math.log(v1 / v0) + (v0 + (m0 - m1) ** 2) / v1 - 1.0)


def _numbers(states: tuple) -> np.ndarray | None:
    try:
        values = np.array([float(s) for s in states])
    except (TypeError, ValueError):
        return None
    return values if np.all(np.isfinite(values)) else None


def _value_function(prep: Prepared, measure: str) -> tuple[Callable[[int], float], float, float]:
    """v(mask), and the outcome's before/after summary (means, or 0 for the divergence)."""
    y = len(prep.order) - 1
    if prep.kind == "linear":
        old, new = fit_linear(prep, prep.old), fit_linear(prep, prep.new)
        m0, v0 = _linear_outcome(old, new, 0, y)
        m1, _ = _linear_outcome(old, new, (1 << len(prep.order)) - 1, y)

        def v(mask: int) -> float:
            m, var = _linear_outcome(old, new, mask, y)
            return m - m0 if measure == "mean" else gaussian_kl(m0, v0, m, var)
        return v, m0, m1
    from app.models.engine import Engine

    old, new = fit_discrete(prep, prep.old), fit_discrete(prep, prep.new)
    engine = Engine(dict(old), prep.order)
    target = [prep.outcome]
    values = _numbers(prep.states[prep.outcome])
    if measure == "mean" and values is None:
        raise ModelError(f"The values of '{prep.outcome}' are not numbers, so it has no mean.",
                         hint="Measure the change by the divergence instead.")

    def dist(mask: int) -> np.ndarray:
        for i, name in enumerate(prep.order):   # the plan depends on shapes only: swap tables
            engine.factors[name] = (new if (mask >> i) & 1 else old)[name]
        p = engine.query(target, {})
        return p / p.sum()

    p0 = dist(0)
    p_all = dist((1 << len(prep.order)) - 1)

    def v(mask: int) -> float:
        p = dist(mask)
        if measure == "mean":
            return float(values @ p - values @ p0)
        keep = p0 > 0
        return float(np.sum(p0[keep] * np.log(p0[keep] / np.maximum(p[keep], KL_FLOOR))))
    if measure == "mean":
        return v, float(values @ p0), float(values @ p_all)
    return v, 0.0, 0.0


def distribution_change(graph: CausalGraph, outcome: str, old: pd.DataFrame, new: pd.DataFrame,
                        *, measure: str = "mean", kind: str = "auto", seed: int = 0,
                        permutations: int = settings.ATTRIBUTION_PERMUTATIONS,
                        progress: Progress | None = None,
                        cancel: Callable[[], bool] | None = None) -> ChangeAttribution:
    """Attribute the change of `outcome` between `old` and `new` to the upstream mechanisms.

    measure: "mean" (difference of means) or "kl" (KL divergence of the new outcome
    distribution from the old). kind: "auto", "linear" or "discrete". Exact Shapley values up
    to settings.ATTRIBUTION_EXACT_NODES upstream nodes, else `permutations` random orders drawn
    with `seed`. progress(done, total) as coalitions are evaluated; Cancelled when cancel()."""
    if measure not in MEASURES:
        raise ModelError(f"Unknown measure '{measure}'.", hint="Use 'mean' or 'kl'.")
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 2:
        raise ModelError("The number of sampled orders must be a whole number of at least 2.")
    prep = prepare(graph, outcome, old, new, kind=kind, seed=seed)
    v, before, after = _value_function(prep, measure)
    res = shapley(v, len(prep.order), exact_up_to=settings.ATTRIBUTION_EXACT_NODES,
                  permutations=permutations, seed=seed, progress=progress, cancel=cancel)
    total = res.full - res.empty
    parts = sorted((NodeShare(name, float(val), float(val / total) if abs(total) > 1e-12 else None, se)
                    for name, val, se in zip(prep.order, res.values, res.std_errors, strict=True)),
                   key=lambda p: -abs(p.value))
    notes = [kinds_note(prep), *prep.notes]
    if measure == "kl" and prep.kind == "discrete":
        notes.append(f"A probability the new fit gives as 0 is counted as {KL_FLOOR:g}.")
    return ChangeAttribution(outcome, measure, prep.kind, before, after, total, tuple(parts),
                             res.method(), len(prep.old), len(prep.new), tuple(notes))
