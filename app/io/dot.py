"""Graphviz DOT: write, and read the subset graph tools export (no graphviz install needed)."""
from __future__ import annotations

import re

from app.errors import ParseError
from app.graph import CausalGraph

_TOKEN = re.compile(r'\s+|//[^\n]*|#[^\n]*|/\*.*?\*/|(?P<arrow>->|--)|(?P<str>"(?:[^"\\]|\\.)*")'
                    r'|(?P<id>[A-Za-z0-9_.\u0080-\U0010ffff]+)|(?P<p>[{}\[\];,=:])', re.S)


def _q(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_dot(g: CausalGraph) -> str:
    lines = ["digraph {"]
    for n in g.nodes:
        attrs = []
        roles = sorted(g.roles.get(n, ()))
        if roles:
            attrs.append(f'roles={_q(",".join(roles))}')
        if n in g.positions:
            x, y = g.positions[n]
            attrs.append(f'pos="{x:g},{y:g}"')
        lines.append(f"  {_q(n)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    for a, b in sorted(g.edges):
        lines.append(f"  {_q(a)} -> {_q(b)};")
    for a, b in sorted(g.bidirected):
        lines.append(f'  {_q(a)} -> {_q(b)} [dir=both, style=dashed];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def parse_dot(text: str) -> CausalGraph:
    """Read a DOT digraph: nodes, `a -> b -> c` chains, attributes roles/pos/dir=both."""
    toks: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m:
            line = text.count("\n", 0, i) + 1
            raise ParseError(f"Unexpected character {text[i]!r} in DOT text.", line,
                             i - text.rfind("\n", 0, i))
        if m.lastgroup == "str":
            toks.append(("id", re.sub(r"\\(.)", r"\1", m.group()[1:-1])))
        elif m.lastgroup:
            toks.append((m.lastgroup, m.group()))
        i = m.end()
    pos = 0
    while pos < len(toks) and toks[pos][1].lower() in ("strict", "digraph", "graph"):
        if toks[pos][1].lower() == "graph":
            raise ParseError("This is an undirected DOT graph; a causal graph needs 'digraph'.")
        pos += 1
    if pos < len(toks) and toks[pos][0] == "id":
        pos += 1  # graph name
    if pos >= len(toks) or toks[pos][1] != "{":
        raise ParseError("DOT text must start with 'digraph {'.")
    pos += 1
    nodes: dict[str, None] = {}
    edges, bidirected, roles, positions = [], [], {}, {}

    def attrs(p: int) -> tuple[dict[str, str], int]:
        out: dict[str, str] = {}
        if p < len(toks) and toks[p][1] == "[":
            p += 1
            while p < len(toks) and toks[p][1] != "]":
                if toks[p][1] in (",", ";"):
                    p += 1
                    continue
                key = toks[p][1]
                if p + 2 < len(toks) and toks[p + 1][1] == "=":
                    out[key] = toks[p + 2][1]
                    p += 3
                else:
                    out[key] = "true"
                    p += 1
            if p >= len(toks):
                raise ParseError("An attribute list is missing its closing ']'.")
            p += 1
        return out, p

    while pos < len(toks) and toks[pos][1] != "}":
        kind, val = toks[pos]
        if val in (";", ","):
            pos += 1
            continue
        if val.lower() in ("node", "edge", "graph") and pos + 1 < len(toks) and toks[pos + 1][1] == "[":
            _, pos = attrs(pos + 1)
            continue
        if kind != "id":
            raise ParseError(f"Unexpected '{val}' in DOT text.")
        if pos + 1 < len(toks) and toks[pos + 1][1] == "=":
            pos += 3
            continue
        chain = [val]
        pos += 1
        while pos < len(toks) and toks[pos][0] == "arrow":
            if toks[pos][1] == "--":
                raise ParseError("'--' is an undirected edge; a causal graph needs '->'.")
            if pos + 1 >= len(toks) or toks[pos + 1][0] != "id":
                raise ParseError("An arrow must point to a node name.")
            chain.append(toks[pos + 1][1])
            pos += 2
        a, pos = attrs(pos)
        for n in chain:
            nodes.setdefault(n, None)
        if len(chain) == 1:
            if "roles" in a:
                roles[val] = [r for r in a["roles"].split(",") if r]
            if "pos" in a:
                try:
                    x, y = (float(v) for v in a["pos"].rstrip("!").split(",")[:2])
                except ValueError:
                    raise ParseError(f"Bad position {a['pos']!r} for {val!r}.") from None
                positions[val] = (x, y)
        else:
            both = a.get("dir") == "both"
            for s, t in zip(chain, chain[1:]):
                (bidirected if both else edges).append((s, t))
    if pos >= len(toks):
        raise ParseError("The DOT graph is missing its closing '}'.")
    return CausalGraph.from_edges(edges, nodes=list(nodes), bidirected=bidirected,
                                  roles=roles, positions=positions)
