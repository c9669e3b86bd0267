"""Experiment ranking on an equivalence class, checked against brute force over the members.

Reference: the members of a class are the DAGs with the same skeleton and the same
v-structures (Verma & Pearl 1990); intervening on v with observational data identifies exactly
the DAGs that also agree on every edge at v (Hauser & Bühlmann 2012, JMLR 13, Thm 10). The
brute force below enumerates every orientation of the skeleton with networkx and reads those
definitions directly (no Meek rules), then counts the undecided edges that all identified
members orient the same way. Hand-worked classes: the chain a—b—c (3 members) and the complete
graph on 3 nodes (6 members), as in Hauser & Bühlmann (2014, JMLR 15, Sec. 3).
"""
from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from app.discovery.experiments import plan_experiments
from app.discovery.pdag import Pdag, cpdag_of_dag
from app.discovery.result import DiscoveryResult, LearnedEdge
from app.errors import DiscoveryError


def _vstructs(edges):
    parents = {}
    for a, b in edges:
        parents.setdefault(b, set()).add(a)
    adj = {frozenset(e) for e in edges}
    return {(min(a, c), b, max(a, c)) for b, ps in parents.items()
            for a, c in itertools.combinations(sorted(ps), 2) if frozenset((a, c)) not in adj}


def _members(nodes, dag):
    """All DAGs Markov equivalent to `dag`: same skeleton, same v-structures (Verma & Pearl)."""
    pairs = sorted(tuple(sorted(e)) for e in dag)
    target = _vstructs(dag)
    out = []
    for flips in itertools.product((False, True), repeat=len(pairs)):
        edges = {(b, a) if f else (a, b) for (a, b), f in zip(pairs, flips)}
        g = nx.DiGraph(list(edges))
        g.add_nodes_from(nodes)
        if nx.is_directed_acyclic_graph(g) and _vstructs(edges) == target:
            out.append(frozenset(edges))
    return out


def _brute(nodes, dag):
    """{v: (worst, expected, best)} by the definitions, over undecided edges of the class."""
    members = _members(nodes, dag)
    undecided = {frozenset(e) for e in dag
                 if any((e[1], e[0]) in m for m in members)}
    out = {}
    for v in nodes:
        ks = []
        for d in members:
            at_v = {e for e in d if v in e}
            same = [m for m in members if at_v <= m]
            ks.append(sum(1 for p in undecided
                          if len({next(e for e in m if frozenset(e) == p) for m in same}) == 1))
        if any(v in p for p in undecided):
            out[v] = (min(ks), sum(ks) / len(ks), max(ks))
    return out, len(members), len(undecided)


def _random_chordal(rng, n, keep=0.6):
    """Each new node joins a clique around an earlier node: a simplicial elimination order in
    reverse, so the graph is chordal (Fulkerson & Gross 1965)."""
    g = nx.Graph()
    g.add_node(0)
    for v in range(1, n):
        clique = [rng.randrange(v)]
        for u in sorted(g[clique[0]]):
            if rng.random() < keep and all(g.has_edge(u, w) for w in clique):
                clique.append(u)
        g.add_edges_from((v, u) for u in clique)
    return g


def _plan_of(nodes, dag):
    return plan_experiments(cpdag_of_dag(nodes, dag))


def test_chain_by_hand():
    plan = _plan_of("abc", {("a", "b"), ("b", "c")})
    assert plan.members == 3 and len(plan.undecided) == 2
    top = plan.best
    assert (top.target, top.worst, top.expected, top.best) == ("b", 2, 2.0, 2)
    assert top.always == (("a", "b"), ("b", "c"))
    # intervening on a: a→b→c orients both (R1), a←b leaves b—c open in the other 2 members
    a = next(s for s in plan.scores if s.target == "a")
    assert (a.worst, a.best) == (1, 2) and a.expected == pytest.approx(4 / 3)
    assert a.edge_chance[("b", "c")] == pytest.approx(1 / 3)
    assert "orients 2 of the 2 undecided edges" in plan.sentence()


def test_complete_three_by_hand():
    plan = _plan_of("abc", {("a", "b"), ("b", "c"), ("a", "c")})
    assert plan.members == 6
    for s in plan.scores:   # source or sink (4 of 6): 2 edges; in the middle: R2 orients all 3
        assert (s.worst, s.best) == (2, 3) and s.expected == pytest.approx(7 / 3)
    assert "at least 2 and on average 2.33 of the 3" in plan.sentence()


def _random_dags(seed, count, n_max=5):
    rng = random.Random(seed)
    for _ in range(count):
        n = rng.randint(3, n_max)
        nodes = "abcde"[:n]
        order = rng.sample(nodes, n)
        dag = {(order[i], order[j]) for i in range(n) for j in range(i + 1, n)
               if rng.random() < 0.55}
        yield nodes, dag


@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force_on_small_classes(seed):
    for nodes, dag in _random_dags(seed, 12):
        want, n_members, n_und = _brute(nodes, dag)
        plan = _plan_of(nodes, dag)
        assert plan.members == n_members
        assert len(plan.undecided) == n_und
        got = {s.target: (s.worst, s.expected, s.best) for s in plan.scores}
        assert set(got) == set(want)
        for v, (w, e, b) in want.items():
            assert got[v][0] == w and got[v][2] == b
            assert got[v][1] == pytest.approx(e)


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_member_counts_textbook(n):
    """A complete undirected graph has n! members; an undirected tree has n (one per root)."""
    nodes = [f"x{i}" for i in range(n)]
    full = Pdag(nodes, set(), {frozenset(p) for p in itertools.combinations(nodes, 2)})
    assert plan_experiments(full).members == __import__("math").factorial(n)
    path = Pdag(nodes, set(), {frozenset((nodes[i], nodes[i + 1])) for i in range(n - 1)})
    assert plan_experiments(path).members == n


def test_directed_graph_has_nothing_to_rank():
    plan = _plan_of("abc", {("a", "c"), ("b", "c")})
    assert plan.scores == () and plan.members == 1
    assert "already known" in plan.sentence()


def test_pag_and_non_chordal_refused():
    pag = DiscoveryResult(nodes=("a", "b"), edges=(LearnedEdge("a", "b", "circle", "arrow"),),
                          graph_type="PAG", method="fci", method_name="FCI", reason="")
    with pytest.raises(DiscoveryError, match="CPDAGs"):
        plan_experiments(pag)
    square = Pdag(list("abcd"), set(), {frozenset(p) for p in ("ab", "bc", "cd", "da")})
    with pytest.raises(DiscoveryError, match="chordal"):
        plan_experiments(square)


@pytest.mark.parametrize("seed", range(4))
def test_fast_closure_equals_meek_closure(seed):
    """The ranking's own closure equals app.discovery.pdag.meek_closure (Meek 1995, R1–R4) on
    chordal components with one variable's edges oriented, as the ranking uses it."""
    from app.discovery.experiments import _meek
    from app.discovery.pdag import meek_closure

    rng = random.Random(seed)
    for _ in range(15):
        n = rng.randint(4, 9)
        g = _random_chordal(rng, n)
        nodes = [str(x) for x in g.nodes]
        v = rng.choice(nodes)
        nbrs = [str(u) for u in g[int(v)]]
        parents = [u for u in nbrs if rng.random() < 0.4][:1]
        directed = {(p, v) for p in parents} | {(v, c) for c in nbrs if c not in parents}
        und = {frozenset((str(a), str(b))) for a, b in g.edges} - {frozenset(e) for e in directed}
        want = meek_closure(Pdag(nodes, set(directed), set(und)))
        a = {x: set() for x in nodes}
        for p in und:
            x, y = tuple(p)
            a[x].add(y)
            a[y].add(x)
        par = {x: {p for p, c in directed if c == x} for x in nodes}
        ch = {x: {c for p, c in directed if p == x} for x in nodes}
        got = _meek(a, par, ch)
        assert set(got.directed()) == want.directed
        assert {frozenset(e) for e in got.undirected} == want.undirected


@pytest.mark.parametrize("seed", range(3))
def test_counts_on_chordal_components_match_enumeration(seed):
    """Member counts and the weights behind the expectation: brute force over every acyclic
    orientation of a random chordal graph without v-structures (Andersson et al. 1997)."""
    rng = random.Random(100 + seed)
    g = _random_chordal(rng, 6, keep=0.7)
    nodes = [str(x) for x in g.nodes]
    pairs = [(str(a), str(b)) for a, b in g.edges]
    members = []
    for flips in itertools.product((False, True), repeat=len(pairs)):
        edges = {(b, a) if f else (a, b) for (a, b), f in zip(pairs, flips)}
        d = nx.DiGraph(list(edges))
        if nx.is_directed_acyclic_graph(d) and not _vstructs(edges):
            members.append(edges)
    plan = plan_experiments(Pdag(nodes, set(), {frozenset(p) for p in pairs}))
    assert plan.members == len(members)
    want, n_members, _ = _brute(nodes, members[0])
    assert n_members == len(members)
    for s in plan.scores:
        assert (s.worst, s.best) == (want[s.target][0], want[s.target][2])
        assert s.expected == pytest.approx(want[s.target][1])


def test_ranking_chart_keeps_rank_order_and_leaves_out_missing_averages():
    from app.charts.experiments import AVERAGE, BEST, WORST, ranking_chart

    rows = [{"target": "z", "worst": 2, "expected": 2.5, "best": 3},
            {"target": "a", "worst": 1, "expected": None, "best": 3}]
    spec = ranking_chart(rows, 3).to_dict()
    values = next(iter(spec["datasets"].values()))
    assert [(v["intervene on"], v["measure"]) for v in values] == [
        ("z", WORST), ("z", AVERAGE), ("z", BEST), ("a", WORST), ("a", BEST)]
    assert spec["encoding"]["y"]["sort"] == ["z", "a"]
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 3]


def test_experimental_rows_shrink_the_class_on_a_simulated_chain():
    """Simulated ground truth x → y → z with y set by experiment in half the rows: observational
    data leave x — y — z undecided (one class of 3 members); the regime is a cause of y only,
    a collider regime → y ← x, so both edges get oriented (Huang et al. 2020, CD-NOD)."""
    import numpy as np
    import pandas as pd

    from app.discovery.experiments import class_shrink

    rng = np.random.default_rng(3)

    def rows(k, regime):
        x = rng.normal(size=k)
        y = 0.9 * x + rng.normal(size=k) if regime == "obs" else 2.0 + rng.normal(size=k)
        return pd.DataFrame({"x": x, "y": y, "z": 0.9 * y + rng.normal(size=k), "did": regime})

    df = pd.concat([rows(1500, "obs"), rows(1500, "do y")], ignore_index=True)
    s = class_shrink(df, "did", "obs")
    assert (s.undecided_before, s.undecided_after) == (2, 0)
    assert s.changed == ("y",)
    assert {("x", "y"), ("y", "z")} <= s.after.directed
    assert "decided 2" in s.sentence()
    with pytest.raises(DiscoveryError, match="marks the observational"):
        class_shrink(df, "did", "nothing")


@pytest.mark.parametrize("n", [4, 6, 8])
def test_complete_graph_closed_form(n):
    """On a complete graph every order of the nodes is a member. Intervening on the node in
    position i orients its n-1 edges and, by Meek's R2 (p → v → c gives p → c), every edge from
    an earlier to a later node; only the pairs among the i-1 earlier and among the n-i later
    nodes stay open: C(i-1,2) + C(n-i,2). So worst = C(n,2) - C(n-1,2) = n-1, best = C(n,2)
    minus the least of those, expected = C(n,2) - (2/n) Σ_{j<n} C(j,2) = C(n,2) - 2 C(n,3)/n."""
    from math import comb

    nodes = [f"x{i}" for i in range(n)]
    full = Pdag(nodes, set(), {frozenset(p) for p in itertools.combinations(nodes, 2)})
    plan = plan_experiments(full)
    for s in plan.scores:
        open_at = [comb(i - 1, 2) + comb(n - i, 2) for i in range(1, n + 1)]
        assert s.worst == n - 1 and s.best == comb(n, 2) - min(open_at)
        assert s.expected == pytest.approx(comb(n, 2) - 2 * comb(n, 3) / n)


def test_over_the_limits_says_so():
    nodes = [f"x{i}" for i in range(10)]        # 2^9 parent sets per node > MAX_LOCAL
    full = Pdag(nodes, set(), {frozenset(p) for p in itertools.combinations(nodes, 2)})
    plan = plan_experiments(full)
    assert plan.scores == () and len(plan.notes) == 10
    assert "within the limits" in plan.sentence()
