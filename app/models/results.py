"""What a model answers: a do-query result and a counterfactual result, one type per model kind.

A discrete model answers with distributions (one pd.Series of probabilities per target); a
linear model with the mean and standard deviation of a normal distribution. Each result type
knows how to read, sample, tabulate and say itself, so callers ask the result instead of
testing which kind of model produced it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from app.errors import QueryError
from app.graph import CausalGraph
from app.markup import md

POSITIVE = ("1", "true", "yes", "y", "recovered", "success", "present", "positive", "high")


def show_value(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def default_outcome_state(states: Sequence) -> object:
    """The state a 'risk' refers to: 1 / True / yes where present, else the last state."""
    for s in states:
        if str(s).strip().lower() in POSITIVE:
            return s
    return states[-1]


def _probability(dist: pd.Series, target: str, state: object) -> float:
    for s, p in dist.items():
        if s == state or str(s) == str(state):
            return float(p)
    raise QueryError(f"'{state}' is not a state of '{target}'.",
                     hint="States: " + ", ".join(map(str, dist.index)) + ".")


# ---- do-queries ------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class QueryResult:
    """The answer to P(targets | do(...), evidence); see DistributionResult and NormalResult."""

    kind: ClassVar[str] = ""
    targets: tuple[str, ...]
    do: Mapping[str, object]
    evidence: Mapping[str, object]
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

    def _setting(self) -> str:
        setting = ", ".join(f"{md(k)} = {md(show_value(v))}" for k, v in self.do.items())
        if self.evidence:
            setting += " (among units with " + ", ".join(
                f"{md(k)} = {md(show_value(v))}" for k, v in self.evidence.items()) + ")"
        return setting

    def value(self, target: str, event: object | None = None) -> float:
        """The number an effect compares: P(target = event) or the mean of the target."""
        raise NotImplementedError

    def sweep_row(self, target: str, event: object | None) -> dict[str, float]:
        """This answer's columns in an intervention sweep ('do', and a band for normals)."""
        return {"do": self.value(target, event)}

    def seeing_doing_sentence(self, seen: QueryResult | None, target: str) -> str:
        """'If everyone had X = x, … would be …; among units that merely have X = x it is …'.

        Markdown: names and values are escaped, the emphasis is ours."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class DistributionResult(QueryResult):
    """A discrete model's answer: a distribution per target (and their joint when several)."""

    kind: ClassVar[str] = "discrete"
    distributions: Mapping[str, pd.Series] = field(default_factory=dict)
    joint: pd.Series | None = None

    @property
    def distribution(self) -> pd.Series:
        """The distribution of the first target."""
        return self.distributions[self.targets[0]]

    def probability(self, target: str, state: object) -> float:
        return _probability(self.distributions[target], target, state)

    def mean(self, target: str | None = None) -> float:
        """Expected value (needs numeric states)."""
        target = target or self.targets[0]
        dist = self.distributions[target]
        try:
            return float(np.dot(np.asarray(dist.index, dtype=float), dist.to_numpy()))
        except (TypeError, ValueError):
            raise QueryError(f"'{target}' has non-numeric states, so it has no mean.") from None

    def value(self, target: str, event: object | None = None) -> float:
        if event is None:
            event = default_outcome_state(list(self.distributions[target].index))
        return self.probability(target, event)

    def samples(self, target: str | None = None, n: int = 2000, seed: int = 0) -> np.ndarray:
        """Draws from the answer's distribution."""
        dist = self.distributions[target or self.targets[0]]
        rng = np.random.default_rng(seed)
        return rng.choice(np.asarray(dist.index, dtype=object), size=n, p=dist.to_numpy())

    def to_frame(self) -> pd.DataFrame:
        """Long table: target, state, probability."""
        return pd.DataFrame([{"target": t, "state": s, "value": float(p)}
                             for t in self.targets for s, p in self.distributions[t].items()])

    def seeing_doing_sentence(self, seen: QueryResult | None, target: str) -> str:
        setting = self._setting()
        y = default_outcome_state(list(self.distributions[target].index))
        return (f"If **everyone** had {setting}, P({md(target)} = {md(y)}) would be "
                f"**{self.probability(target, y):.1%}**"
                + (f"; among units that merely *have* {setting} it is "
                   f"{seen.value(target, y):.1%}." if seen else "."))

    def __repr__(self) -> str:
        return f"QueryResult({self.label} → {_listed(self.distributions)})"


@dataclass(frozen=True, eq=False)
class NormalResult(QueryResult):
    """A linear model's answer: the mean and standard deviation of each target (normal)."""

    kind: ClassVar[str] = "linear"
    means: Mapping[str, float] = field(default_factory=dict)
    stds: Mapping[str, float] = field(default_factory=dict)

    @property
    def distribution(self) -> pd.Series:
        raise QueryError("A linear model gives a mean and a standard deviation, not a table.")

    def mean(self, target: str | None = None) -> float:
        return float(self.means[target or self.targets[0]])

    def value(self, target: str, event: object | None = None) -> float:
        return self.mean(target)

    def sweep_row(self, target: str, event: object | None) -> dict[str, float]:
        m, s = self.means[target], self.stds[target]
        return {"do": m, "do_low": m - s, "do_high": m + s}

    def samples(self, target: str | None = None, n: int = 2000, seed: int = 0) -> np.ndarray:
        """Draws from the normal answer (for density charts)."""
        target = target or self.targets[0]
        rng = np.random.default_rng(seed)
        return self.means[target] + self.stds[target] * rng.standard_normal(n)

    def to_frame(self) -> pd.DataFrame:
        """Long table: target, statistic (mean, std), value."""
        rows = []
        for t in self.targets:
            rows += [{"target": t, "state": "mean", "value": self.means[t]},
                     {"target": t, "state": "std", "value": self.stds[t]}]
        return pd.DataFrame(rows)

    def seeing_doing_sentence(self, seen: QueryResult | None, target: str) -> str:
        return (f"If **everyone** had {self._setting()}, the average {md(target)} would be "
                f"**{self.means[target]:.4g}**"
                + (f"; among units that merely *have* these values it is {seen.mean(target):.4g}."
                   if seen else "."))

    def __repr__(self) -> str:
        body = "; ".join(f"{t}: mean={self.means[t]:.4g}, std={self.stds[t]:.4g}"
                         for t in self.targets)
        return f"QueryResult({self.label} → {body})"


# ---- counterfactuals -------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CounterfactualResult:
    """What `targets` would have been under `do`, for the unit described by `factual`."""

    kind: ClassVar[str] = ""
    targets: tuple[str, ...]
    factual: Mapping[str, object]
    do: Mapping[str, object]
    assumption: str
    assumption_text: str
    steps: tuple[str, ...]
    unchanged: tuple[str, ...]
    twin: CausalGraph
    twin_names: Mapping[str, str]

    @property
    def label(self) -> str:
        what = ", ".join(f"{k}={v}" for k, v in self.factual.items()) or "nothing observed"
        act = ", ".join(f"{k}={show_value(v)}" for k, v in self.do.items())
        return f"{', '.join(t + '*' for t in self.targets)} had {act}, given {what}"

    def sentence(self, target: str) -> str:
        """The answer for `target` in one sentence (Markdown, names escaped)."""
        raise NotImplementedError

    def _change(self) -> str:
        return ", ".join(f"{md(k)} been **{md(show_value(v))}**" for k, v in self.do.items())


@dataclass(frozen=True, eq=False)
class DiscreteCounterfactual(CounterfactualResult):
    """A discrete model's counterfactual: distributions of the starred targets."""

    kind: ClassVar[str] = "discrete"
    distributions: Mapping[str, pd.Series] = field(default_factory=dict)
    factual_distributions: Mapping[str, pd.Series] = field(default_factory=dict)
    evidence_probability: float | None = None

    @property
    def distribution(self) -> pd.Series:
        return self.distributions[self.targets[0]]

    @property
    def value(self) -> pd.Series:
        """The counterfactual distribution of the first target."""
        return self.distribution

    def probability(self, target: str, state: object) -> float:
        return _probability(self.distributions[target], target, state)

    def sentence(self, target: str) -> str:
        if target in self.unchanged:
            return (f"{md(target)} is not downstream of "
                    f"{md(', '.join(self.do))}, so it keeps its factual value.")
        dist = self.distributions[target]
        top = dist.idxmax()
        return (f"Had {self._change()}, {md(target)} would most likely have been "
                f"**{md(top)}** (probability {dist[top]:.1%}).")

    def __repr__(self) -> str:
        return (f"CounterfactualResult({self.label} → {_listed(self.distributions, '*')}; "
                f"assumption={self.assumption})")


@dataclass(frozen=True, eq=False)
class LinearCounterfactual(CounterfactualResult):
    """A linear model's counterfactual: the mean (and spread) of the starred targets."""

    kind: ClassVar[str] = "linear"
    means: Mapping[str, float] = field(default_factory=dict)
    stds: Mapping[str, float] = field(default_factory=dict)
    factual_means: Mapping[str, float] = field(default_factory=dict)

    @property
    def distribution(self) -> pd.Series:
        raise QueryError("A linear counterfactual is a number (mean), not a table.")

    @property
    def value(self) -> float:
        """The counterfactual value (mean) of the first target."""
        return self.means[self.targets[0]]

    def sentence(self, target: str) -> str:
        spread = self.stds[target]
        return (f"Had {self._change()}, {md(target)} would have been "
                f"**{self.means[target]:.4g}** instead of {self.factual_means[target]:.4g}"
                # a spread at rounding level (every noise recovered) is no spread: no "± 2.2e-08"
                + (f" (± {spread:.2g})." if spread > 1e-6 * max(1.0, abs(self.means[target]))
                   else "."))

    def __repr__(self) -> str:
        body = "; ".join(f"{t}* = {self.means[t]:.4g} (± {self.stds[t]:.2g})"
                         for t in self.targets)
        return f"CounterfactualResult({self.label} → {body}; assumption={self.assumption})"


def _listed(distributions: Mapping[str, pd.Series], star: str = "") -> str:
    """Distributions for a repr: "Y: a=0.2500, b=0.7500; Z: …" (`star` marks counterfactuals)."""
    return "; ".join(f"{t}{star}: " + ", ".join(f"{s}={p:.4f}" for s, p in d.items())
                     for t, d in distributions.items())
