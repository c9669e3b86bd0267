"""Automatic causal analysis of a dataset, written up as a self-contained HTML (and Markdown)
report: profile → discovery (bootstrap) → merge with your graph → implications → identify →
estimate → refute → sensitivity → what would change the conclusion.

    result = make_report(df, "treat", "re78", graph=my_graph, bootstrap=50, seed=0)
    html = render_html(result)        # one file, no external reference
    text = render_markdown(result)

Command line: python -m app.report data.csv --treatment T --outcome Y [--graph g.dagitty]
"""
from app.report.pipeline import MIN_ROWS, STAGES, make_report
from app.report.render_html import render_html
from app.report.render_md import render_markdown
from app.report.result import (
    Alternative,
    Check,
    Conflict,
    EstimateRow,
    ReportResult,
    ReportSettings,
    Rule,
)

__all__ = ["Alternative", "Check", "Conflict", "EstimateRow", "MIN_ROWS", "ReportResult",
           "ReportSettings", "Rule", "STAGES", "make_report", "render_html", "render_markdown"]
