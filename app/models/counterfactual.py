"""Unit counterfactuals: "given what happened, what would have happened had X been x'?".

Abduction → action → prediction on an explicit structural model:
- linear SCM: the noise of each variable is recovered exactly from a fully observed unit
  (Gaussian posterior when only part of the unit is observed);
- discrete network: probability tables do not determine counterfactuals, so a functional
  assumption is stated and used in a twin network (factual and counterfactual copies sharing
  each variable's hidden noise). "monotone": one uniform noise per variable, states taken in
  their listed order (for yes/no variables this is monotonicity). "independent": a unit's
  response at other parent values is independent of its observed response.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.errors import ModelError, QueryError
from app.graph import CausalGraph
from app.models.cpt import MAX_CPT_CELLS
from app.models.fit import FittedModel
from app.models.inference import _listing, check_variable, resolve_state

ASSUMPTIONS = {
    "monotone": (
        "Each variable has one hidden 'noise' number, shared by the factual and the "
        "counterfactual world, and its states are taken in the order listed (e.g. 0 before 1). "
        "For yes/no variables this is monotonicity: changing a cause moves a unit's outcome only "
        "in the direction it moves the probability — nobody is harmed by what helps on average. "
        "The probability tables alone cannot decide counterfactuals; this assumption does."
    ),
    "independent": (
        "A unit's response to the parent values it actually had says nothing about how it "
        "would respond to other parent values (independent response functions): variables "
        "whose causes do not change keep their factual values, the others are drawn afresh "
        "from their probability tables. The probability tables alone cannot decide "
        "counterfactuals; this assumption does."
    ),
}
LINEAR_ASSUMPTION = (
    "Each variable equals its fitted linear equation plus its own noise, and that noise is the "
    "same in the factual and the counterfactual world (additive noise). With every variable "
    "of the unit observed the noise is recovered exactly."
)


@dataclass(frozen=True, eq=False)
class CounterfactualResult:
    """What `targets` would have been under `do`, for the unit described by `factual`."""

    kind: str
    targets: tuple[str, ...]
    factual: Mapping[str, object]
    do: Mapping[str, object]
    assumption: str
    assumption_text: str
    steps: tuple[str, ...]
    unchanged: tuple[str, ...]
    twin: CausalGraph
    twin_names: Mapping[str, str]
    distributions: Mapping[str, pd.Series] = field(default_factory=dict)
    factual_distributions: Mapping[str, pd.Series] = field(default_factory=dict)
    means: Mapping[str, float] = field(default_factory=dict)
    stds: Mapping[str, float] = field(default_factory=dict)
    factual_means: Mapping[str, float] = field(default_factory=dict)
    evidence_probability: float | None = None

    @property
    def label(self) -> str:
        what = ", ".join(f"{k}={v}" for k, v in self.factual.items()) or "nothing observed"
        act = ", ".join(f"{k}={_fmt(v)}" for k, v in self.do.items())
        return f"{', '.join(t + '*' for t in self.targets)} had {act}, given {what}"

    @property
    def distribution(self) -> pd.Series:
        if self.kind != "discrete":
            raise QueryError("A linear counterfactual is a number (mean), not a table.")
        return self.distributions[self.targets[0]]

    @property
    def value(self) -> float | pd.Series:
        """The counterfactual value (linear) or distribution (discrete) of the first target."""
        t = self.targets[0]
        return self.means[t] if self.kind == "linear" else self.distributions[t]

    def probability(self, target: str, state: object) -> float:
        for s, p in self.distributions[target].items():
            if s == state or str(s) == str(state):
                return float(p)
        raise QueryError(f"'{state}' is not a state of '{target}'.")

    def __repr__(self) -> str:
        if self.kind == "discrete":
            body = "; ".join(f"{t}*: " + ", ".join(f"{s}={p:.4f}" for s, p in d.items())
                             for t, d in self.distributions.items())
        else:
            body = "; ".join(f"{t}* = {self.means[t]:.4g} (± {self.stds[t]:.2g})"
                             for t in self.targets)
        return f"CounterfactualResult({self.label} → {body}; assumption={self.assumption})"


def _fmt(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


# ---- the twin network, as a graph to draw ------------------------------------------------------
def _fresh(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "*"
    taken.add(name)
    return name


def twin_network(graph: CausalGraph, do: Iterable[str]) -> tuple[CausalGraph, dict[str, str]]:
    """The twin network for do(): factual nodes, starred copies of what the action changes,
    and a shared noise node U_V for each copied variable. Returns (graph, copy names)."""
    do = set(do)
    affected = set(do)
    for x in do:
        affected |= graph.descendants(x)
    taken = set(graph.nodes)
    star = {v: _fresh(f"{v}*", taken) for v in graph.topological_order() if v in affected}
    noise = {v: _fresh(f"U_{v}", taken) for v in star if v not in do}
    edges = set(graph.edges)
    for v, v_star in star.items():
        if v in do:
            continue
        edges |= {(noise[v], v), (noise[v], v_star)}
        for p in graph.parents(v):
            edges.add((star.get(p, p), v_star))
    from app.drawing import display_positions

    pos = display_positions(graph)
    xs = [p[0] for p in pos.values()] or [0.0]
    shift = (max(xs) - min(xs)) + 260.0
    positions = dict(pos)
    for v, v_star in star.items():
        positions[v_star] = (pos[v][0] + shift, pos[v][1])
        if v in noise:
            positions[noise[v]] = (pos[v][0] + shift / 2, pos[v][1] - 55.0)
    roles: dict[str, set[str]] = {n: {"latent"} for n in noise.values()}
    for x in do:
        roles[star[x]] = {"exposure"}
    nodes = [*graph.nodes, *noise.values(), *star.values()]
    twin = CausalGraph.from_edges(sorted(edges), nodes=nodes, roles=roles, positions=positions)
    return twin, star


# ---- discrete counterfactuals ------------------------------------------------------------------
def _coupling(p: np.ndarray, q: np.ndarray, same: np.ndarray, assumption: str) -> np.ndarray:
    """P(V* = t | V = s) for columns of factual (p) and counterfactual (q) distributions.

    p, q: (k, N) probability columns; same: (N,) whether both parent settings are equal.
    Returns (k_t, k_s, N).
    """
    k, n = p.shape
    if assumption == "independent":
        out = np.broadcast_to(q[:, None, :], (k, k, n)).copy()
        eye = np.eye(k)[:, :, None]
        out = np.where(same[None, None, :], eye, out)
        return out
    cp = np.vstack([np.zeros((1, n)), np.cumsum(p, axis=0)])
    cq = np.vstack([np.zeros((1, n)), np.cumsum(q, axis=0)])
    cp[-1], cq[-1] = 1.0, 1.0
    lo = np.maximum(cq[:-1, None, :], cp[None, :-1, :])       # (t, s, N)
    hi = np.minimum(cq[1:, None, :], cp[None, 1:, :])
    overlap = np.clip(hi - lo, 0.0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        cond = overlap / p[None, :, :]
    fallback = np.broadcast_to(q[:, None, :], cond.shape)
    cond = np.where(p[None, :, :] > 1e-15, cond, fallback)
    return cond / cond.sum(axis=0, keepdims=True)


def _cpd_array(model: FittedModel, v: str) -> np.ndarray:
    """CPT values of v as (k, configs) in graph-parent order (as stored by fit_model)."""
    return np.asarray(model.network.get_cpds(v).get_values(), dtype=float)


def _twin_cpd(model: FittedModel, v: str, star: Mapping[str, str], do: Mapping[str, object],
              assumption: str):
    """The CPD of v* given v, v's factual parents and the starred copies of changed parents."""
    from pgmpy.factors.discrete import TabularCPD

    states = model.states
    parents = model.graph.parents(v)
    f = _cpd_array(model, v)
    k = len(states[v])
    copies = [p for p in parents if p in star and p not in do]
    cards_f = [len(states[p]) for p in parents]
    cards_c = [len(states[p]) for p in copies]
    cells = k * k * int(np.prod(cards_f + cards_c, dtype=float))
    if cells > MAX_CPT_CELLS:
        raise ModelError(f"The twin network needs a table of {cells:,} numbers for '{v}'; the "
                         f"limit is {MAX_CPT_CELLS:,}.",
                         hint="Intervene closer to the target, or simplify the graph.")
    grid = np.indices(cards_f + cards_c).reshape(len(cards_f) + len(cards_c), -1)
    n = grid.shape[1]
    fact_idx = np.zeros(n, dtype=np.int64)
    cf_idx = np.zeros(n, dtype=np.int64)
    same = np.ones(n, dtype=bool)
    for j, p in enumerate(parents):
        a = grid[j]
        if p in do:
            b = np.full(n, list(states[p]).index(do[p]))
        elif p in star:
            b = grid[len(cards_f) + copies.index(p)]
        else:
            b = a
        fact_idx = fact_idx * cards_f[j] + a
        cf_idx = cf_idx * cards_f[j] + b
        same &= a == b
    cond = _coupling(f[:, fact_idx], f[:, cf_idx], same, assumption)   # (t, s, N)
    values = cond.reshape(k, k * n)  # columns: s slowest, then factual parents, then copies
    evidence = [v, *parents, *(star[p] for p in copies)]
    names = {star[v]: list(states[v]), v: list(states[v]),
             **{p: list(states[p]) for p in parents},
             **{star[p]: list(states[p]) for p in copies}}
    return TabularCPD(star[v], k, values, evidence=evidence,
                      evidence_card=[k, *cards_f, *cards_c], state_names=names)


def _discrete(model: FittedModel, targets: list[str], factual: dict, do: dict,
              assumption: str) -> CounterfactualResult:
    from pgmpy.inference import VariableElimination

    graph = model.graph
    twin, star = twin_network(graph, do)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = model.network.copy()
        taken = set(graph.nodes)
        internal = {v: _fresh(f"__cf__{v}", taken) for v in star}
        for v in graph.topological_order():
            if v not in star or v in do:
                continue
            cpd = _twin_cpd(model, v, internal, do, assumption)
            parents = cpd.variables[1:]
            net.add_node(internal[v])
            net.add_edges_from((p, internal[v]) for p in parents)
            net.add_cpds(cpd)
        ve = VariableElimination(net)
        probability = _evidence_probability(model, factual)
        if probability <= 0:
            seen = ", ".join(f"{k}={v}" for k, v in factual.items())
            raise QueryError(f"The observed facts ({seen}) are impossible under this model.",
                             hint="Check the values: the model gives them probability zero.")
        dists, fact = {}, {}
        for t in targets:
            cf_var = internal.get(t, t)
            if t in factual and t not in star:
                dists[t] = _point(model, t, factual[t])
            else:
                q = ve.query([cf_var], evidence=factual, show_progress=False)
                dists[t] = _series(model, t, q.values)
            if t in factual:
                fact[t] = _point(model, t, factual[t])
            else:
                fact[t] = _series(model, t, ve.query([t], evidence=factual or None,
                                                     show_progress=False).values)
    unchanged = tuple(v for v in graph.nodes if v not in star)
    steps = _discrete_steps(model, targets, factual, do, dists, probability, unchanged, assumption)
    return CounterfactualResult(
        kind="discrete", targets=tuple(targets), factual=factual, do=do, assumption=assumption,
        assumption_text=ASSUMPTIONS[assumption], steps=steps, unchanged=unchanged, twin=twin,
        twin_names=star, distributions=dists, factual_distributions=fact,
        evidence_probability=probability)


def _evidence_probability(model: FittedModel, factual: dict) -> float:
    """P(factual) in the model (exact, without building a joint table)."""
    if not factual:
        return 1.0
    from app.models.inference import _engine

    codes = {v: model.states[v].index(x) for v, x in factual.items()}
    return float(_engine(model, frozenset()).query((), codes))


def _series(model: FittedModel, t: str, values: np.ndarray) -> pd.Series:
    values = np.asarray(values, dtype=float)
    return pd.Series(values / values.sum(), index=pd.Index(list(model.states[t]), name=t,
                                                           dtype=object), name="probability")


def _point(model: FittedModel, t: str, state: object) -> pd.Series:
    return _series(model, t, np.array([1.0 if s == state else 0.0 for s in model.states[t]]))


def _discrete_steps(model, targets, factual, do, dists, probability, unchanged, assumption):
    seen = ", ".join(f"{k}={v}" for k, v in factual.items()) or "nothing"
    act = ", ".join(f"{k}={v}" for k, v in do.items())
    cut = sorted({p for x in do for p in model.graph.parents(x)})
    steps = [
        f"Abduction: what was observed ({seen}) has probability {probability:.4g} under the "
        "model. Keep only the hidden circumstances (each variable's noise) that agree with it.",
        f"Action: in a copy of the model — the counterfactual world — set {act}"
        + (f", cutting the arrows from {', '.join(cut)}" if cut else "") + ".",
        "Prediction: push the same hidden circumstances through the copy"
        + (f"; {', '.join(unchanged)} are not downstream of the action and keep their factual "
           "values" if unchanged else "") + ".",
    ]
    for t in targets:
        steps.append(f"Result: P({t}* = s) = " + ", ".join(f"{s}: {p:.4f}"
                                                          for s, p in dists[t].items()) + ".")
    return tuple(steps)


# ---- linear counterfactuals --------------------------------------------------------------------
def _linear(model: FittedModel, targets: list[str], factual: dict, do: dict
            ) -> CounterfactualResult:
    scm = model.scm
    names = list(scm.variables)
    n = len(names)
    b, c = scm._b, scm._c
    d = scm._d
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
            raise QueryError("These observed values contradict the model's noise-free equations.")
        mean = mu_t + cov_tf @ inv @ gap
        cov = cov_tt - cov_tf @ inv @ cov_tf.T
    else:
        mean, cov = mu_t, cov_tt
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    twin, star = twin_network(model.graph, do)
    unchanged = tuple(v for v in model.graph.nodes if v not in star)
    full = len(factual) == n
    steps = _linear_steps(model, factual, do, targets, mean, full)
    fact_means = {}
    for t in targets:
        fact_means[t] = float(factual[t]) if t in factual else float(
            scm.conditional([t], factual)[0][0])
    return CounterfactualResult(
        kind="linear", targets=tuple(targets), factual=factual, do=do, assumption="additive noise",
        assumption_text=LINEAR_ASSUMPTION + ("" if full else
                                             " Only part of the unit is observed, so the noise is "
                                             "uncertain (normal noise assumed): the answer is a "
                                             "mean with a spread."),
        steps=steps, unchanged=unchanged, twin=twin, twin_names=star,
        means={t: float(m) for t, m in zip(targets, mean)},
        stds={t: float(s) for t, s in zip(targets, sd)}, factual_means=fact_means)


def _linear_steps(model, factual, do, targets, mean, full) -> tuple[str, ...]:
    scm = model.scm
    steps = []
    if full:
        values = np.array([float(factual[v]) for v in scm.variables])
        noise = scm.abduct(values)[0]
        parts = []
        for v in scm.variables:
            fitted = values[scm.index(v)] - noise[scm.index(v)]
            parts.append(f"U_{v} = {_fmt(float(factual[v]))} − {fitted:.4g} = "
                         f"{noise[scm.index(v)]:.4g}")
        steps.append("Abduction: recover each variable's noise from the unit: "
                     + "; ".join(parts) + ".")
        cf = scm.predict(noise[None, :], do)[0]
    else:
        seen = ", ".join(f"{k}={_fmt(v)}" for k, v in factual.items()) or "nothing"
        steps.append(f"Abduction: only {seen} is observed, so the noise terms get a normal "
                     "distribution given these values.")
        cf = None
    cut = sorted({p for x in do for p in model.graph.parents(x)})
    steps.append("Action: set " + ", ".join(f"{k} = {_fmt(v)}" for k, v in do.items())
                 + (f", cutting the arrows from {', '.join(cut)}" if cut else "") + ".")
    if cf is not None:
        parts = []
        for v in scm.variables:
            if v in do or not (set(do) & model.graph.ancestors(v)):
                continue
            terms = " + ".join(f"{scm.coefficients[v][p]:.4g}·{cf[scm.index(p)]:.4g}"
                               for p in scm.parents[v])
            head = f"{scm.intercepts[v]:.4g} + " if scm.intercepts[v] else ""
            parts.append(f"{v}* = {head}{terms} + {noise[scm.index(v)]:.4g} = "
                         f"{cf[scm.index(v)]:.4g}")
        steps.append("Prediction: recompute what the action changes with the same noise: "
                     + ("; ".join(parts) or "nothing downstream") + ".")
    else:
        steps.append("Prediction: average the recomputed values over that noise distribution: "
                     + ", ".join(f"{t}* ≈ {m:.4g}" for t, m in zip(targets, mean)) + ".")
    return tuple(steps)


# ---- public entry point ------------------------------------------------------------------------
def counterfactual(model: FittedModel, target: str | Iterable[str], factual: Mapping[str, object],
                   do: Mapping[str, object], *, assumption: str = "monotone"
                   ) -> CounterfactualResult:
    """What `target` would have been, for the unit described by `factual`, had `do` held.

    Discrete models use the stated `assumption` ("monotone" or "independent"); linear models
    use their additive noise (exact when the whole unit is observed).
    """
    if not isinstance(model, FittedModel):
        raise QueryError("This needs a fitted model (see app.fit_model).")
    targets = [target] if isinstance(target, str) else list(dict.fromkeys(target))
    if not targets:
        raise QueryError("Choose at least one target variable.")
    if not do:
        raise QueryError("Choose the alternative action: do(X = x') for some variable X.")
    if model.kind == "discrete" and assumption not in ASSUMPTIONS:
        raise QueryError(f"Unknown assumption '{assumption}'.",
                         hint="Use one of: " + ", ".join(ASSUMPTIONS) + ".")
    if model.confounded:
        pairs = ", ".join(f"{a} ↔ {b}" for a, b in sorted(model.graph.bidirected))
        raise QueryError(
            f"Counterfactuals need a full model, but this graph has hidden common causes "
            f"({pairs}) whose mechanisms the data cannot reveal.",
            hint="Write each hidden cause as an explicit node with hand-written tables (CPT "
                 "editor), or remove the ↔ if you believe there is no hidden confounding.")
    for t in targets:
        check_variable(model, t, "target")
    do = {check_variable(model, k, "variable to change"): resolve_state(model, k, v)
          for k, v in dict(do).items()}
    factual = {check_variable(model, k, "observed variable"): resolve_state(model, k, v)
               for k, v in dict(factual or {}).items()}
    for t in targets:
        if t in do:
            raise QueryError(f"'{t}' is both the target and the variable you change: its "
                             f"counterfactual value is simply {do[t]}.",
                             hint="Choose a target downstream of the change.")
    if model.kind == "linear":
        return _linear(model, targets, factual, do)
    return _discrete(model, targets, factual, do, assumption)


def unit_counterfactuals(model: FittedModel, rows: pd.DataFrame, do: Mapping[str, object]
                         ) -> pd.DataFrame:
    """Counterfactual values of every variable for many fully observed units (linear, exact)."""
    if not isinstance(model, FittedModel) or model.kind != "linear":
        raise QueryError("Counterfactuals for many rows at once need a linear model.",
                         hint="For a discrete model, ask about one unit at a time.")
    do = {check_variable(model, k, "variable to change"): resolve_state(model, k, v)
          for k, v in dict(do).items()}
    missing = [v for v in model.variables if v not in rows.columns]
    if missing:
        raise QueryError("Every variable of the unit must be observed; missing columns: "
                         + _listing(missing) + ".")
    return model.scm.unit_counterfactuals(rows, do)


def row_to_factual(model: FittedModel, row: Mapping[str, object]) -> dict[str, object]:
    """A data row as facts in the model's own states (binned columns mapped to their bin)."""
    facts = {}
    for v in model.variables:
        if v not in row or pd.isna(row[v]):
            continue
        value = row[v]
        if v in model.discretised:
            edges = np.asarray(model.discretised[v])
            code = int(np.searchsorted(edges[1:-1], float(value), side="right"))
            value = model.states[v][min(code, len(model.states[v]) - 1)]
        facts[v] = resolve_state(model, v, value)
    return facts
