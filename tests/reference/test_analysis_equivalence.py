"""The Markov equivalence class of a DAG against brute force, known counts and pgmpy.

References: two DAGs are Markov equivalent iff they share skeleton and v-structures (Verma &
Pearl 1990), so the members are found here by trying every orientation of the skeleton
(`members_and_cpdag`, networkx only). Known counts: a chain (any tree) on n nodes has n members
(one per root); a complete graph on n nodes has n! members (one per order) — He, Jia & Yu 2015,
JMLR 16, §3. CPDAG: pgmpy's `DAG.to_pdag()`, and Pearl's sprinkler network (Causality, 2009).
"""
from __future__ import annotations

import itertools
import math
import random

import networkx as nx
import pytest
from pgmpy.base import DAG as PgmpyDAG

from app import CausalGraph, parse_graph
from app.analysis.equivalence import equivalence_class
from app.discovery import experiments
from app.discovery.experiments import count_members
from app.errors import QueryError
from tests.reference.test_analysis_cpdag import _v_structures, members_and_cpdag, random_dag


def _dag(d: nx.DiGraph) -> CausalGraph:
    return CausalGraph.from_edges(sorted(d.edges), nodes=sorted(d.nodes))


CASES = []
_rng = random.Random(1990)
while len(CASES) < 60:
    _d = random_dag(_rng, _rng.randint(3, 7), 0.5)
    if _d.number_of_edges() <= 11:
        CASES.append(_d)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_members_and_count_equal_brute_force_enumeration(case):
    d = CASES[case]
    members, text = members_and_cpdag(d)
    eq = equivalence_class(_dag(d))
    assert eq.total == len(members)
    assert eq.complete
    assert set(eq.members) == {frozenset(m.edges) for m in members}
    assert len(eq.members) == len(set(eq.members))      # each member once
    assert eq.members[0] == frozenset(d.edges)                      # the given DAG first
    assert eq.cpdag.same_structure(parse_graph(text))


@pytest.mark.parametrize("case", range(0, 60, 3))
def test_cpdag_matches_pgmpy(case):
    d = CASES[case]
    ref = PgmpyDAG(list(d.edges))
    ref.add_nodes_from(d.nodes)
    pdag = ref.to_pdag()
    eq = equivalence_class(_dag(d))
    assert set(eq.cpdag.edges) == set(pdag.directed_edges)
    assert {frozenset(e) for e in eq.cpdag.undirected} == \
        {frozenset(e) for e in pdag.undirected_edges}


@pytest.mark.parametrize("n", range(2, 9))
def test_a_chain_of_n_nodes_has_n_members(n):
    g = CausalGraph.from_edges([(f"v{i}", f"v{i + 1}") for i in range(n - 1)])
    eq = equivalence_class(g)
    assert eq.total == n == len(eq.members)


@pytest.mark.parametrize("n", range(2, 8))
def test_a_complete_graph_on_n_nodes_has_n_factorial_members(n):
    g = CausalGraph.from_edges(list(itertools.combinations([f"v{i}" for i in range(n)], 2)))
    eq = equivalence_class(g, limit=10_000)
    assert eq.total == math.factorial(n) == len(eq.members)


def test_large_class_is_counted_without_listing_every_member():
    # complete graph on 12 nodes: 12! = 479,001,600 members; only `limit` are listed
    g = CausalGraph.from_edges(list(itertools.combinations([f"v{i:02d}" for i in range(12)], 2)))
    eq = equivalence_class(g, limit=5)
    assert eq.total == math.factorial(12)
    assert len(eq.members) == 5 and not eq.complete
    assert len(set(eq.members)) == 5
    assert nx.is_directed_acyclic_graph(eq.member(4).to_networkx())


def test_members_listed_from_a_large_sparse_class_are_distinct_members():
    # 80 nodes, several chain components: the listing mixes their orientations lazily
    d = random_dag(random.Random(80), 80, 2.5 / 79)
    eq = equivalence_class(_dag(d), limit=100)
    assert eq.total > 100 and len(eq.members) == 100 == len(set(eq.members))
    skeleton = {frozenset(e) for e in d.edges}
    for edges in eq.members:
        m = nx.DiGraph(list(edges))
        m.add_nodes_from(d.nodes)
        assert nx.is_directed_acyclic_graph(m)
        assert {frozenset(e) for e in edges} == skeleton
        assert _v_structures(m) == _v_structures(d)


def test_pearls_sprinkler_network_textbook_cpdag():
    # Pearl (2009), Causality §2.3, Fig. 2.1: season -> sprinkler, season -> rain,
    # {sprinkler rain} -> wet -> slippery. The v-structure at wet is compelled and so is
    # wet -> slippery (Meek's rule 1); season's two edges can point either way, but not both
    # into season (a new v-structure): 3 members.
    g = parse_graph("dag { season -> {sprinkler rain} -> wet -> slippery }")
    eq = equivalence_class(g)
    assert set(eq.compelled) == {("sprinkler", "wet"), ("rain", "wet"), ("wet", "slippery")}
    assert set(eq.reversible) == {("rain", "season"), ("season", "sprinkler")}
    assert eq.total == 3


def test_a_collider_is_alone_in_its_class():
    eq = equivalence_class(parse_graph("dag { x -> c <- y }"))
    assert eq.total == 1 and "only member" in eq.sentence()


def test_a_cpdag_given_as_pdag_lists_its_members():
    eq = equivalence_class(parse_graph("pdag { a -- b -- c }"))
    assert eq.total == 3 and len(eq.members) == 3
    assert all(eq.member(i).kind == "dag" for i in range(3))


@pytest.mark.parametrize("text, word", [
    ("dag { x -> y; x <-> y }", "<->"),
    ("mag { x -> y }", "MAG"),
    ("pag { x @-> y }", "PAG"),
    ("pdag { a -> b -- c }", "PDAG"),        # not maximally oriented: Meek's rule 1
])
def test_graphs_that_are_not_dag_classes_are_refused_with_their_type(text, word):
    with pytest.raises(QueryError) as e:
        equivalence_class(parse_graph(text))
    assert word in e.value.user_message()


@pytest.mark.parametrize("case", range(0, 60, 4))
def test_public_member_count_equals_brute_force_enumeration(case):
    """`count_members`, the public counter equivalence.py uses, on the CPDAG's undirected part
    against trying every orientation (Verma & Pearl 1990)."""
    d = CASES[case]
    members, _ = members_and_cpdag(d)
    eq = equivalence_class(_dag(d))
    assert count_members(nx.Graph(list(eq.cpdag.undirected))) == len(members)


def _orientations_without_v_structures(u: nx.Graph) -> int:
    """Acyclic orientations of `u` with no collider a -> c <- b between non-adjacent a, b."""
    edges = sorted(u.edges)
    count = 0
    for flips in itertools.product((False, True), repeat=len(edges)):
        d = nx.DiGraph([(b, a) if f else (a, b) for (a, b), f in zip(edges, flips)])
        if nx.is_directed_acyclic_graph(d) and not any(
                not u.has_edge(a, b) for c in d for a, b in itertools.combinations(d.pred[c], 2)):
            count += 1
    return count


def test_member_count_gives_up_with_none_past_its_step_budget(monkeypatch):
    ladder = nx.Graph([(f"v{i}", f"v{i + j}") for i in range(5) for j in (1, 2)])  # chordal
    assert count_members(ladder) == _orientations_without_v_structures(ladder)
    monkeypatch.setattr(experiments, "MAX_COUNT_STEPS", 3)
    assert count_members(ladder) is None
