"""Which single-variable experiment to run next on a learned equivalence class (CPDAG).

Intervening on v reveals the direction of every edge at v; Meek's rules then orient more. The
edges oriented for a true member DAG D are the directed edges of D's interventional essential
graph (Hauser & Bühlmann 2012, JMLR 13, Thm 10 and 18): the CPDAG with v's edges oriented as
in D, closed under Meek's rules. Ranking follows Hauser & Bühlmann (2014, JMLR 15): worst case
over the class members and expectation with the members equally likely.

How it avoids enumerating the class (which can hold millions of DAGs):
- the class is a product over the chain components (the connected parts of the undirected
  edges), each oriented without new colliders (Andersson et al. 1997); an intervention on v
  only orients edges of v's component, so only that component matters;
- the outcome for D depends only on which neighbours are v's parents in D. The possible parent
  sets are exactly the cliques of v's undirected neighbourhood (He & Geng 2008, Thm 4; Hauser &
  Bühlmann 2014, Lemma 1), so the worst case is a minimum over those cliques;
- each clique is weighted by the number of members with that parent set: the product of the
  member counts of the chain components left after the closure, counted by the root recursion
  of He, Jia & Yu (2015, JMLR 16): #members(U) = Σ_u Π #members(components when u is a source).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import factorial

import networkx as nx

from app.discovery.pdag import Pdag, meek_closure
from app.discovery.result import DiscoveryResult
from app.errors import DiscoveryError

Edge = tuple[str, str]
MAX_LOCAL = 300      # parent-set cliques examined per variable before refusing to rank it
MAX_COUNT_STEPS = 5_000   # closures spent counting members before giving up the average


class _TooLarge(Exception):
    """Counting the class would take more than MAX_COUNT_STEPS closures."""


@dataclass(frozen=True)
class InterventionScore:
    """What intervening on `target` would tell, over the members of the class.

    `worst`/`best`: fewest/most undecided edges oriented for any member; `expected`: the mean
    over members (equally likely), None when the class was too large to count; `always`: edges
    oriented whatever the true member is, `sometimes`: for some members only; `edge_chance`:
    the share of members for which each of those is oriented (empty when not counted).
    """

    target: str
    worst: int
    expected: float | None
    best: int
    always: tuple[Edge, ...]
    sometimes: tuple[Edge, ...]
    edge_chance: dict[Edge, float]
    outcomes: int             # distinct parent sets of the target in the class


@dataclass(frozen=True)
class ExperimentPlan:
    """Single-variable interventions ranked best first (largest worst case, then expectation)."""

    undecided: tuple[Edge, ...]         # undirected edges of the class, name order in each
    members: int | None                 # DAGs in the equivalence class (None: too many to count)
    scores: tuple[InterventionScore, ...]
    notes: tuple[str, ...] = ()

    @property
    def best(self) -> InterventionScore | None:
        return self.scores[0] if self.scores else None

    def sentence(self, score: InterventionScore | None = None) -> str:
        """One plain sentence about a choice (the top one by default)."""
        s = score or self.best
        n = len(self.undecided)
        if s is None and self.undecided:
            return "No variable could be ranked within the limits: see the notes."
        if s is None:
            return "No edge is left undecided: every direction is already known."
        if s.worst == s.best:
            return (f"Intervening on {s.target} orients {s.worst} of the {n} undecided edges, "
                    "whichever graph of the class is the true one.")
        if s.expected is None:
            return (f"Intervening on {s.target} orients at least {s.worst} and at most "
                    f"{s.best} of the {n} undecided edges (the class is too large to count, so "
                    "no average is given).")
        return (f"Intervening on {s.target} orients at least {s.worst} and on average "
                f"{s.expected:.2f} of the {n} undecided edges (at most {s.best}), over the "
                f"{self.members:,} graphs of the class taken as equally likely.")


def count_members(undirected: nx.Graph) -> int | None:
    """How many DAGs orient the undirected edges of a CPDAG (given as the graph of its
    undirected edges) without new v-structures or cycles: the product of the member counts of
    its chain components (He, Jia & Yu 2015). None when counting would take more than
    MAX_COUNT_STEPS steps (the class is then very large)."""
    counter = _Counter(undirected, counting=True)
    total = 1
    try:
        for comp in nx.connected_components(undirected):
            if len(comp) > 1:
                total *= counter.count(frozenset(comp))
    except _TooLarge:
        return None
    return total


def plan_experiments(result: DiscoveryResult | Pdag) -> ExperimentPlan:
    """Rank interventions on a CPDAG (a discovery result or a Pdag); PAGs are refused."""
    undecided, skeleton, components, notes = _prepare(result)
    targets = [(comp, v) for comp in components for v in sorted(comp)]
    counter = _Counter(skeleton, counting=True)
    try:
        members: int | None = 1
        for comp in components:
            members *= counter.count(comp)
        found = [counter.score(comp, v) for comp, v in targets]
    except _TooLarge:
        counter, members = _Counter(skeleton, counting=False), None
        notes.append(f"The class is too large to count its members here (more than "
                     f"{MAX_COUNT_STEPS:,} steps), so the ranking uses the exact worst and best "
                     "cases only, not the average.")
        found = [counter.score(comp, v) for comp, v in targets]
    notes += [f"{v} is skipped: its neighbourhood allows more than {MAX_LOCAL:,} parent sets."
              for (_, v), sc in zip(targets, found) if sc is None]
    scores = sorted((sc for sc in found if sc is not None),
                    key=lambda sc: (-sc.worst, -(sc.expected or 0.0), -sc.best, sc.target))
    return ExperimentPlan(undecided, members, tuple(scores), tuple(notes))


def _prepare(result: DiscoveryResult | Pdag
             ) -> tuple[tuple[Edge, ...], nx.Graph, list[frozenset], list[str]]:
    """The undecided edges, their skeleton, its chain components (chordal, checked) and notes."""
    if isinstance(result, DiscoveryResult):
        if result.graph_type == "PAG" or result.circle_edges:
            raise DiscoveryError(
                "The experiment ranking is for CPDAGs (PC, GES) only. A PAG (FCI) allows latent "
                "common causes, and which edges an experiment orients then depends on them.")
        notes = (("Latent-link (↔) edges are left out of the ranking.",)
                 if result.bidirected else ())
        pdag = result.to_pdag()
    else:
        pdag, notes = result, ()
    closed = meek_closure(pdag)
    undecided = tuple(sorted(tuple(sorted(p)) for p in closed.undirected))
    skeleton = nx.Graph()
    skeleton.add_nodes_from(closed.nodes)
    skeleton.add_edges_from(undecided)
    components = [frozenset(c) for c in nx.connected_components(skeleton) if len(c) > 1]
    for comp in components:
        if not nx.is_chordal(skeleton.subgraph(comp)):
            raise DiscoveryError(
                "The undirected part of this graph is not chordal (it has an unbroken cycle of "
                "four or more undecided edges), so it is not an equivalence class of DAGs. This "
                "happens when background knowledge or test errors conflict; the ranking needs a "
                "valid CPDAG.")
    return undecided, skeleton, components, list(notes)


@dataclass
class _Closed:
    """The result of a closure on one component: undirected pairs left, and parents."""

    undirected: set[Edge]
    parents: dict[str, set[str]]

    def directed(self) -> list[Edge]:
        return [(p, c) for c, ps in self.parents.items() for p in ps]


def _meek(und: dict[str, set[str]], par: dict[str, set[str]],
          ch: dict[str, set[str]]) -> _Closed:
    """Meek's rules R1–R4 as in `app.discovery.pdag.meek_closure` (tested equal to it), on
    adjacency sets with a work list: the same closure, fast enough to be run once per root and
    per parent set on components of a hundred nodes. Mutates its arguments."""

    def adj(a: str, b: str) -> bool:
        return b in und[a] or b in par[a] or b in ch[a]

    def applies(x: str, y: str) -> bool:
        if any(w != y and not adj(w, y) for w in par[x]):                      # R1
            return True
        if ch[x] & par[y]:                                                      # R2
            return True
        cs = sorted(und[x] & par[y])                                            # R3
        if any(not adj(c, d) for i, c in enumerate(cs) for d in cs[i + 1:]):
            return True
        return any(not adj(c, y) and d != x and d in par[y] and adj(x, d)     # R4
                   for c in und[x] for d in ch[c])

    def around(x: str, y: str) -> set[Edge]:
        """Undirected pairs a new arrow x → y can make orientable: those at y (R1, R2, R3, R4),
        at x (R2) and at x's undirected neighbours (R4, x → y as its c → d)."""
        return {(n, m) if n < m else (m, n) for n in ({x, y} | und[x]) for m in und[n]}

    todo = set().union(*(around(x, y) for x in ch for y in ch[x]))
    while todo:
        a, b = todo.pop()
        if b not in und[a]:
            continue
        for x, y in ((a, b), (b, a)):
            if applies(x, y):
                und[x].discard(y)
                und[y].discard(x)
                par[y].add(x)
                ch[x].add(y)
                todo |= around(x, y)
                break
    return _Closed({(a, b) for a in und for b in und[a] if a < b}, par)


class _Counter:
    """Member counts and intervention outcomes on the chordal components of one skeleton."""

    def __init__(self, skeleton: nx.Graph, counting: bool) -> None:
        self.g = skeleton
        self.counting = counting
        self.steps = 0
        self.closures = 0
        self.count = lru_cache(maxsize=None)(self._count)

    def _closure(self, comp: frozenset, parents: tuple, v: str) -> _Closed:
        """Component `comp` with v's edges oriented (parents → v → others), Meek-closed."""
        self.closures += 1
        und = {n: set(self.g[n]) & comp for n in comp}
        par: dict[str, set[str]] = {n: set() for n in comp}
        ch: dict[str, set[str]] = {n: set() for n in comp}
        for c in und.pop(v):
            und[c].discard(v)
            a, b = (c, v) if c in parents else (v, c)
            par[b].add(a)
            ch[a].add(b)
        und[v] = set()
        return _meek(und, par, ch)

    def _rest(self, closed: _Closed) -> int:
        """Members left after a closure: product over its remaining chain components."""
        rest = nx.Graph()
        rest.add_edges_from(closed.undirected)
        out = 1
        for c in nx.connected_components(rest):
            out *= self.count(frozenset(c))
        return out

    def _count(self, comp: frozenset) -> int:
        """Orientations of the chordal component without new colliders (He, Jia & Yu 2015)."""
        size, edges = len(comp), self.g.subgraph(comp).number_of_edges()
        if edges == size - 1:             # a tree: one member per root
            return size
        if edges == size * (size - 1) // 2:   # complete: every order of the nodes
            return factorial(size)
        self.steps += size
        if self.steps > MAX_COUNT_STEPS:
            raise _TooLarge
        return sum(self._rest(self._closure(comp, (), u)) for u in sorted(comp))

    def cliques(self, comp: frozenset, v: str) -> list[tuple[str, ...]] | None:
        """v's possible parent sets within chain component `comp`: the cliques of its
        neighbourhood there, the empty one included (None: more than MAX_LOCAL)."""
        nbrs = sorted(set(self.g[v]) & comp)
        cliques: list[tuple[str, ...]] = [()]
        sub = self.g.subgraph(nbrs)
        for size in range(1, len(nbrs) + 1):
            level = [c for c in combinations(nbrs, size)
                     if all(sub.has_edge(a, b) for a, b in combinations(c, 2))]
            if not level:
                break
            cliques += level
            if len(cliques) > MAX_LOCAL:
                return None
        return cliques

    def outcomes(self, comp: frozenset, targets: tuple[str, ...]
                 ) -> list[tuple[frozenset[Edge], int]] | None:
        """Every outcome of one experiment on each of `targets` (all in chain component
        `comp`): the edges of comp left undirected, and how many members give that outcome.

        Targets are taken in turn: once the first one's edges are oriented and closed, the next
        one's possible parent sets are the cliques of its neighbourhood in the chain component
        it is left in (a chain component of an interventional essential graph is again chordal;
        Hauser & Bühlmann 2012, Thm 18), and orienting both then closing equals closing in turn.
        The members of one outcome are the orientations of its remaining components, counted
        as for a single target. None when a neighbourhood has more than MAX_LOCAL cliques."""
        done: list[tuple[frozenset[Edge], int]] = []
        todo = [(frozenset(tuple(sorted(e)) for e in self.g.subgraph(comp).edges), 0)]
        while todo:
            open_edges, i = todo.pop()
            if i == len(targets):
                weight = 1
                if self.counting:
                    rest = nx.Graph(list(open_edges))
                    for c in nx.connected_components(rest):
                        weight *= self.count(frozenset(c))
                done.append((open_edges, weight))
                continue
            v = targets[i]
            rest = nx.Graph(list(open_edges))
            if v not in rest:
                todo.append((open_edges, i + 1))
                continue
            here = frozenset(nx.node_connected_component(rest, v))
            cliques = self.cliques(here, v)
            if cliques is None:
                return None
            others = frozenset(e for e in open_edges if e[0] not in here)
            for parents in cliques:
                closed = self._closure(here, parents, v)
                todo.append((others | {tuple(sorted(e)) for e in closed.undirected}, i + 1))
        return done

    def score(self, comp: frozenset, v: str) -> InterventionScore | None:
        cliques = self.cliques(comp, v)
        if cliques is None:
            return None
        n_edges = self.g.subgraph(comp).number_of_edges()
        total, weighted = 0, 0
        worst, best = n_edges, 0
        chance: dict[Edge, int] = {}
        for parents in cliques:
            closed = self._closure(comp, parents, v)
            k = n_edges - len(closed.undirected)
            w = self._rest(closed) if self.counting else 1
            total += w
            weighted += w * k
            worst, best = min(worst, k), max(best, k)
            for a, b in closed.directed():
                e = (a, b) if a < b else (b, a)
                chance[e] = chance.get(e, 0) + w
        always = tuple(sorted(e for e, c in chance.items() if c == total))
        sometimes = tuple(sorted(e for e, c in chance.items() if c < total))
        if not self.counting:
            return InterventionScore(v, worst, None, best, always, sometimes, {}, len(cliques))
        return InterventionScore(v, worst, weighted / total, best, always, sometimes,
                                 {e: c / total for e, c in sorted(chance.items())}, len(cliques))


# ---- two experiments --------------------------------------------------------------------------
PAIR_ALL = 12          # with at most this many candidates every pair is ranked
PAIR_TOP = 8           # else the pairs of the best PAIR_TOP single candidates
MAX_PAIR_CLOSURES = 40_000   # closures spent on pairs before the rest are left out


@dataclass(frozen=True)
class PairScore:
    """Two experiments, one on each of `targets` (each intervening on one variable): edges
    oriented over the class members, as InterventionScore."""

    targets: tuple[str, str]
    worst: int
    expected: float | None
    best: int
    always: tuple[Edge, ...]
    sometimes: tuple[Edge, ...]


@dataclass(frozen=True)
class PairPlan:
    """Pairs of single-variable experiments ranked best first (worst case, then expectation)."""

    undecided: tuple[Edge, ...]
    members: int | None
    candidates: tuple[str, ...]          # the variables whose pairs were ranked
    scores: tuple[PairScore, ...]
    notes: tuple[str, ...] = ()

    @property
    def best(self) -> PairScore | None:
        return self.scores[0] if self.scores else None

    def sentence(self, score: PairScore | None = None) -> str:
        s = score or self.best
        n = len(self.undecided)
        if s is None:
            return "No pair of experiments could be ranked."
        a, b = s.targets
        if s.worst == s.best:
            return (f"Two experiments, on {a} and on {b}, orient {s.worst} of the {n} undecided "
                    "edges, whichever graph of the class is the true one.")
        avg = "" if s.expected is None else f", on average {s.expected:.2f}"
        return (f"Two experiments, on {a} and on {b}, orient at least {s.worst}{avg} and at "
                f"most {s.best} of the {n} undecided edges.")


def plan_pairs(result: DiscoveryResult | Pdag, singles: ExperimentPlan | None = None
               ) -> PairPlan:
    """Rank pairs of experiments (one on each variable of the pair; Hauser & Bühlmann 2014 rank
    intervention families the same way: worst case over the members, then the mean).

    Bounded: every pair when there are at most PAIR_ALL candidates, else the pairs of the
    PAIR_TOP best single experiments; at most MAX_PAIR_CLOSURES closures in all. Two targets in
    different chain components add up (the class is a product over them); two in one component
    are followed through every joint outcome (see _Counter.outcomes)."""
    singles = singles or plan_experiments(result)
    undecided, skeleton, components, _ = _prepare(result)
    notes: list[str] = []
    comp_of = {v: comp for comp in components for v in comp}
    ranked = [s.target for s in singles.scores]
    candidates = ranked if len(ranked) <= PAIR_ALL else ranked[:PAIR_TOP]
    if len(ranked) > PAIR_ALL:
        notes.append(f"Pairs of the {PAIR_TOP} best single experiments (of {len(ranked)}) are "
                     "ranked; a pair of weaker ones rarely beats them and ranking every pair "
                     "would take long.")
    try:
        found = _rank_pairs(skeleton, comp_of, candidates, singles.members is not None, notes)
    except _TooLarge:
        notes.append("Counting the members after two experiments took too long, so pairs are "
                     "ranked by their exact worst and best cases only.")
        found = _rank_pairs(skeleton, comp_of, candidates, False, notes)
    scores = sorted(found, key=lambda s: (-s.worst, -(s.expected or 0.0), -s.best, s.targets))
    return PairPlan(undecided, singles.members, tuple(candidates), tuple(scores), tuple(notes))


def _rank_pairs(skeleton: nx.Graph, comp_of: dict, candidates: list[str], counting: bool,
                notes: list[str]) -> list[PairScore]:
    counter = _Counter(skeleton, counting=counting)
    single_stats = {}
    found: list[PairScore] = []
    spent = 0
    for a, b in combinations(sorted(candidates), 2):
        if comp_of[a] == comp_of[b]:
            before = counter.closures
            stats = _stats(counter, skeleton, comp_of[a], (a, b))
            spent += counter.closures - before
        else:
            for v in (a, b):
                if v not in single_stats:
                    single_stats[v] = _stats(counter, skeleton, comp_of[v], (v,))
            sa, sb = single_stats[a], single_stats[b]
            stats = None if sa is None or sb is None else (
                sa[0] + sb[0], None if sa[1] is None else sa[1] + sb[1], sa[2] + sb[2],
                sa[3] | sb[3], sa[4] | sb[4])
        if stats is not None:
            worst, expected, best, always, sometimes = stats
            found.append(PairScore((a, b), worst, expected, best, tuple(sorted(always)),
                                   tuple(sorted(sometimes))))
        if spent > MAX_PAIR_CLOSURES:
            notes.append(f"Stopped after {MAX_PAIR_CLOSURES:,} closures: the pairs not shown "
                         "were not ranked.")
            break
    return found


def _stats(counter: _Counter, skeleton: nx.Graph, comp: frozenset, targets: tuple[str, ...]):
    """(worst, expected, best, always, sometimes) of experiments on `targets` within `comp`."""
    outcomes = counter.outcomes(comp, targets)
    if outcomes is None:
        return None
    edges = {tuple(sorted(e)) for e in skeleton.subgraph(comp).edges}
    total = sum(w for _, w in outcomes)
    ks = [(len(edges) - len(open_edges), w) for open_edges, w in outcomes]
    oriented = [edges - open_edges for open_edges, _ in outcomes]
    always = set.intersection(*oriented) if oriented else set()
    sometimes = set.union(*oriented) - always if oriented else set()
    expected = (sum(k * w for k, w in ks) / total) if counter.counting else None
    return (min(k for k, _ in ks), expected, max(k for k, _ in ks), always, sometimes)


@dataclass(frozen=True)
class ClassShrink:
    """The class learned from observational rows alone (PC) beside the one learned from all
    rows with the regime column as CD-NOD's context: how many edges the experiments decided."""

    regime: str
    before: DiscoveryResult
    after: DiscoveryResult
    undecided_before: int
    undecided_after: int
    changed: tuple[str, ...]       # variables whose mechanism differs across regimes

    def sentence(self) -> str:
        told = self.undecided_before - self.undecided_after
        moved = ", ".join(self.changed) or "none"
        return (f"Observational rows alone leave {self.undecided_before} edges undecided; with "
                f"the experimental rows (regime column {self.regime}) {self.undecided_after} "
                f"remain, so the experiments decided {told}. Variables whose mechanism "
                f"changes across regimes: {moved}.")


def class_shrink(df, regime: str, observational: object, variables=None,
                 **options) -> ClassShrink:
    """Learn with and without the experimental rows: PC on the rows whose `regime` equals
    `observational`, then CD-NOD on all rows with `regime` as context (Huang et al. 2020), an
    intervened variable showing up as a child of the regime. `options` go to `discover`."""
    from app.discovery.engine import discover

    if regime not in df.columns:
        raise DiscoveryError(f"There is no column '{regime}' to read the regimes from.")
    labels = df[regime].astype(str)
    obs_mask = labels == str(observational)
    if not obs_mask.any():
        raise DiscoveryError(f"No row has '{observational}' in '{regime}': choose the value "
                             "that marks the observational (untouched) rows.")
    if obs_mask.all():
        raise DiscoveryError(f"Every row has '{observational}' in '{regime}': there are no "
                             "experimental rows to learn from.")
    names = [str(c) for c in (variables or df.columns) if str(c) != regime]
    before = discover(df.loc[obs_mask, names], method="pc", variables=names, **options)
    after = discover(df[[*names, regime]], method="cdnod", variables=names, domain_column=regime,
                     **options)
    changed = tuple(sorted(b for a, b in after.directed if a == regime))
    return ClassShrink(regime, before, after, len(before.undirected), len(after.undirected),
                       changed)
