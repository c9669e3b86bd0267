"""Graphviz DOT: write, and read the subset graph tools export (no graphviz install needed).

Read: `[strict] digraph [name] { … }` with node statements, `a -> b -> c` chains, attribute
lists, and the default-attribute statements `node [ … ]` / `edge [ … ]`, which apply to the
statements after them as in Graphviz. Meaning taken from attributes: `roles="…"` (ours),
DAGitty's bare role flags (`X [latent]`), `pos`, and an edge's `dir` (both = a bidirected
edge ↔; back/none have no causal reading and are refused). Keywords (node, edge, graph, …) are
keywords only when unquoted, so a node called "node" keeps its roles. Errors carry line and
column; node and edge counts are budgeted while reading (app.settings).
"""
from __future__ import annotations

import re

from app.errors import GraphError, ParseError
from app.graph import ROLES, CausalGraph, show_name
from app.settings import MAX_EDGES, MAX_NODES

_TOKEN = re.compile(r'(?P<ws>\s+|//[^\n]*|#[^\n]*|/\*.*?\*/)|(?P<arrow>->|--)'
                    r'|(?P<str>"(?:[^"\\]|\\.)*")'
                    r'|(?P<id>[A-Za-z0-9_.\u0080-\U0010ffff]+)|(?P<p>[{}\[\];,=:])', re.S)
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def _role_aliases() -> dict[str, str]:
    from app.io.dagitty import ROLE_ALIASES
    return ROLE_ALIASES


def _q(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_dot(g: CausalGraph) -> str:
    """DOT text for a DAG (↔ as `dir=both, style=dashed`); other graph types have marks DOT lacks."""
    if not g.is_dag:
        raise GraphError(f"DOT cannot keep the edge marks of a {g.kind.upper()}.",
                         hint="Save it as DAGitty text or JSON instead.")
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


class _Tok(tuple):
    """(kind, value, quoted, line, col)."""

    kind = property(lambda t: t[0])
    val = property(lambda t: t[1])
    quoted = property(lambda t: t[2])
    line = property(lambda t: t[3])
    col = property(lambda t: t[4])


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, line, line_start = 0, 1, 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m:
            raise ParseError(f"Unexpected character {text[i]!r} in DOT text.", line,
                             i - line_start + 1)
        kind = m.lastgroup
        if kind == "str":
            toks.append(_Tok(("id", re.sub(r"\\(.)", r"\1", m.group()[1:-1]), True, line,
                              i - line_start + 1)))
        elif kind != "ws":
            toks.append(_Tok((kind, m.group(), False, line, i - line_start + 1)))
        nl = m.group().count("\n")
        if nl:
            line += nl
            line_start = i + m.group().rfind("\n") + 1
        i = m.end()
    toks.append(_Tok(("eof", "", False, line, i - line_start + 1)))
    return toks


def _err(message: str, tok: _Tok, hint: str | None = None) -> ParseError:
    return ParseError(message, tok.line, tok.col, hint=hint)


def parse_dot(text: str) -> CausalGraph:
    """Read a DOT digraph (see the module docstring for what is understood)."""
    toks = _tokenize(text)
    pos = 0

    def word(p: int) -> str | None:
        t = toks[p]
        return t.val.lower() if t.kind == "id" and not t.quoted else None

    if word(pos) == "strict":
        pos += 1
    if word(pos) == "graph":
        raise _err("This is an undirected DOT graph; a causal graph needs 'digraph'.", toks[pos])
    if word(pos) != "digraph":
        raise _err("DOT text must start with 'digraph {'.", toks[pos])
    pos += 1
    if toks[pos].kind == "id":
        pos += 1  # graph name
    if toks[pos].val != "{" or toks[pos].kind != "p":
        raise _err("Expected '{' after 'digraph'.", toks[pos])
    pos += 1
    nodes: dict[str, None] = {}
    edges: set = set()
    bidirected: set = set()
    roles: dict[str, set[str]] = {}
    positions: dict[str, tuple[float, float]] = {}
    node_defaults: dict[str, tuple[str | None, _Tok]] = {}
    edge_defaults: dict[str, tuple[str | None, _Tok]] = {}

    def attrs(p: int) -> tuple[dict[str, tuple[str | None, _Tok]], int]:
        out: dict[str, tuple[str | None, _Tok]] = {}
        if toks[p].val != "[" or toks[p].kind != "p":
            return out, p
        p += 1
        while not (toks[p].kind == "p" and toks[p].val == "]"):
            t = toks[p]
            if t.kind == "eof":
                raise _err("An attribute list is missing its closing ']'.", t)
            if t.kind == "p" and t.val in (",", ";"):
                p += 1
                continue
            if t.kind != "id":
                raise _err(f"Expected an attribute name but found '{t.val}'.", t)
            if toks[p + 1].kind == "p" and toks[p + 1].val == "=":
                v = toks[p + 2]
                if v.kind != "id":
                    raise _err(f"Expected a value for '{t.val}'.", v)
                out[t.val.lower()] = (v.val, v)
                p += 3
            else:
                out[t.val.lower()] = (None, t)   # a bare flag: DAGitty's role syntax
                p += 1
        return out, p + 1

    def add_node(name: str, tok: _Tok) -> None:
        if name not in nodes:
            if len(nodes) >= MAX_NODES:
                raise _err(f"The graph has more than {MAX_NODES:,} nodes; that is the limit.", tok)
            nodes[name] = None
            node_attrs(name, node_defaults)

    def node_attrs(name: str, a: dict[str, tuple[str | None, _Tok]]) -> None:
        aliases = _role_aliases()
        for key, (value, tok) in a.items():
            if key == "roles" and value is not None:
                roles.setdefault(name, set()).update(r for r in value.split(",") if r)
            elif key == "pos" and value is not None:
                try:
                    x, y = (float(v) for v in value.rstrip("!").split(",")[:2])
                except ValueError:
                    raise _err(f"Bad position {value[:40]!r} for {name!r}.", tok) from None
                if x != x or y != y or abs(x) > 1e7 or abs(y) > 1e7:
                    raise _err(f"The position {value[:40]!r} is out of range.", tok)
                positions[name] = (x, y)
            elif value is None and key in aliases:
                roles.setdefault(name, set()).add(aliases[key])
            elif value is None:
                raise _err(f"Unknown role {show_name(tok.val)} for {show_name(name)}.", tok,
                           hint="Roles are: " + ", ".join(ROLES) + ".")

    def edge_kind(a: dict[str, tuple[str | None, _Tok]]) -> str:
        value, tok = a.get("dir", ("forward", None))
        value = (value or "").lower()
        if value == "forward":
            return "->"
        if value == "both":
            return "<->"
        raise _err(f"An edge with dir={value} has no causal reading.", tok,
                   hint="Use dir=forward (a cause) or dir=both (an unobserved common cause).")

    while not (toks[pos].kind == "p" and toks[pos].val == "}"):
        tok = toks[pos]
        if tok.kind == "eof":
            raise _err("The DOT graph is missing its closing '}'.", tok)
        if tok.kind == "p" and tok.val in (";", ","):
            pos += 1
            continue
        kw = word(pos)
        if kw in ("node", "edge", "graph") and toks[pos + 1].val == "[":
            a, pos = attrs(pos + 1)
            if kw == "node":
                node_defaults.update(a)
            elif kw == "edge":
                edge_kind(a)
                edge_defaults.update(a)
            continue
        if kw in _KEYWORDS:
            raise _err(f"'{tok.val}' is a DOT keyword here, not a node name.", tok,
                       hint=f'Quote it to use it as a name: "{tok.val}".')
        if tok.kind != "id":
            raise _err(f"Unexpected '{tok.val}' in DOT text.", tok)
        if toks[pos + 1].kind == "p" and toks[pos + 1].val == "=":
            if toks[pos + 2].kind != "id":
                raise _err(f"Expected a value for '{tok.val}'.", toks[pos + 2])
            pos += 3
            continue
        chain = [(tok.val, tok)]
        pos += 1
        arrows = []
        while toks[pos].kind == "arrow":
            if toks[pos].val == "--":
                raise _err("'--' is an undirected edge; a causal graph needs '->'.", toks[pos])
            nxt = toks[pos + 1]
            if nxt.kind != "id" or word(pos + 1) in _KEYWORDS:
                raise _err("An arrow must point to a node name.", nxt)
            arrows.append(toks[pos])
            chain.append((nxt.val, nxt))
            pos += 2
        a, pos = attrs(pos)
        for n, t in chain:
            add_node(n, t)
        if len(chain) == 1:
            node_attrs(tok.val, a)
            continue
        kind = edge_kind({**edge_defaults, **a})
        if len(edges) + len(bidirected) + len(chain) > MAX_EDGES:
            raise _err(f"The graph has more than {MAX_EDGES:,} edges; that is the limit.", arrows[0])
        for (s, _), (t, _) in zip(chain, chain[1:]):
            if kind == "<->":
                bidirected.add((s, t))
            else:
                edges.add((s, t))
    rest = toks[pos + 1]
    if rest.kind != "eof":
        raise _err(f"Unexpected '{rest.val}' after the closing '}}'.", rest)
    return CausalGraph.from_edges(sorted(edges), nodes=list(nodes), bidirected=sorted(bidirected),
                                  roles=roles, positions=positions)
