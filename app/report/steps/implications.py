"""Stage "implications": test the conditional independencies the graph implies on the data."""
from __future__ import annotations

from app.errors import DataError, QueryError
from app.report.steps.context import Implications, ReportContext

LEARNED_NOTE = ("The graph was learned from these same data, so it tends to agree with them: "
                "these tests check the choices made on top of the data (kept edges, "
                "directions), not an independent hypothesis.")


def run(ctx: ReportContext) -> Implications:
    from app.analysis import test_implications

    report, note = None, ""
    try:
        report = test_implications(ctx.chosen.final, ctx.inputs.df, ctx.settings.alpha,
                                   types=ctx.inputs.dataset.types)
    except (QueryError, DataError) as err:
        note = err.user_message()
    if ctx.chosen.source == "learned" and report is not None:
        note = LEARNED_NOTE
    return Implications(report, note)


__all__ = ["run"]
