"""Shared machinery for the graph analyses: an ADMG view of a CausalGraph, ancestry, m-separation
by reachability, and the undirected "separator graph" used to list minimal separating sets.

Why our own code and not only networkx: networkx's d-separation functions work on DAGs only,
while our graphs are ADMGs (bidirected edges = a latent common cause) with nodes the user marked
latent; we also need the reachable set itself (to explain paths) and all minimal separators
under "never use this node" restrictions, which networkx does not list.
"""
from __future__ import annotations

import heapq
import threading
import weakref
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from app.errors import QueryError
from app.graph import KIND_NAMES, CausalGraph, show_name

# Sentinels for the contracted source / target sides of a separator graph. Node names are
# strings, so these can never collide with a user's node.
SOURCE = ("<source>",)
TARGET = ("<target>",)


@dataclass(frozen=True, eq=False)
class Admg:
    """An acyclic directed mixed graph: parents/children by directed edges, spouses by ↔ edges.

    `latent` holds the nodes the user marked latent (unmeasured): they are real nodes for
    d-separation but may never be conditioned on, adjusted for or tested.
    """

    nodes: tuple[str, ...]
    parents: Mapping[str, frozenset[str]]
    children: Mapping[str, frozenset[str]]
    spouses: Mapping[str, frozenset[str]]
    latent: frozenset[str]
    order: Mapping[str, int]          # position in a topological order
    kind: str = "dag"                 # "dag", or "mag": then X -> Y may hide a confounder
    selected: frozenset[str] = frozenset()   # always conditioned on (selection by design)
    undirected: Mapping[str, frozenset[str]] = field(default_factory=dict)   # pdag: a -- b

    @property
    def observed(self) -> list[str]:
        return [n for n in self.nodes if n not in self.latent]

    def neighbours(self, v: str) -> set[str]:
        return set(self.parents[v]) | self.children[v] | self.spouses[v] | self.und(v)

    def adjacent(self, a: str, b: str) -> bool:
        return (b in self.parents[a] or b in self.children[a] or b in self.spouses[a]
                or b in self.und(a))

    def und(self, v: str) -> frozenset[str]:
        """The nodes joined to v by an undirected edge (a PDAG's unoriented edges)."""
        return self.undirected.get(v, frozenset())

    def without_edges(self, removed: Iterable[tuple[str, str]]) -> Admg:
        """A copy with some directed edges (a, b) removed (used for back-door graphs)."""
        removed = set(removed)
        if not removed:
            return self
        parents = {v: frozenset(p for p in ps if (p, v) not in removed)
                   for v, ps in self.parents.items()}
        children = {v: frozenset(c for c in cs if (v, c) not in removed)
                    for v, cs in self.children.items()}
        return Admg(self.nodes, parents, children, self.spouses, self.latent, self.order,
                    self.kind, self.selected, self.undirected)

    def sorted(self, nodes: Iterable[str]) -> list[str]:
        """Nodes in topological order (ties by the graph's node order)."""
        return sorted(nodes, key=self.order.__getitem__)


DAG_ONLY = frozenset({"dag"})
DAG_OR_MAG = frozenset({"dag", "mag"})
DAG_MAG_PDAG = frozenset({"dag", "mag", "pdag"})
# Not a graph type: in an `allow` set it lets MAGs with -- (selection) edges through as well.
MAG_SELECTION = "mag with selection edges"
SEPARATION_KINDS = DAG_MAG_PDAG | {MAG_SELECTION}


def require_kind(g: CausalGraph, allow: frozenset[str], what: str) -> None:
    """Refuse a graph type the analysis does not handle (never read a MAG/PDAG/PAG as a DAG)."""
    if g.kind not in allow:
        names = " or ".join(KIND_NAMES[k] for k in sorted(allow) if k in KIND_NAMES)
        raise QueryError(
            f"{what} works on a {names}; this graph is a {KIND_NAMES[g.kind]}.",
            hint="Reading it as a DAG would give a wrong answer. Orient every edge and change "
                 "the graph type to dag if you know the directions.")
    if g.kind == "pdag":
        _require_mpdag(g, what)
    if g.kind == "mag" and g.undirected and MAG_SELECTION not in allow:
        a, b = sorted(g.undirected)[0]
        raise QueryError(f"{what} does not handle MAGs with undirected edges (here {a} -- {b}, "
                         "which stand for selection bias) yet.",
                         hint="Model the selection with a node marked 'selected' in a DAG instead.")


def _require_mpdag(g: CausalGraph, what: str) -> None:
    """A PDAG is analysed only when it stands for a class of DAGs read the standard way: no <->,
    closed under Meek's (1995) orientation rules, unoriented parts chordal (so every member DAG
    is found by orienting them, as in a CPDAG)."""
    if g.bidirected:
        raise QueryError(f"{what} does not handle PDAGs with <-> edges.",
                         hint="Use a MAG for latent confounding in a class of graphs.")
    und = {n: set() for n in g.nodes}
    for a, b in g.undirected:
        und[a].add(b)
        und[b].add(a)
    pa = {n: set() for n in g.nodes}
    ch = {n: set() for n in g.nodes}
    for a, b in g.edges:
        pa[b].add(a)
        ch[a].add(b)

    def adj(a: str, b: str) -> bool:
        return b in und[a] or b in pa[a] or b in ch[a]

    for b, c in sorted(g.undirected) + [(c, b) for b, c in sorted(g.undirected)]:
        rule = ""
        if any(not adj(a, c) for a in pa[b]):
            rule = "1"              # a -> b -- c, a and c not adjacent
        elif ch[b] & pa[c]:
            rule = "2"              # b -> m -> c
        elif any(not adj(m1, m2) for m1 in und[b] & pa[c] for m2 in und[b] & pa[c] if m1 < m2):
            rule = "3"
        elif any(d in pa[m] and not adj(d, c) and adj(b, m) and d != c
                 for m in pa[c] for d in und[b] | pa[b] | ch[b]):
            rule = "4"              # b ~ d -> m -> c, d and c not adjacent, b adjacent to m
        if rule:
            raise QueryError(f"This PDAG is not maximally oriented: Meek's rule {rule} orients "
                             f"{b} -- {c} as {b} -> {c}.",
                             hint="Orient that edge (or use the CPDAG from a discovery run).")
    chordal = nx.Graph()
    chordal.add_edges_from(g.undirected)
    if chordal.number_of_edges() and not nx.is_chordal(chordal):
        raise QueryError("The undirected part of this PDAG has a cycle without a chord, so no "
                         "DAG fits it without a new collider.",
                         hint="A CPDAG's undirected part is always chordal; check the edges.")


def admg(g: CausalGraph, allow: frozenset[str] = DAG_ONLY,
         what: str = "This analysis") -> Admg:
    """The ADMG view of `g`, after checking that the analysis handles the graph's type.

    Remembered per graph object (graphs are immutable): a repeated question on the same graph
    skips both the conversion and the type checks, without hashing the graph's content.
    """
    view = _lookup(_VIEWS, g)
    _check_kind(g, allow, what, view is not None)
    if view is None:
        view = _admg(g)
        _remember(_VIEWS, g, view)
    return view


def separation_view(g: CausalGraph, allow: frozenset[str], what: str) -> Admg | Adjacency:
    """What one m-separation query needs: the ADMG view if `g` has one already, else the
    cheaper neighbour lists (no frozensets, no topological order), remembered per graph."""
    view = _lookup(_VIEWS, g) or _lookup(_LISTS, g)
    _check_kind(g, allow, what, view is not None)
    if view is None:
        view = _adjacency(g)
        _remember(_LISTS, g, view)
    return view


_MAX_VIEWS = 64
_LOCK = threading.Lock()
_VIEWS: dict[int, tuple[weakref.ref, Admg]] = {}         # id(graph) -> (the graph, its view)
_LISTS: dict[int, tuple[weakref.ref, Adjacency]] = {}


def _lookup(table: dict, g: CausalGraph):
    """The view remembered for this very graph object, or None."""
    hit = table.get(id(g))
    return hit[1] if hit is not None and hit[0]() is g else None


def _check_kind(g: CausalGraph, allow: frozenset[str], what: str, checked: bool) -> None:
    """The full type check once per graph object; later only whether the type is allowed
    (and, since a view may have been made for d-separation, whether -- edges are)."""
    if not checked or g.kind not in allow or (
            g.kind == "mag" and g.undirected and MAG_SELECTION not in allow):
        require_kind(g, allow, what)


def _remember(table: dict, g: CausalGraph, view) -> None:
    with _LOCK:       # sessions run in threads: evict and insert as one step
        if len(table) >= _MAX_VIEWS:
            table.pop(next(iter(table)))
        table[id(g)] = (weakref.ref(g), view)


def _clear_views() -> None:
    _VIEWS.clear()
    _LISTS.clear()


admg.cache_clear = _clear_views   # benchmarks time the uncached view


@dataclass(frozen=True, eq=False)
class Adjacency:
    """Neighbour lists of a graph: all m_separated needs (built in one pass over the edges)."""

    parents: Mapping[str, list[str]]
    children: Mapping[str, list[str]]
    spouses: Mapping[str, list[str]]
    undirected: Mapping[str, frozenset[str]]
    selected: frozenset[str]


def _adjacency(g: CausalGraph) -> Adjacency:
    parents: dict[str, list[str]] = {n: [] for n in g.nodes}
    children: dict[str, list[str]] = {n: [] for n in g.nodes}
    for a, b in g.edges:
        parents[b].append(a)
        children[a].append(b)
    spouses: dict[str, list[str]] = {n: [] for n in g.nodes} if g.bidirected else \
        dict.fromkeys(g.nodes, ())
    for a, b in g.bidirected:
        spouses[a].append(b)
        spouses[b].append(a)
    return Adjacency(parents, children, spouses, _undirected_map(g),
                     frozenset(g.role_nodes("selected")))


def _admg(g: CausalGraph) -> Admg:
    """The ADMG view of `g`: O(nodes + edges); the topological order is computed on first use."""
    adj = _lookup(_LISTS, g) or _adjacency(g)
    pa = {n: frozenset(v) for n, v in adj.parents.items()}
    ch = {n: frozenset(v) for n, v in adj.children.items()}
    return Admg(
        nodes=g.nodes,
        parents=pa,
        children=ch,
        spouses={n: frozenset(v) for n, v in adj.spouses.items()},
        latent=frozenset(g.latents),
        order=_TopologicalOrder(g.nodes, pa, ch),
        kind=g.kind,
        selected=adj.selected,
        undirected=adj.undirected,
    )


class _TopologicalOrder(Mapping):
    """node -> position in the topological order of the directed edges, ties broken by the
    graph's node order (as CausalGraph.topological_order), computed on first lookup: a
    d-separation query never needs it."""

    def __init__(self, nodes: tuple[str, ...], parents: Mapping, children: Mapping) -> None:
        self._args: tuple | None = (nodes, parents, children)
        self._pos: dict[str, int] = {}

    def _table(self) -> dict[str, int]:
        if self._args is not None:
            nodes, parents, children = self._args
            index = {n: i for i, n in enumerate(nodes)}
            waiting = {n: len(parents[n]) for n in nodes}
            ready = [index[n] for n in nodes if not waiting[n]]
            heapq.heapify(ready)
            while ready:
                v = nodes[heapq.heappop(ready)]
                self._pos[v] = len(self._pos)
                for c in children[v]:
                    waiting[c] -= 1
                    if not waiting[c]:
                        heapq.heappush(ready, index[c])
            self._args = None
        return self._pos

    def __getitem__(self, node: str) -> int:
        return self._table()[node]

    def __iter__(self):
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


def _undirected_map(g: CausalGraph) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for a, b in g.undirected:
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return {n: frozenset(v) for n, v in out.items()}


# ---- input checking ---------------------------------------------------------------------------

def node_set(g: CausalGraph | Admg, nodes: str | Iterable[str] | None, what: str,
             *, allow_empty: bool = False) -> frozenset[str]:
    """Turn a node name or a collection of names into a checked frozenset (QueryError if bad)."""
    if nodes is None:
        items: list[str] = []
    elif isinstance(nodes, str):
        items = [nodes]
    else:
        try:
            items = list(nodes)
        except TypeError:
            raise QueryError(f"The {what} must be a node name or a list of node names.") from None
    known = set(g.nodes)
    for n in items:
        if not isinstance(n, str):
            raise QueryError(f"The {what} must be given as node names (text), not {n!r}.")
        if n not in known:
            raise QueryError(f"There is no node called {show_name(n)} in the graph (asked as "
                             f"the {what}).",
                             hint="Check the spelling; node names are case-sensitive.")
    if not items and not allow_empty:
        raise QueryError(f"Choose at least one node as the {what}.")
    return frozenset(items)


def disjoint(**sets: frozenset[str]) -> None:
    """Raise QueryError when two of the named node sets share a node."""
    names = list(sets)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            both = sets[a] & sets[b]
            if both:
                n = sorted(both)[0]
                raise QueryError(f"'{n}' cannot be both in the {a} and in the {b}.",
                                 hint="Each variable can play only one part in the question.")


class Listing(list):
    """A list of results with `truncated` (the listing stopped early) and a plain-words `note`."""

    truncated: bool = False
    note: str = ""


def fmt_set(nodes: Iterable[str]) -> str:
    """{A, B} for messages, sorted for stable text."""
    return "{" + ", ".join(sorted(nodes)) + "}"


# ---- ancestry ---------------------------------------------------------------------------------

def _reach(nodes: Iterable[str], step) -> set[str]:
    """`nodes` and every node reached from them by repeating `step(v)` (a set of neighbours)."""
    seen = set(nodes)
    stack = list(seen)
    while stack:
        for w in step(stack.pop()):
            if w not in seen:
                seen.add(w)
                stack.append(w)
    return seen


def ancestors(adm: Admg | Adjacency, nodes: Iterable[str]) -> set[str]:
    """The nodes with a directed path into `nodes`, including the nodes themselves."""
    return _reach(nodes, lambda v: adm.parents[v])


def anteriors(adm: Admg, nodes: Iterable[str]) -> set[str]:
    """Ancestors also through undirected edges (DAGitty's anteriorsOf); ancestors in a DAG/MAG."""
    return _reach(nodes, lambda v: adm.parents[v] | adm.und(v))


def possible_descendants(adm: Admg, nodes: Iterable[str]) -> set[str]:
    """Descendants also through undirected edges (DAGitty's posteriorsOf)."""
    return _reach(nodes, lambda v: adm.children[v] | adm.und(v))


def descendants(adm: Admg, nodes: Iterable[str]) -> set[str]:
    """The nodes reachable from `nodes` by directed paths, including the nodes themselves."""
    return _reach(nodes, lambda v: adm.children[v])


def proper_causal_nodes(adm: Admg, xs: frozenset[str], ys: frozenset[str]) -> set[str]:
    """Nodes other than X on proper causal paths X → … → Y (van der Zander et al. 2019, PCP).

    A proper causal path starts in X and never returns to X; Y nodes count when reachable.
    """
    # descendants of X without passing through X again (edges into X removed)
    down = set()
    stack = list(xs)
    while stack:
        v = stack.pop()
        for c in adm.children[v] | adm.und(v):      # possibly directed in a PDAG
            if c not in xs and c not in down:
                down.add(c)
                stack.append(c)
    # ancestors of Y without leaving X (edges out of X removed): stop at X
    up = set(ys)
    stack = list(ys)
    while stack:
        v = stack.pop()
        for p in adm.parents[v] | adm.und(v):
            if p not in xs and p not in up:
                up.add(p)
                stack.append(p)
    return down & up


def edge_visible(adm: Admg, a: str, b: str) -> bool:
    """Is the edge a -> b visible (no latent confounder can hide behind it)? Always in a DAG/PDAG.

    In a MAG (Zhang 2008, Def. 3.1; DAGitty's GraphAnalyzer.isEdgeVisible): visible iff some V
    not adjacent to b has an arrowhead into a, directly (V -> a, V <-> a) or through a collider
    path V *-> D1 <-> … <-> a whose inner nodes are all parents of b.
    """
    if adm.kind != "mag":     # DAG and PDAG: every directed edge is visible (as in DAGitty)
        return True
    near_b = adm.neighbours(b) | {b}
    district, stack = {a}, [a]
    while stack:
        v = stack.pop()
        for s in adm.spouses[v]:
            if s in adm.parents[b] and s not in district:
                district.add(s)
                stack.append(s)
    return any((adm.parents[d] | adm.spouses[d]) - near_b for d in district)


# ---- m-separation -----------------------------------------------------------------------------

def reachable(adm: Admg, xs: Iterable[str], zs: frozenset[str] | set[str]) -> set[str]:
    """Nodes joined to some node of `xs` by a path that is open given `zs` (Bayes-ball on an ADMG).

    A walk state is (node, arrived with an arrowhead at the node). A node passes the walk on
    as a collider (arrowheads on both sides) only when it or a descendant is in Z, and as a
    non-collider only when it is not in Z. Runs in time linear in the graph size.
    """
    xs = set(xs)
    an_z = ancestors(adm, zs)
    seen: set[tuple[str, bool]] = set()
    out: set[str] = set()
    queue: deque[tuple[str, bool]] = deque()

    def push(v: str, head: bool) -> None:
        if (v, head) not in seen:
            seen.add((v, head))
            queue.append((v, head))

    # An undirected edge v -- w (PDAG) is walked in the direction of travel, as DAGitty's
    # dConnected does: leaving v "downwards" it acts as v -> w, "upwards" as v <- w.
    for x in xs:
        for c in adm.children[x]:
            push(c, True)
        for p in adm.parents[x] | adm.und(x):
            push(p, False)
        for s in adm.spouses[x]:
            push(s, True)
    while queue:
        v, head = queue.popleft()
        out.add(v)
        if v in xs:
            continue          # a path through another X node is covered from that node
        if not head:          # arrived along v → (tail at v): v is a non-collider whatever follows
            if v not in zs:
                for c in adm.children[v]:
                    push(c, True)
                for p in adm.parents[v] | adm.und(v):
                    push(p, False)
                for s in adm.spouses[v]:
                    push(s, True)
            continue
        if v not in zs:       # leave by v → c: a chain or fork through v
            for c in adm.children[v] | adm.und(v):
                push(c, True)
        if v in an_z:         # leave with an arrowhead at v: v is a collider
            for p in adm.parents[v]:
                push(p, False)
            for s in adm.spouses[v]:
                push(s, True)
    return out


def m_separated(adm: Admg | Adjacency, xs: Iterable[str], ys: Iterable[str],
                zs: Iterable[str]) -> bool:
    """True when every path between X and Y is blocked by Z (d-separation, with ↔ edges).

    The walk of `reachable`, stopping at the first node of Y it reaches (the single-query path:
    no reachable set is built and no neighbour sets are merged).
    """
    xs, ys, zs = set(xs), set(ys), frozenset(zs)
    an_z = ancestors(adm, zs) if zs else set()
    parents, children, spouses = adm.parents, adm.children, adm.spouses
    und = adm.undirected.get if adm.undirected else None
    none: frozenset[str] = frozenset()
    seen_head: set[str] = set()       # reached with an arrowhead at the node
    seen_tail: set[str] = set()       # reached along an edge leaving the node
    heads: list[str] = []
    tails: list[str] = []
    for x in xs:
        heads.extend(children[x])
        heads.extend(spouses[x])
        tails.extend(parents[x])
        if und:
            tails.extend(und(x, none))
    while heads or tails:
        if tails:
            v = tails.pop()
            if v in seen_tail:
                continue
            seen_tail.add(v)
            if v in ys:
                return False
            if v in xs or v in zs:
                continue
            heads.extend(children[v])
            heads.extend(spouses[v])
            tails.extend(parents[v])
            if und:
                tails.extend(und(v, none))
        else:
            v = heads.pop()
            if v in seen_head:
                continue
            seen_head.add(v)
            if v in ys:
                return False
            if v in xs:
                continue
            if v not in zs:
                heads.extend(children[v])
                if und:
                    heads.extend(und(v, none))
            if v in an_z:
                tails.extend(parents[v])
                heads.extend(spouses[v])
    return True


# ---- minimal separators -----------------------------------------------------------------------

def separator_graph(adm: Admg, xs: Iterable[str], ys: Iterable[str],
                    allowed: Iterable[str], forced: Iterable[str] = ()) -> dict | None:
    """The moral graph of An(X ∪ Y) with X, Y contracted and non-allowed nodes eliminated.

    Separation in the moral graph of the ancestral set is d-separation (Lauritzen et al. 1990);
    every minimal d-separator lies inside An(X ∪ Y) (Tian, Paz & Pearl 1998), so the minimal
    X–Y vertex separators of this graph are exactly the minimal d-separators using only
    `allowed` nodes. A bidirected edge a ↔ b counts as a latent parent of a and b. Returns None
    when X and Y cannot be separated at all (they are adjacent after elimination).

    `forced` nodes are conditioned on in every separator (adjusted or selected nodes): the
    ancestral set grows to An(X ∪ Y ∪ forced), where every forced-minimal separator lies (van
    der Zander, Liśkiewicz & Textor 2019, as DAGitty's listMsasTotalEffect), and the forced
    nodes are removed from the graph, so the separators listed are the extra nodes needed.
    """
    xs, ys, forced = set(xs), set(ys), set(forced) - set(xs) - set(ys)
    anc = anteriors(adm, xs | ys | forced)
    keep = (set(allowed) & anc) - xs - ys - forced
    adj: dict[object, set] = {}

    def link(a, b) -> None:
        if a != b:
            adj.setdefault(a, set()).add(b)
            adj.setdefault(b, set()).add(a)

    def name(v):
        return SOURCE if v in xs else TARGET if v in ys else v

    for v in anc:
        adj.setdefault(name(v), set())
        pars: list[object] = [name(p) for p in adm.parents[v]]
        pars += [("↔",) + tuple(sorted((v, s))) for s in adm.spouses[v]]
        for p in pars:
            link(name(v), p)
        for u in adm.und(v):             # PDAG: undirected edges stay (DAGitty's moralGraph)
            if u in anc:
                link(name(v), name(u))
        for i in range(len(pars)):
            for j in range(i + 1, len(pars)):
                link(pars[i], pars[j])
    # eliminate every node that may not be used: join all its usable neighbours instead
    drop = {v for v in adj
            if v not in keep and v not in forced and v is not SOURCE and v is not TARGET}
    done: set = set()
    for start in drop:
        if start in done:
            continue
        comp, border, stack = {start}, set(), [start]
        while stack:
            v = stack.pop()
            for w in adj[v]:
                if w in drop:
                    if w not in comp:
                        comp.add(w)
                        stack.append(w)
                else:
                    border.add(w)
        done |= comp
        border = list(border)
        for i in range(len(border)):
            for j in range(i + 1, len(border)):
                link(border[i], border[j])
    for v in drop | (forced & set(adj)):
        for w in adj.pop(v):
            if w in adj:
                adj[w].discard(v)
    adj.setdefault(SOURCE, set())
    adj.setdefault(TARGET, set())
    if TARGET in adj[SOURCE]:
        return None
    return adj


def _component(adj: dict, start, removed: set) -> set:
    seen = {start}
    stack = [start]
    while stack:
        v = stack.pop()
        for w in adj[v]:
            if w not in seen and w not in removed:
                seen.add(w)
                stack.append(w)
    return seen


def _border(adj: dict, comp: set) -> frozenset:
    out = set()
    for v in comp:
        out |= adj[v]
    return frozenset(out - comp)


def minimal_separators(adj: dict, limit: int | None = None) -> tuple[list[frozenset], bool]:
    """All minimal SOURCE–TARGET vertex separators of `adj`, smallest first.

    Kloks & Kratsch (1998): start from the separator closest to the source; from each found
    separator S and each x in S, move x to the source side and take the separator closest to
    that enlarged side, N(C_t(N(C_s(S) ∪ {x}))). Every minimal separator is reached. Returns
    (separators, truncated).
    """
    first = _border(adj, _component(adj, TARGET, set(_border(adj, {SOURCE}))))
    found = {first}
    queue = deque([first])
    truncated = False
    while queue:
        sep = queue.popleft()
        side = _component(adj, SOURCE, set(sep))
        for x in sep:
            if TARGET in adj[x]:
                continue
            grown = side | {x}
            near = set(_border(adj, grown))
            nxt = _border(adj, _component(adj, TARGET, near))
            if nxt not in found:
                if limit is not None and len(found) >= limit:
                    truncated = True
                    queue.clear()
                    break
                found.add(nxt)
                queue.append(nxt)
    seps = sorted(found, key=lambda s: (len(s), sorted(map(str, s))))
    return seps, truncated


def nearest_separator(adm: Admg, a: Iterable[str], b: Iterable[str],
                      allowed: Iterable[str]) -> frozenset[str] | None:
    """A minimal separator of A and B chosen as close to A as possible (None if none exists).

    Used for conditional instruments (van der Zander, Textor & Liśkiewicz 2015, "nearest
    separator"): the usable neighbours of A in the separator graph, pruned to those B reaches.
    """
    adj = separator_graph(adm, a, b, allowed)
    if adj is None:
        return None
    near = set(adj[SOURCE])
    reach = _component(adj, TARGET, near)
    return frozenset(v for v in near if adj[v] & reach)
