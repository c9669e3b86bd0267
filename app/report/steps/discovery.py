"""Stage "discovery": choose the method and background knowledge by the stated rules and learn
the graph (with bootstrap confidence). With a graph of yours, a failed discovery is recorded
instead of stopping the report."""
from __future__ import annotations

from app.errors import Cancelled, CausalCanvasError
from app.report.rules import choose_method, report_knowledge
from app.report.steps.context import Discovered, ReportContext


def run(ctx: ReportContext) -> Discovered:
    from app.discovery import discover

    s, inputs, tracker = ctx.settings, ctx.inputs, ctx.tracker
    df = inputs.df
    method_arg, suspected, method_rules = choose_method(s, inputs.rules_graph, len(df))
    method_rules = (*method_rules, ctx.profiled.size_rule)
    k, k_lines = report_knowledge(ctx.knowledge, ctx.profiled.variables, s)
    disc, error = None, ""
    try:
        disc = discover(df, method_arg, variables=list(ctx.profiled.variables), knowledge=k,
                        alpha=s.alpha, bootstrap=s.bootstrap, seed=s.seed,
                        domain_column=s.domain_column, max_rows=s.max_rows,
                        types=inputs.dataset.types,
                        progress=lambda d, n: tracker.update("discovery", d / max(n, 1),
                                                             f"resample {d} of {n}"),
                        cancel=tracker.cancelled)
    except Cancelled:
        raise
    except CausalCanvasError as err:
        if inputs.rules_graph is None:
            raise
        error = err.user_message()
    return Discovered(disc, error, k, tuple(k_lines), tuple(method_rules), suspected)


__all__ = ["run"]
