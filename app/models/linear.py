"""A linear additive-noise SCM as a causal model: Gaussian do-queries and exact counterfactuals.

do-queries are Gaussian algebra on the (mutilated) equations (app.models.scm); a counterfactual
recovers each unit's noise (exactly when the whole unit is observed, as a Gaussian posterior
otherwise), changes the equations, and pushes the same noise through them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from app import settings
from app.errors import ModelError, QueryError
from app.models.base import FittedModel, check_sample_size, listing
from app.models.results import LinearCounterfactual, NormalResult, show_value
from app.models.scm import LinearSCM
from app.models.twin import LINEAR_ASSUMPTION, twin_network


@dataclass(frozen=True, eq=False, repr=False)
class LinearModel(FittedModel):
    """A linear SCM over the graph; `states` holds the levels of yes/no and count columns."""

    kind: ClassVar[str] = "linear"
    scm: LinearSCM = field(default_factory=lambda: LinearSCM((), {}, {}, {}, {}))

    def _size(self) -> str:
        return f"{len(self.graph.edges)} coefficients"

    # ---- reading ------------------------------------------------------------------------------
    def parents(self, v: str) -> list[str]:
        return list(self.scm.parents[v])

    def cpt(self, v: str) -> pd.DataFrame:
        raise ModelError("Only discrete models have probability tables; this model is linear: "
                         f"{self.scm.equation(v)}")

    def describe(self) -> pd.DataFrame:
        rows = []
        for v in self.variables:
            row = {"variable": v, "parents": ", ".join(self.parents(v)) or "—",
                   "equation": self.scm.equation(v), "noise std": self.scm.noise_std[v]}
            if self.scm.r_squared:
                row["R²"] = self.scm.r_squared[v]
            rows.append(row)
        return pd.DataFrame(rows)

    def resolve(self, v: str, value: object) -> float:
        try:
            x = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise QueryError(f"'{v}' is a number in this linear model; '{value}' is not a number."
                             ) from None
        if not np.isfinite(x):
            raise QueryError(f"The value for '{v}' must be a finite number.")
        return x

    def _spread(self, v: str) -> tuple[float, float]:
        mean, cov = self.scm.gaussian()
        i = self.scm.index(v)
        return float(mean[i]), float(np.sqrt(cov[i, i])) or 1.0

    def suggest_values(self, treatment: str) -> tuple[float, float]:
        """mean + 1 std versus the mean; a yes/no or count column compares its extremes."""
        levels = self.states.get(treatment)
        if levels and len(levels) >= 2:
            return float(levels[-1]), float(levels[0])
        m, s = self._spread(treatment)
        return float(f"{m + s:.3g}"), float(f"{m:.3g}")

    def sweep_values(self, treatment: str) -> list:
        """21 values from two standard deviations below the mean to two above."""
        m, s = self._spread(treatment)
        return list(np.linspace(m - 2 * s, m + 2 * s, 21))

    # ---- asking -------------------------------------------------------------------------------
    def query(self, targets: list[str], do: dict, evidence: dict) -> NormalResult:
        mean, cov = self.scm.conditional(targets, evidence, do)
        sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        return NormalResult(tuple(targets), do, evidence,
                            "Gaussian algebra on the linear equations"
                            + (" with the arrows into " + ", ".join(do) + " cut" if do else ""),
                            means={t: float(m) for t, m in zip(targets, mean)},
                            stds={t: float(s) for t, s in zip(targets, sd)})

    def counterfactual(self, targets: list[str], factual: dict, do: dict,
                       assumption: str) -> LinearCounterfactual:
        scm = self.scm
        n = len(scm.variables)
        b, c, d = scm._b, scm._c, scm._d
        b_star, c_star, keep = scm._mutilated(do)
        a = np.linalg.inv(np.eye(n) - b)
        a_star = np.linalg.inv(np.eye(n) - b_star)
        f_idx = [scm.index(v) for v in factual]
        t_idx = [scm.index(t) for t in targets]
        mu_t = a_star[t_idx] @ c_star
        cov_tt = (a_star[t_idx] * (d * keep)) @ a_star[t_idx].T
        if f_idx:
            v_f = np.array([float(factual[v]) for v in factual])
            a_f = a[f_idx]
            cov_ff = (a_f * d) @ a_f.T
            cov_tf = (a_star[t_idx] * (d * keep)) @ a_f.T
            inv = np.linalg.pinv(cov_ff)
            gap = v_f - a_f @ c
            if np.abs(gap - cov_ff @ inv @ gap).max() > 1e-6 * (1 + np.abs(v_f).max()):
                raise QueryError("These observed values contradict the model's noise-free "
                                 "equations.")
            mean = mu_t + cov_tf @ inv @ gap
            cov = cov_tt - cov_tf @ inv @ cov_tf.T
        else:
            mean, cov = mu_t, cov_tt
        sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        twin, star = twin_network(self.graph, do)
        unchanged = tuple(v for v in self.graph.nodes if v not in star)
        full = len(factual) == n
        fact_means = {t: float(factual[t]) if t in factual else
                      float(scm.conditional([t], factual)[0][0]) for t in targets}
        return LinearCounterfactual(
            targets=tuple(targets), factual=factual, do=do, assumption="additive noise",
            assumption_text=LINEAR_ASSUMPTION + ("" if full else
                                                 " Only part of the unit is observed, so the "
                                                 "noise is uncertain (normal noise assumed): the "
                                                 "answer is a mean with a spread."),
            steps=self._steps(factual, do, targets, mean, full), unchanged=unchanged,
            twin=twin, twin_names=star, means={t: float(m) for t, m in zip(targets, mean)},
            stds={t: float(s) for t, s in zip(targets, sd)}, factual_means=fact_means)

    def _steps(self, factual, do, targets, mean, full) -> tuple[str, ...]:
        scm = self.scm
        steps = []
        if full:
            values = np.array([float(factual[v]) for v in scm.variables])
            noise = scm.abduct(values)[0]
            parts = []
            for v in scm.variables:
                fitted = values[scm.index(v)] - noise[scm.index(v)]
                parts.append(f"U_{v} = {show_value(float(factual[v]))} − {fitted:.4g} = "
                             f"{noise[scm.index(v)]:.4g}")
            steps.append("Abduction: recover each variable's noise from the unit: "
                         + "; ".join(parts) + ".")
            cf = scm.predict(noise[None, :], do)[0]
        else:
            seen = ", ".join(f"{k}={show_value(v)}" for k, v in factual.items()) or "nothing"
            steps.append(f"Abduction: only {seen} is observed, so the noise terms get a normal "
                         "distribution given these values.")
            cf = None
        cut = sorted({p for x in do for p in self.graph.parents(x)})
        steps.append("Action: set " + ", ".join(f"{k} = {show_value(v)}" for k, v in do.items())
                     + (f", cutting the arrows from {', '.join(cut)}" if cut else "") + ".")
        if cf is not None:
            parts = []
            for v in scm.variables:
                if v in do or not (set(do) & self.graph.ancestors(v)):
                    continue
                terms = [(scm.coefficients[v][p], cf[scm.index(p)]) for p in scm.parents[v]]
                head = [(scm.intercepts[v], None)] if scm.intercepts[v] else []
                rhs = _signed_sum([*head, *terms, (noise[scm.index(v)], None)])
                parts.append(f"{v}* = {rhs} = {cf[scm.index(v)]:.4g}")
            steps.append("Prediction: recompute what the action changes with the same noise: "
                         + ("; ".join(parts) or "nothing downstream") + ".")
        else:
            steps.append("Prediction: average the recomputed values over that noise "
                         "distribution: " + ", ".join(f"{t}* ≈ {m:.4g}"
                                                      for t, m in zip(targets, mean)) + ".")
        return tuple(steps)

    def unit_counterfactuals(self, rows: pd.DataFrame, do: Mapping[str, object]) -> pd.DataFrame:
        missing = [v for v in self.variables if v not in rows.columns]
        if missing:
            raise QueryError("Every variable of the unit must be observed; missing columns: "
                             + listing(missing) + ".")
        return self.scm.unit_counterfactuals(rows, do)

    def sample(self, n: int, seed: int = 0, do: Mapping[str, object] | None = None
               ) -> pd.DataFrame:
        """Units with normal noise (the residual standard deviations), after do() if given."""
        n = check_sample_size(n, settings.MAX_ROWS)
        do = {v: self.resolve(v, x) for v, x in (do or {}).items()}
        return self.scm.sample(n, seed=seed, do=do)[list(self.variables)]


def _signed_sum(terms: list[tuple[float, float | None]]) -> str:
    """`a·x + b·y − c` as people write it: a minus sign instead of "+ -", and a negative
    factor in brackets ((coefficient, value) pairs; value None for a constant)."""
    out = []
    for i, (coef, value) in enumerate(terms):
        mag = f"{abs(coef):.4g}" + ("" if value is None else
                                    "·" + (f"(−{abs(value):.4g})" if value < 0 else f"{value:.4g}"))
        sign = ("−" if coef < 0 else "") if i == 0 else (" − " if coef < 0 else " + ")
        out.append(sign + mag)
    return "".join(out)
