"""Stage "alternatives": repeat the primary adjustment estimate on one-edge changes of the graph
at the treatment and outcome (does the conclusion survive?)."""
from __future__ import annotations

from app.report.alternatives import graph_alternatives
from app.report.steps.context import Alternatives, ReportContext


def run(ctx: ReportContext) -> Alternatives:
    row = ctx.estimates.primary_row
    if row is None or row.kind != "backdoor":
        return Alternatives(())
    return Alternatives(tuple(graph_alternatives(
        ctx.inputs.df, ctx.chosen.final, row, ctx.discovered.result, ctx.discovered.knowledge,
        ctx.settings, cancel=ctx.tracker.cancelled)))


__all__ = ["run"]
