"""The Markov equivalence class of a DAG: its CPDAG, how many DAGs it holds, and the first few.

Two DAGs are Markov equivalent — no observational data can tell them apart — exactly when they
have the same skeleton and the same v-structures (Verma & Pearl 1990). The class is drawn as its
CPDAG: an edge keeps its arrow when every member agrees on it, and is undirected otherwise.

One home for each step: the CPDAG comes from `app.discovery.pdag.cpdag_of_dag` (Meek's rules),
the member count from the counter behind the experiment ranking in `app.discovery.experiments`
(the root recursion of He, Jia & Yu 2015, memoised over chain components, so a class of
millions is counted without being listed). The members are listed by the same recursion: every
member orients a connected chain component with exactly one source (He, Jia & Yu 2015, Lemma
1), so choosing each node in turn as the source, closing under Meek's rules and recursing on
what is left lists every member once.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product

import networkx as nx

from app.analysis._core import require_kind
from app.discovery.experiments import MAX_COUNT_STEPS, count_members
from app.discovery.pdag import Pdag, cpdag_of_dag, dag_extension, meek_closure
from app.errors import QueryError
from app.graph import KIND_NAMES, CausalGraph
from app.settings import MAX_CLASS_MEMBERS

Edge = tuple[str, str]


@dataclass(frozen=True)
class EquivalenceClass:
    """A DAG's Markov equivalence class.

    `cpdag`: the class as one graph (kind "pdag"); `members`: the directed edges of the first
    DAGs of the class, the given DAG first when a DAG was given (`member(i)` makes the i-th a
    CausalGraph: building a graph validates it, which costs more than finding it); `total`: how many DAGs the class holds (None when it
    is too large to count here); `compelled`/`reversible`: edges every member orients the same
    way / edges whose direction the data cannot decide.
    """

    cpdag: CausalGraph
    members: tuple[frozenset[Edge], ...]
    total: int | None
    compelled: tuple[Edge, ...]
    reversible: tuple[Edge, ...]
    notes: tuple[str, ...] = ()

    def member(self, i: int) -> CausalGraph:
        """The i-th listed member as a DAG with the graph's nodes, roles and positions."""
        return CausalGraph(nodes=self.cpdag.nodes, edges=self.members[i],
                           roles=self.cpdag.roles, positions=self.cpdag.positions)

    @property
    def complete(self) -> bool:
        """True when every member is listed."""
        return self.total is not None and len(self.members) == self.total

    def sentence(self) -> str:
        """The class in one plain sentence."""
        if self.total == 1:
            return ("This graph is the only member of its class: observational data can, in "
                    "principle, single it out (every arrow is part of a v-structure or forced "
                    "by one).")
        how_many = f"{self.total:,}" if self.total is not None else "too many to count"
        return (f"{how_many} graphs share this graph's skeleton and v-structures: these "
                f"graphs cannot be told apart from observational data. {len(self.reversible)} "
                f"edge(s) can point either way; {len(self.compelled)} keep their direction in "
                "every member.")


def equivalence_class(g: CausalGraph, limit: int = MAX_CLASS_MEMBERS) -> EquivalenceClass:
    """The Markov equivalence class of a DAG (or of a CPDAG given as a pdag): CPDAG, count and
    the first `limit` members. Graphs with ↔ edges, MAGs and PAGs are refused (their classes
    are not classes of DAGs)."""
    if limit < 1:
        raise QueryError("Ask for at least one member of the class.")
    pdag, notes = _as_cpdag(g)
    undirected = nx.Graph()
    undirected.add_nodes_from(pdag.nodes)
    undirected.add_edges_from(tuple(sorted(p)) for p in pdag.undirected)
    components = [frozenset(c) for c in nx.connected_components(undirected) if len(c) > 1]
    total = count_members(undirected)
    if total is None:
        notes.append(f"The class is too large to count here (more than {MAX_COUNT_STEPS:,} "
                     "counting steps); the members listed are some of them.")
    base = set(pdag.directed)
    first = ([frozenset(g.edges)] if g.kind == "dag" else [])
    listed: list[frozenset[Edge]] = list(first)
    for edges in _members(undirected, components, limit):
        if len(listed) >= limit:
            break
        member = frozenset(base | set(edges))
        if member not in first:
            listed.append(member)
    cpdag = CausalGraph(nodes=g.nodes, edges=frozenset(pdag.directed),
                        undirected=frozenset(tuple(sorted(p)) for p in pdag.undirected),
                        roles=g.roles, positions=g.positions, kind="pdag")
    return EquivalenceClass(cpdag, tuple(listed), total, tuple(sorted(pdag.directed)),
                            tuple(sorted(tuple(sorted(p)) for p in pdag.undirected)),
                            tuple(notes))


def _as_cpdag(g: CausalGraph) -> tuple[Pdag, list[str]]:
    """The CPDAG of a DAG, or a pdag checked to be the CPDAG of some DAG."""
    what = "The equivalence class"
    if g.kind not in ("dag", "pdag"):
        raise QueryError(f"{what} is listed for DAGs and CPDAGs; this graph is a "
                         f"{KIND_NAMES[g.kind]}, whose class also allows latent variables.",
                         hint="Draw the graph as a DAG (dag { … }) to see its class of DAGs.")
    if g.bidirected:
        a, b = sorted(g.bidirected)[0]
        raise QueryError(f"{what} is listed for DAGs without <-> edges; this graph has "
                         f"{a} <-> {b} (a latent common cause), which makes it an ADMG whose "
                         "class is a class of MAGs, not of DAGs.",
                         hint="Draw the latent cause as a node marked latent instead of <->.")
    notes = []
    if g.latents:
        notes.append("Latent nodes are treated as ordinary nodes: this is the class of the "
                     "whole graph, unmeasured variables included.")
    if g.kind == "dag":
        return cpdag_of_dag(g.nodes, g.edges), notes
    require_kind(g, frozenset({"pdag"}), what)
    given = Pdag(list(g.nodes), set(g.edges), {frozenset(p) for p in g.undirected})
    ext = dag_extension(given)
    if ext is None or not _same(cpdag_of_dag(g.nodes, ext), given):
        raise QueryError(f"{what} needs a CPDAG: this PDAG is not the CPDAG of any DAG (some "
                         "of its arrows are not forced by v-structures, as background "
                         "knowledge would force them).",
                         hint="Use the CPDAG from a discovery run, or draw one member as a DAG.")
    return given, notes


def _same(a: Pdag, b: Pdag) -> bool:
    return a.directed == b.directed and a.undirected == b.undirected


def _members(undirected: nx.Graph, components: list[frozenset],
             limit: int) -> Iterator[frozenset[Edge]]:
    """The first orientations of the chain components without new v-structures or cycles.

    Each component keeps at most `limit` orientations of its own, enough for `limit` members
    whatever the others hold, so the work grows with `limit`, not with the class."""
    lists = [_orient(undirected.subgraph(c), limit) for c in components]
    for parts in product(*lists):
        yield frozenset().union(*parts)


def _orient(comp: nx.Graph, limit: int) -> list[frozenset[Edge]]:
    """Up to `limit` members of one connected chordal component: each node in turn as the one
    source, closed under Meek's rules, then the components left oriented the same way."""
    out: list[frozenset[Edge]] = []
    for root in sorted(comp.nodes):
        p = Pdag(sorted(comp.nodes), {(root, w) for w in comp[root]},
                 {frozenset(e) for e in comp.edges if root not in e})
        closed = meek_closure(p)
        rest = nx.Graph()
        rest.add_edges_from(tuple(sorted(e)) for e in closed.undirected)
        subs = [_orient(rest.subgraph(c), limit - len(out))
                for c in nx.connected_components(rest)]
        for parts in product(*subs):
            out.append(frozenset(closed.directed).union(*parts))
            if len(out) >= limit:
                return out
    return out
