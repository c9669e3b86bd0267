"""Plain-language sentences and tables for the Analyse page (pure: no Streamlit)."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from app.analysis.implications import ImplicationReport
from app.analysis.paths import PathInfo
from app.analysis.roles import ROLE_LABELS
from app.graph import CausalGraph
from app.markup import md_line


def default_query(g: CausalGraph) -> tuple[list[str], list[str]]:
    """Exposure and outcome to start with: the graph's roles, else its first and last node."""
    order = g.topological_order()
    xs = [n for n in order if n in g.exposures]
    ys = [n for n in order if n in g.outcomes and n not in xs]
    measured = [n for n in order if n not in g.latents]
    if not xs and measured:
        xs = [measured[0]]
    if not ys:
        rest = [n for n in measured if n not in xs]
        ys = rest[-1:]
    return xs, ys


def _names(nodes: Iterable[str]) -> str:
    """Node names for a Markdown sentence: sorted, escaped, joined with commas and "and"."""
    nodes = [md_line(n) for n in sorted(nodes)]
    if len(nodes) <= 1:
        return "".join(nodes) or "nothing"
    return ", ".join(nodes[:-1]) + " and " + nodes[-1]


def dsep_sentence(xs: Iterable[str], ys: Iterable[str], zs: Iterable[str], separated: bool) -> str:
    """The d-separation answer as Markdown (names escaped), with what it means for data."""
    x, y, z = _names(xs), _names(ys), list(zs)
    given = f"once you know {_names(z)}" if z else "without conditioning on anything"
    if separated:
        return (f"**{x}** and **{y}** are **d-separated** {given}: every path between them is "
                f"blocked, so the graph says they are independent {given}.")
    return (f"**{x}** and **{y}** are **d-connected** {given}: at least one path between them "
            f"is open, so the graph lets them be associated {given}.")


def path_kind(p: PathInfo) -> str:
    if p.causal:
        return "causal"
    if p.backdoor:
        return "back-door"
    return "non-causal"


def paths_table(paths: Iterable[PathInfo]) -> pd.DataFrame:
    """One row per path: the path, open/blocked, its kind and why."""
    return pd.DataFrame([{"path": p.text, "status": "● open" if p.open else "○ blocked",
                          "kind": path_kind(p), "why": p.explanation()} for p in paths],
                        columns=["path", "status", "kind", "why"])


def path_styles(p: PathInfo) -> dict[tuple[str, str], str]:
    style = "open_path" if p.open else "blocked_path"
    return {e: style for e in p.edges}


def roles_table(roles: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"variable": n, "roles": ", ".join(ROLE_LABELS[r].split(":")[0]
                                                             for r in rs) or "—"}
                         for n, rs in roles.items()])


def implications_table(report: ImplicationReport) -> pd.DataFrame:
    """The tested implications with plain verdicts, most contradicted first."""
    rows = []
    for t in sorted(report, key=lambda t: t.p_value):
        if t.p_holm < report.alpha:
            verdict = "❌ violated"
        elif t.rejected:
            verdict = "rejected (may be chance)"
        else:
            verdict = "consistent"
        rows.append({"implication": t.independence.text, "verdict": verdict, "test": t.test,
                     "statistic": round(t.statistic, 3), "dof": t.dof,
                     "p-value": t.p_value, "Holm p": t.p_holm, "rows": t.n,
                     "note": t.note})
    return pd.DataFrame(rows, columns=["implication", "verdict", "test", "statistic", "dof",
                                       "p-value", "Holm p", "rows", "note"])


def violated_styles(report: ImplicationReport) -> dict[tuple[str, str], str]:
    """Red dashed links for every pair whose implied independence the data reject."""
    return {t.pair: "violated" for t in report if t.rejected}


__all__ = ["default_query", "dsep_sentence", "implications_table", "path_kind", "path_styles",
           "paths_table", "roles_table", "violated_styles"]
