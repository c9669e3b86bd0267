"""Read and write DAGitty's graph syntax, e.g. `dag { X [exposure,pos="0,1"] ; X -> Y ; X <-> Z }`.

Supported: `dag`/`pdag`-free bare statements, chains (`A -> B -> C`), both arrow directions,
`<->` for latent confounding, `{A B} -> C` groups, node attributes (roles and `pos`), quoted
names, `#` and `//` comments. Errors carry the line and column of the offending token.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import GraphError, ParseError
from app.graph import ROLES, CausalGraph

MAX_TEXT = 2_000_000

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<nl>\n)
  | (?P<comment>(\#|//)[^\n]*)
  | (?P<arrow><->|->|<-|--|@->|@-@|@--)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<ident>[^\s\[\]{}(),;=<>"\-#]+(?:-(?![->])[^\s\[\]{}(),;=<>"\-#]*)*)
  | (?P<punct>[\[\]{},;=])
    """,
    re.VERBOSE,
)

_GRAPH_TYPES = {"dag", "pdag", "mag", "pag", "graph", "digraph"}
_ROLE_ALIASES = {"exposure": "exposure", "outcome": "outcome", "adjusted": "adjusted",
                 "latent": "latent", "selected": "selected", "unobserved": "latent"}
_IGNORED_ATTRS = {"bb", "label", "color", "shape"}


@dataclass
class _Tok:
    kind: str
    text: str
    line: int
    col: int


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
            raise ParseError(f"Unexpected character {ch!r}.", line, col)
        kind = m.lastgroup
        value = m.group()
        if kind == "nl":
            line += 1
            line_start = m.end()
        elif kind == "string":
            toks.append(_Tok("ident", _unquote(value), line, col))
        elif kind not in ("ws", "comment"):
            toks.append(_Tok(kind, value, line, col))
        i = m.end()
    toks.append(_Tok("eof", "", line, i - line_start + 1))
    return toks


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s[1:-1])


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokenize(text)
        self.i = 0
        self.order: dict[str, None] = {}
        self.edges: list[tuple[str, str, _Tok]] = []
        self.bidirected: list[tuple[str, str, _Tok]] = []
        self.roles: dict[str, set[str]] = {}
        self.positions: dict[str, tuple[float, float]] = {}

    def peek(self, ahead: int = 0) -> _Tok:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def take(self) -> _Tok:
        tok = self.peek()
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def expect(self, text: str) -> _Tok:
        tok = self.take()
        if tok.text != text or tok.kind == "ident":
            found = "the end of the text" if tok.kind == "eof" else f"'{tok.text}'"
            raise ParseError(f"Expected '{text}' but found {found}.", tok.line, tok.col)
        return tok

    def parse(self) -> CausalGraph:
        tok = self.peek()
        braced = False
        if tok.kind == "ident" and tok.text.lower() in _GRAPH_TYPES and \
                self.peek(1).text == "{" and self.peek(1).kind == "punct":
            self.take()
            self.take()
            braced = True
        elif tok.kind == "punct" and tok.text == "{" and self._wraps_all():
            self.take()
            braced = True
        while True:
            tok = self.peek()
            if tok.kind == "eof":
                if braced:
                    raise ParseError("The graph is missing its closing '}'.", tok.line, tok.col)
                break
            if braced and tok.kind == "punct" and tok.text == "}":
                self.take()
                rest = self.peek()
                if rest.kind != "eof":
                    raise ParseError(f"Unexpected '{rest.text}' after the closing '}}'.",
                                     rest.line, rest.col)
                break
            if tok.kind == "punct" and tok.text == ";":
                self.take()
                continue
            self.statement()
        return self.build()

    def _wraps_all(self) -> bool:
        """True when the leading '{' closes at the very end (a graph body, not a node group)."""
        depth = 0
        for j in range(self.i, len(self.toks)):
            t = self.toks[j]
            if t.kind == "punct" and t.text == "{":
                depth += 1
            elif t.kind == "punct" and t.text == "}":
                depth -= 1
                if depth == 0:
                    return self.toks[j + 1].kind == "eof"
        return True

    def statement(self) -> None:
        # graph-level attribute, e.g. bb="0,0,1,1"
        tok = self.peek()
        nxt = self.peek(1)
        if tok.kind == "ident" and nxt.kind == "punct" and nxt.text == "=":
            self.take()
            self.take()
            value = self.take()
            if value.kind != "ident":
                raise ParseError(f"Expected a value for '{tok.text}'.", value.line, value.col)
            return
        left = self.node_group()
        while self.peek().kind == "arrow":
            arrow = self.take()
            right = self.node_group()
            for a in left:
                for b in right:
                    self.add_link(a, arrow, b)
            left = right

    def add_link(self, a: str, arrow: _Tok, b: str) -> None:
        if arrow.text in ("--", "@->", "@-@", "@--"):
            raise ParseError(
                f"'{arrow.text}' is not allowed in a causal DAG.", arrow.line, arrow.col,
                hint="Use -> for a cause, or <-> for an unobserved common cause.")
        if a == b:
            raise ParseError(f"The node '{a}' cannot point to itself.", arrow.line, arrow.col)
        if arrow.text == "->":
            self.edges.append((a, b, arrow))
        elif arrow.text == "<-":
            self.edges.append((b, a, arrow))
        else:
            self.bidirected.append((a, b, arrow))

    def node_group(self) -> list[str]:
        tok = self.peek()
        if tok.kind == "punct" and tok.text == "{":
            self.take()
            names: list[str] = []
            while not (self.peek().kind == "punct" and self.peek().text == "}"):
                if self.peek().kind == "eof":
                    raise ParseError("This group is missing its closing '}'.", tok.line, tok.col)
                if self.peek().kind == "punct" and self.peek().text in ",;":
                    self.take()
                    continue
                names.append(self.node())
            self.take()
            return names
        return [self.node()]

    def node(self) -> str:
        tok = self.take()
        if tok.kind != "ident":
            found = "the end of the text" if tok.kind == "eof" else f"'{tok.text}'"
            raise ParseError(f"Expected a node name but found {found}.", tok.line, tok.col)
        name = tok.text.strip()
        if not name:
            raise ParseError("A node name cannot be empty.", tok.line, tok.col)
        self.order.setdefault(name, None)
        if self.peek().kind == "punct" and self.peek().text == "[":
            self.attributes(name)
        return name

    def attributes(self, name: str) -> None:
        self.expect("[")
        while True:
            tok = self.take()
            if tok.kind == "punct" and tok.text == "]":
                return
            if tok.kind == "punct" and tok.text == ",":
                continue
            if tok.kind != "ident":
                found = "the end of the text" if tok.kind == "eof" else f"'{tok.text}'"
                raise ParseError(f"Expected an attribute of '{name}' but found {found}.",
                                 tok.line, tok.col)
            key = tok.text.lower()
            if self.peek().kind == "punct" and self.peek().text == "=":
                self.take()
                value = self.take()
                if value.kind != "ident":
                    raise ParseError(f"Expected a value for '{key}'.", value.line, value.col)
                if key == "pos":
                    self.positions[name] = _parse_pos(value)
                elif key not in _IGNORED_ATTRS:
                    raise ParseError(f"Unknown attribute '{key}'.", tok.line, tok.col)
            elif key in _ROLE_ALIASES:
                self.roles.setdefault(name, set()).add(_ROLE_ALIASES[key])
            else:
                raise ParseError(f"Unknown role '{tok.text}' for '{name}'.", tok.line, tok.col,
                                 hint="Roles are: " + ", ".join(ROLES) + ".")

    def build(self) -> CausalGraph:
        try:
            return CausalGraph.from_edges(
                [(a, b) for a, b, _ in self.edges], nodes=list(self.order),
                bidirected=[(a, b) for a, b, _ in self.bidirected],
                roles=self.roles, positions=self.positions)
        except GraphError as err:
            # Point at the first edge that mentions the problem when we can.
            cycle = getattr(err, "cycle", None)
            if cycle:
                for a, b, tok in self.edges:
                    if a in cycle and b in cycle:
                        raise type(err)(cycle, f"Line {tok.line}, column {tok.col}: "
                                        + err.message) from None
            raise


def _parse_pos(tok: _Tok) -> tuple[float, float]:
    parts = tok.text.split(",")
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise ParseError(f"A position must look like pos=\"x,y\", not {tok.text!r}.",
                         tok.line, tok.col) from None
    if x != x or y != y or abs(x) > 1e7 or abs(y) > 1e7:
        raise ParseError(f"The position {tok.text!r} is out of range.", tok.line, tok.col)
    return x, y


def parse_dagitty(text: str) -> CausalGraph:
    """Parse DAGitty text into a CausalGraph (raises ParseError with line/column)."""
    if len(text) > MAX_TEXT:
        raise ParseError(f"The graph text is {len(text):,} characters; the limit is {MAX_TEXT:,}.")
    return _Parser(text).parse()


_BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def quote_name(name: str) -> str:
    """A node name as DAGitty text: bare when it is a plain identifier, quoted otherwise."""
    if _BARE.match(name) and name.lower() not in _GRAPH_TYPES:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fmt(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def write_dagitty(g: CausalGraph) -> str:
    """Write DAGitty text: one line per node with attributes, then one line per edge."""
    lines = ["dag {"]
    for n in g.nodes:
        attrs = [r for r in ("exposure", "outcome", "adjusted", "latent", "selected")
                 if r in g.roles.get(n, ())]
        if n in g.positions:
            x, y = g.positions[n]
            attrs.append(f'pos="{_fmt(x)},{_fmt(y)}"')
        lines.append(f"  {quote_name(n)}" + (f" [{','.join(attrs)}]" if attrs else ""))
    order = {n: i for i, n in enumerate(g.nodes)}
    for a, b in sorted(g.edges, key=lambda e: (order[e[0]], order[e[1]])):
        lines.append(f"  {quote_name(a)} -> {quote_name(b)}")
    for a, b in sorted(g.bidirected, key=lambda e: (order[e[0]], order[e[1]])):
        lines.append(f"  {quote_name(a)} <-> {quote_name(b)}")
    lines.append("}")
    return "\n".join(lines) + "\n"
