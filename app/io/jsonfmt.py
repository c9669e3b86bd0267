"""Causal Canvas's own JSON graph format (versioned), plus networkx node-link JSON on input.

Every field is type-checked before use (a name must be text, a position two finite numbers,
an edge two names...), so a hostile document gets a ParseError, never a TypeError. Node and
edge counts are checked against app.settings before the graph is built.
"""
from __future__ import annotations

import json
import math

from app.errors import GraphError, ParseError
from app.graph import CIRCLE_MARKS, KINDS, ROLES, CausalGraph, clean_name, show_name
from app.settings import MAX_EDGES, MAX_NODES

FORMAT = "causal-canvas-graph"
VERSION = 1


def write_json(g: CausalGraph) -> str:
    doc = {
        "format": FORMAT,
        "version": VERSION,
        **({"kind": g.kind} if not g.is_dag else {}),
        "nodes": [
            {"name": n, "roles": sorted(g.roles.get(n, ())),
             **({"pos": list(g.positions[n])} if n in g.positions else {})}
            for n in g.nodes
        ],
        "edges": [list(e) for e in sorted(g.edges)],
        "bidirected": [list(e) for e in sorted(g.bidirected)],
        **({"undirected": [list(e) for e in sorted(g.undirected)]} if g.undirected else {}),
        **({"circle": [list(e) for e in sorted(g.circle)]} if g.circle else {}),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _list(doc: dict, key: str, default: list | None = None) -> list:
    value = doc.get(key, default if default is not None else [])
    if not isinstance(value, list):
        raise ParseError(f'"{key}" must be a list, not {type(value).__name__}.')
    return value


def _pairs(items: list, what: str, width: int = 2) -> list[tuple]:
    out = []
    for e in items:
        if isinstance(e, dict) and width == 2:
            e = [e.get("source"), e.get("target")]
        if not (isinstance(e, list) and len(e) == width and all(isinstance(v, str) for v in e)):
            example = '["X", "Y"]' if width == 2 else '["X", "@->", "Y"]'
            raise ParseError(f"Each {what} must be a list of node names, e.g. {example}.")
        out.append(tuple(e))
    return out


def parse_json(text: str) -> CausalGraph:
    """Read our JSON format, or networkx node-link JSON ({"nodes": [{"id":..}], "links": [...]})."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ParseError(f"This is not valid JSON: {err.msg}.", err.lineno, err.colno) from None
    except (ValueError, RecursionError):  # numbers with thousands of digits, absurd nesting
        raise ParseError("This JSON has numbers too long or nesting too deep to be a graph.") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list):
        raise ParseError('A JSON graph needs a "nodes" list.')
    if doc.get("format", FORMAT) != FORMAT:
        raise ParseError(f"Unknown JSON graph format {str(doc.get('format'))[:40]!r}.")
    version = doc.get("version", VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or not 0 <= version <= VERSION:
        raise ParseError(f"This graph file is format version {str(version)[:20]!r}; this app "
                         f"reads versions up to {VERSION}.", hint="Update Causal Canvas to open it.")
    kind = doc.get("kind", "dag")
    if kind not in KINDS:
        raise ParseError(f'Unknown graph "kind" {str(kind)[:20]!r}.',
                         hint="Kinds are: " + ", ".join(KINDS) + ".")
    if len(doc["nodes"]) > MAX_NODES:
        raise ParseError(f"The graph has {len(doc['nodes']):,} nodes; the limit is {MAX_NODES:,}.")
    names, roles, pos = [], {}, {}
    for item in doc["nodes"]:
        if isinstance(item, str):
            name = item
        elif isinstance(item, dict):
            name = item.get("name", item.get("id"))
        else:
            raise ParseError("Each node must be a name or an object with a \"name\".")
        if not isinstance(name, str):
            raise ParseError(f"Each node needs a text name, not {type(name).__name__}.")
        try:   # checked here so no message below can carry an unusable name
            name = clean_name(name)
        except GraphError as err:
            raise ParseError(err.message, hint=err.hint) from None
        if isinstance(item, dict):
            r = item.get("roles", [])
            if not (isinstance(r, list) and all(v in ROLES for v in r)):
                raise ParseError(f'The "roles" of {show_name(name)} must be a list of role '
                                 'names.', hint="Roles are: " + ", ".join(ROLES) + ".")
            if r:
                roles[name] = r
            p = item.get("pos")
            if p is not None:
                if not (isinstance(p, list) and len(p) == 2 and all(
                        isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)):
                    raise ParseError(f"The position of {show_name(name)} must be a list of two "
                                     "numbers.")
                try:
                    x, y = float(p[0]), float(p[1])
                except OverflowError:
                    x = y = math.inf
                if not (math.isfinite(x) and math.isfinite(y)):
                    raise ParseError(f"The position of {show_name(name)} is not a usable number.")
                pos[name] = (x, y)
        names.append(name)
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ParseError(f"The node {show_name(dup)} is listed twice.")
    edges = _pairs(_list(doc, "edges", _list(doc, "links")), "edge")
    bi = _pairs(_list(doc, "bidirected"), "bidirected edge")
    und = _pairs(_list(doc, "undirected"), "undirected edge")
    circ = _pairs(_list(doc, "circle"), "circle edge", width=3)
    if len(edges) + len(bi) + len(und) + len(circ) > MAX_EDGES:
        raise ParseError(f"The graph has more than {MAX_EDGES:,} edges; that is the limit.")
    known = set(names)
    for e in [*edges, *bi, *und, *((a, b) for a, _, b in circ)]:
        for n in e:
            if n not in known:
                raise ParseError(f"The edge {show_name(e[0], False)} – {show_name(e[-1], False)} uses "
                                 f"{show_name(n)}, which is not in the node list.")
    for _, mark, _ in circ:
        if mark not in CIRCLE_MARKS:
            raise ParseError(f"Unknown circle mark {show_name(mark)}.",
                             hint="Circle marks are: " + ", ".join(CIRCLE_MARKS) + ".")
    return CausalGraph.from_edges(edges, nodes=names, bidirected=bi, roles=roles, positions=pos,
                                  kind=kind, undirected=und, circle=[(a, m, b) for a, m, b in circ])
