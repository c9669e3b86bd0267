"""Pairs of experiments (one on each of two variables), checked against brute force over the
members of the class.

Reference: with the targets {u} and {v} (and observational data), the DAGs a member D cannot be
told apart from are the members that agree with D on every edge at u and every edge at v
(Hauser & Bühlmann 2012, JMLR 13, Thm 10, for the family {∅, {u}, {v}}); an undecided edge is
oriented when all those members orient it the same way. The brute force enumerates the class
with networkx from its definition (same skeleton and v-structures, Verma & Pearl 1990), as in
tests/unit/test_experiments.py, and never uses Meek's rules.
"""
from __future__ import annotations

import itertools
import random
import time

import pytest

from app.discovery.experiments import PAIR_ALL, PAIR_TOP, plan_experiments, plan_pairs
from app.discovery.pdag import Pdag, cpdag_of_dag
from tests.unit.test_experiments import _members, _random_chordal, _random_dags


def _brute_pairs(nodes, dag):
    members = _members(nodes, dag)
    undecided = {frozenset(e) for e in dag if any((e[1], e[0]) in m for m in members)}
    out = {}
    for u, v in itertools.combinations(sorted(nodes), 2):
        if not any(u in p or v in p for p in undecided):
            continue
        ks = []
        for d in members:
            at = {e for e in d if u in e or v in e}
            same = [m for m in members if at <= m]
            ks.append(sum(1 for p in undecided
                          if len({next(e for e in m if frozenset(e) == p) for m in same}) == 1))
        out[(u, v)] = (min(ks), sum(ks) / len(ks), max(ks))
    return out


def test_chain_by_hand():
    # a — b — c: experiments on a and on c orient both edges for every member
    pairs = plan_pairs(cpdag_of_dag("abc", {("a", "b"), ("b", "c")}))
    got = {s.targets: (s.worst, s.expected, s.best) for s in pairs.scores}
    assert got[("a", "c")] == (2, 2.0, 2)
    assert got[("a", "b")] == (2, 2.0, 2)
    assert "orient 2 of the 2 undecided edges" in pairs.sentence()


def test_two_experiments_orient_the_complete_triangle():
    # a single experiment leaves one of 3 edges open for 2 of 6 members (worst 2);
    # any two of the three variables orient all three edges for every member
    pdag = cpdag_of_dag("abc", {("a", "b"), ("b", "c"), ("a", "c")})
    assert plan_experiments(pdag).best.worst == 2
    for s in plan_pairs(pdag).scores:
        assert (s.worst, s.expected, s.best) == (3, 3.0, 3)


@pytest.mark.parametrize("seed", range(5))
def test_matches_brute_force_on_small_classes(seed):
    checked = 0
    for nodes, dag in _random_dags(50 + seed, 10, n_max=5):
        want = _brute_pairs(nodes, dag)
        plan = plan_pairs(cpdag_of_dag(nodes, dag))
        got = {s.targets: (s.worst, s.expected, s.best) for s in plan.scores}
        # pairs of candidates only (variables with an undecided edge): both sides agree
        want = {p: w for p, w in want.items() if set(p) <= set(plan.candidates)}
        assert set(got) == set(want), (nodes, dag)
        for p, (w, e, b) in want.items():
            assert got[p][0] == w and got[p][2] == b, (p, nodes, dag)
            assert got[p][1] == pytest.approx(e), (p, nodes, dag)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("seed", range(2))
def test_matches_brute_force_inside_one_chordal_component(seed):
    rng = random.Random(300 + seed)
    g = _random_chordal(rng, 6, keep=0.7)
    nodes = [str(x) for x in g.nodes]
    # an undirected chordal graph is the CPDAG of any of its orientations without v-structures
    order = sorted(nodes)
    dag = {(min(str(a), str(b), key=order.index), max(str(a), str(b), key=order.index))
           for a, b in g.edges}
    pdag = Pdag(nodes, set(), {frozenset(map(str, e)) for e in g.edges})
    want = _brute_pairs(nodes, dag)
    got = {s.targets: (s.worst, s.expected, s.best) for s in plan_pairs(pdag).scores}
    assert set(got) == set(want)
    for p, (w, e, b) in want.items():
        assert (got[p][0], got[p][2]) == (w, b) and got[p][1] == pytest.approx(e), p


def test_pairs_are_bounded_on_a_large_class():
    """30 variables in one component: pairs of the PAIR_TOP best singles only (28 pairs)."""
    rng = random.Random(7)
    g = _random_chordal(rng, 30, keep=0.3)
    nodes = [str(x) for x in g.nodes]
    pdag = Pdag(nodes, set(), {frozenset(map(str, e)) for e in g.edges})
    singles = plan_experiments(pdag)
    t0 = time.perf_counter()
    pairs = plan_pairs(pdag, singles)
    took = time.perf_counter() - t0
    assert len(singles.scores) > PAIR_ALL
    assert set(pairs.candidates) == {s.target for s in singles.scores[:PAIR_TOP]}
    assert len(pairs.scores) <= PAIR_TOP * (PAIR_TOP - 1) // 2
    assert pairs.best.worst >= singles.best.worst        # two experiments never tell less
    assert took < 30, took        # about 4 s on a shared 2-core machine
