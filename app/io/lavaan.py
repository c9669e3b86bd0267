"""Read lavaan model syntax as a graph (DAGitty's lavaanToGraph).

What each operator draws, as DAGitty reads a lavaan parameter table: `f =~ a + b` — f is a
latent factor with arrows f -> a, f -> b; `y ~ x1 + x2` — arrows x1 -> y, x2 -> y (an intercept
`~ 1` draws nothing); `a ~~ b` — a <-> b (a variance `a ~~ a` only adds the node); `c <~ a + b`
— a composite: arrows a -> c, b -> c, c latent. Defined parameters (`:=`), constraints (`==`,
`<`, `>`), thresholds (`|`) and scaling factors (`~*~`) say nothing about the graph and are
skipped. Modifiers before `*` (labels, fixed or start values: `b1*x`, `0.5*x`, `start(1)*x`) are
dropped. Statements end at a newline or `;`; a statement continues on the next line when its
line ends with an operator or `+` (lavaan's own rule). Syntax follows the lavaan tutorial
(https://lavaan.ugent.be/tutorial/syntax1.html) and lavaan's `lavParseModelString`.
"""
from __future__ import annotations

import re

from app.errors import ParseError
from app.graph import CausalGraph

_OPS = ("=~", "~~", "<~", "~*~", ":=", "==", "~", "<", ">", "|")
_OP = re.compile(r"=~|~\*~|~~|<~|:=|==|~|<|>|\|")
_NAME = re.compile(r"[A-Za-z._][A-Za-z0-9._]*\Z")
_SKIPPED = {"~*~", ":=", "==", "<", ">", "|"}


def _statements(text: str) -> list[tuple[int, str]]:
    """(line number, statement) after comments are cut and continued lines joined."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        for part in line.split(";"):
            part = part.strip()
            if not part:
                continue
            if not pending:
                start = number
            pending = f"{pending} {part}".strip()
            if pending.endswith("+") or any(pending.endswith(op) for op in _OPS):
                continue
            out.append((start, pending))
            pending = ""
    if pending:
        out.append((start, pending))
    return out


def _terms(side: str, line: int, what: str) -> list[str]:
    """Variable names of one side of a formula, modifiers dropped."""
    names = []
    for term in side.split("+"):
        term = term.strip()
        if not term:
            raise ParseError(f"An empty term in the {what} (two '+' in a row, or one at an end).",
                             line, 1, hint="Write terms as a + b + c.")
        name = term.rsplit("*", 1)[-1].strip()
        if not _NAME.match(name):
            raise ParseError(f"'{name[:40]}' is not a lavaan variable name.", line, 1,
                             hint="lavaan names use letters, digits, '.' and '_'.")
        names.append(name)
    return names


def parse_lavaan(text: str) -> CausalGraph:
    """A DAG (kind "dag") from lavaan model syntax (see module); factors are marked latent."""
    nodes: list[str] = []
    edges: set[tuple[str, str]] = set()
    bidirected: set[tuple[str, str]] = set()
    latent: set[str] = set()

    def add(*names: str) -> None:
        for n in names:
            if n not in nodes:
                nodes.append(n)

    statements = _statements(text)
    if not statements:
        raise ParseError("The lavaan model is empty.", hint="Write e.g. y ~ x1 + x2.")
    for line, stmt in statements:
        match = _OP.search(stmt)
        if match is None:
            raise ParseError(f"'{stmt[:40]}' has no lavaan operator (=~, ~, ~~, <~).", line, 1,
                             hint="Each line is a formula such as y ~ x or f =~ a + b.")
        op = match.group()
        if op in _SKIPPED:
            continue
        left, right = stmt[:match.start()], stmt[match.end():]
        lhs = _terms(left, line, "left-hand side")
        if op == "~" and right.strip() == "1":        # an intercept
            add(*lhs)
            continue
        rhs = [n for n in _terms(right, line, "right-hand side") if n != "1"]
        add(*lhs, *rhs)
        for a in lhs:
            for b in rhs:
                if op == "=~":
                    latent.add(a)
                    edges.add((a, b))
                elif op == "~":
                    edges.add((b, a))
                elif op == "<~":
                    latent.add(a)
                    edges.add((b, a))
                elif a != b:                          # ~~: a variance adds no edge
                    bidirected.add((a, b) if a < b else (b, a))
    return CausalGraph.from_edges(sorted(edges), nodes=nodes, bidirected=sorted(bidirected),
                                  roles={n: {"latent"} for n in latent})
