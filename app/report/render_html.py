"""The report as one self-contained HTML file: inline CSS, inline SVG graphs and charts, no
script, no font, no link to anything outside the file. Every text from the data is escaped.
"""
from __future__ import annotations

from app.report.document import (
    STATUS_LABEL,
    Block,
    Bullets,
    Callout,
    Code,
    Document,
    Figure,
    Para,
    Section,
    Table,
    build_document,
)
from app.report.result import ReportResult
from app.report.svg import esc

CSS = """
:root{--ink:#111827;--muted:#4b5563;--line:#e5e7eb;--accent:#2563eb;--ok:#047857;--warn:#b45309}
*{box-sizing:border-box}
body{margin:0;background:#f8fafc;color:var(--ink);
font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:28px 28px 60px;background:#fff;min-height:100vh}
h1{font-size:28px;margin:0 0 2px}
h2{font-size:21px;margin:40px 0 8px;padding-top:10px;border-top:2px solid var(--line)}
.subtitle{font-size:18px;color:var(--muted);margin:0 0 16px}
.intro{color:var(--muted);margin:0 0 12px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0 0 18px;
font-size:14px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
nav.toc{font-size:14px;background:#f1f5f9;border-radius:8px;padding:10px 16px;margin:0 0 8px}
nav.toc ol{margin:4px 0;padding-left:0;columns:2;list-style:none}
nav.toc a{color:var(--accent);text-decoration:none}
table{border-collapse:collapse;width:100%;margin:10px 0 4px;font-size:13.5px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f8fafc;font-weight:600}
table.kv{width:auto;min-width:50%}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
caption{caption-side:bottom;text-align:left;color:var(--muted);font-size:12.5px;padding-top:4px}
.status{font-weight:600;white-space:nowrap}.status.pass{color:var(--ok)}
.status.warn{color:var(--warn)}.status.info{color:var(--muted)}
.callout{border-left:5px solid var(--accent);background:#eff6ff;padding:10px 14px;margin:12px 0;
border-radius:0 6px 6px 0}
.callout.verdict{font-size:17px;border-color:#1d4ed8}
.callout.warn{border-color:#d97706;background:#fffbeb}
.callout.note{border-color:#64748b;background:#f8fafc}
figure{margin:14px 0;overflow-x:auto}
figure svg{max-width:100%;height:auto;border:1px solid var(--line);border-radius:8px}
figcaption{color:var(--muted);font-size:12.5px;margin-top:4px}
pre{background:#0f172a;color:#e2e8f0;padding:10px 14px;border-radius:6px;overflow-x:auto;
font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap}
ul{padding-left:22px}li{margin:3px 0}
footer{margin-top:40px;color:var(--muted);font-size:12.5px}
@media print{body{background:#fff}main{padding:0}h2{break-after:avoid}figure,table{break-inside:avoid}}
"""


def _block(b: Block) -> str:
    if isinstance(b, Para):
        lead = f"<strong>{esc(b.strong)}</strong>" if b.strong else ""
        return f"<p>{lead}{esc(b.text)}</p>"
    if isinstance(b, Bullets):
        return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in b.items) + "</ul>"
    if isinstance(b, Callout):
        lead = f"<strong>{esc(b.strong)}</strong>" if b.strong else ""
        return f'<div class="callout {esc(b.kind)}">{lead}{esc(b.text)}</div>'
    if isinstance(b, Code):
        return f"<pre>{esc(b.text)}</pre>"
    if isinstance(b, Figure):
        return f"<figure>{b.svg}<figcaption>{esc(b.caption)}</figcaption></figure>"
    if isinstance(b, Table):
        return _table(b)
    raise TypeError(f"unknown block {type(b).__name__}")


def _table(t: Table) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in t.header)
    body = []
    for row in t.rows:
        cells = []
        for i, cell in enumerate(row):
            if i == t.status_col:
                cells.append(f'<td class="status {esc(cell)}">{esc(STATUS_LABEL.get(cell, cell))}</td>')
            elif i in t.numeric:
                cells.append(f'<td class="num">{esc(cell)}</td>')
            else:
                cells.append(f"<td>{esc(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{esc(t.caption)}</caption>" if t.caption else ""
    kv = ' class="kv"' if len(t.header) == 2 else ""
    return f"<table{kv}>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _section(s: Section) -> str:
    intro = f'<p class="intro">{esc(s.intro)}</p>' if s.intro else ""
    return (f'<section id="{esc(s.id)}"><h2>{esc(s.title)}</h2>{intro}'
            + "".join(_block(b) for b in s.blocks) + "</section>")


def document_html(doc: Document) -> str:
    """The document as a complete HTML page."""
    facts = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in doc.facts)
    toc = "".join(f'<li><a href="#{esc(s.id)}">{esc(s.title)}</a></li>' for s in doc.sections)
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(doc.title)}: {esc(doc.subtitle)}</title>"
        f"<style>{CSS}</style></head>\n<body><main>"
        f"<h1>{esc(doc.title)}</h1><p class=\"subtitle\">{esc(doc.subtitle)}</p>"
        f'<dl class="facts">{facts}</dl>'
        f'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ol>{toc}</ol></nav>'
        + "\n".join(_section(s) for s in doc.sections)
        + "<footer>Made by Causal Canvas without any language model: every choice above follows "
          "a stated rule. This file is self-contained and works offline.</footer>"
        "</main></body></html>\n")


def render_html(result: ReportResult) -> str:
    """The whole report as one self-contained HTML page (byte-identical for identical input)."""
    return document_html(build_document(result))


__all__ = ["CSS", "document_html", "render_html"]
