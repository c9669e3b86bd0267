"""Greedy Equivalence Search (Chickering 2002) on plain Python sets.

The operators, validity tests, subset pruning and visiting order are causal-learn's (so the
result is the same graph, see tests/reference/test_discovery_vs_causallearn.py), but the
CPDAG lives in sets instead of GeneralGraph objects, the semi-directed path test is a
breadth-first search instead of an enumeration of all paths, and re-completing the CPDAG
after each step uses app.discovery.pdag. Background knowledge: Insert operators that would
create a forbidden edge are skipped, Delete operators never remove a required pair, and the
search starts from the required edges.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from itertools import combinations

from app.discovery.pdag import Pdag, cpdag_of_dag, dag_extension


class _State:
    """A CPDAG over nodes 0..p-1: parents, children and undirected neighbours per node."""

    def __init__(self, p: int, directed=(), undirected=()) -> None:
        self.p = p
        self.pa = [set() for _ in range(p)]
        self.ch = [set() for _ in range(p)]
        self.ne = [set() for _ in range(p)]
        for a, b in directed:
            self.pa[b].add(a)
            self.ch[a].add(b)
        for a, b in undirected:
            self.ne[a].add(b)
            self.ne[b].add(a)

    def adj(self, x: int) -> set[int]:
        return self.pa[x] | self.ch[x] | self.ne[x]

    def adjacent(self, a: int, b: int) -> bool:
        return b in self.pa[a] or b in self.ch[a] or b in self.ne[a]

    def clique(self, nodes) -> bool:
        nodes = list(nodes)
        return all(self.adjacent(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1:])

    def blocked_reach(self, start: int, target: int, blocked: set[int]) -> bool:
        """True when every semi-directed path start ⇝ target passes through `blocked`."""
        seen = {start}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for nxt in self.ch[node] | self.ne[node]:
                if nxt == target:
                    return False
                if nxt not in seen and nxt not in blocked:
                    seen.add(nxt)
                    queue.append(nxt)
        return True

    def edges(self) -> tuple[set[tuple[int, int]], set[frozenset]]:
        directed = {(a, b) for b in range(self.p) for a in self.pa[b]}
        undirected = {frozenset((a, b)) for a in range(self.p) for b in self.ne[a]}
        return directed, undirected


def _subsets(items: list[int]) -> list[tuple[int, ...]]:
    """All subsets by size, as causal-learn's Combinatorial lists them."""
    return [s for n in range(len(items) + 1) for s in combinations(items, n)]


def _supersets(s0: tuple[int, ...], subs: list[tuple[int, ...]]) -> list[int]:
    base = set(s0)
    return [i for i, s in enumerate(subs) if base <= set(s)]


def _complete(state: _State, directed: set, undirected: set) -> _State:
    """Back to a CPDAG: a consistent DAG extension, then its essential graph."""
    nodes = list(range(state.p))
    pd = Pdag([str(n) for n in nodes], {(str(a), str(b)) for a, b in directed},
              {frozenset(str(n) for n in u) for u in undirected})
    dag = dag_extension(pd)
    if dag is None:   # cannot happen for valid operators; keep the graph as it is
        dag = {(a, b) for a, b in pd.directed}
    cp = cpdag_of_dag(pd.nodes, dag)
    return _State(state.p, [(int(a), int(b)) for a, b in cp.directed],
                  [tuple(int(n) for n in u) for u in cp.undirected])


def ges_search(p: int, score: Callable[[int, list[int]], float], *,
               forbidden: Callable[[int, int], bool] = lambda a, b: False,
               required: set[tuple[int, int]] = frozenset(),
               max_parents: int | None = None) -> tuple[set[tuple[int, int]], set[frozenset]]:
    """GES over variables 0..p-1 with a decomposable local score (higher is better).
    Returns the directed edges and undirected pairs of the learned CPDAG."""
    max_parents = p if max_parents is None else max_parents
    state = _complete(_State(p), set(required), set()) if required else _State(p)
    req_pairs = {frozenset(e) for e in required}
    cache: dict[tuple[int, tuple[int, ...]], float] = {}

    def s(j: int, parents: set[int]) -> float:
        key = (j, tuple(sorted(parents)))
        v = cache.get(key)
        if v is None:
            v = cache[key] = score(j, list(key[1]))
        return v

    while True:   # forward phase: the best valid Insert(i, j, T)
        best, best_op = -1e7, None
        for i in range(p):
            adj_i = state.adj(i)
            for j in range(p):
                if i == j or j in adj_i or forbidden(i, j) or len(state.pa[j]) > max_parents:
                    continue
                na = state.ne[j] & adj_i
                subs = _subsets(sorted(state.ne[j] - adj_i))
                flag = [0] * len(subs)
                for k, t in enumerate(subs):
                    if flag[k] >= 2 or any(forbidden(x, j) for x in t):
                        continue
                    nat = na | set(t)
                    if state.clique(nat):
                        if flag[k] or state.blocked_reach(j, i, nat):
                            for m in _supersets(t, subs):
                                flag[m] = 1
                            base = nat | state.pa[j]
                            delta = s(j, base | {i}) - s(j, base)
                            if delta > best:
                                best, best_op = delta, (i, j, t)
                    else:
                        for m in _supersets(t, subs):
                            flag[m] = 2
        if best_op is None or best <= 0:
            break
        i, j, t = best_op
        directed, undirected = state.edges()
        directed.add((i, j))
        for x in t:
            undirected.discard(frozenset((x, j)))
            directed.add((x, j))
        state = _complete(state, directed, undirected)

    while True:   # backward phase: the best valid Delete(i, j, H)
        best, best_op = -1e7, None
        for i in range(p):
            for j in range(p):
                if not (j in state.ne[i] or i in state.pa[j]) or frozenset((i, j)) in req_pairs:
                    continue
                na = state.ne[j] & state.adj(i)
                subs = _subsets(sorted(na))
                flag = [1] * len(subs)
                for k, h in enumerate(subs):
                    rest = na - set(h)
                    if flag[k] == 1:
                        valid = state.clique(rest)
                        if valid:
                            for m in _supersets(h, subs):
                                flag[m] = 2
                    else:
                        valid = True
                    if valid:
                        base = rest | state.pa[j]
                        delta = s(j, base - {i}) - s(j, base | {i})
                        if delta > best:
                            best, best_op = delta, (i, j, h)
        if best_op is None or best <= 0:
            break
        i, j, h = best_op
        directed, undirected = state.edges()
        directed.discard((i, j))
        directed.discard((j, i))
        undirected.discard(frozenset((i, j)))
        for x in h:   # Chickering's Delete: y — h becomes y → h, x — h becomes x → h
            if frozenset((j, x)) in undirected:
                undirected.discard(frozenset((j, x)))
                directed.add((j, x))
            if frozenset((i, x)) in undirected:
                undirected.discard(frozenset((i, x)))
                directed.add((i, x))
        state = _complete(state, directed, undirected)
    return state.edges()
