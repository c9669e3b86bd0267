"""Causal Canvas's own JSON graph format (versioned), plus networkx node-link JSON on input."""
from __future__ import annotations

import json

from app.errors import ParseError
from app.graph import CausalGraph

FORMAT = "causal-canvas-graph"
VERSION = 1


def write_json(g: CausalGraph) -> str:
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "nodes": [
            {"name": n, "roles": sorted(g.roles.get(n, ())),
             **({"pos": list(g.positions[n])} if n in g.positions else {})}
            for n in g.nodes
        ],
        "edges": [list(e) for e in sorted(g.edges)],
        "bidirected": [list(e) for e in sorted(g.bidirected)],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


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
        raise ParseError(f"Unknown JSON graph format {doc.get('format')!r}.")
    version = doc.get("version", VERSION)
    if not isinstance(version, int) or version > VERSION:
        raise ParseError(f"This graph file is format version {version!r}; this app reads "
                         f"versions up to {VERSION}.", hint="Update Causal Canvas to open it.")
    names, roles, pos = [], {}, {}
    for item in doc["nodes"]:
        if isinstance(item, str):
            name = item
        elif isinstance(item, dict):
            name = item.get("name", item.get("id"))
            if isinstance(item.get("roles"), list):
                roles[name] = item["roles"]
            p = item.get("pos")
            if p is not None:
                if not (isinstance(p, list) and len(p) == 2
                        and all(isinstance(v, (int, float)) for v in p)):
                    raise ParseError(f"The position of {name!r} must be a list of two numbers.")
                pos[name] = tuple(p)
        else:
            raise ParseError("Each node must be a name or an object with a \"name\".")
        if not isinstance(name, str):
            raise ParseError("Each node needs a text name.")
        names.append(name)
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ParseError(f"The node '{dup}' is listed twice.")
    edges = doc.get("edges", doc.get("links", []))
    out = []
    for e in edges:
        if isinstance(e, dict):
            e = [e.get("source"), e.get("target")]
        if not (isinstance(e, list) and len(e) == 2 and all(isinstance(v, str) for v in e)):
            raise ParseError("Each edge must be a pair of node names, e.g. [\"X\", \"Y\"].")
        out.append(tuple(e))
    bi = []
    for e in doc.get("bidirected", []):
        if not (isinstance(e, list) and len(e) == 2 and all(isinstance(v, str) for v in e)):
            raise ParseError("Each bidirected edge must be a pair of node names.")
        bi.append(tuple(e))
    for a, b in [*out, *bi]:
        for n in (a, b):
            if n not in names:
                raise ParseError(f"The edge {a} – {b} uses '{n}', which is not in the node list.")
    return CausalGraph.from_edges(out, nodes=names, bidirected=bi, roles=roles, positions=pos)
