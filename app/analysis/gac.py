"""The generalized adjustment criterion in PAGs (Perković, Textor, Kalisch & Maathuis, JMLR 2018).

A PAG (the output of FCI) stands for a class of MAGs; an edge end may be a circle (tail in some
members, arrowhead in others). Z is an adjustment set for X on Y in every member iff
  (0) the PAG is amenable: every proper possibly directed path X … Y starts with a visible
      edge X -> D (Zhang 2008's visibility, read on the PAG's definite marks);
  (1) Z has no node of the forbidden set: possible descendants of the nodes (not X) on proper
      possibly directed paths from X to Y;
  (2) Z m-separates X and Y in the proper back-door graph (those first edges X -> D removed),
      where in a PAG only *definite-status* paths count: every inner node is a collider
      (*-> V <-*) or a definite non-collider (a tail at V, or V o-o-ish with both marks at V
      circles and its two neighbours not adjacent) (Perković et al. 2018, Def. 3.3, 4.?).
A possibly directed path has no arrowhead pointing back towards X (pcalg's possDe/possAn walk
the same steps: the mark at the node being left is a tail or a circle).

The listing of sets uses one MAG of the class built as Zhang (2008, Thm 2) does (circles at
arrowheads become tails, the circle component is oriented without new colliders) and keeps
only the sets that pass the PAG's own check above.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx

from app.errors import GraphError, QueryError
from app.graph import CausalGraph

ARROW, TAIL, CIRCLE = "arrow", "tail", "circle"
_SYMBOL = {(TAIL, ARROW): "->", (ARROW, ARROW): "<->", (TAIL, TAIL): "--",
           (CIRCLE, ARROW): "o->", (CIRCLE, TAIL): "o--", (CIRCLE, CIRCLE): "o-o",
           (ARROW, TAIL): "<-", (TAIL, CIRCLE): "--o", (ARROW, CIRCLE): "<-o"}


@dataclass(frozen=True, eq=False)
class Pag:
    """A PAG as edge-end marks: `end[a][b]` is the mark at b on the edge a – b."""

    nodes: tuple[str, ...]
    end: Mapping[str, Mapping[str, str]]
    latent: frozenset[str]
    selected: frozenset[str]
    order: Mapping[str, int]

    def mark(self, a: str, b: str) -> str:
        """The mark at b on the edge a – b."""
        return self.end[a][b]

    def edge_text(self, a: str, b: str) -> str:
        return f"{a} {_SYMBOL[(self.end[b][a], self.end[a][b])]} {b}"

    def adjacent(self, a: str, b: str) -> bool:
        return b in self.end[a]

    def directed(self, a: str, b: str) -> bool:
        """a -> b for certain (a tail at a, an arrowhead at b)."""
        return b in self.end[a] and self.end[a][b] == ARROW and self.end[b][a] == TAIL

    def sorted(self, nodes: Iterable[str]) -> list[str]:
        return sorted(nodes, key=self.order.__getitem__)

    def without_edges(self, removed: Iterable[tuple[str, str]]) -> Pag:
        end = {v: dict(w) for v, w in self.end.items()}
        for a, b in removed:
            end[a].pop(b, None)
            end[b].pop(a, None)
        return Pag(self.nodes, end, self.latent, self.selected, self.order)


@lru_cache(maxsize=32)
def pag_view(g: CausalGraph) -> Pag:
    """The marks of a PAG (any graph type reads; used for kind "pag")."""
    end: dict[str, dict[str, str]] = {n: {} for n in g.nodes}

    def put(a: str, ma: str, b: str, mb: str) -> None:
        end[b][a] = ma
        end[a][b] = mb

    for a, b in g.edges:
        put(a, TAIL, b, ARROW)
    for a, b in g.bidirected:
        put(a, ARROW, b, ARROW)
    for a, b in g.undirected:
        put(a, TAIL, b, TAIL)
    for a, m, b in g.circle:
        put(a, CIRCLE, b, {"@->": ARROW, "@--": TAIL, "@-@": CIRCLE}[m])
    order = {n: i for i, n in enumerate(g.topological_order())}
    return Pag(g.nodes, end, frozenset(g.latents), frozenset(g.role_nodes("selected")), order)


# ---- possibly directed reachability ----------------------------------------------------------

def _reach(starts: Iterable[str], step, avoid: frozenset[str] = frozenset()) -> set[str]:
    seen = set(starts)
    stack = list(seen)
    while stack:
        v = stack.pop()
        for w in step(v):
            if w not in seen and w not in avoid:
                seen.add(w)
                stack.append(w)
    return seen


def possible_descendants(p: Pag, nodes: Iterable[str], avoid: frozenset[str] = frozenset()
                         ) -> set[str]:
    """`nodes` and every node reached by a possibly directed path (no arrowhead back towards the
    start), never passing through `avoid` (pcalg's possDe)."""
    return _reach(nodes, lambda v: [w for w, m in p.end[v].items() if p.end[w][v] != ARROW],
                  avoid)


def possible_ancestors(p: Pag, nodes: Iterable[str], avoid: frozenset[str] = frozenset()
                       ) -> set[str]:
    """`nodes` and every node with a possibly directed path into them, avoiding `avoid`."""
    return _reach(nodes, lambda v: [w for w, m in p.end[v].items() if m != ARROW], avoid)


def definite_ancestors(p: Pag, nodes: Iterable[str]) -> set[str]:
    """`nodes` and every node with a directed path (-> edges only) into them."""
    return _reach(nodes, lambda v: [w for w in p.end[v] if p.directed(w, v)])


def proper_possibly_causal_nodes(p: Pag, xs: frozenset[str], ys: frozenset[str]) -> set[str]:
    """Nodes other than X on proper possibly directed paths from X to Y (pcalg's forbiddenNodes)."""
    return (possible_descendants(p, xs, xs) - xs) & possible_ancestors(p, ys, xs)


def visible(p: Pag, a: str, b: str) -> bool:
    """Is the directed edge a -> b visible (Zhang 2008, Def. 3.1, on the PAG's definite marks)?

    Yes iff some V not adjacent to b has an arrowhead into a, directly (V *-> a) or along a
    collider path V *-> D1 <-> … <-> a whose inner nodes are all parents of b.
    """
    district, stack = {a}, [a]
    while stack:
        v = stack.pop()
        for s, m in p.end[v].items():
            if (m == ARROW and p.end[s][v] == ARROW and s not in district
                    and p.directed(s, b)):
                district.add(s)
                stack.append(s)
    return any(v != b and not p.adjacent(v, b) and p.end[v][d] == ARROW
               for d in district for v in p.end[d])


@dataclass(frozen=True)
class Amenability:
    """Which first edges X -> D of proper possibly causal paths there are, and if the PAG is not
    amenable, the first offending edge and why (a sentence)."""

    first_edges: tuple[tuple[str, str], ...]
    problem: tuple[str, str] | None = None
    why: str = ""


def amenability(p: Pag, xs: frozenset[str], ys: frozenset[str], pcp: set[str]) -> Amenability:
    """Every proper possibly directed path from X to Y must start with a visible X -> D."""
    first = []
    for x in p.sorted(xs):
        for d in p.sorted(p.end[x]):
            if d not in pcp or p.end[d][x] == ARROW:
                continue
            edge = p.edge_text(x, d)
            if not p.directed(x, d):
                if p.end[x][d] == ARROW:
                    why = (f"the edge {edge} starts a possibly causal path to the outcome, but "
                           f"its circle at {x} means that in some graphs of this class {x} and "
                           f"{d} share a latent common cause (as {x} <-> {d}), so the effect "
                           "is not the same in every graph of the class")
                else:
                    why = (f"the edge {edge} starts a possibly causal path to the outcome, but "
                           f"its direction is undecided: in some graphs of this class {d} "
                           f"causes {x}")
                return Amenability(tuple(first), (x, d), why)
            if not visible(p, x, d):
                return Amenability(tuple(first), (x, d), (
                    f"the edge {edge} starts a causal path to the outcome but is not visible, "
                    "so a latent confounder of the two may hide behind it"))
            first.append((x, d))
    return Amenability(tuple(first))


# ---- m-separation over definite-status paths -------------------------------------------------

def m_connected_nodes(p: Pag, xs: Iterable[str], zs: Iterable[str]) -> set[str]:
    """Nodes reached from X by a proper definite-status path that is m-connecting given Z.

    A walk over (previous node, node) pairs: each inner node must be a collider (arrowheads at
    it on both sides; open when it is a definite ancestor of Z) or a definite non-collider (a
    tail at it on one side, or circles on both sides with unadjacent neighbours; open when not
    in Z). Paths never return to X (proper). Polynomial: one visit per directed edge.
    """
    xs, zs = set(xs), set(zs)
    an_z = definite_ancestors(p, zs)
    seen: set[tuple[str, str]] = set()
    out: set[str] = set()
    queue: deque[tuple[str, str]] = deque()
    for x in xs:
        for w in p.end[x]:
            if w not in xs and (x, w) not in seen:
                seen.add((x, w))
                queue.append((x, w))
    while queue:
        u, v = queue.popleft()
        out.add(v)
        at_v_from_u = p.end[u][v]
        for w in p.end[v]:
            if w in xs or w == u or (v, w) in seen:
                continue
            at_v_from_w = p.end[w][v]
            if at_v_from_u == ARROW and at_v_from_w == ARROW:
                ok = v in an_z
            elif TAIL in (at_v_from_u, at_v_from_w) or (
                    at_v_from_u == CIRCLE and at_v_from_w == CIRCLE and not p.adjacent(u, w)):
                ok = v not in zs
            else:
                ok = False          # not of definite status: this path says nothing
            if ok:
                seen.add((v, w))
                queue.append((v, w))
    return out


def m_separated(p: Pag, xs: Iterable[str], ys: Iterable[str], zs: Iterable[str]) -> bool:
    """True when no proper definite-status path from X to Y is m-connecting given Z."""
    return not (m_connected_nodes(p, xs, zs) & set(ys))


# ---- one MAG of the class ----------------------------------------------------------------------

@lru_cache(maxsize=32)
def member_mag(g: CausalGraph) -> CausalGraph:
    """A MAG represented by the PAG `g` (Zhang 2008, Thm 2): o-> becomes ->, and the o-o edges are
    oriented along a maximum-cardinality-search order (no new unshielded collider)."""
    if g.undirected or any(m == "@--" for _, m, _ in g.circle):
        raise QueryError("Adjustment does not handle PAGs with tails at both ends or o-- edges "
                         "(they stand for selection bias) yet.",
                         hint="Model the selection with a node marked 'selected' in a DAG.")
    edges = set(g.edges) | {(a, b) for a, m, b in g.circle if m == "@->"}
    circ = nx.Graph()
    circ.add_nodes_from(g.nodes)
    circ.add_edges_from((a, b) for a, m, b in g.circle if m == "@-@")
    if circ.number_of_edges():
        if not nx.is_chordal(circ):
            raise QueryError("The o-o edges of this PAG have a cycle without a chord, so it is "
                             "not a valid PAG (FCI never outputs one).",
                             hint="Check the circle marks, or use the PAG from a discovery run.")
        rank = _mcs_order(circ, g.nodes)
        edges |= {(a, b) if rank[a] < rank[b] else (b, a) for a, b in circ.edges}
    try:
        return CausalGraph.from_edges(sorted(edges), nodes=g.nodes, bidirected=g.bidirected,
                                      roles=g.roles, kind="mag")
    except GraphError as err:
        raise QueryError("This PAG is not a valid PAG: orienting its circle marks as a member "
                         f"MAG of the class fails ({err})",
                         hint="Check the edge marks, or use the PAG from a discovery run.") from None


def _mcs_order(g: nx.Graph, nodes: tuple[str, ...]) -> dict[str, int]:
    """Maximum cardinality search: each next node has the most already-numbered neighbours."""
    pos = {n: i for i, n in enumerate(nodes)}
    weight = dict.fromkeys(g.nodes, 0)
    rank: dict[str, int] = {}
    while weight:
        v = max(weight, key=lambda n: (weight[n], -pos[n]))
        rank[v] = len(rank)
        del weight[v]
        for w in g[v]:
            if w in weight:
                weight[w] += 1
    return rank


__all__ = ["Amenability", "Pag", "amenability", "definite_ancestors", "m_connected_nodes",
           "m_separated", "member_mag", "pag_view", "possible_ancestors", "possible_descendants",
           "proper_possibly_causal_nodes", "visible"]
