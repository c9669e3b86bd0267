"""A linear structural causal model with additive noise: V = intercept + Σ coef·parent + U_V.

Fitted by least squares, one regression per node on its parents. The noise terms are
independent; for distributions they are taken as Gaussian with the residual standard
deviation. Unit counterfactuals (abduction → action → prediction) are exact and vectorised.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.errors import ModelError, QueryError


@dataclass(frozen=True, eq=False)
class LinearSCM:
    """Linear additive-noise SCM; `variables` are in topological order."""

    variables: tuple[str, ...]
    parents: Mapping[str, tuple[str, ...]]
    coefficients: Mapping[str, Mapping[str, float]]
    intercepts: Mapping[str, float]
    noise_std: Mapping[str, float]
    n_rows: int = 0
    r_squared: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index = {v: i for i, v in enumerate(self.variables)}
        n = len(self.variables)
        b = np.zeros((n, n))
        for v in self.variables:
            for p in self.parents.get(v, ()):
                if index[p] >= index[v]:
                    raise ModelError(f"'{p}' must come before its child '{v}' in the SCM.")
                b[index[v], index[p]] = float(self.coefficients[v][p])
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_b", b)
        object.__setattr__(self, "_c", np.array([float(self.intercepts.get(v, 0.0))
                                                 for v in self.variables]))
        object.__setattr__(self, "_d", np.array([float(self.noise_std.get(v, 0.0)) ** 2
                                                 for v in self.variables]))

    # ---- construction -----------------------------------------------------------------------
    @classmethod
    def from_equations(cls, parents: Mapping[str, Sequence[str]],
                       coefficients: Mapping[str, Mapping[str, float]],
                       intercepts: Mapping[str, float] | None = None,
                       noise_std: Mapping[str, float] | None = None,
                       order: Sequence[str] | None = None) -> LinearSCM:
        """Build an SCM from known equations (a textbook example, a simulation truth)."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(order or parents)
        g.add_edges_from((p, v) for v, ps in parents.items() for p in ps)
        variables = tuple(nx.lexicographical_topological_sort(
            g, key=lambda n: list(order or parents).index(n) if n in (order or parents) else 0))
        return cls(
            variables=variables,
            parents={v: tuple(parents.get(v, ())) for v in variables},
            coefficients={v: {p: float(coefficients[v][p]) for p in parents.get(v, ())}
                          for v in variables},
            intercepts={v: float((intercepts or {}).get(v, 0.0)) for v in variables},
            noise_std={v: float((noise_std or {}).get(v, 1.0)) for v in variables},
        )

    @classmethod
    def fit(cls, parents: Mapping[str, Sequence[str]], order: Sequence[str],
            data: pd.DataFrame) -> LinearSCM:
        """Least squares per node on its parents (with intercept); residual std with n−p−1."""
        coefficients, intercepts, noise, r2 = {}, {}, {}, {}
        n = len(data)
        for v in order:
            ps = list(parents.get(v, ()))
            y = data[v].to_numpy(dtype=float)
            x = np.column_stack([np.ones(n), *(data[p].to_numpy(dtype=float) for p in ps)])
            dof = n - x.shape[1]
            if dof < 1:
                raise ModelError(f"'{v}' has {len(ps)} parents but only {n} rows of data: too few "
                                 "to fit its equation.", hint="Load more rows or remove arrows.")
            beta, *_ = np.linalg.lstsq(x, y, rcond=None)
            resid = y - x @ beta
            intercepts[v] = float(beta[0])
            coefficients[v] = {p: float(b) for p, b in zip(ps, beta[1:])}
            noise[v] = float(np.sqrt(resid @ resid / dof))
            tss = float(((y - y.mean()) ** 2).sum())
            r2[v] = 1.0 - float(resid @ resid) / tss if tss > 0 else 1.0
        return cls(variables=tuple(order), parents={v: tuple(parents.get(v, ())) for v in order},
                   coefficients=coefficients, intercepts=intercepts, noise_std=noise, n_rows=n,
                   r_squared=r2)

    # ---- readable form ------------------------------------------------------------------------
    def equation(self, v: str, digits: int = 3) -> str:
        """The structural equation of `v` as text, e.g. 'Y = 0.1 + 0.7·X + 0.4·H + U_Y'."""
        terms = [f"{self.intercepts[v]:.{digits}g}"] if self.intercepts[v] else []
        for p in self.parents[v]:
            c = self.coefficients[v][p]
            terms.append(f"{'− ' if c < 0 and terms else ''}{abs(c) if terms else c:.{digits}g}·{p}")
        body = " + ".join(terms).replace("+ −", "−")
        return f"{v} = {body + ' + ' if body else ''}U_{v}"

    def equations(self) -> list[str]:
        return [self.equation(v) for v in self.variables]

    def __repr__(self) -> str:
        return "LinearSCM(\n  " + "\n  ".join(self.equations()) + "\n)"

    # ---- linear algebra of the model ----------------------------------------------------------
    def index(self, v: str) -> int:
        return self._index[v]

    def _mutilated(self, do: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(B, c, keep) after do(): incoming coefficients cut, intercept = value, noise off."""
        b, c = self._b.copy(), self._c.copy()
        keep = np.ones(len(self.variables))
        for v, x in do.items():
            i = self._index[v]
            b[i, :] = 0.0
            c[i] = float(x)
            keep[i] = 0.0
        return b, c, keep

    def gaussian(self, do: Mapping[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Mean vector and covariance matrix of all variables (after do(), if given)."""
        b, c, keep = self._mutilated(do or {})
        a = np.linalg.inv(np.eye(len(self.variables)) - b)
        mean = a @ c
        cov = (a * (self._d * keep)) @ a.T
        return mean, cov

    def conditional(self, targets: Sequence[str], evidence: Mapping[str, float],
                    do: Mapping[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Mean and covariance of `targets` given point evidence, in the (mutilated) model."""
        mean, cov = self.gaussian(do)
        t = [self._index[v] for v in targets]
        e = [self._index[v] for v in evidence]
        if not e:
            return mean[t], cov[np.ix_(t, t)]
        vals = np.array([float(evidence[v]) for v in evidence])
        s_ee = cov[np.ix_(e, e)]
        s_te = cov[np.ix_(t, e)]
        inv = np.linalg.pinv(s_ee)
        gap = vals - mean[e]
        # evidence outside the support of a degenerate (noise-free) model has probability zero
        resid = gap - s_ee @ inv @ gap
        if np.abs(resid).max(initial=0.0) > 1e-6 * (1 + np.abs(vals).max()):
            raise QueryError("This evidence is impossible under the model: some observed values "
                             "contradict equations that have no noise.",
                             hint="Check the evidence values or the intervention.")
        return mean[t] + s_te @ inv @ gap, cov[np.ix_(t, t)] - s_te @ inv @ s_te.T

    def abduct(self, values: np.ndarray) -> np.ndarray:
        """The noise of each unit (rows × variables in model order): U = (I − B)·v − c."""
        values = np.atleast_2d(np.asarray(values, dtype=float))
        return values @ (np.eye(len(self.variables)) - self._b).T - self._c

    def predict(self, noise: np.ndarray, do: Mapping[str, float]) -> np.ndarray:
        """Push each unit's noise through the model after do(): the counterfactual values."""
        b, c, keep = self._mutilated(do)
        a = np.linalg.inv(np.eye(len(self.variables)) - b)
        return (noise * keep + c) @ a.T

    def unit_counterfactuals(self, rows: pd.DataFrame | np.ndarray,
                             do: Mapping[str, float]) -> pd.DataFrame:
        """Exact counterfactual values of every variable for fully observed units (vectorised)."""
        if isinstance(rows, pd.DataFrame):
            missing = [v for v in self.variables if v not in rows.columns]
            if missing:
                raise QueryError("Unit counterfactuals need every variable of the model; missing: "
                                 + ", ".join(missing) + ".")
            values = rows[list(self.variables)].to_numpy(dtype=float)
            index = rows.index
        else:
            values = np.atleast_2d(np.asarray(rows, dtype=float))
            index = None
        out = self.predict(self.abduct(values), do)
        return pd.DataFrame(out, columns=list(self.variables), index=index)

    def sample(self, n: int, seed: int = 0, do: Mapping[str, float] | None = None) -> pd.DataFrame:
        """Draw `n` units with Gaussian noise (after do(), if given)."""
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal((n, len(self.variables))) * np.sqrt(self._d)
        return pd.DataFrame(self.predict(noise, do or {}), columns=list(self.variables))

    def total_effect(self, cause: str, effect: str) -> float:
        """d E[effect | do(cause = x)] / dx: the sum over directed paths of coefficient products."""
        a = np.linalg.inv(np.eye(len(self.variables)) - self._b)
        return float(a[self._index[effect], self._index[cause]])
