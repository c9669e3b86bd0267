"""Seeing versus doing: P(Y | X=x) and P(Y | do(X=x)), exact, with optional evidence.

Discrete models: the network is mutilated (arrows into the do-targets cut, `model.do`) and
queried by variable elimination with the do-values as evidence. This is exact, unlike pgmpy
1.1.2's CausalInference.query (upstream issue 3543). Mutilated networks and their elimination
objects are cached per (model key, do-targets). Linear models: Gaussian algebra on the SCM.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.errors import QueryError
from app.graph import CausalGraph
from app.markup import md
from app.models.fit import FittedModel

_CACHE_SIZE = 256
_engines: OrderedDict[tuple, object] = OrderedDict()
_JOINTS_KEPT = 4            # joint tables (identification) can be megabytes: keep only a few
_joints: OrderedDict[str, object] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class QueryResult:
    """The answer to P(targets | do(...), evidence): a distribution per target (discrete) or a
    normal distribution's mean and standard deviation per target (linear)."""

    kind: str
    targets: tuple[str, ...]
    do: Mapping[str, object]
    evidence: Mapping[str, object]
    distributions: Mapping[str, pd.Series] = field(default_factory=dict)
    joint: pd.Series | None = None
    means: Mapping[str, float] = field(default_factory=dict)
    stds: Mapping[str, float] = field(default_factory=dict)
    method: str = ""

    @property
    def label(self) -> str:
        """The query in notation, e.g. 'P(recovery | do(treatment=A), stone_size=small)'."""
        parts = []
        if self.do:
            parts.append("do(" + ", ".join(f"{k}={show_value(v)}" for k, v in self.do.items()) + ")")
        parts += [f"{k}={show_value(v)}" for k, v in self.evidence.items()]
        head = ", ".join(self.targets)
        return f"P({head} | {', '.join(parts)})" if parts else f"P({head})"

    @property
    def distribution(self) -> pd.Series:
        """The distribution of the first target (discrete models)."""
        if self.kind != "discrete":
            raise QueryError("A linear model gives a mean and a standard deviation, not a table.")
        return self.distributions[self.targets[0]]

    def probability(self, target: str, state: object) -> float:
        dist = self.distributions[target]
        for s, p in dist.items():
            if s == state or str(s) == str(state):
                return float(p)
        raise QueryError(f"'{state}' is not a state of '{target}'.",
                         hint="States: " + ", ".join(map(str, dist.index)) + ".")

    def mean(self, target: str | None = None) -> float:
        """Expected value (discrete targets need numeric states)."""
        target = target or self.targets[0]
        if self.kind == "linear":
            return float(self.means[target])
        dist = self.distributions[target]
        try:
            return float(np.dot(np.asarray(dist.index, dtype=float), dist.to_numpy()))
        except (TypeError, ValueError):
            raise QueryError(f"'{target}' has non-numeric states, so it has no mean.") from None

    def samples(self, target: str | None = None, n: int = 2000, seed: int = 0) -> np.ndarray:
        """Draws from the answer's distribution (for density charts of linear models)."""
        target = target or self.targets[0]
        rng = np.random.default_rng(seed)
        if self.kind == "linear":
            return self.means[target] + self.stds[target] * rng.standard_normal(n)
        dist = self.distributions[target]
        return rng.choice(np.asarray(dist.index, dtype=object), size=n, p=dist.to_numpy())

    def to_frame(self) -> pd.DataFrame:
        """Long table: target, state (or statistic), value."""
        rows = []
        for t in self.targets:
            if self.kind == "discrete":
                rows += [{"target": t, "state": s, "value": float(p)}
                         for s, p in self.distributions[t].items()]
            else:
                rows += [{"target": t, "state": "mean", "value": self.means[t]},
                         {"target": t, "state": "std", "value": self.stds[t]}]
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        if self.kind == "discrete":
            body = "; ".join(f"{t}: " + ", ".join(f"{s}={p:.4f}" for s, p in d.items())
                             for t, d in self.distributions.items())
        else:
            body = "; ".join(f"{t}: mean={self.means[t]:.4g}, std={self.stds[t]:.4g}"
                             for t in self.targets)
        return f"QueryResult({self.label} → {body})"


def show_value(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


# ---- validation -------------------------------------------------------------------------------
def _listing(items: Sequence, limit: int = 25) -> str:
    shown = ", ".join(map(str, items[:limit]))
    return shown + (f", … ({len(items)} in all)" if len(items) > limit else "")


def check_variable(model: FittedModel, v: object, what: str = "variable") -> str:
    if v not in model.variables:
        close = [n for n in model.variables if str(n).lower() == str(v).lower()]
        raise QueryError(f"There is no {what} called '{v}' in the model."
                         + (f" Did you mean '{close[0]}'?" if close else ""),
                         hint="Variables: " + _listing(list(model.variables)) + ".")
    return v  # type: ignore[return-value]


def resolve_state(model: FittedModel, v: str, value: object) -> object:
    """The model's own state for `value` (so 1, '1' and 1.0 all find state 1)."""
    if model.kind == "linear":
        try:
            x = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise QueryError(f"'{v}' is a number in this linear model; '{value}' is not a number."
                             ) from None
        if not np.isfinite(x):
            raise QueryError(f"The value for '{v}' must be a finite number.")
        return x
    states = model.states[v]
    for s in states:
        if s == value and type(s) is type(value):
            return s
    for s in states:
        if str(s) == str(value) or (isinstance(value, float) and value.is_integer()
                                     and str(s) == str(int(value))):
            return s
    raise QueryError(f"'{value}' is not a value of '{v}'.",
                     hint=f"'{v}' takes the values: " + _listing(list(states)) + ".")


def _normalise(model: FittedModel, targets: str | Iterable[str],
               do: Mapping[str, object] | None, evidence: Mapping[str, object] | None,
               ) -> tuple[list[str], dict, dict]:
    if isinstance(targets, str):
        targets = [targets]
    targets = list(dict.fromkeys(targets))
    if not targets:
        raise QueryError("Choose at least one target variable.")
    do = dict(do or {})
    evidence = dict(evidence or {})
    for t in targets:
        check_variable(model, t, "target")
    do = {check_variable(model, k, "variable to intervene on"): resolve_state(model, k, v)
          for k, v in do.items()}
    evidence = {check_variable(model, k, "observed variable"): resolve_state(model, k, v)
                for k, v in evidence.items()}
    for t in targets:
        if t in do:
            raise QueryError(f"'{t}' is both the target and set by do(): after do({t}={do[t]}) "
                             f"it simply equals {do[t]}.",
                             hint="Choose a different target, or intervene on another variable.")
        if t in evidence:
            raise QueryError(f"'{t}' is both the target and observed.",
                             hint="Remove it from the evidence.")
    both = [k for k in evidence if k in do]
    if both:
        raise QueryError(f"'{both[0]}' is both set by do() and observed.",
                         hint="An intervened variable is already known: remove it from the "
                              "evidence.")
    return targets, do, evidence


# ---- discrete engine ----------------------------------------------------------------------
def _engine(model: FittedModel, do_vars: frozenset[str]):
    """The cached inference engine of the network mutilated for these do-targets."""
    key = (model.key, do_vars)
    with _lock:
        hit = _engines.get(key)
        if hit is not None:
            _engines.move_to_end(key)
            return hit
    from app.models.engine import Engine

    engine = Engine.from_network(model.network, model.states, list(model.variables),
                                 uniform=sorted(do_vars))
    with _lock:
        _engines[key] = engine
        while len(_engines) > _CACHE_SIZE:
            _engines.popitem(last=False)
    return engine


def clear_cache() -> None:
    """Forget every cached mutilated model (for tests and benchmarks)."""
    with _lock:
        _engines.clear()
        _joints.clear()


def _impossible(do: dict, evidence: dict, identified: bool = False) -> QueryError:
    seen = ", ".join(f"{k}={v}" for k, v in evidence.items())
    if identified and not evidence:
        return QueryError(
            "This intervention value (" + ", ".join(f"{k}={v}" for k, v in do.items())
            + ") never occurs together with the values the identification formula needs, so "
            "the data cannot say what it does.",
            hint="Use the Bayesian estimator (it gives unseen combinations a small probability) "
                 "or choose another value.")
    return QueryError(
        f"The evidence ({seen}) is impossible under this model"
        + (" after the intervention" if do else "") + ": it has probability zero.",
        hint="Conditioning on an impossible event has no answer. Choose other values (the "
             "Bayesian estimator gives unseen combinations a small probability).")


def _discrete_query(model: FittedModel, targets: list[str], do: dict, evidence: dict
                    ) -> QueryResult:
    if do and model.confounded:
        return _identified_query(model, targets, do, evidence)
    engine = _engine(model, frozenset(do))
    codes = {v: model.states[v].index(x) for v, x in {**do, **evidence}.items()}
    values = engine.query(targets, codes)
    if not np.all(np.isfinite(values)) or values.sum() <= 0:
        raise _impossible(do, evidence)
    method = ("truncated factorisation: the network with the arrows into "
              + ", ".join(do) + " cut, then exact summation over the ancestors") if do else \
        "exact summation over the ancestors of the question"
    return _result(model, targets, do, evidence, values / values.sum(), method)


def _identified_query(model: FittedModel, targets: list[str], do: dict, evidence: dict
                      ) -> QueryResult:
    from app.models.identify import identify

    key = (model.key, "id", tuple(targets), frozenset(do), frozenset(evidence))
    with _lock:
        factor = _engines.get(key)
    if factor is None:
        joint = _joint(model)
        factor = identify(joint, model.graph, targets, list(do), list(evidence))
        with _lock:
            _engines[key] = factor
            while len(_engines) > _CACHE_SIZE:
                _engines.popitem(last=False)
    assignment = {v: list(model.states[v]).index(x) for v, x in {**do, **evidence}.items()
                  if v in factor.vars}
    sliced = factor.take(assignment)
    values = np.moveaxis(sliced.values, [sliced.vars.index(t) for t in targets],
                         list(range(len(targets))))
    if values.ndim != len(targets) or not np.all(np.isfinite(values)) or values.sum() <= 0:
        raise _impossible(do, evidence, identified=True)
    return _result(model, targets, do, evidence, values / values.sum(),
                   "identified from the observed distribution (ID algorithm, Shpitser & Pearl "
                   "2006), because the graph has hidden common causes")


def _joint(model: FittedModel):
    from app.models.identify import joint_factor

    with _lock:
        hit = _joints.get(model.key)
    if hit is None:
        hit = joint_factor(model.network, list(model.variables), model.states)
        with _lock:
            _joints[model.key] = hit
            while len(_joints) > _JOINTS_KEPT:
                _joints.popitem(last=False)
    return hit


def _result(model: FittedModel, targets: list[str], do: dict, evidence: dict,
            values: np.ndarray, method: str) -> QueryResult:
    names = {t: list(model.states[t]) for t in targets}
    dists = {}
    for i, t in enumerate(targets):
        marg = values.sum(axis=tuple(j for j in range(len(targets)) if j != i))
        dists[t] = pd.Series(marg, index=pd.Index(names[t], name=t, dtype=object), name="probability")
    joint = None
    if len(targets) > 1:
        index = pd.MultiIndex.from_product([names[t] for t in targets], names=targets)
        joint = pd.Series(values.ravel(), index=index, name="probability")
    return QueryResult("discrete", tuple(targets), do, evidence, distributions=dists, joint=joint,
                       method=method)


def _linear_query(model: FittedModel, targets: list[str], do: dict, evidence: dict
                  ) -> QueryResult:
    mean, cov = model.scm.conditional(targets, evidence, do)
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return QueryResult("linear", tuple(targets), do, evidence,
                       means={t: float(m) for t, m in zip(targets, mean)},
                       stds={t: float(s) for t, s in zip(targets, sd)},
                       method="Gaussian algebra on the linear equations"
                              + (" with the arrows into " + ", ".join(do) + " cut" if do else ""))


# ---- public queries -----------------------------------------------------------------------
def do_query(model: FittedModel, targets: str | Iterable[str], do: Mapping[str, object],
             evidence: Mapping[str, object] | None = None) -> QueryResult:
    """P(targets | do(X=x), evidence): the intervention's effect, exact, in the fitted model."""
    _require_model(model)
    targets, do, evidence = _normalise(model, targets, do, evidence)
    if model.kind == "discrete":
        return _discrete_query(model, targets, do, evidence)
    return _linear_query(model, targets, do, evidence)


def observe_query(model: FittedModel, targets: str | Iterable[str],
                  evidence: Mapping[str, object] | None = None) -> QueryResult:
    """P(targets | evidence): plain conditioning ("seeing"), for comparison with do_query."""
    return do_query(model, targets, {}, evidence)


def _require_model(model: object) -> None:
    if not isinstance(model, FittedModel):
        raise QueryError("This needs a fitted model (see app.fit_model).")


# ---- effects and sweeps ---------------------------------------------------------------------
POSITIVE = ("1", "true", "yes", "y", "recovered", "success", "present", "positive", "high")


def default_outcome_state(states: Sequence) -> object:
    """The state a 'risk' refers to: 1 / True / yes where present, else the last state."""
    for s in states:
        if str(s).strip().lower() in POSITIVE:
            return s
    return states[-1]


@dataclass(frozen=True)
class EffectResult:
    """The causal risk difference (discrete) or average treatment effect (linear) of X on Y."""

    target: str
    treatment: str
    treated: object
    control: object
    outcome_state: object | None
    do_treated: float
    do_control: float
    see_treated: float
    see_control: float

    @property
    def effect(self) -> float:
        return self.do_treated - self.do_control

    @property
    def association(self) -> float:
        return self.see_treated - self.see_control

    @property
    def measure(self) -> str:
        return "causal risk difference" if self.outcome_state is not None else "average causal effect"

    def sentence(self) -> str:
        """The effect in plain words, next to what mere observation would suggest."""
        if self.outcome_state is not None:
            what = f"the chance that {self.target} = {self.outcome_state}"
            fmt = "{:.1%}"
            diff = f"{abs(self.effect) * 100:.1f} percentage points"
        else:
            what = f"the average of {self.target}"
            fmt = "{:.4g}"
            diff = f"{abs(self.effect):.4g}"
        direction = "raises" if self.effect > 0 else "lowers" if self.effect < 0 else "does not change"
        text = (f"Setting {self.treatment} to {self.treated} instead of {self.control} {direction} "
                f"{what}" + (f" by {diff}" if self.effect else "") + " ("
                + fmt.format(self.do_control) + " → " + fmt.format(self.do_treated) + ").")
        if np.sign(self.association) != np.sign(self.effect) and abs(self.association) > 1e-9:
            text += (" Merely comparing units that happen to have these values suggests the "
                     "opposite (" + fmt.format(self.see_control) + " → "
                     + fmt.format(self.see_treated) + "): confounding reverses the picture.")
        elif abs(self.association - self.effect) > 0.005 * max(1.0, abs(self.effect)):
            text += (" Merely comparing units that happen to have these values would suggest a "
                     f"difference of {fmt.format(self.association)} instead: the gap is "
                     "confounding.")
        return text


def causal_effect(model: FittedModel, target: str, treatment: str, treated: object,
                  control: object, evidence: Mapping[str, object] | None = None,
                  outcome_state: object | None = None) -> EffectResult:
    """do(treatment=treated) versus do(treatment=control) on the target, beside the association."""
    _require_model(model)
    check_variable(model, target, "target")
    check_variable(model, treatment, "treatment")
    if model.kind == "discrete":
        outcome_state = (default_outcome_state(model.states[target]) if outcome_state is None
                         else resolve_state(model, target, outcome_state))

    def value(r: QueryResult) -> float:
        return r.probability(target, outcome_state) if model.kind == "discrete" else r.mean(target)

    ev = dict(evidence or {})
    do1 = value(do_query(model, target, {treatment: treated}, ev))
    do0 = value(do_query(model, target, {treatment: control}, ev))
    see1 = value(observe_query(model, target, {**ev, treatment: treated}))
    see0 = value(observe_query(model, target, {**ev, treatment: control}))
    return EffectResult(target, treatment, resolve_state(model, treatment, treated),
                        resolve_state(model, treatment, control),
                        outcome_state if model.kind == "discrete" else None, do1, do0, see1, see0)


def intervention_sweep(model: FittedModel, target: str, treatment: str,
                       evidence: Mapping[str, object] | None = None,
                       outcome_state: object | None = None,
                       values: Sequence | None = None) -> pd.DataFrame:
    """The target against every value of the treatment, under do() and under observation.

    Columns: treatment value, 'do' and 'see' (probability of the outcome state, or mean), and
    for linear models 'do_low'/'do_high' (mean ± 1 std). Impossible observations give NaN.
    """
    _require_model(model)
    check_variable(model, treatment, "treatment")
    check_variable(model, target, "target")
    if model.kind == "discrete":
        outcome_state = (default_outcome_state(model.states[target]) if outcome_state is None
                         else resolve_state(model, target, outcome_state))
        values = list(values) if values is not None else list(model.states[treatment])
    elif values is None:
        mean, cov = model.scm.gaussian()
        i = model.scm.index(treatment)
        sd = float(np.sqrt(cov[i, i])) or 1.0
        values = list(np.linspace(mean[i] - 2 * sd, mean[i] + 2 * sd, 21))
    rows = []
    ev = dict(evidence or {})
    for x in values:
        r = do_query(model, target, {treatment: x}, ev)
        try:
            s = observe_query(model, target, {**ev, treatment: x})
        except QueryError:
            s = None
        row = {treatment: x}
        if model.kind == "discrete":
            row["do"] = r.probability(target, outcome_state)
            row["see"] = s.probability(target, outcome_state) if s else np.nan
        else:
            row["do"] = r.means[target]
            row["do_low"] = r.means[target] - r.stds[target]
            row["do_high"] = r.means[target] + r.stds[target]
            row["see"] = s.means[target] if s else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def cut_edges(graph: CausalGraph, do_vars: Iterable[str]) -> list[tuple[str, str]]:
    """What an intervention removes: every arrow into a do-target, and every hidden common
    cause (↔) it shares with other variables."""
    do_vars = set(do_vars)
    return sorted([(a, b) for a, b in graph.edges if b in do_vars]
                  + [(a, b) for a, b in graph.bidirected if {a, b} & do_vars])


# ---- sensible first questions -----------------------------------------------------------------
def suggest_query(model: FittedModel) -> tuple[str, str]:
    """(treatment, target) for a first view: the graph's exposure and outcome roles if set,
    else the first variable with descendants and its last descendant."""
    g = model.graph
    variables = list(model.variables)
    exposures = [v for v in variables if "exposure" in g.roles.get(v, ())]
    outcomes = [v for v in variables if "outcome" in g.roles.get(v, ())]
    treatment = exposures[0] if exposures else None
    if treatment is None:
        treatment = next((v for v in variables if g.descendants(v) & set(variables)), variables[0])
    below = [v for v in variables if v in g.descendants(treatment)]
    target = next((o for o in outcomes if o != treatment), None) or (below[-1] if below else None)
    if target is None:
        target = next(v for v in reversed(variables) if v != treatment) if len(variables) > 1 \
            else treatment
    return treatment, target


def suggest_values(model: FittedModel, treatment: str) -> tuple[object, object]:
    """(treated, control) values worth comparing: yes vs no, or mean + 1 std vs the mean."""
    if model.kind == "discrete":
        states = list(model.states[treatment])
        treated = default_outcome_state(states)
        control = next((s for s in states if s != treated), treated)
        return treated, control
    levels = model.states.get(treatment)
    if levels and len(levels) >= 2:          # a yes/no or count column: compare its extremes
        return float(levels[-1]), float(levels[0])
    mean, cov = model.scm.gaussian()
    i = model.scm.index(treatment)
    m, s = float(mean[i]), float(np.sqrt(cov[i, i])) or 1.0
    return float(f"{m + s:.3g}"), float(f"{m:.3g}")


def seeing_doing_sentence(model: FittedModel, result: QueryResult, seen: QueryResult | None,
                          target: str) -> str:
    """'If everyone had X = x, P(Y = y) would be …; among units that merely have X = x it is …'.

    Markdown: names and values are escaped, the emphasis is ours."""
    setting = ", ".join(f"{md(k)} = {md(show_value(v))}" for k, v in result.do.items())
    if result.evidence:
        setting += " (among units with " + ", ".join(
            f"{md(k)} = {md(show_value(v))}" for k, v in result.evidence.items()) + ")"
    if result.kind == "discrete":
        y = default_outcome_state(model.states[target])
        return (f"If **everyone** had {setting}, P({md(target)} = {md(y)}) would be "
                f"**{result.probability(target, y):.1%}**"
                + (f"; among units that merely *have* {setting} it is "
                   f"{seen.probability(target, y):.1%}." if seen else "."))
    return (f"If **everyone** had {setting}, the average {md(target)} would be "
            f"**{result.means[target]:.4g}**"
            + (f"; among units that merely *have* these values it is {seen.means[target]:.4g}."
               if seen else "."))
