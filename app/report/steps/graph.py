"""Stage "graph": the graph the analysis uses — yours merged with what discovery found, or,
without yours, the learned graph with its undecided edges at the treatment oriented (local IDA)."""
from __future__ import annotations

from app.errors import Cancelled, CausalCanvasError
from app.report.alternatives import adjustment_rule
from app.report.result import Alternative, ReportSettings, Rule
from app.report.rules import (
    ARROW,
    ensure_effect_edge,
    learned_graph,
    merge_graphs,
    parent_choices,
    with_question,
)
from app.report.steps.context import GraphChoice, ReportContext, Tracker


def run(ctx: ReportContext) -> GraphChoice:
    s, df = ctx.settings, ctx.inputs.df
    disc, k = ctx.discovered.result, ctx.discovered.knowledge
    user = ctx.inputs.rules_graph
    if user is None:
        final, merge_rules, notes, effect_rule, possible = _graph_from_learned(
            df, disc, s, ctx.tracker, ctx.profiled.determiners)
        return GraphChoice(final, "learned", (*merge_rules, effect_rule), (), (), tuple(notes),
                           effect_rule, possible)
    base, notes = with_question(user, s.treatment, s.outcome, df.columns)
    final, merge_rules, conflicts, added = merge_graphs(base, disc, k, s)
    final, effect_rule = ensure_effect_edge(final, s.treatment, s.outcome)
    if effect_rule.applied:
        notes = [*notes, f"Your graph has no directed path from {s.treatment} to {s.outcome}; "
                         f"{s.treatment} {ARROW} {s.outcome} was added so the effect can be "
                         "estimated."]
    return GraphChoice(final, "merged" if added else "yours", (*merge_rules, effect_rule),
                       tuple(conflicts), tuple(added), tuple(notes), effect_rule, ())


def _graph_from_learned(df, disc, s: ReportSettings, tracker: Tracker, determiners=()):
    """The learned graph as a DAG for the analysis. Every orientation of the undecided edges at
    the treatment that adds no collider there is tried (local IDA); the one whose regression
    estimate is smallest in absolute value is used (a conservative lower bound on the effect's
    size, as IDA recommends) and all are returned as possible effects."""
    t, y = s.treatment, s.outcome
    sibs, choices = parent_choices(disc, s)
    options = []
    for i, choice in enumerate(choices):
        tracker.update("graph", i / len(choices), f"orientation {i + 1} of {len(choices)}")
        tracker.check()
        g, rules, notes = learned_graph(disc, s, choice)
        g, _ = with_question(g, t, y, df.columns)
        g, effect_rule = ensure_effect_edge(g, t, y)
        zs = _usable_set(g, t, y, df, determiners)
        est = _regression(df, g, s, zs) if len(choices) > 1 and zs is not None else None
        options.append((choice, g, rules, notes, effect_rule, zs, est))
    pick = min(range(len(options)), key=lambda i: (
        abs(options[i][6].value) if options[i][6] is not None else float("inf"), i))
    choice, g, rules, notes, effect_rule, zs, est = options[pick]
    rule = _ida_rule(t, sibs, choice, len(options))
    possible = _possible_effects(options, choice, est, sibs, t, y, df, determiners) \
        if len(options) > 1 else ()
    return g, (*rules[:1], rule, *rules[1:]), notes, effect_rule, possible


def _usable_set(g, t, y, df, determiners) -> tuple[str, ...] | None:
    """The adjustment set the report would use in `g`, or None when there is none (or only one
    holding a variable that decides the treatment: no overlap)."""
    measured = [n for n in g.nodes if n in df.columns and n not in g.latents]
    zs = adjustment_rule(g, t, y, measured) if y in g.descendants(t) else None
    if zs is not None and set(zs) & set(determiners):
        return None
    return zs


def _regression(df, g, s: ReportSettings, zs):
    from app.estimation import estimate_effect

    try:
        return estimate_effect(df, g, s.treatment, s.outcome, method="linear_regression",
                               adjustment_set=list(zs), seed=s.seed,
                               treatment_value=s.treatment_value, control_value=s.control_value)
    except Cancelled:
        raise
    except CausalCanvasError:
        return None


def _ida_rule(t: str, sibs, choice, n_options: int) -> Rule:
    sib_text = ", ".join(sibs)
    return Rule(
        "Undecided edges at the treatment",
        f"When the data leave the direction of edges at {t} undecided, every orientation that "
        f"adds no new collider at {t} is tried (local IDA, Maathuis, Kalisch & Bühlmann 2009); "
        "the analysis uses the one whose regression estimate is smallest in absolute value (a "
        "conservative lower bound on the size of the effect), and lists them all.",
        n_options > 1,
        (f"{n_options} orientations of {sib_text}; used: "
         + (", ".join(f"{z} {ARROW} {t}" for z in choice) or f"all out of {t}") + ".")
        if n_options > 1 else "")


def _possible_effects(options, choice, est, sibs, t, y, df, determiners) -> tuple[Alternative, ...]:
    possible = []
    for c, g_c, _, _, _, zs_c, est_c in options:
        into = ", ".join(f"{z} {ARROW} {t}" for z in c)
        out = ", ".join(f"{t} {ARROW} {z}" for z in sibs if z not in c)
        change = "; ".join(x for x in (into, out) if x)
        flips = None
        if est_c is not None and est is not None:
            flips = bool((est_c.value > 0) != (est.value > 0)
                         or est_c.ci_excludes_zero != est.ci_excludes_zero)
        possible.append(Alternative(
            change, "An orientation the data allow.", zs_c is not None, zs_c,
            est_c.value if est_c is not None else None,
            est_c.ci_low if est_c is not None else None,
            est_c.ci_high if est_c is not None else None, flips,
            "used (smallest absolute estimate)" if c == choice else
            "" if zs_c is not None else _no_set_reason(g_c, t, y, df, determiners)))
    return tuple(possible)


def _no_set_reason(g, t, y, df, determiners) -> str:
    """Why an orientation has no usable adjustment set: no valid set, or only sets that hold a
    variable deciding the treatment."""
    measured = [n for n in g.nodes if n in df.columns and n not in g.latents]
    zs = adjustment_rule(g, t, y, measured) if y in g.descendants(t) else None
    bad = sorted(set(zs or ()) & set(determiners))
    if bad:
        return (f"no overlap: adjusting needs {', '.join(bad)}, which decides {t} (positivity "
                "fails)")
    return "no valid adjustment set"


__all__ = ["run"]
