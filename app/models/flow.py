"""Where an effect flows: the total effect of X on Y in a linear SCM, split by directed path.

Wright's path-tracing rule (Wright 1934, "The method of path coefficients"; Pearl 2013, "Linear
Models: A Useful 'Microscope' for Causal Analysis", §2) says that in a linear SCM the total
effect of X on Y, d E[Y | do(X = x)] / dx, is the sum over the directed paths X → … → Y of the
product of the coefficients along each path. We enumerate the paths, multiply, and check the sum
against the total effect computed independently as the (Y, X) entry of (I − B)⁻¹.

Discrete models get no numbers: effects in probability tables do not add up along paths, and a
path-specific effect (nested counterfactuals) is identifiable only when its path set has no
"recanting witness" (Avin, Shpitser & Pearl 2005). `unavailable_reason` says so in words.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from app.errors import ModelError, QueryError
from app.graph import show_name
from app.markup import md
from app.models.base import FittedModel
from app.models.linear import LinearModel

MAX_PATHS = 60            # paths listed one by one; the rest are summed as "other paths"
MAX_ENUMERATED = 20_000   # more directed paths than this are not enumerated (the count doubles fast)
TOLERANCE = 1e-8          # |Σ paths − total| allowed, relative to max(1, Σ|path|)


@dataclass(frozen=True)
class PathEffect:
    """One directed path X → … → Y, the coefficient of each of its edges and their product."""

    nodes: tuple[str, ...]
    coefficients: tuple[float, ...]
    effect: float

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        return tuple(zip(self.nodes[:-1], self.nodes[1:]))

    @property
    def text(self) -> str:
        return " → ".join(self.nodes)

    @property
    def direct(self) -> bool:
        return len(self.nodes) == 2


@dataclass(frozen=True)
class FlowResult:
    """The total effect of `cause` on `effect` and its split into directed paths.

    `paths` are the listed paths (largest |effect| first); when there are more than
    MAX_PATHS, `other_effect` is what the remaining `n_other` paths add together, so
    Σ paths + other_effect == total always. `total` comes from (I − B)⁻¹, not from the paths.
    """

    cause: str
    effect: str
    paths: tuple[PathEffect, ...]
    total: float
    other_effect: float = 0.0
    n_other: int = 0

    @property
    def n_paths(self) -> int:
        return len(self.paths) + self.n_other

    @property
    def cancels(self) -> bool:
        """True when paths of opposite sign cancel so much that shares of the total mislead."""
        gross = sum(abs(p.effect) for p in self.paths) + abs(self.other_effect)
        return gross > 0 and abs(self.total) < 0.05 * gross

    def share(self, path: PathEffect) -> float | None:
        """The path's effect as a fraction of the total (None when the total is ~0)."""
        return None if self.cancels or self.total == 0 else path.effect / self.total

    def summary(self) -> str:
        """One sentence (Markdown; names escaped) on the split."""
        x, y = md(self.cause), md(self.effect)
        if not self.n_paths:
            return (f"There is no directed path from {x} to {y}: setting {x} does not move {y} "
                    "in this model, so there is nothing to split (total effect 0).")
        n = f"{self.n_paths} directed path{'s' if self.n_paths != 1 else ''}"
        text = (f"Raising {x} by one unit changes {y} by **{self.total:+.4g}** in total, carried "
                f"by {n}; the path effects add up to exactly this total (Wright's rule).")
        if self.cancels:
            text += (" Paths of opposite sign largely cancel, so shares of the total would "
                     "mislead: compare the path effects themselves.")
        return text

    def against(self, label: str, value: float, ci_low: float | None, ci_high: float | None,
                scale: float = 1.0) -> str:
        """One sentence (Markdown; names escaped) relating the sum of the path effects to an
        estimate of the total effect from data (`label`: the estimator), for a change of
        `scale` units of the cause (the estimate's treated minus compared value)."""
        x = md(self.cause)
        summed = self.total * scale
        unit = "one unit" if scale == 1 else f"{scale:g} units"
        head = (f"The path effects add up to **{summed:+.4g}** for {unit} of {x}; "
                f"{md(label)} estimates **{value:+.4g}**")
        if ci_low is None or ci_high is None:
            return head + " (no interval to compare with)."
        head += f" (95% CI {ci_low:.4g} to {ci_high:.4g})"
        if ci_low <= summed <= ci_high:
            return (head + ": the sum lies inside the interval, so the two agree, and the bars "
                    "split that same total effect by path.")
        return (head + ": the sum lies outside the interval. The estimate adjusts only for its "
                "adjustment set, while the path split fits every variable's equation from its "
                "parents; a gap means some relation is not linear, or the graph misses an arrow "
                "or a common cause (test its implications on the Analyse page).")

    def sentence(self, path: PathEffect) -> str:
        """Plain words for one path's number (Markdown; names escaped)."""
        x, y = md(self.cause), md(self.effect)
        product = " × ".join(f"{c:.3g}" for c in path.coefficients)
        share = self.share(path)
        part = f" ({100 * share:.0f}% of the total)" if share is not None else ""
        if path.direct:
            return (f"**{path.effect:+.4g}** directly{part}: the coefficient of {x} in the "
                    f"equation for {y}, other causes held fixed.")
        via = ", then ".join(md(v) for v in path.nodes[1:-1])
        onward = "passes it on to" if len(path.nodes) == 3 else "passes it on along the path to"
        return (f"**{path.effect:+.4g}** through {via}{part}: one more unit of {x} moves "
                f"{md(path.nodes[1])}, which {onward} {y}; the product of the coefficients "
                f"{product}.")


def _directed_paths(children: dict[str, list[str]], x: str, y: str, reach: set[str]):
    """Every directed path from x to y (a DAG: all are simple), depth first."""
    stack = [(x, (x,))]
    while stack:
        v, path = stack.pop()
        if v == y:
            yield path
            continue
        for c in reversed(children[v]):
            if c in reach:
                stack.append((c, path + (c,)))


def path_effects(model: FittedModel, cause: str, effect: str) -> FlowResult:
    """The total effect of `cause` on `effect` split by directed path (linear models only)."""
    if not isinstance(model, LinearModel):
        raise ModelError(unavailable_reason(model))
    scm = model.scm
    for v in (cause, effect):
        if v not in scm.variables:
            raise QueryError(f"{show_name(v)} is not a variable of the model.")
    if cause == effect:
        raise QueryError("Choose two different variables: the effect of a variable on itself "
                         "is not split into paths.")
    total = scm.total_effect(cause, effect)
    children: dict[str, list[str]] = {v: [] for v in scm.variables}
    for v in scm.variables:
        for p in scm.parents[v]:
            children[p].append(v)
    # nodes on some directed path cause → … → effect: descendants of cause that reach effect
    down, todo = {cause}, [cause]
    while todo:
        for c in children[todo.pop()]:
            if c not in down:
                down.add(c)
                todo.append(c)
    up, todo = {effect}, [effect]
    while todo:
        for p in scm.parents[todo.pop()]:
            if p not in up:
                up.add(p)
                todo.append(p)
    reach = down & up
    if effect not in reach:
        return FlowResult(cause, effect, (), total)
    count = {effect: 1}
    for v in sorted(reach, key=scm.variables.index, reverse=True):
        if v != effect:
            count[v] = sum(count[c] for c in children[v] if c in reach)
    if count[cause] > MAX_ENUMERATED:
        raise QueryError(f"There are {count[cause]:,} directed paths from {show_name(cause)} to "
                         f"{show_name(effect)}, too many to list one by one; the total effect is "
                         f"{total:+.4g}.", hint="Choose a pair of variables closer together.")
    paths, gross = [], 0.0
    for nodes in _directed_paths(children, cause, effect, reach):
        coefs = tuple(float(scm.coefficients[b][a]) for a, b in zip(nodes[:-1], nodes[1:]))
        p = PathEffect(nodes, coefs, math.prod(coefs))
        paths.append(p)
        gross += abs(p.effect)
    paths.sort(key=lambda p: (-abs(p.effect), len(p.nodes), p.nodes))
    path_sum = math.fsum(p.effect for p in paths)
    if abs(path_sum - total) > TOLERANCE * max(1.0, gross):
        raise ModelError(f"The path effects add up to {path_sum:.6g} but the total effect is "
                         f"{total:.6g}; the model's equations are inconsistent.")
    shown, rest = paths[:MAX_PATHS], paths[MAX_PATHS:]
    return FlowResult(cause, effect, tuple(shown), total,
                      other_effect=math.fsum(p.effect for p in rest), n_other=len(rest))


def unavailable_reason(model: FittedModel) -> str:
    """Why a model gets no path split (plain words), for any model that is not linear."""
    why = ("With probability tables an effect does not add up along paths, and a "
           "path-specific effect is identifiable only when no 'recanting witness' exists for "
           "its paths (Avin, Shpitser & Pearl 2005), which this view does not check, so it "
           "shows no number rather than a wrong one.")
    if model.graph.bidirected:
        return ("The effect is split by path only in a linear model, and a linear model is not "
                "fitted when the graph has hidden common causes (↔): least squares on each "
                "variable's parents would be biased by the hidden cause. " + why)
    return ("The effect is split by path only in a linear model (choose 'linear' under Model "
            "when every variable is a number). " + why)
