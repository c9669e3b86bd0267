"""Read a bnlearn modelstring, `[A][B|A][C|A:B]` (what bnlearn's `modelstring()` prints and
`model2network()` reads; DAGitty's `as.dagitty` reads the same network from a bn object).

Each `[node]` or `[node|parent1:parent2]` declares a node and its parents; every node must be
declared exactly once, and every parent must be declared as a node (bnlearn's own checks).
"""
from __future__ import annotations

import re

from app.errors import ParseError
from app.graph import CausalGraph

_PART = re.compile(r"\[([^\[\]|:]+)(?:\|([^\[\]|]*))?\]")


def _where(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


def parse_bnlearn(text: str) -> CausalGraph:
    """A DAG from a bnlearn modelstring (see module)."""
    nodes: list[str] = []
    parents: dict[str, list[str]] = {}
    body = text.rstrip()
    pos = 0
    while pos < len(body):
        if body[pos].isspace():
            pos += 1
            continue
        m = _PART.match(body, pos)
        if m is None:
            line, col = _where(text, pos)
            raise ParseError("Expected [node] or [node|parent1:parent2] here.", line, col,
                             hint="A bnlearn modelstring looks like [A][B|A][C|A:B].")
        name = m.group(1).strip()
        if name in parents:
            line, col = _where(text, pos)
            raise ParseError(f"The node '{name}' is declared twice.", line, col,
                             hint="Declare each node once, with all its parents.")
        ps = [p.strip() for p in m.group(2).split(":")] if m.group(2) is not None else []
        if any(not p for p in ps):
            line, col = _where(text, pos)
            raise ParseError(f"An empty parent name in the declaration of '{name}'.", line, col,
                             hint="Separate parents with ':' as in [C|A:B].")
        nodes.append(name)
        parents[name] = ps
        pos = m.end()
    if not nodes:
        raise ParseError("The modelstring is empty.", hint="Write e.g. [A][B|A].")
    for child, ps in parents.items():
        for p in ps:
            if p not in parents:
                raise ParseError(f"'{p}' is a parent of '{child}' but is not declared as a "
                                 "node.", hint=f"Add [{p}] (with its parents) to the string.")
    return CausalGraph.from_edges([(p, c) for c in nodes for p in parents[c]], nodes=nodes)
