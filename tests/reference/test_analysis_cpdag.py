"""d-separation and adjustment in CPDAGs against brute force over the member DAGs.

Reference: a CPDAG stands for the DAGs with its skeleton and v-structures (Verma & Pearl 1990);
built here by trying every orientation of a random DAG's skeleton. A set is an adjustment set
for the CPDAG iff it is one in every member DAG (Perković, Textor, Kalisch & Maathuis 2018,
JMLR 18(220), the generalized adjustment criterion is sound and complete for CPDAGs). Member
validity is decided with networkx only (proper back-door graph + nx.is_d_separator), never
with our own code. Our answer comes from the CPDAG directly (DAGitty's construction).
"""
from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from app import parse_graph
from app.analysis import adjustment_sets, check_adjustment_set, d_separated
from app.errors import QueryError
from tests.support.nx_reference import gac_valid


def _v_structures(d: nx.DiGraph) -> set[tuple[str, str, str]]:
    out = set()
    for c in d.nodes:
        for a, b in itertools.combinations(sorted(d.predecessors(c)), 2):
            if not d.has_edge(a, b) and not d.has_edge(b, a):
                out.add((a, c, b))
    return out


def members_and_cpdag(d: nx.DiGraph) -> tuple[list[nx.DiGraph], str]:
    """Every DAG Markov equivalent to `d`, and the CPDAG as DAGitty text."""
    skeleton = sorted(tuple(sorted(e)) for e in d.edges)
    target = _v_structures(d)
    members = []
    for flips in itertools.product((False, True), repeat=len(skeleton)):
        m = nx.DiGraph()
        m.add_nodes_from(d.nodes)
        m.add_edges_from((b, a) if f else (a, b) for (a, b), f in zip(skeleton, flips))
        if nx.is_directed_acyclic_graph(m) and _v_structures(m) == target:
            members.append(m)
    body = list(d.nodes)
    for a, b in skeleton:
        if all(m.has_edge(a, b) for m in members):
            body.append(f"{a} -> {b}")
        elif all(m.has_edge(b, a) for m in members):
            body.append(f"{b} -> {a}")
        else:
            body.append(f"{a} -- {b}")
    return members, "pdag { " + "; ".join(body) + " }"


def random_dag(rng: random.Random, n: int, p: float) -> nx.DiGraph:
    names = [f"v{i}" for i in range(n)]
    rng.shuffle(names)
    d = nx.DiGraph()
    d.add_nodes_from(sorted(names))
    d.add_edges_from((names[i], names[j]) for i, j in itertools.combinations(range(n), 2)
                     if rng.random() < p)
    return d


CASES = []
_rng = random.Random(2018)
while len(CASES) < 80:    # 69 of them have undirected edges; 628 of 1,710 pairs not amenable
    _d = random_dag(_rng, _rng.randint(4, 6), 0.45)
    if _d.number_of_edges() <= 10:
        CASES.append(_d)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_cpdag_d_separation_and_adjustment_match_every_member(case):
    d = CASES[case]
    members, text = members_and_cpdag(d)
    g = parse_graph(text)
    assert g.kind == "pdag"
    nodes = sorted(d.nodes)
    rng = random.Random(case)
    for x, y in itertools.permutations(nodes, 2):
        z = {n for n in nodes if n not in (x, y) and rng.random() < 0.4}
        assert d_separated(g, x, y, z) == nx.is_d_separator(d, {x}, {y}, z)
        rest = [n for n in nodes if n not in (x, y)]
        valid = [set(c) for r in range(len(rest) + 1) for c in itertools.combinations(rest, r)
                 if all(gac_valid(m, x, y, set(c)) for m in members)]
        minimal = {frozenset(v) for v in valid if not any(w < v for w in valid)}
        found = adjustment_sets(g, x, y)
        assert set(found) == minimal, (text, x, y)
        assert check_adjustment_set(g, x, y, z).valid == (z in valid), (text, x, y, z)
        assert {frozenset(s) for s in adjustment_sets(g, x, y, "all")} == \
            {frozenset(v) for v in valid}, (text, x, y)


def test_cpdag_not_amenable_says_so():
    # X -- Y: in one member X causes Y, in the other Y causes X: no set works for both
    found = adjustment_sets(parse_graph("pdag { X -- Y }"), "X", "Y")
    assert list(found) == [] and "not amenable" in found.note


@pytest.mark.parametrize("text, rule", [
    ("pdag { a -> b; b -- c }", "1"),
    ("pdag { a -> b; b -> c; a -- c }", "2"),
])
def test_pdag_that_is_not_maximally_oriented_is_refused(text, rule):
    with pytest.raises(QueryError, match=f"rule {rule}"):
        d_separated(parse_graph(text), "a", "c")


def test_pdag_with_a_chordless_undirected_cycle_is_refused():
    with pytest.raises(QueryError, match="chord"):
        d_separated(parse_graph("pdag { a -- b; b -- c; c -- d; d -- a }"), "a", "c")
