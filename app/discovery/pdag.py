"""Partially directed graphs (CPDAGs) as plain sets: Meek's rules, CPDAG of a DAG, DAG extension.

Kept independent of any library so the knowledge post-processing and the graph diff work the
same way whichever algorithm produced the graph.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

Pair = frozenset


@dataclass
class Pdag:
    """A mutable partially directed graph: directed edges (a, b) and undirected pairs {a, b}."""

    nodes: list[str]
    directed: set[tuple[str, str]] = field(default_factory=set)
    undirected: set[frozenset] = field(default_factory=set)

    def copy(self) -> Pdag:
        return Pdag(list(self.nodes), set(self.directed), set(self.undirected))

    def adjacent(self, a: str, b: str) -> bool:
        return (a, b) in self.directed or (b, a) in self.directed or Pair((a, b)) in self.undirected

    def remove_pair(self, a: str, b: str) -> None:
        self.directed.discard((a, b))
        self.directed.discard((b, a))
        self.undirected.discard(Pair((a, b)))

    def orient(self, a: str, b: str) -> None:
        """Make the a–b adjacency (whatever it was) into a → b."""
        self.remove_pair(a, b)
        self.directed.add((a, b))

    def neighbours(self, a: str) -> set[str]:
        """Nodes joined to `a` by an undirected edge."""
        return {n for p in self.undirected if a in p for n in p if n != a}

    def parents(self, a: str) -> set[str]:
        return {x for x, y in self.directed if y == a}

    def children(self, a: str) -> set[str]:
        return {y for x, y in self.directed if x == a}

    def adjacents(self, a: str) -> set[str]:
        return self.neighbours(a) | self.parents(a) | self.children(a)

    def directed_cycle(self) -> list[str] | None:
        """A directed cycle among the directed edges, or None."""
        g = nx.DiGraph()
        g.add_nodes_from(self.nodes)
        g.add_edges_from(self.directed)
        try:
            return [a for a, _ in nx.find_cycle(g)]
        except nx.NetworkXNoCycle:
            return None


def meek_closure(p: Pdag, forbidden=None) -> Pdag:
    """Apply Meek's rules R1–R4 (Meek 1995) until nothing changes; returns a new Pdag.

    `forbidden(a, b)` (optional) says an orientation a → b must not be made (background
    knowledge); R4 is included because knowledge can orient edges the other rules never would.
    """
    p = p.copy()
    forbidden = forbidden or (lambda a, b: False)

    def can(a: str, b: str) -> bool:
        return not forbidden(a, b)

    changed = True
    while changed:
        changed = False
        for pair in sorted(p.undirected, key=sorted):
            a, b = sorted(pair)
            for x, y in ((a, b), (b, a)):
                if Pair((x, y)) not in p.undirected or not can(x, y):
                    continue
                if _meek_applies(p, x, y):
                    p.orient(x, y)
                    changed = True
                    break
    return p


def _meek_applies(p: Pdag, x: str, y: str) -> bool:
    """True when one of Meek's rules orients the undirected edge x — y as x → y."""
    px = p.parents(x)
    # R1: w → x — y with w, y not adjacent
    if any(not p.adjacent(w, y) for w in px if w != y):
        return True
    # R2: x → w → y
    if p.children(x) & p.parents(y):
        return True
    nx_ = p.neighbours(x)
    # R3: x — c → y and x — d → y with c, d not adjacent
    cs = sorted(nx_ & p.parents(y))
    for i, c in enumerate(cs):
        for d in cs[i + 1:]:
            if not p.adjacent(c, d):
                return True
    # R4: x — c → d → y, c and y not adjacent, x adjacent to d
    for c in nx_:
        if p.adjacent(c, y):
            continue
        for d in p.children(c):
            if d != x and (d, y) in p.directed and p.adjacent(x, d):
                return True
    return False


def cpdag_of_dag(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> Pdag:
    """The CPDAG (essential graph) of a DAG: v-structure edges kept, then Meek's R1–R3.

    Compelled edges are exactly those oriented by starting from the pattern (skeleton plus
    unshielded colliders) and closing under Meek's rules (Meek 1995, Theorem 2).
    """
    nodes = list(nodes)
    edges = set(edges)
    parents: dict[str, set[str]] = {n: set() for n in nodes}
    for a, b in edges:
        parents[b].add(a)
    adj = {frozenset(e) for e in edges}
    compelled: set[tuple[str, str]] = set()
    for child, ps in parents.items():
        ps = sorted(ps)
        for i, a in enumerate(ps):
            for b in ps[i + 1:]:
                if frozenset((a, b)) not in adj:
                    compelled.add((a, child))
                    compelled.add((b, child))
    p = Pdag(nodes, set(compelled), {frozenset(e) for e in edges if e not in compelled})
    return meek_closure(p)


def dag_extension(p: Pdag) -> set[tuple[str, str]] | None:
    """A DAG in the class of the PDAG that adds no new v-structure (Dor & Tarsi 1992), or None.

    Used to draw or adopt a CPDAG as a DAG without inventing a collider.
    """
    directed = set(p.directed)
    work = p.copy()
    remaining = set(work.nodes)
    while remaining:
        chosen = None
        for x in sorted(remaining):
            if work.children(x) & remaining:
                continue
            nbrs = work.neighbours(x) & remaining
            adj = work.adjacents(x) & remaining
            if all(adj - {y} <= (work.adjacents(y) | {y}) for y in nbrs):
                chosen = x
                break
        if chosen is None:
            return None
        for y in work.neighbours(chosen) & remaining:
            directed.add((y, chosen))
        remaining.discard(chosen)
        work.undirected = {e for e in work.undirected if chosen not in e}
        work.directed = {e for e in work.directed if chosen not in e}
    return directed
