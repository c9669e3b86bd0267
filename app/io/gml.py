"""GML through networkx (roles and positions as node attributes)."""
from __future__ import annotations

import networkx as nx

from app.errors import ParseError
from app.graph import CausalGraph


def write_gml(g: CausalGraph) -> str:
    out = nx.DiGraph()
    for n in g.nodes:
        attrs = {"roles": ",".join(sorted(g.roles.get(n, ())))}
        if n in g.positions:
            attrs["x"], attrs["y"] = g.positions[n]
        out.add_node(n, **attrs)
    for a, b in sorted(g.edges):
        out.add_edge(a, b, kind="directed")
    for a, b in sorted(g.bidirected):
        out.add_edge(a, b, kind="bidirected")
    return "\n".join(nx.generate_gml(out)) + "\n"


def parse_gml(text: str) -> CausalGraph:
    try:
        g = nx.parse_gml(text, label="label")
    except (nx.NetworkXError, ValueError, KeyError, IndexError) as err:
        raise ParseError(f"This GML text could not be read: {err}") from None
    if not g.is_directed():
        raise ParseError("This GML graph is undirected; a causal graph needs 'directed 1'.")
    nodes = [str(n) for n in g.nodes]
    roles, pos = {}, {}
    for n, d in g.nodes(data=True):
        if d.get("roles"):
            roles[str(n)] = [r for r in str(d["roles"]).split(",") if r]
        if "x" in d and "y" in d:
            pos[str(n)] = (float(d["x"]), float(d["y"]))
    edges, bi = [], []
    for a, b, d in g.edges(data=True):
        (bi if d.get("kind") == "bidirected" else edges).append((str(a), str(b)))
    return CausalGraph.from_edges(edges, nodes=nodes, bidirected=bi, roles=roles, positions=pos)
