"""Write a graph for other tools: lavaan model syntax, a bnlearn modelstring, TikZ and R/dagitty.

Facts taken from each tool's documentation (code written here):

- lavaan (lavaan.ugent.be/tutorial/syntax1.html): `y ~ x1 + x2` is a regression, `y1 ~~ y2` a
  (residual) covariance, `f =~ …` a latent variable *measured by indicators*. A latent common
  cause in a causal graph has no indicators, so it is written as residual covariances among its
  children (its latent projection), with a `#` comment saying so. Variable names are R-style
  (letters, digits, `.` and `_`, starting with a letter); lavaan's syntax has no quoting, so any
  other name is refused, naming the node.
- bnlearn (`?model2network`, `modelstring`): `[A][C][F][B|A][D|A:C][E|B:F]` — one `[node]` or
  `[node|parent1:parent2]` per node, nodes in bnlearn's breadth-first topological order.
  A modelstring holds only a DAG: `<->` edges and other graph types are refused.
- TikZ (PGF manual, `\\node (name) at (x,y) {text};`, `\\draw[->]`, `bend left`): a standalone
  document, one node per variable at its position with y flipped (TikZ's y points up).
- R: `dagitty('dag { … }')` and `coordinates(g) <- list(x = c(…), y = c(…))` as documented in
  the dagitty R package (`?dagitty`, `?coordinates`); the text inside is our DAGitty writer's.
"""
from __future__ import annotations

import re
from collections import deque

from app.drawing import display_positions
from app.errors import GraphError
from app.graph import KIND_NAMES, CausalGraph, show_name
from app.io.dagitty import write_dagitty


class WriterError(GraphError):
    """The graph cannot be written in the chosen format (type, edge or name it cannot hold)."""

    title = "Cannot write the graph in this format"


def _family(g: CausalGraph) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Parents and children of every node, each list in the graph's node order (one pass)."""
    order = {n: i for i, n in enumerate(g.nodes)}
    pa: dict[str, list[str]] = {n: [] for n in g.nodes}
    ch: dict[str, list[str]] = {n: [] for n in g.nodes}
    for a, b in sorted(g.edges, key=lambda e: (order[e[0]], order[e[1]])):
        ch[a].append(b)
    for a, b in sorted(g.edges, key=lambda e: (order[e[1]], order[e[0]])):
        pa[b].append(a)
    return pa, ch


def _require_dag(g: CausalGraph, tool: str) -> None:
    if g.kind != "dag":
        raise WriterError(
            f"{tool} cannot hold a {KIND_NAMES[g.kind]}: it has edges without a single direction.",
            hint="Orient every edge first (make it a DAG), or download it as DAGitty text or R "
                 "code, which keep the graph type.")


# ---- lavaan ------------------------------------------------------------------------------------
_LAVAAN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._]*$")


def _lavaan_name(name: str) -> str:
    if not _LAVAAN_NAME.match(name):
        raise WriterError(
            f"lavaan cannot take the variable name {show_name(name)}: its model syntax has no "
            "quoting.",
            hint="Rename the node to letters, digits, '.' and '_' (starting with a letter).")
    return name


def write_lavaan(g: CausalGraph) -> str:
    """lavaan model syntax: one regression line per child, `~~` for `<->` and hidden causes."""
    _require_dag(g, "lavaan model syntax")
    latent = g.latents
    pa, ch = _family(g)
    order = {n: i for i, n in enumerate(g.nodes)}
    for n in g.nodes:
        if n not in latent:
            _lavaan_name(n)
    covs: list[tuple[str, str]] = [tuple(sorted(e, key=order.get)) for e in g.bidirected
                                   if not set(e) & latent]
    projected: list[str] = []
    for h in (n for n in g.nodes if n in latent):
        if pa[h] or any(c in latent for c in ch[h]) \
                or any(h in e for e in g.bidirected):
            raise WriterError(
                f"The latent node {show_name(h)} has causes or is linked to another latent node; "
                "lavaan needs indicators for such a latent variable.",
                hint="Give it data (make it observed), or draw it as <-> edges among its children.")
        kids = ch[h]
        projected.append(h)
        covs += [(a, b) for i, a in enumerate(kids) for b in kids[i + 1:]]
    lines = ["# lavaan model syntax (Causal Canvas)"]
    seen_pa = {n: [p for p in pa[n] if p not in latent] for n in g.nodes if n not in latent}
    regressions = [(n, ps) for n, ps in seen_pa.items() if ps]
    if regressions:
        lines.append("# regressions")
        lines += [f"{c} ~ {' + '.join(ps)}" for c, ps in regressions]
    if projected:
        lines.append("# latent common causes " + ", ".join(projected)
                     + " written as residual covariances of their children")
    seen: set[tuple[str, str]] = set()
    unique = [c for c in covs if not (c in seen or seen.add(c))]
    if unique:
        lines.append("# residual covariances")
        lines += [f"{a} ~~ {b}" for a, b in sorted(unique, key=lambda e: (order[e[0]],
                                                                          order[e[1]]))]
    in_covs = {n for c in unique for n in c}
    isolated = [n for n, ps in seen_pa.items() if not ps and n not in in_covs
                and not any(c not in latent for c in ch[n])]
    if isolated:   # lavaan only knows variables that appear in a formula
        lines.append("# variables without edges")
        lines += [f"{n} ~~ {n}" for n in isolated]
    return "\n".join(lines) + "\n"


# ---- bnlearn -----------------------------------------------------------------------------------
_BNLEARN_BAD = re.compile(r"[\[\]|:]")


def bnlearn_order(g: CausalGraph) -> list[str]:
    """Breadth-first topological order (roots first, ties in the graph's node order)."""
    pa, ch = _family(g)
    indeg = {n: len(pa[n]) for n in g.nodes}
    queue = deque(n for n in g.nodes if indeg[n] == 0)
    order: list[str] = []
    while queue:
        n = queue.popleft()
        order.append(n)
        for c in ch[n]:
            indeg[c] -= 1
            if indeg[c] == 0:
                queue.append(c)
    return order


def write_bnlearn(g: CausalGraph) -> str:
    """A bnlearn modelstring, `[A][B|A][C|A:B]`, for `model2network()`."""
    _require_dag(g, "A bnlearn modelstring")
    if g.bidirected:
        a, b = sorted(g.bidirected)[0]
        raise WriterError(
            f"A bnlearn modelstring cannot hold the <-> edge {show_name(a)} <-> {show_name(b)}: "
            "a Bayesian network has no hidden common causes.",
            hint="Replace each <-> by a latent node with arrows to both ends, or download the "
                 "graph as DAGitty text or R code.")
    for n in g.nodes:
        if _BNLEARN_BAD.search(n):
            raise WriterError(
                f"A bnlearn modelstring cannot hold the node name {show_name(n)}: "
                "'[', ']', '|' and ':' separate its parts.",
                hint="Rename the node without these characters.")
    pa, _ = _family(g)
    parts = []
    for n in bnlearn_order(g):
        ps = pa[n]
        parts.append(f"[{n}|{':'.join(ps)}]" if ps else f"[{n}]")
    return "".join(parts) + "\n"


# ---- TikZ --------------------------------------------------------------------------------------
_TEX = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
        "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}
_TEX_RE = re.compile(r"[&%$#_{}~^\\]")
TIKZ_SIZE_CM = 10.0
_STYLE_ORDER = ("exposure", "outcome", "adjusted", "latent", "selected")
_CIRCLE_TIPS = {"@->": "{Circle[open]}-{Stealth}", "@--": "{Circle[open]}-",
                "@-@": "{Circle[open]}-{Circle[open]}"}


def tex_escape(text: str) -> str:
    """Text with LaTeX's special characters escaped, so it prints as written."""
    return _TEX_RE.sub(lambda m: _TEX[m.group()], text)


def _cm(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def write_tikz(g: CausalGraph) -> str:
    """A standalone LaTeX document with one TikZ picture of the graph, about 10 cm across."""
    if all(n in g.positions for n in g.nodes):   # the user's own layout, as it is
        pos = {n: g.positions[n] for n in g.nodes}
    else:                                          # else the layout the canvas draws
        pos = display_positions(g)
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    scale = TIKZ_SIZE_CM / extent if extent > 1e-9 else 1.0
    ids = {n: f"v{i}" for i, n in enumerate(g.nodes, 1)}
    lines = [
        r"\documentclass[tikz]{standalone}",
        r"\usetikzlibrary{arrows.meta}",
        r"\begin{document}",
        r"\begin{tikzpicture}[>={Stealth}, semithick,",
        r"  var/.style={draw, rounded corners, inner sep=3pt},",
        r"  exposure/.style={fill=green!20}, outcome/.style={fill=blue!20},",
        r"  adjusted/.style={fill=gray!30}, latent/.style={dashed, fill=white},",
        r"  selected/.style={double}]",
    ]
    for n in g.nodes:
        x, y = pos[n]
        styles = ["var", *(r for r in _STYLE_ORDER if r in g.roles.get(n, ()))]
        lines.append(f"  \\node[{', '.join(styles)}] ({ids[n]}) at "
                     f"({_cm((x - min(xs)) * scale)}, {_cm((max(ys) - y) * scale)}) "
                     f"{{{tex_escape(n)}}};")
    order = {n: i for i, n in enumerate(g.nodes)}

    def key(e):
        return order[e[0]], order[e[-1]]

    lines += [f"  \\draw[->] ({ids[a]}) -- ({ids[b]});" for a, b in sorted(g.edges, key=key)]
    lines += [f"  \\draw[<->, bend left=30] ({ids[a]}) to ({ids[b]});"
              for a, b in sorted(g.bidirected, key=key)]
    lines += [f"  \\draw ({ids[a]}) -- ({ids[b]});" for a, b in sorted(g.undirected, key=key)]
    lines += [f"  \\draw[{_CIRCLE_TIPS[m]}] ({ids[a]}) -- ({ids[b]});"
              for a, m, b in sorted(g.circle, key=key)]
    lines += [r"\end{tikzpicture}", r"\end{document}"]
    return "\n".join(lines) + "\n"


# ---- R (dagitty package) -----------------------------------------------------------------------
def r_string(text: str) -> str:
    """Text as a single-quoted R string literal (backslashes and single quotes escaped)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _r_num(v: float) -> str:
    return repr(float(v)).removesuffix(".0")


def write_r(g: CausalGraph) -> str:
    """R code that recreates the graph with the dagitty package (any graph type)."""
    lines = ["library(dagitty)", f"g <- dagitty({r_string(write_dagitty(g).rstrip())})"]
    if g.nodes and all(n in g.positions for n in g.nodes):   # dagitty wants every node placed
        def vec(axis: int) -> str:
            return ", ".join(f"{r_string(n)} = {_r_num(g.positions[n][axis])}" for n in g.nodes)
        lines.append(f"coordinates(g) <- list(x = c({vec(0)}), y = c({vec(1)}))")
    return "\n".join(lines) + "\n"


__all__ = ["WriterError", "write_lavaan", "write_bnlearn", "write_tikz", "write_r", "tex_escape",
           "r_string", "bnlearn_order"]
