"""Graph file formats: detect, parse and write DAGitty, JSON, DOT, GML, BIF, CSV edge lists and
lavaan model syntax and bnlearn modelstrings; write TikZ and R (dagitty package) too."""
from __future__ import annotations

import re

from app.errors import GraphError, ParseError
from app.graph import CausalGraph
from app.io.bif import parse_bif, read_bif_model, write_bif_model
from app.io.bnlearn import parse_bnlearn
from app.io.dagitty import parse_dagitty, write_dagitty
from app.io.dot import parse_dot, write_dot
from app.io.edgelist import parse_edgelist, write_edgelist
from app.io.gml import parse_gml, write_gml
from app.io.jsonfmt import parse_json, write_json
from app.io.lavaan import parse_lavaan
from app.io.writers import write_bnlearn, write_lavaan, write_r, write_tikz
from app.settings import MAX_GRAPH_TEXT

# a lavaan formula: names joined by + then =~, ~~, <~ or ~ (DAGitty text always has braces)
_LAVAAN_START = re.compile(r"[A-Za-z._][\w.]*(\s*\+\s*[A-Za-z._][\w.]*)*\s*(=~|~~|<~|~)")
_SURROGATE = re.compile("[\ud800-\udfff]")

PARSERS = {
    "dagitty": parse_dagitty, "json": parse_json, "dot": parse_dot, "gml": parse_gml,
    "bif": parse_bif, "csv": parse_edgelist, "lavaan": parse_lavaan,
    "bnlearn": parse_bnlearn,
}
WRITERS = {
    "dagitty": write_dagitty, "json": write_json, "dot": write_dot, "gml": write_gml,
    "csv": write_edgelist, "lavaan": write_lavaan, "bnlearn": write_bnlearn, "tikz": write_tikz,
    "r": write_r,
}
EXTENSIONS = {"dagitty": "dagitty", "json": "json", "dot": "dot", "gml": "gml", "csv": "csv",
              "bif": "bif", "lavaan": "lav", "bnlearn": "txt", "tikz": "tex", "r": "R"}
MIME = {"dagitty": "text/plain", "json": "application/json", "dot": "text/vnd.graphviz",
        "gml": "text/plain", "csv": "text/csv", "bif": "text/plain", "lavaan": "text/plain",
        "bnlearn": "text/plain", "tikz": "application/x-tex", "r": "text/plain"}


def detect_format(text: str) -> str:
    """Guess the format of graph text from its first meaningful characters."""
    head = re.sub(r"^(\s|#[^\n]*\n|//[^\n]*\n)*", "", text)[:200].lstrip("\ufeff")
    low = head.lower()
    if low.startswith("{") and re.match(r'\{\s*"', head):
        return "json"
    if re.match(r"(strict\s+)?digraph\b", low):
        # DAGitty's DOT-style text uses marks Graphviz lacks: read it as DAGitty
        return "dagitty" if re.search(r"<-|@-|-@", text) else "dot"
    if re.match(r"graph\s*\[", low) or re.match(r"(creator|version)\b[^\n]*\n\s*graph\s*\[", low):
        return "gml"
    if re.match(r"network\s", low):
        return "bif"
    if re.match(r'(strict\s+)?(dag|pdag|mag|pag)(\s+("[^"]*"|[^\s{"]+))?\s*\{', low) or "->" in head or "<-" in head:
        return "dagitty"
    first_line = head.split("\n", 1)[0]
    if re.match(r"\[[^\[\]|:\",]+(\|[^\[\]|\"]*)?\]\s*(\[|$)", head):
        return "bnlearn"
    if "{" not in head and re.match(_LAVAAN_START, head):
        return "lavaan"
    if "," in first_line and "[" not in first_line:
        return "csv"
    return "dagitty"


def parse_graph(text: str, fmt: str | None = None) -> CausalGraph:
    """Parse graph text in any supported format (detected when `fmt` is None)."""
    if not isinstance(text, str):
        raise ParseError("Graph text must be text.")
    if len(text) > MAX_GRAPH_TEXT:
        raise ParseError(f"The graph text is {len(text):,} characters long; "
                         f"the limit is {MAX_GRAPH_TEXT:,}.")
    broken = _SURROGATE.search(text)
    if broken:   # half a UTF-16 pair cannot be shown or saved: refuse it before any parser
        line = text.count("\n", 0, broken.start()) + 1
        col = broken.start() - text.rfind("\n", 0, broken.start())
        raise ParseError("The text contains a broken character (half of a UTF-16 surrogate "
                         "pair).", line, col, hint="Retype or remove the character there.")
    fmt = fmt or detect_format(text)
    if fmt not in PARSERS:
        raise ParseError(f"Unknown graph format '{fmt}'.",
                         hint="Supported: " + ", ".join(PARSERS) + ".")
    # Structural problems (cycle, duplicate, bad name) surface as the GraphError subclasses
    # the editor shows, so callers can tell a cycle apart from a syntax error.
    return PARSERS[fmt](text)


def write_graph(g: CausalGraph, fmt: str = "dagitty", model=None) -> str:
    """Write a graph as text; BIF needs a fitted model because it stores probabilities."""
    if fmt == "bif":
        if model is None:
            raise GraphError("BIF stores probabilities as well as the graph: fit a model first.")
        return write_bif_model(model)
    if fmt not in WRITERS:
        raise GraphError(f"Unknown graph format '{fmt}'.",
                         hint="Supported: " + ", ".join([*WRITERS, "bif"]) + ".")
    return WRITERS[fmt](g)


__all__ = ["detect_format", "parse_graph", "write_graph", "read_bif_model", "PARSERS", "WRITERS",
           "EXTENSIONS", "MIME"]
