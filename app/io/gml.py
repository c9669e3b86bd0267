"""GML through networkx (type, roles and positions as attributes).

Before networkx sees the text, its bracket nesting is measured (a 50,000-deep document would
exhaust Python's stack); after, every attribute is type-checked, so odd attributes give a
ParseError rather than a TypeError. Counts are checked against app.settings.
"""
from __future__ import annotations

import math

import networkx as nx

from app.errors import ParseError
from app.graph import CIRCLE_MARKS, KINDS, CausalGraph, show_name
from app.settings import MAX_EDGES, MAX_NODES

MAX_DEPTH = 20


def write_gml(g: CausalGraph) -> str:
    out = nx.MultiDiGraph()      # multi: a DAG may have both X -> Y and X <-> Y
    if not g.is_dag:
        out.graph["kind"] = g.kind
    for n in g.nodes:
        attrs = {"roles": ",".join(sorted(g.roles.get(n, ())))}
        if n in g.positions:
            attrs["x"], attrs["y"] = g.positions[n]
        out.add_node(n, **attrs)
    for a, b in sorted(g.edges):
        out.add_edge(a, b, kind="directed")
    for a, b in sorted(g.bidirected):
        out.add_edge(a, b, kind="bidirected")
    for a, b in sorted(g.undirected):
        out.add_edge(a, b, kind="undirected")
    for a, mark, b in sorted(g.circle):
        out.add_edge(a, b, kind="circle", mark=mark)
    return "\n".join(nx.generate_gml(out)) + "\n"


def _depth(text: str) -> int:
    """The deepest [ … ] nesting outside quoted strings."""
    depth = deepest = 0
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == "]":
            depth -= 1
    return deepest


def _safe(text: str) -> str:
    """Library error text made printable (a lone surrogate from `&#55296;` is escaped)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParseError(f"The {what} must be a number, not {show_name(value)}.")
    try:
        v = float(value)
    except OverflowError:
        v = math.inf
    if not math.isfinite(v):
        raise ParseError(f"The {what} is not a usable number.")
    return v


def parse_gml(text: str) -> CausalGraph:
    if _depth(text) > MAX_DEPTH:
        raise ParseError(f"This GML text is nested more than {MAX_DEPTH} levels deep; a graph "
                         "needs three.")
    try:
        g = nx.parse_gml(text, label="label")
    except (nx.NetworkXError, ValueError, KeyError, IndexError, TypeError, AttributeError,
            RecursionError, OverflowError) as err:
        raise ParseError("This GML text could not be read: " + _safe(str(err)[:200])) from None
    if not g.is_directed():
        raise ParseError("This GML graph is undirected; a causal graph needs 'directed 1'.")
    if g.number_of_nodes() > MAX_NODES or g.number_of_edges() > MAX_EDGES:
        raise ParseError(f"This GML graph has {g.number_of_nodes():,} nodes and "
                         f"{g.number_of_edges():,} edges; the limits are {MAX_NODES:,} and "
                         f"{MAX_EDGES:,}.")
    kind = g.graph.get("kind", "dag")
    if kind not in KINDS:
        raise ParseError(f"Unknown graph kind {show_name(kind)}.",
                         hint="Kinds are: " + ", ".join(KINDS) + ".")
    nodes = [str(n) for n in g.nodes]
    roles, pos = {}, {}
    for n, d in g.nodes(data=True):
        r = d.get("roles", "")
        if not isinstance(r, str):
            raise ParseError(f"The roles of {show_name(n)} must be text such as \"latent\".")
        if r:
            roles[str(n)] = [x for x in r.split(",") if x]
        if "x" in d or "y" in d:
            pos[str(n)] = (_number(d.get("x"), f"x of {show_name(n)}"),
                           _number(d.get("y"), f"y of {show_name(n)}"))
    sets: dict[str, list] = {"directed": [], "bidirected": [], "undirected": [], "circle": []}
    for a, b, d in g.edges(data=True):
        k = d.get("kind", "directed")
        if not isinstance(k, str) or k not in sets:
            raise ParseError(f"Unknown edge kind {show_name(k)} on {show_name(a, False)} – {show_name(b, False)}.",
                             hint="Edge kinds are: " + ", ".join(sets) + ".")
        if k == "circle":
            mark = d.get("mark")
            if mark not in CIRCLE_MARKS:
                raise ParseError(f"Unknown circle mark {show_name(mark)}.",
                                 hint="Circle marks are: " + ", ".join(CIRCLE_MARKS) + ".")
            sets[k].append((str(a), mark, str(b)))
        else:
            sets[k].append((str(a), str(b)))
    return CausalGraph.from_edges(sets["directed"], nodes=nodes, bidirected=sets["bidirected"],
                                  roles=roles, positions=pos, kind=kind,
                                  undirected=sets["undirected"], circle=sets["circle"])
