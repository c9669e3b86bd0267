"""Read and write DAGitty's graph syntax, e.g. `dag G { X [e,pos="0,1"] ; X -> { M -> Y } }`.

The grammar is the one DAGitty's current release reads (jslib/parser/GraphDotParser.pegjs and
jslib/graph/GraphParser.js in github.com/jtextor/dagitty; facts taken over, code written here):

- an optional header `[strict] TYPE [name] { … }` with TYPE one of dag, pdag, mag, pag, and
  DAGitty's DOT-style `digraph`/`graph` (read as a dag); bare statements mean `dag { … }`;
- edges `->`, `<-`, `<->`, `--` and the circle marks `@->`, `<-@`, `@--`, `--@`, `@-@`, each
  allowed only in the graph types that may have it (see app.graph);
- chains `A -> B -> C`; statement groups as endpoints, nested at will: `x -> { a -> b }` joins
  x to every node inside and keeps the edges inside (3 edges); `subgraph [name] { … }` alike;
- node attributes: roles (exposure/e/source, outcome/o/target, adjusted/a, latent/l,
  unobserved/u, selected/s) and `pos="x,y"`; attributes after an edge statement belong to the
  edge (`M <-> Y [pos="…"]` is a point on the edge, never Y's position);
- graph attributes `bb="…"`; quoted names; `#` and `//` comments.

Anything else is a ParseError with line and column; nothing is guessed. Input is budgeted while
it is expanded (app.settings): a group product that would pass MAX_EDGES is refused before any
edge of it is built, so `{a0 … a2499} -> {b0 … b2499}` costs microseconds, not 6.25 M edges.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.errors import GraphError, ParseError
from app.graph import KIND_NAMES, ROLES, CausalGraph, clean_name
from app.settings import MAX_EDGES, MAX_GRAPH_TEXT, MAX_NODES

MAX_DEPTH = 50   # nested { … } groups

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<nl>\n)
  | (?P<comment>(\#|//)[^\n]*)
  | (?P<arrow><->|<-@|<-|->|--@|--|@->|@-@|@--)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<ident>[^\s\[\]{}(),;=<>"\-#@]+(?:-(?![->@])[^\s\[\]{}(),;=<>"\-#@]*)*)
  | (?P<punct>[\[\]{},;=])
    """,
    re.VERBOSE,
)

_HEADER_TYPES = {"dag": "dag", "pdag": "pdag", "mag": "mag", "pag": "pag",
                 "digraph": "dag", "graph": "dag"}
# Names DAGitty refuses ("graph", "node") plus our group keyword; the writer quotes every word
# with a meaning in DAGitty or DOT, so its output reads back in both.
_RESERVED = {"graph", "node", "subgraph"}
_KEYWORDS = {*_HEADER_TYPES, "strict", "subgraph", "node", "edge"}
# DAGitty's role keywords, long and short (GraphParser.parseDotStatementArray).
ROLE_ALIASES = {"exposure": "exposure", "e": "exposure", "source": "exposure",
                "outcome": "outcome", "o": "outcome", "target": "outcome",
                "adjusted": "adjusted", "a": "adjusted",
                "latent": "latent", "l": "latent", "unobserved": "latent", "u": "latent",
                "selected": "selected", "s": "selected"}
_COSMETIC = {"label", "color", "colour", "shape", "style", "fillcolor", "fontcolor", "width",
             "height", "xlabel", "tooltip", "penwidth", "weight", "fontsize"}
# Arrow → (edge set, reversed?, circle mark)
_ARROWS = {
    "->": ("edges", False, None), "<-": ("edges", True, None),
    "<->": ("bidirected", False, None), "--": ("undirected", False, None),
    "@->": ("circle", False, "@->"), "<-@": ("circle", True, "@->"),
    "@--": ("circle", False, "@--"), "--@": ("circle", True, "@--"),
    "@-@": ("circle", False, "@-@"),
}
_MARKS_OF = {"dag": {"edges", "bidirected"}, "pdag": {"edges", "undirected", "bidirected"},
             "mag": {"edges", "bidirected", "undirected"},
             "pag": {"edges", "bidirected", "undirected", "circle"}}


@dataclass
class _Tok:
    kind: str
    text: str
    line: int
    col: int
    quoted: bool = False


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    line, line_start, i = 1, 0, 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        col = i - line_start + 1
        if not m:
            ch = text[i]
            if ch == '"':
                raise ParseError("This quoted name is never closed.", line, col,
                                 hint='Close it with a double quote: "my name".')
            raise ParseError(f"Unexpected character {ch!r}.", line, col,
                             hint="Quote names that contain it: \"my name\".")
        kind = m.lastgroup
        value = m.group()
        if kind == "nl":
            line += 1
            line_start = m.end()
        elif kind == "string":
            toks.append(_Tok("ident", _unquote(value), line, col, quoted=True))
        elif kind not in ("ws", "comment"):
            toks.append(_Tok(kind, value, line, col))
        i = m.end()
    toks.append(_Tok("eof", "", line, i - line_start + 1))
    return toks


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s[1:-1])


def _found(tok: _Tok) -> str:
    return "the end of the text" if tok.kind == "eof" else f"'{tok.text}'"


@dataclass
class _Parser:
    toks: list[_Tok]
    i: int = 0
    kind: str = "dag"
    header: str = "dag"
    order: dict[str, None] = field(default_factory=dict)
    sets: dict[str, dict] = field(default_factory=lambda: {
        "edges": {}, "bidirected": {}, "undirected": {}, "circle": {}})
    n_edges: int = 0
    roles: dict[str, set[str]] = field(default_factory=dict)
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    cleaned: dict[str, str] = field(default_factory=dict)    # token text -> checked name

    # ---- token helpers --------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> _Tok:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else self.toks[-1]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        if self.i < len(self.toks) - 1:
            self.i += 1
        return tok

    def at(self, text: str, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok.text == text and tok.kind == "punct"

    def word(self, ahead: int = 0) -> str | None:
        """The lower-cased text of an unquoted identifier (keywords are never quoted)."""
        tok = self.peek(ahead)
        return tok.text.lower() if tok.kind == "ident" and not tok.quoted else None

    # ---- grammar --------------------------------------------------------------------------
    def parse(self) -> CausalGraph:
        braced = self._header()
        self.statements(depth=0, closing=braced)
        end = self.peek()
        if end.kind != "eof":
            raise ParseError(f"Unexpected {_found(end)} after the closing '}}'.", end.line, end.col)
        return self.build()

    def _header(self) -> bool:
        """Read `[strict] TYPE [name] {`; return True when there was one."""
        j = 1 if self.word() == "strict" else 0
        kind = _HEADER_TYPES.get(self.word(j) or "")
        if kind is None:
            return False    # bare statements; `strict` alone is then a node name
        named = self.peek(j + 1).kind == "ident" and self.at("{", j + 2)
        if not (self.at("{", j + 1) or named):
            return False    # e.g. `dag -> x`: a node that happens to be called dag
        self.header = self.word(j) or "dag"
        self.kind = kind
        self.i += j + (3 if named else 2)
        return True

    def statements(self, depth: int, closing: bool) -> list[str]:
        """Statements up to the matching '}' (or the end); returns every node mentioned."""
        mentioned: dict[str, None] = {}
        open_tok = self.toks[self.i - 1] if self.i else self.peek()
        while True:
            tok = self.peek()
            if tok.kind == "eof":
                if closing:
                    what = "graph" if depth == 0 else "group"
                    raise ParseError(f"The {what} opened on line {open_tok.line}, column "
                                     f"{open_tok.col} is missing its closing '}}'.",
                                     tok.line, tok.col)
                return list(mentioned)
            if self.at("}"):
                if not closing:
                    raise ParseError("This '}' closes nothing.", tok.line, tok.col)
                self.take()
                return list(mentioned)
            if self.at(";") or self.at(","):
                self.take()
                continue
            for n in self.statement(depth):
                mentioned.setdefault(n, None)

    def statement(self, depth: int) -> list[str]:
        tok, nxt = self.peek(), self.peek(1)
        if tok.kind == "ident" and nxt.kind == "punct" and nxt.text == "=":   # bb="0,0,1,1"
            self.take()
            self.take()
            value = self.take()
            if value.kind != "ident":
                raise ParseError(f"Expected a value for '{tok.text}' but found {_found(value)}.",
                                 value.line, value.col)
            return []
        if self.word() in ("graph", "node") and self.at("[", 1):
            raise ParseError(
                f"'{tok.text} [ … ]' default attributes are Graphviz syntax DAGitty does not read.",
                tok.line, tok.col, hint="Put the attributes on each node instead.")
        left = self.endpoint(depth)
        mentioned = list(left)
        if self.peek().kind != "arrow":
            if self.at("[") and len(left) == 1 and self._single:
                self.attributes(left[0], node=True)
            return mentioned
        while self.peek().kind == "arrow":
            arrow = self.take()
            right = self.endpoint(depth)
            mentioned += right
            self.link(left, arrow, right)
            left = right
        if self.at("["):
            self.attributes(None, node=False)
        return mentioned

    _single: bool = False   # the last endpoint was a plain node (not a group)

    def endpoint(self, depth: int) -> list[str]:
        tok = self.peek()
        if self.word() == "subgraph":
            self.take()
            if self.peek().kind == "ident" and self.at("{", 1):
                self.take()
            if not self.at("{"):
                nxt = self.peek()
                raise ParseError(f"Expected '{{' after 'subgraph' but found {_found(nxt)}.",
                                 nxt.line, nxt.col)
        if self.at("{"):
            if depth + 1 > MAX_DEPTH:
                raise ParseError(f"Groups are nested more than {MAX_DEPTH} deep.",
                                 tok.line, tok.col)
            self.take()
            names = self.statements(depth + 1, closing=True)
            self._single = False
            return names
        name = self.node()
        self._single = True
        if self.at("[") and self.peek(self._attr_len() + 1).kind == "arrow":
            br = self.peek()
            raise ParseError(
                f"Attributes of '{name}' must be a statement of their own.", br.line, br.col,
                hint=f"Write {quote_name(name)} [ … ] on its own line, then the edges; attributes "
                     "after an edge statement belong to the edge.")
        return [name]

    def _attr_len(self) -> int:
        """How many tokens the attribute list starting here spans (to look past it)."""
        j = 0
        while self.peek(j).kind != "eof" and not self.at("]", j):
            j += 1
        return j

    def node(self) -> str:
        tok = self.take()
        if tok.kind != "ident":
            raise ParseError(f"Expected a node name but found {_found(tok)}.", tok.line, tok.col)
        if not tok.quoted and tok.text.lower() in _RESERVED:
            raise ParseError(f"'{tok.text}' is a keyword here, not a node name.", tok.line, tok.col,
                             hint=f'To use it as a name, quote it: "{tok.text}".')
        name = self.cleaned.get(tok.text)
        if name is None:
            try:
                name = self.cleaned[tok.text] = clean_name(tok.text)
            except GraphError as err:
                raise ParseError(err.message, tok.line, tok.col, hint=err.hint) from None
        if name not in self.order:
            if len(self.order) >= MAX_NODES:
                raise ParseError(f"The graph has more than {MAX_NODES:,} nodes; that is the limit.",
                                 tok.line, tok.col)
            self.order[name] = None
        return name

    def link(self, left: list[str], arrow: _Tok, right: list[str]) -> None:
        which, backwards, mark = _ARROWS[arrow.text]
        if which not in _MARKS_OF[self.kind]:
            raise ParseError(self._mark_refusal(arrow.text), arrow.line, arrow.col,
                             hint=self._mark_hint(which))
        if self.n_edges + len(left) * len(right) > MAX_EDGES:
            raise ParseError(
                f"This statement would make {len(left) * len(right):,} edges; a graph may have "
                f"at most {MAX_EDGES:,}.", arrow.line, arrow.col)
        bucket = self.sets[which]
        for a in left:
            for b in right:
                if a == b:
                    raise ParseError(f"The node '{a}' cannot point to itself.",
                                     arrow.line, arrow.col)
                s, t = (b, a) if backwards else (a, b)
                if which in ("bidirected", "undirected") or mark == "@-@":
                    s, t = min(s, t), max(s, t)
                key = (s, mark, t) if which == "circle" else (s, t)
                if key not in bucket:
                    bucket[key] = arrow
                    self.n_edges += 1

    def _mark_refusal(self, arrow: str) -> str:
        if self.header == "graph" and arrow == "--":
            return ("An undirected 'graph' is not a causal graph: '--' has no causal reading "
                    "in a DAG.")
        return f"'{arrow}' is not allowed in a {KIND_NAMES[self.kind]}."

    def _mark_hint(self, which: str) -> str:
        fits = [k for k, marks in _MARKS_OF.items() if which in marks]
        if self.kind == "dag":
            return ("Use -> for a cause and <-> for an unobserved common cause, or start the text "
                    f"with {' or '.join(f'{k} {{' for k in fits)} for a graph that has this mark.")
        return f"This mark belongs in: {', '.join(fits)}."

    def attributes(self, name: str | None, *, node: bool) -> None:
        """`[k, k=v, …]`: roles and pos for a node; pos/label and look for an edge (ignored)."""
        self.take()
        whose = f"'{name}'" if node else "this edge"
        while True:
            tok = self.take()
            if tok.kind == "punct" and tok.text == "]":
                return
            if tok.kind == "punct" and tok.text in ",;":
                continue
            if tok.kind != "ident":
                raise ParseError(f"Expected an attribute of {whose} but found {_found(tok)}.",
                                 tok.line, tok.col)
            key = tok.text.lower()
            if self.at("="):
                self.take()
                value = self.take()
                if value.kind != "ident":
                    raise ParseError(f"Expected a value for '{key}' but found {_found(value)}.",
                                     value.line, value.col)
                if key == "pos":
                    pos = _parse_pos(value)
                    if node:
                        self.positions[name] = pos
                elif key not in _COSMETIC:
                    raise ParseError(f"Unknown attribute '{tok.text}' of {whose}.",
                                     tok.line, tok.col,
                                     hint="Node attributes are roles and pos=\"x,y\".")
            elif node and key in ROLE_ALIASES:
                self.roles.setdefault(name, set()).add(ROLE_ALIASES[key])
            elif node:
                raise ParseError(f"Unknown role '{tok.text}' for {whose}.", tok.line, tok.col,
                                 hint="Roles are: " + ", ".join(ROLES)
                                 + " (or DAGitty's short forms e, o, a, l, u, s).")
            else:
                raise ParseError(f"'{tok.text}' is not an edge attribute.", tok.line, tok.col,
                                 hint="Roles belong to nodes: give them in a node statement.")

    def build(self) -> CausalGraph:
        s = self.sets
        try:
            return CausalGraph.from_edges(
                list(s["edges"]), nodes=list(self.order), bidirected=list(s["bidirected"]),
                roles=self.roles, positions=self.positions, kind=self.kind,
                undirected=list(s["undirected"]), circle=list(s["circle"]))
        except GraphError as err:
            # Point at the first edge that closes the cycle when we can.
            cycle = getattr(err, "cycle", None)
            if cycle:
                for (a, b), tok in s["edges"].items():
                    if a in cycle and b in cycle:
                        raise type(err)(cycle, f"Line {tok.line}, column {tok.col}: "
                                        + err.message) from None
            raise


def _parse_pos(tok: _Tok) -> tuple[float, float]:
    parts = tok.text.rstrip("!").split(",")
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise ParseError(f"A position must look like pos=\"x,y\", not {tok.text[:40]!r}.",
                         tok.line, tok.col) from None
    if x != x or y != y or abs(x) > 1e7 or abs(y) > 1e7:
        raise ParseError(f"The position {tok.text[:40]!r} is out of range.", tok.line, tok.col)
    return x, y


def parse_dagitty(text: str) -> CausalGraph:
    """Parse DAGitty text into a CausalGraph (raises ParseError with line/column)."""
    if len(text) > MAX_GRAPH_TEXT:
        raise ParseError(f"The graph text is {len(text):,} characters; "
                         f"the limit is {MAX_GRAPH_TEXT:,}.")
    return _Parser(_tokenize(text)).parse()


_BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def quote_name(name: str) -> str:
    """A node name as DAGitty text: bare when it is a plain identifier, quoted otherwise."""
    if _BARE.match(name) and name.lower() not in _KEYWORDS:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fmt(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def write_dagitty(g: CausalGraph) -> str:
    """Write DAGitty text: the graph type, one line per node with attributes, one per edge."""
    lines = [f"{g.kind} {{"]
    for n in g.nodes:
        attrs = [r for r in ROLES if r in g.roles.get(n, ())]
        if n in g.positions:
            x, y = g.positions[n]
            attrs.append(f'pos="{_fmt(x)},{_fmt(y)}"')
        lines.append(f"  {quote_name(n)}" + (f" [{','.join(attrs)}]" if attrs else ""))
    order = {n: i for i, n in enumerate(g.nodes)}
    q = quote_name
    for a, b in sorted(g.edges, key=lambda e: (order[e[0]], order[e[1]])):
        lines.append(f"  {q(a)} -> {q(b)}")
    for a, b in sorted(g.bidirected, key=lambda e: (order[e[0]], order[e[1]])):
        lines.append(f"  {q(a)} <-> {q(b)}")
    for a, b in sorted(g.undirected, key=lambda e: (order[e[0]], order[e[1]])):
        lines.append(f"  {q(a)} -- {q(b)}")
    for a, mark, b in sorted(g.circle, key=lambda e: (order[e[0]], order[e[2]], e[1])):
        lines.append(f"  {q(a)} {mark} {q(b)}")
    lines.append("}")
    return "\n".join(lines) + "\n"
