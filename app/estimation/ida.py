"""IDA: the possible effects of a treatment when the graph is an equivalence class (a CPDAG or
PDAG) rather than one DAG (Maathuis, Kalisch & Bühlmann 2009, "Estimating high-dimensional
intervention effects from observational data", Annals of Statistics 37(6):3133–3164).

Local IDA: each way of orienting the undecided edges at the treatment X that creates no new
collider at X (the new parents form a clique and are adjacent to X's other parents) is the
parent set of X in some member DAG; in that DAG the parents are a valid adjustment set, so the
effect is the coefficient of X in the regression of Y on X and those parents (0 when Y is
itself a parent of X). The distinct values equal those of global IDA over every member DAG
(Maathuis et al. 2009, Theorem 5.1), only their multiplicities differ. For a PDAG with
background knowledge an orientation is kept only if the PDAG still extends to a DAG (Meek's
rules, then a consistent extension). Linear (additive) effects, as in IDA.

`sibling_orientations` is the rule itself, on app.discovery.pdag.Pdag; the Report's
app.report.rules.parent_choices calls it on a discovered graph.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from app.errors import EstimationError
from app.graph import KIND_NAMES, CausalGraph
from app.settings import IDA_MAX_SIBLINGS


@dataclass(frozen=True)
class PossibleEffect:
    """The effect in the member DAGs where the treatment's parents are `parents`."""

    parents: tuple[str, ...]
    value: float | None           # None when a parent is not measured
    ci_low: float | None
    ci_high: float | None
    note: str                     # why there is no value, or why it is 0


@dataclass(frozen=True)
class IdaResult:
    """Every possible effect of `treatment` on `outcome` over the class, with a sentence."""

    treatment: str
    outcome: str
    siblings: tuple[str, ...]     # neighbours joined to the treatment by an undecided edge
    effects: tuple[PossibleEffect, ...]
    sentence: str
    n_rows: int

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(e.value for e in self.effects if e.value is not None)


def _pdag(graph: CausalGraph):
    from app.discovery.pdag import Pdag

    return Pdag(list(graph.nodes), set(graph.edges), {frozenset(e) for e in graph.undirected})


def sibling_orientations(p, treatment: str, siblings) -> list[tuple[str, ...]]:
    """The subsets of `siblings` (undecided neighbours of `treatment` in the Pdag `p`) that can
    point into the treatment: they form a clique, are adjacent to its other parents (no new
    collider at it, local IDA), and the PDAG so oriented still extends to a DAG."""
    from app.discovery.pdag import dag_extension, meek_closure

    parents = p.parents(treatment)
    out = []
    for k in range(len(siblings) + 1):
        for sub in combinations(siblings, k):
            if not all(p.adjacent(a, b) for a, b in combinations(sub, 2)):
                continue
            if not all(p.adjacent(z, w) for z in sub for w in parents):
                continue
            q = p.copy()
            for z in siblings:
                q.orient(*((z, treatment) if z in sub else (treatment, z)))
            if dag_extension(meek_closure(q)) is not None:
                out.append(sub)
    return out


def local_parent_sets(graph: CausalGraph, treatment: str) -> list[tuple[str, ...]]:
    """The parent sets of `treatment` over the member DAGs of a PDAG, by local IDA's rule
    (module doc); each returned set is sorted, the list in order of size."""
    p = _pdag(graph)
    sibs = sorted(p.neighbours(treatment))
    if len(sibs) > IDA_MAX_SIBLINGS:
        raise EstimationError(
            f"{treatment} has {len(sibs)} undecided edges; IDA tries every orientation of at most "
            f"{IDA_MAX_SIBLINGS} (2^{IDA_MAX_SIBLINGS} combinations).",
            hint="Orient some of the edges at the treatment from what you know.")
    parents = p.parents(treatment)
    return [tuple(sorted(parents | set(sub))) for sub in sibling_orientations(p, treatment, sibs)]


def _ols_effect(df: pd.DataFrame, t: str, y: str, adjust: tuple[str, ...], treatment_value,
                control_value) -> tuple[float, float, float, int]:
    """Coefficient of the treatment (for the chosen change) with an HC1 95% interval."""
    import statsmodels.api as sm

    from app.estimation.estimators import Z95
    from app.estimation.prepare import design_matrix, prepare

    prep = prepare(df, t, y, list(adjust), treatment_value=treatment_value,
                   control_value=control_value)
    d = prep.data
    x = np.column_stack([np.ones(len(d)), d[t].to_numpy(float), design_matrix(d, list(adjust))])
    fit = sm.OLS(d[y].to_numpy(float), x).fit(cov_type="HC1")
    scale = prep.treatment_value - prep.control_value
    value, se = float(fit.params[1]) * scale, float(fit.bse[1]) * abs(scale)
    return value, value - Z95 * se, value + Z95 * se, prep.n


def ida(df: pd.DataFrame, graph: CausalGraph, treatment: str, outcome: str, *,
        treatment_value=None, control_value=None) -> IdaResult:
    """The possible effects of `treatment` on `outcome` over the DAGs a PDAG stands for (local
    IDA, module doc). Raises EstimationError for another graph type or a bad question."""
    if graph.kind != "pdag":
        hint = ("IDA for graphs with hidden variables (LV-IDA, Malinsky & Spirtes 2017) is not "
                "built; orient the circle marks you are sure of, or use a CPDAG."
                if graph.kind in ("pag", "mag") else "A DAG has one effect: estimate it directly.")
        raise EstimationError(f"IDA needs a CPDAG or PDAG; this graph is a {KIND_NAMES[graph.kind]}.",
                              hint=hint)
    if graph.bidirected:
        raise EstimationError("IDA assumes no hidden common causes, but this PDAG has ↔ edges.",
                              hint="Remove the ↔ edges or estimate in a DAG.")
    for role, name in (("treatment", treatment), ("outcome", outcome)):
        if name not in graph.nodes or name not in df.columns:
            raise EstimationError(f"The {role} '{name}' must be a node of the graph and a column "
                                  "of the data.")
    if treatment == outcome:
        raise EstimationError("The treatment and the outcome must differ.")
    measured = set(map(str, df.columns)) - graph.latents
    sets = local_parent_sets(graph, treatment)
    effects, n_rows = [], 0
    for pa in sets:
        missing = [z for z in pa if z not in measured]
        if outcome in pa:
            effects.append(PossibleEffect(pa, 0.0, None, None,
                                          f"here {outcome} is a cause of {treatment}, so "
                                          f"{treatment} has no effect on it"))
        elif missing:
            effects.append(PossibleEffect(pa, None, None, None,
                                          f"{', '.join(missing)} is not measured"))
        else:
            v, lo, hi, n_rows = _ols_effect(df, treatment, outcome, pa, treatment_value,
                                            control_value)
            effects.append(PossibleEffect(pa, v, lo, hi, ""))
    sibs = tuple(sorted(_pdag(graph).neighbours(treatment)))
    return IdaResult(treatment, outcome, sibs, tuple(effects),
                     _sentence(treatment, outcome, sibs, effects), n_rows)


def _sentence(t: str, y: str, sibs, effects) -> str:
    values = [e.value for e in effects if e.value is not None]
    if not sibs:
        return (f"Every edge at {t} has a direction, so the graph's members agree on the effect "
                f"of {t} on {y}" + (f": {values[0]:.3g}." if values else "."))
    head = (f"The graph leaves {len(sibs)} edge{'s' if len(sibs) > 1 else ''} at {t} undecided; "
            f"the data allow {len(effects)} orientation{'s' if len(effects) > 1 else ''} of them")
    if not values:
        return head + ", and none can be estimated from the measured variables."
    lo, hi = min(values), max(values)
    zero = any(e.value == 0.0 and e.note for e in effects)
    if lo < 0 < hi:
        tail = (f", with effects from {lo:.3g} to {hi:.3g}: the data cannot tell even the sign "
                "of the effect without knowing those directions.")
    elif zero:
        tail = (f", with effects from {lo:.3g} to {hi:.3g}; in some of them {y} causes {t}, so "
                f"{t} may have no effect on {y} at all.")
    else:
        small = min(values, key=abs)
        tail = (f", with effects from {lo:.3g} to {hi:.3g}. Whichever is true, the effect is at "
                f"least {abs(small):.3g} in size (IDA's conservative bound).")
    return head + tail


__all__ = ["IdaResult", "PossibleEffect", "ida", "local_parent_sets", "sibling_orientations"]
