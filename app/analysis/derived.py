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
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.analysis._core import (
    DAG_OR_MAG,
    Admg,
    admg,
    ancestors,
    fmt_set,
    node_set,
)
from app.graph import CausalGraph

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

