"""What would change the conclusion: repeat the adjustment analysis on nearby graphs.

Each alternative changes one edge at the treatment or the outcome (remove it, reverse it, or add
an edge discovery saw), re-derives the adjustment set by the same rule as the main analysis,
and re-estimates by linear regression when the set differs. An alternative "changes the
conclusion" when the estimate changes sign or its 95% interval starts or stops including 0.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from app.errors import Cancelled, CausalCanvasError, CycleError
from app.graph import CausalGraph
from app.report.result import Alternative, EstimateRow, ReportSettings
from app.report.rules import ARROW, efficient_adjustment_set

MAX_ALTERNATIVES = 16
MIN_SHARE = 0.2     # a learned edge seen in fewer resamples is not worth a what-if


def adjustment_rule(g: CausalGraph, treatment: str, outcome: str,
                    measured: Sequence[str]) -> tuple[str, ...] | None:
    """The report's adjustment set: the efficient (optimal) set when it is valid and measured,
    else the smallest valid set; None when no set of measured variables is valid."""
    from app.analysis import adjustment_sets

    o_set = efficient_adjustment_set(g, treatment, outcome, measured)
    if o_set is not None:
        return o_set
    sets = adjustment_sets(g, treatment, outcome, limit=20)
    return tuple(n for n in g.nodes if n in sets[0]) if sets else None


def _candidates(g: CausalGraph, disc, knowledge, settings: ReportSettings
                ) -> list[tuple[str, str, Callable[[CausalGraph], CausalGraph]]]:
    t, y = settings.treatment, settings.outcome
    out: list[tuple[str, str, Callable[[CausalGraph], CausalGraph]]] = []
    adjacent = {frozenset(e) for e in g.edges} | {frozenset(e) for e in g.bidirected}
    if disc is not None:
        for e in sorted(disc.edges):
            if frozenset(e.pair) in adjacent or not ({t, y} & set(e.pair)):
                continue
            if e.a not in g.nodes or e.b not in g.nodes:
                continue
            c = disc.confidence_of(e.a, e.b)
            share = None if c is None else c.present
            if share is not None and share < MIN_SHARE:
                continue
            if e.symbol in ("-->", "o->"):
                a, b = e.a, e.b
            elif t in e.pair:
                a, b = (e.b, e.a) if e.a == t else (e.a, e.b)   # into the treatment
            else:
                a, b = (e.a, e.b) if e.b == y else (e.b, e.a)   # into the outcome
            found = f"found by discovery in {share:.0%} of the resamples" if share is not None \
                else "found by discovery"
            out.append((f"add {a} {ARROW} {b}", f"Not in the graph used, but {found}.",
                        lambda h, a=a, b=b: h.add_edge(a, b)))
    touching = [(a, b) for a, b in sorted(g.edges) if {a, b} & {t, y} and (a, b) != (t, y)]
    for a, b in touching:
        if not knowledge.is_forbidden(b, a) and not (settings.outcome_last and b == y):
            out.append((f"reverse {a} {ARROW} {b} (to {b} {ARROW} {a})",
                        "What if this arrow points the other way?",
                        lambda h, a=a, b=b: h.reverse_edge(a, b)))
    for a, b in touching:
        if knowledge.is_required(a, b):
            continue
        out.append((f"remove {a} {ARROW} {b}", "What if this direct effect does not exist?",
                    lambda h, a=a, b=b: h.remove_edge(a, b)))
    return out


def graph_alternatives(df: pd.DataFrame, g: CausalGraph, primary: EstimateRow, disc, knowledge,
                       settings: ReportSettings, *, cancel: Callable[[], bool] | None = None
                       ) -> tuple[Alternative, ...]:
    """Alternatives for a back-door primary estimate (see the module doc); at most 16."""
    from app.estimation import estimate_effect

    t, y = settings.treatment, settings.outcome
    measured = [n for n in g.nodes if n in df.columns and n not in g.latents]
    current = tuple(sorted(primary.adjustment_set))
    out: list[Alternative] = []
    for change, reason, edit in _candidates(g, disc, knowledge, settings):
        if len(out) >= MAX_ALTERNATIVES:
            break
        if cancel is not None and cancel():
            raise Cancelled()
        try:
            alt = edit(g)
        except CycleError:
            continue
        if y not in alt.descendants(t):
            continue     # no causal path left: the graph would assert a zero effect
        zs = adjustment_rule(alt, t, y, measured)
        if zs is None:
            out.append(Alternative(change, reason, False, None, changes_conclusion=True,
                                   note="No set of measured variables blocks every back-door "
                                        "path: the effect would not be identifiable by "
                                        "adjustment."))
            continue
        if tuple(sorted(zs)) == current:
            out.append(Alternative(change, reason, True, zs, primary.value, primary.ci_low,
                                   primary.ci_high, False,
                                   "Same adjustment set, so the same estimate."))
            continue
        try:
            est = estimate_effect(df, alt, t, y, method="linear_regression", adjustment_set=zs,
                                  seed=settings.seed, treatment_value=settings.treatment_value,
                                  control_value=settings.control_value)
        except Cancelled:
            raise
        except CausalCanvasError as err:
            out.append(Alternative(change, reason, True, zs, note=f"Not estimated: {err.message}"))
            continue
        flips = (est.value > 0) != (primary.value > 0) or \
            est.ci_excludes_zero != primary.ci_excludes_zero
        out.append(Alternative(change, reason, True, zs, est.value, est.ci_low, est.ci_high,
                               bool(flips), "Adjustment set changes."))
    return tuple(out)


__all__ = ["MAX_ALTERNATIVES", "adjustment_rule", "graph_alternatives"]
