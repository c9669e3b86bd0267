"""Seeing versus doing: P(Y | X=x) and P(Y | do(X=x)), exact, with optional evidence.

The public queries check names and values here, then ask the model itself (`model.query`):
a DiscreteModel mutilates its tables and sums exactly (app.models.discrete), a LinearModel
does Gaussian algebra on its equations (app.models.linear). Effects, sweeps and the first
questions worth asking are built on those answers.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.errors import QueryError
from app.graph import CausalGraph
from app.models.base import FittedModel, listing
from app.models.results import QueryResult, default_outcome_state, show_value

__all__ = ["QueryResult", "default_outcome_state", "show_value", "do_query", "observe_query",
           "causal_effect", "intervention_sweep", "cut_edges", "suggest_query",
           "suggest_values", "seeing_doing_sentence", "check_variable", "resolve_state",
           "EffectResult"]


# ---- validation -------------------------------------------------------------------------------
def check_variable(model: FittedModel, v: object, what: str = "variable") -> str:
    if v not in model.variables:
        close = [n for n in model.variables if str(n).lower() == str(v).lower()]
        raise QueryError(f"There is no {what} called '{v}' in the model."
                         + (f" Did you mean '{close[0]}'?" if close else ""),
                         hint="Variables: " + listing(list(model.variables)) + ".")
    return v  # type: ignore[return-value]


def resolve_state(model: FittedModel, v: str, value: object) -> object:
    """The model's own state for `value` (so 1, '1' and 1.0 all find state 1)."""
    return model.resolve(v, value)


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


# ---- public queries -----------------------------------------------------------------------
def do_query(model: FittedModel, targets: str | Iterable[str], do: Mapping[str, object],
             evidence: Mapping[str, object] | None = None) -> QueryResult:
    """P(targets | do(X=x), evidence): the intervention's effect, exact, in the fitted model."""
    _require_model(model)
    targets, do, evidence = _normalise(model, targets, do, evidence)
    return model.query(targets, do, evidence)


def observe_query(model: FittedModel, targets: str | Iterable[str],
                  evidence: Mapping[str, object] | None = None) -> QueryResult:
    """P(targets | evidence): plain conditioning ("seeing"), for comparison with do_query."""
    return do_query(model, targets, {}, evidence)


def _require_model(model: object) -> None:
    if not isinstance(model, FittedModel):
        raise QueryError("This needs a fitted model (see app.fit_model).")


# ---- effects and sweeps ---------------------------------------------------------------------
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
    event = model.event(target, outcome_state)
    ev = dict(evidence or {})
    do1 = do_query(model, target, {treatment: treated}, ev).value(target, event)
    do0 = do_query(model, target, {treatment: control}, ev).value(target, event)
    see1 = observe_query(model, target, {**ev, treatment: treated}).value(target, event)
    see0 = observe_query(model, target, {**ev, treatment: control}).value(target, event)
    return EffectResult(target, treatment, resolve_state(model, treatment, treated),
                        resolve_state(model, treatment, control), event, do1, do0, see1, see0)


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
    event = model.event(target, outcome_state)
    values = list(values) if values is not None else model.sweep_values(treatment)
    rows = []
    ev = dict(evidence or {})
    for x in values:
        r = do_query(model, target, {treatment: x}, ev)
        try:
            s = observe_query(model, target, {**ev, treatment: x})
        except QueryError:
            s = None
        rows.append({treatment: x, **r.sweep_row(target, event),
                     "see": s.value(target, event) if s else np.nan})
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
    return model.suggest_values(treatment)


def seeing_doing_sentence(model: FittedModel, result: QueryResult, seen: QueryResult | None,
                          target: str) -> str:
    """'If everyone had X = x, P(Y = y) would be …; among units that merely have X = x it is …'.

    Markdown: names and values are escaped, the emphasis is ours."""
    return result.seeing_doing_sentence(seen, target)
