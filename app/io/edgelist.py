"""A CSV edge list: one `cause,effect` pair per line, with an optional header row."""
from __future__ import annotations

import csv
import io

from app.errors import GraphError, ParseError
from app.graph import CausalGraph
from app.settings import MAX_EDGES, MAX_NODES

_HEADERS = {("from", "to"), ("source", "target"), ("cause", "effect"), ("parent", "child")}


def parse_edgelist(text: str) -> CausalGraph:
    try:  # newline="" lets csv see bare \r line ends instead of failing on them
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    except csv.Error as err:
        raise ParseError(f"This edge list is not valid CSV: {err}.") from None
    if rows and tuple(c.strip().lower() for c in rows[0][:2]) in _HEADERS:
        rows = rows[1:]
    edges, nodes = [], []
    seen: set[str] = set()
    for i, r in enumerate(rows, start=1):
        cells = [c.strip() for c in r]
        if len(cells) == 1:
            nodes.append(cells[0])
        elif len(cells) == 2:
            edges.append((cells[0], cells[1]))
        else:
            raise ParseError(f"Expected 'cause,effect' but found {len(cells)} values.", i, 1)
        seen.update(cells)
        if len(edges) > MAX_EDGES or len(seen) > MAX_NODES:
            raise ParseError(f"The edge list passes the limit of {MAX_NODES:,} nodes or "
                             f"{MAX_EDGES:,} edges.", i, 1)
    return CausalGraph.from_edges(edges, nodes=nodes)


def write_edgelist(g: CausalGraph) -> str:
    if not g.is_dag or g.bidirected:
        raise GraphError("A cause,effect edge list keeps only -> edges; this graph has others.",
                         hint="Save it as DAGitty text or JSON instead.")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["from", "to"])
    connected = set()
    for a, b in sorted(g.edges):
        w.writerow([a, b])
        connected |= {a, b}
    for n in g.nodes:
        if n not in connected:
            w.writerow([n])
    return buf.getvalue()
