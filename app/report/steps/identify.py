"""Stage "identify": the estimand, the valid adjustment sets (minimal and efficient), the
instruments and the front-door sets of the graph used."""
from __future__ import annotations

from app.report.rules import efficient_adjustment_set
from app.report.steps.context import Identified, ReportContext

MAX_SETS = 20
MAX_FRONTDOOR_SETS = 5


def run(ctx: ReportContext) -> Identified:
    from app.analysis import adjustment_sets, frontdoor_sets, identify, instruments

    g, df = ctx.chosen.final, ctx.inputs.df
    t, y = ctx.settings.treatment, ctx.settings.outcome
    measured = [n for n in g.nodes if n in df.columns and n not in g.latents]

    def in_graph_order(sets) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(n for n in g.nodes if n in s) for s in sets)

    return Identified(
        estimand=identify(g, t, y),
        minimal=in_graph_order(adjustment_sets(g, t, y, limit=MAX_SETS)),
        efficient=efficient_adjustment_set(g, t, y, measured),
        instruments=tuple(str(i) for i in instruments(g, t, y)),
        frontdoor_sets=in_graph_order(frontdoor_sets(g, t, y, limit=MAX_FRONTDOOR_SETS)))


__all__ = ["run"]
