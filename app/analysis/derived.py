"""Graphs derived from a causal graph for chosen nodes: Markov blanket, moral graph, ancestral graph.

These are DAGitty's "views" of a graph (its `markovBlanket`, `moralize` and `ancestorGraph`):
- Markov blanket of S: the nodes that make S independent of every other node. In a DAG these
  are S's parents, children and the children's other parents (Pearl 1988, §3.2.1). With <-> edges
  (an ADMG) or in a MAG it is every node *collider-connected* to S — joined by a path on which
  every inner node is a collider — which adds the district (nodes linked by <-> chains) of S and
  of its children, and their parents (Richardson 2003, Scand. J. Statist. 30, §2–3).
- Moral graph: parents of a common child are joined and arrows dropped (Lauritzen et al. 1990);
  with <-> edges every pair in a district plus its parents is joined (DAGitty's moralGraph,
  Richardson's augmented graph). Two nodes are adjacent in it exactly when collider-connected.
- Ancestral graph of S: S and its ancestors with the edges among them. In the moral graph of the
  ancestral graph of X ∪ Y ∪ Z, X and Y are d-separated by Z exactly when every path between
  them passes through Z (Lauritzen et al. 1990, Prop. 3).
- MAG of a DAG with latent and selected nodes (DAGitty's toMAG): the maximal ancestral graph
  over the measured nodes with the same m-separations (Richardson & Spirtes 2002, §4.2.3).
- Back-door graph for X and Y (DAGitty's backDoorGraph): the graph without the first edge X -> c
  of every proper causal path from X to Y; in a MAG or PAG only visible such edges are removed
  (Zhang 2008, JMLR 9). Z is an adjustment set when it holds no node on or below a proper
  causal path and separates X and Y in it (Shpitser et al. 2010; Perković et al. 2018).
- Orienting a PDAG (DAGitty's orientPDAG): Meek's (1995) rules R1–R4 until nothing changes,
  which orients every edge that has one direction in all DAGs fitting the PDAG (Meek 1995,
  Thm 4); DAGitty applies R1 only, so this orients at least as much.
- Structural and measurement parts of a structural equation model (DAGitty's structuralPart,
  measurementPart): the latent variables with the edges among them; and the edges into
  measured variables (loadings and regressions) with the <-> edges among measured variables,
  keeping the latent variables that have such an edge.
- Latent projection (Verma 1993): the ADMG over the measured nodes (a -> b when a directed path
  runs through latent nodes only; a <-> b when a latent node reaches both through latent nodes).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from app.analysis import gac
from app.analysis._core import (
    DAG_MAG_PDAG,
    DAG_ONLY,
    DAG_OR_MAG,
    Admg,
    admg,
    ancestors,
    disjoint,
    edge_visible,
    fmt_set,
    node_set,
    proper_causal_nodes,
)
from app.analysis.identification import latent_projection as _project
from app.discovery.pdag import Pdag, dag_extension, meek_closure
from app.errors import QueryError
from app.graph import KIND_NAMES, CausalGraph
from app.settings import MAX_PROJECTION_NODES

Edge = tuple[str, str]


@dataclass(frozen=True)
class MarkovBlanket:
    """The Markov blanket of `nodes`, split by how each member joins them.

    `parents`, `children`, `coparents` (other parents of the children) as in a DAG; `district`:
    nodes joined through <-> chains and their parents (ADMGs and MAGs only). `blanket` is their
    union, never containing `nodes` themselves.
    """

    nodes: tuple[str, ...]
    blanket: tuple[str, ...]
    parents: tuple[str, ...]
    children: tuple[str, ...]
    coparents: tuple[str, ...]
    district: tuple[str, ...]
    latent: tuple[str, ...]        # members of the blanket the user marked latent

    def sentence(self) -> str:
        """What the blanket is, in one sentence."""
        who = fmt_set(self.nodes)
        if not self.blanket:
            return f"{who} has an empty Markov blanket: it is independent of every other node."
        parts = [f"parents {fmt_set(self.parents)}" if self.parents else "",
                 f"children {fmt_set(self.children)}" if self.children else "",
                 f"the children's other parents {fmt_set(self.coparents)}" if self.coparents
                 else "",
                 f"nodes joined through <-> chains and their parents {fmt_set(self.district)}"
                 if self.district
                 else ""]
        text = ("Given its Markov blanket — " + "; ".join(p for p in parts if p)
                + f" — {who} is independent of every other node in the graph.")
        if self.latent:
            text += (f" {fmt_set(self.latent)} is latent (not measured), so with data the "
                     "blanket cannot be fully conditioned on.")
        return text


def markov_blanket(g: CausalGraph, nodes: str | Iterable[str]) -> MarkovBlanket:
    """The Markov blanket of a node or set: every node collider-connected to it (see module)."""
    adm = admg(g, DAG_OR_MAG, "The Markov blanket")
    s = node_set(g, nodes, "nodes whose Markov blanket is shown")
    blanket = set().union(*(collider_connected(adm, v) for v in s)) - s
    parents = set().union(*(adm.parents[v] for v in s)) - s
    children = set().union(*(adm.children[v] for v in s)) - s
    coparents = set().union(*(adm.parents[c] for c in children)) - s - parents - children
    district = blanket - parents - children - coparents
    order = adm.sorted
    return MarkovBlanket(tuple(order(s)), tuple(order(blanket)), tuple(order(parents)),
                         tuple(order(children)), tuple(order(coparents)),
                         tuple(order(district)), tuple(order(blanket & adm.latent)))


def collider_connected(adm: Admg, v: str) -> set[str]:
    """Nodes joined to v by a path whose inner nodes are all colliders (v itself left out).

    Such a path is v *-> w <-> … <-> w' <-* u: every neighbour of v, then through each node
    with an arrowhead from v (children, spouses) along <-> edges, then those nodes' parents.
    """
    into = set(adm.children[v]) | adm.spouses[v]
    district = set(into)
    stack = list(into)
    while stack:
        for w in adm.spouses[stack.pop()]:
            if w != v and w not in district:
                district.add(w)
                stack.append(w)
    reached = adm.neighbours(v) | district
    for w in district:
        reached |= adm.parents[w]
    reached.discard(v)
    return reached


def moral_graph(g: CausalGraph, within: str | Iterable[str] | None = None) -> CausalGraph:
    """The moral graph (an undirected graph, kind "pdag"), of the ancestral graph of `within`
    when given (DAGitty's "moral graph" view draws that one for the exposure and outcome)."""
    base = ancestral_graph(g, within) if within is not None else g
    adm = admg(base, DAG_OR_MAG, "The moral graph")
    pairs: set[Edge] = set()
    for v in base.nodes:
        for w in collider_connected(adm, v):
            pairs.add((v, w) if v < w else (w, v))
    return CausalGraph(nodes=base.nodes, undirected=frozenset(pairs), roles=base.roles,
                       positions=base.positions, kind="pdag")


def moral_links(g: CausalGraph, moral: CausalGraph) -> tuple[Edge, ...]:
    """The edges moralisation added: pairs joined in `moral` that are not adjacent in `g`."""
    adjacent = {frozenset(e) for e in (*g.edges, *g.bidirected, *g.undirected)}
    return tuple(sorted(e for e in moral.undirected if frozenset(e) not in adjacent))


def ancestral_graph(g: CausalGraph, nodes: str | Iterable[str]) -> CausalGraph:
    """The subgraph on `nodes` and their ancestors (DAGitty's ancestorGraph)."""
    adm = admg(g, DAG_OR_MAG, "The ancestral graph")
    s = node_set(g, nodes, "nodes whose ancestors are shown")
    return g.subgraph(ancestors(adm, s))


@dataclass(frozen=True)
class BackDoorGraph:
    """The back-door graph for exposures `x` and outcomes `y`, and the edges taken out."""

    x: tuple[str, ...]
    y: tuple[str, ...]
    graph: CausalGraph
    removed: tuple[Edge, ...]

    def sentence(self) -> str:
        """What was removed and what the graph is for, in plain words."""
        if not self.removed:
            return (f"Nothing is removed: no edge from {fmt_set(self.x)} starts a causal path "
                    f"to {fmt_set(self.y)} (in a MAG or PAG: none that is visible, i.e. known "
                    "not to hide a latent confounder), so the back-door graph is the graph "
                    "itself.")
        cut = ", ".join(f"{a} → {b}" for a, b in self.removed)
        return (f"Removing {cut} (the first step of each causal path from {fmt_set(self.x)} to "
                f"{fmt_set(self.y)}) leaves only the non-causal paths: a set of pre-exposure "
                "variables that separates exposure and outcome in this graph removes the "
                "confounding.")


def back_door_graph(g: CausalGraph, x: str | Iterable[str], y: str | Iterable[str]
                    ) -> BackDoorGraph:
    """The graph without the first edge X -> c of each proper causal path from X to Y (see
    module); DAGs, CPDAGs/PDAGs, MAGs and PAGs, as DAGitty's backDoorGraph."""
    xs = node_set(g, x, "exposure")
    ys = node_set(g, y, "outcome")
    disjoint(exposure=xs, outcome=ys)
    if g.kind == "pag":
        p = gac.pag_view(g)
        pcp = gac.proper_possibly_causal_nodes(p, xs, ys)
        removed = {(a, c) for a in xs for c in p.end[a]
                   if c in pcp and p.directed(a, c) and gac.visible(p, a, c)}
        order = {n: i for i, n in enumerate(g.nodes)}.__getitem__
    else:
        adm = admg(g, DAG_MAG_PDAG, "The back-door graph")
        pcp = proper_causal_nodes(adm, xs, ys)
        removed = {(a, c) for a in xs for c in adm.children[a]
                   if c in pcp and edge_visible(adm, a, c)}
        order = adm.order.__getitem__
    out = g
    for a, c in removed:
        out = out.remove_edge(a, c)
    return BackDoorGraph(tuple(sorted(xs, key=order)), tuple(sorted(ys, key=order)), out,
                         tuple(sorted(removed, key=lambda e: (order(e[0]), order(e[1])))))


def _projection_budget(g: CausalGraph, what: str) -> None:
    """Projections follow inducing paths between every pair: refuse graphs past the budget."""
    if len(g.nodes) > MAX_PROJECTION_NODES:
        raise QueryError(f"{what} is computed for graphs of up to {MAX_PROJECTION_NODES:,} "
                         f"nodes; this one has {len(g.nodes):,}.",
                         hint="Project a part of the graph (e.g. the ancestors of the variables "
                              "you study).")


def to_mag(g: CausalGraph) -> CausalGraph:
    """The MAG (kind "mag") over the measured nodes of a DAG whose other nodes are marked latent
    or selected (a <-> edge counts as a latent common parent): DAGitty's toMAG, extended to
    selection as in Richardson & Spirtes (2002, §4.2.3).

    Two measured nodes u, v are adjacent when an inducing path joins them: every inner node that
    is not a collider is latent, and every collider is an ancestor of u, v or a selected node.
    The mark at u is a tail when u is an ancestor of v or of a selected node, else an arrowhead
    (so u -> v, u <-> v, or u -- v when both are ancestors of the selection). For every X, Y, Z
    of measured nodes, X and Y are m-separated by Z in the MAG exactly when they are
    d-separated by Z and the selected nodes in the DAG (Richardson & Spirtes 2002, Thm 4.18).
    """
    admg(g, DAG_ONLY, "The MAG of a DAG")
    _projection_budget(g, "The MAG of a DAG")
    d = nx.DiGraph()
    d.add_nodes_from(g.nodes)
    d.add_edges_from(g.edges)
    hidden = set(g.latents)
    for a, b in g.bidirected:      # a <-> b: a latent parent of both (a tuple: never a name)
        d.add_edges_from([(("<->", a, b), a), (("<->", a, b), b)])
        hidden.add(("<->", a, b))
    chosen = g.role_nodes("selected") - hidden
    measured = [n for n in g.nodes if n not in hidden and n not in chosen]
    anc = {n: nx.ancestors(d, n) | {n} for n in g.nodes}
    an_sel = set().union(*(anc[s] for s in chosen))
    edges, bidirected, undirected = [], [], []
    later = {n: i for i, n in enumerate(measured)}
    for u in measured:
        # candidates: ends of walks whose non-colliders are hidden, any collider allowed;
        # those reached with colliders in An(u) ∪ An(S) alone need no pair-wise search
        loose = _inducing_ends(d, u, hidden, None) & later.keys()
        sure = _inducing_ends(d, u, hidden, anc[u] | an_sel) if loose else set()
        for v in sorted(loose, key=later.get):
            if later[v] <= later[u] or (v not in sure and not _inducing_path(
                    d, u, v, hidden, anc[u] | anc[v] | an_sel)):
                continue
            tail_u = u in anc[v] or u in an_sel
            tail_v = v in anc[u] or v in an_sel
            if tail_u and tail_v:
                undirected.append((u, v))
            elif tail_u:
                edges.append((u, v))
            elif tail_v:
                edges.append((v, u))
            else:
                bidirected.append((u, v))
    keep = set(measured)
    return CausalGraph(nodes=tuple(measured), edges=frozenset(edges),
                       bidirected=frozenset(bidirected), undirected=frozenset(undirected),
                       roles={n: r for n, r in g.roles.items() if n in keep},
                       positions={n: p for n, p in g.positions.items() if n in keep},
                       kind="mag")


def _inducing_path(d: nx.DiGraph, u, v, hidden: set, colliders_allowed: set) -> bool:
    """Is there a walk from u to v whose inner non-colliders are all hidden and whose inner
    colliders are all in `colliders_allowed`?"""
    return v in _inducing_ends(d, u, hidden, colliders_allowed, stop=v)


def _inducing_ends(d: nx.DiGraph, u, hidden: set, colliders_allowed: set | None,
                   stop=None) -> set:
    """The nodes such walks from u reach (every collider allowed when `colliders_allowed` is
    None); the search ends early at `stop`. States: (node, entered along an arrowhead)."""
    todo = [(c, True) for c in d.succ[u]] + [(p, False) for p in d.pred[u]]
    seen: set = set()
    ends: set = set()
    while todo:
        w, head = todo.pop()
        if w == u or (w, head) in seen:
            continue
        ends.add(w)
        if w == stop:
            return ends
        seen.add((w, head))
        if w in hidden:                       # leaves along a tail at w: w is no collider
            todo.extend((c, True) for c in d.succ[w])
        if (colliders_allowed is None or w in colliders_allowed) if head else (w in hidden):
            todo.extend((p, False) for p in d.pred[w])
    return ends


def canonicalize(g: CausalGraph) -> CausalGraph:
    """The canonical DAG of a DAG with <-> edges or of a MAG (DAGitty's canonicalize): each
    a <-> b becomes a <- L -> b with a new latent node L, each a -- b becomes a -> S <- b with a
    new selected node S (named as DAGitty does: one counter for L and S, skipping names in use).
    Its MAG (`to_mag`) is the MAG given (Richardson & Spirtes 2002, §6)."""
    if g.kind not in ("dag", "mag"):
        raise QueryError(f"The canonical DAG is made from a DAG or a MAG; this graph is a "
                         f"{KIND_NAMES[g.kind]}.", hint="Pick one member of the class first.")
    taken = set(g.nodes)
    counter = [1]

    def fresh(prefix: str) -> str:
        while f"{prefix}{counter[0]}" in taken:
            counter[0] += 1
        name = f"{prefix}{counter[0]}"
        taken.add(name)
        return name

    nodes, edges = list(g.nodes), set(g.edges)
    roles = {n: set(r) for n, r in g.roles.items()}
    for a, b in sorted(g.bidirected):
        lat = fresh("L")
        nodes.append(lat)
        edges |= {(lat, a), (lat, b)}
        roles[lat] = {"latent"}
    for a, b in sorted(g.undirected):
        sel = fresh("S")
        nodes.append(sel)
        edges |= {(a, sel), (b, sel)}
        roles[sel] = {"selected"}
    return CausalGraph(nodes=tuple(nodes), edges=frozenset(edges),
                       roles={n: frozenset(r) for n, r in roles.items()},
                       positions=dict(g.positions))


def orient_pdag(g: CausalGraph) -> CausalGraph:
    """The PDAG with every edge Meek's rules can orient oriented (see module): e.g. a CPDAG
    after background knowledge fixed some directions. Refused when no DAG fits the PDAG."""
    if g.kind != "pdag" or g.bidirected:
        what = KIND_NAMES[g.kind] if g.kind != "pdag" else "PDAG with <-> edges"
        raise QueryError(f"Orienting by Meek's rules needs a PDAG of directed and undirected "
                         f"edges; this graph is a {what}.",
                         hint="Draw it as pdag { … } with -> and -- edges only.")
    given = Pdag(list(g.nodes), set(g.edges), {frozenset(p) for p in g.undirected})
    closed = meek_closure(given)
    if closed.directed_cycle() is not None or dag_extension(closed) is None:
        raise QueryError("No DAG fits this PDAG: every way of orienting its undirected edges "
                         "makes a directed cycle or a new collider.",
                         hint="Check the directed edges; one of them may point the wrong way.")
    return CausalGraph(nodes=g.nodes, edges=frozenset(closed.directed),
                       undirected=frozenset(tuple(sorted(p)) for p in closed.undirected),
                       roles=g.roles, positions=g.positions, kind="pdag")


def structural_part(g: CausalGraph) -> CausalGraph:
    """The latent variables of a DAG and the edges among them (see module)."""
    admg(g, DAG_ONLY, "The structural part")
    return g.subgraph(n for n in g.nodes if n in g.latents)


def measurement_part(g: CausalGraph) -> CausalGraph:
    """Edges into measured variables and <-> among them; latent variables without such an edge
    are left out (see module)."""
    admg(g, DAG_ONLY, "The measurement part")
    latent = g.latents
    edges = {(a, b) for a, b in g.edges if b not in latent}
    keep = {n for n in g.nodes if n not in latent} | {a for a, _ in edges}
    return CausalGraph(nodes=tuple(n for n in g.nodes if n in keep), edges=frozenset(edges),
                       bidirected=frozenset(e for e in g.bidirected if not set(e) & latent),
                       roles={n: r for n, r in g.roles.items() if n in keep},
                       positions={n: p for n, p in g.positions.items() if n in keep})


def latent_projection(g: CausalGraph) -> CausalGraph:
    """The ADMG over the measured nodes of a DAG with latent nodes (Verma 1993; see module):
    the same d-separations among measured nodes, with each latent confounder drawn as <->."""
    adm = admg(g, DAG_ONLY, "The latent projection")
    proj = _project(adm)
    keep = set(proj.nodes)
    return CausalGraph(nodes=proj.nodes,
                       edges=frozenset((p, c) for c in proj.nodes for p in proj.parents[c]),
                       bidirected=frozenset((a, b) for a in proj.nodes for b in proj.spouses[a]
                                            if a < b),
                       roles={n: r for n, r in g.roles.items() if n in keep},
                       positions={n: p for n, p in g.positions.items() if n in keep})


def ancestral_sentence(g: CausalGraph, nodes: Iterable[str], sub: CausalGraph) -> str:
    """The ancestral graph in one sentence."""
    left = len(g.nodes) - len(sub.nodes)
    dropped = (f"the {left} node(s) that cannot cause them are left out" if left else
               "every other node is an ancestor, so nothing is left out")
    return (f"{fmt_set(nodes)} and their {len(sub.nodes) - len(set(nodes))} ancestor(s): "
            f"{dropped}. Only this part of the graph matters for whether these nodes are "
            "d-separated from each other (given a set inside it).")


def moral_sentence(added: int, within: Iterable[str] | None) -> str:
    """The moral graph in one sentence."""
    where = (f"the ancestors of {fmt_set(within)}" if within else "the graph")
    return (f"Moralising {where} joins every two parents of a common child ({added} new "
            "link(s), dashed) and drops the arrows: in this graph, two of these nodes are "
            "d-separated by a set Z exactly when every path between them passes through Z.")

