"""The report as Markdown: the same sections and numbers as the HTML, figures replaced by their
caption and a text version. Data text is escaped so a column name cannot inject markup."""
from __future__ import annotations

import re

from app.markup import md_line as md
from app.report.document import (
    STATUS_LABEL,
    Block,
    Bullets,
    Callout,
    Code,
    Document,
    Figure,
    Para,
    Table,
    build_document,
)
from app.report.result import ReportResult


def _table(t: Table) -> str:
    lines = ["| " + " | ".join(md(h) for h in t.header) + " |",
             "| " + " | ".join("---:" if i in t.numeric else "---" for i in range(len(t.header)))
             + " |"]
    for row in t.rows:
        cells = [md(STATUS_LABEL.get(c, c)) if i == t.status_col else md(c)
                 for i, c in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    if t.caption:
        lines += ["", f"*{md(t.caption)}*"]
    return "\n".join(lines)


def _block(b: Block) -> str:
    if isinstance(b, Para):
        return (f"**{md(b.strong.strip())}** " if b.strong else "") + md(b.text)
    if isinstance(b, Bullets):
        return "\n".join(f"- {md(i)}" for i in b.items)
    if isinstance(b, Callout):
        return "> " + (f"**{md(b.strong.strip())}** " if b.strong else "") + md(b.text)
    if isinstance(b, Code):
        # a fence longer than any backtick run in the text, so the text cannot close it
        fence = "`" * max(3, 1 + max((len(r) for r in re.findall("`+", b.text)), default=0))
        return f"{fence}\n{b.text.rstrip()}\n{fence}"
    if isinstance(b, Figure):
        return f"*Figure: {md(b.caption)}*" + (f"\n\n{md(b.text)}" if b.text else "")
    if isinstance(b, Table):
        return _table(b)
    raise TypeError(f"unknown block {type(b).__name__}")


def document_markdown(doc: Document) -> str:
    parts = [f"# {md(doc.title)}: {md(doc.subtitle)}", ""]
    parts += [f"- **{md(k)}:** {md(v)}" for k, v in doc.facts]
    parts.append("")
    for s in doc.sections:
        parts += [f"## {s.title}", ""]      # our own constant titles ("1. The data")
        if s.intro:
            parts += [f"*{md(s.intro)}*", ""]
        for b in s.blocks:
            parts += [_block(b), ""]
    parts.append("*Made by Causal Canvas without any language model: every choice follows a "
                 "stated rule.*")
    return "\n".join(parts) + "\n"


def render_markdown(result: ReportResult) -> str:
    """The whole report as Markdown (byte-identical for identical input)."""
    return document_markdown(build_document(result))


__all__ = ["document_markdown", "md", "render_markdown"]
