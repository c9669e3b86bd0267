"""Markov blanket, moral graph and ancestral graph against networkx, pgmpy and m-separation.

References: the Markov blanket of a node in a DAG is its parents, children and the children's
other parents (Pearl 1988, §3.2.1; pgmpy's `DAG.get_markov_blanket`); the moral graph is
networkx's `nx.moral_graph` (Lauritzen et al. 1990); the ancestral graph is the subgraph on
`nx.ancestors` plus the nodes. With <-> edges, the blanket is checked by its definition: given
it, the node is m-separated from every other node (networkx's `is_d_separator` on the DAG with
each <-> replaced by a latent common cause — Richardson 2003, canonical DAG), and no smaller
subset does that (minimality).
"""
from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from pgmpy.base import DAG as PgmpyDAG

from app import CausalGraph, parse_graph
from app.analysis.derived import (
    ancestral_graph,
    back_door_graph,
    markov_blanket,
    measurement_part,
    moral_graph,
    moral_links,
    orient_pdag,
    structural_part,
)
from app.errors import QueryError
from tests.reference.test_analysis_cpdag import members_and_cpdag, random_dag

_rng = random.Random(1988)
DAGS = [random_dag(_rng, _rng.randint(3, 9), 0.35) for _ in range(50)]


def _graph(d: nx.DiGraph, bidirected=()) -> CausalGraph:
    return CausalGraph.from_edges(sorted(d.edges), nodes=sorted(d.nodes), bidirected=bidirected)


@pytest.mark.parametrize("case", range(len(DAGS)))
def test_dag_markov_blanket_equals_pgmpy(case):
    d = DAGS[case]
    ref = PgmpyDAG(list(d.edges))
    ref.add_nodes_from(d.nodes)
    g = _graph(d)
    for v in d.nodes:
        mb = markov_blanket(g, v)
        assert set(mb.blanket) == set(ref.get_markov_blanket(v)), v
        assert set(mb.parents) | set(mb.children) | set(mb.coparents) == set(mb.blanket)
        assert mb.district == ()


@pytest.mark.parametrize("case", range(len(DAGS)))
def test_dag_moral_graph_equals_networkx(case):
    d = DAGS[case]
    ours = moral_graph(_graph(d))
    ref = nx.moral_graph(d)
    assert {frozenset(e) for e in ours.undirected} == {frozenset(e) for e in ref.edges}
    assert ours.kind == "pdag" and not ours.edges


@pytest.mark.parametrize("case", range(0, len(DAGS), 2))
def test_ancestral_graph_equals_networkx_ancestors(case):
    d = DAGS[case]
    g = _graph(d)
    rng = random.Random(case)
    chosen = rng.sample(sorted(d.nodes), min(2, len(d)))
    sub = ancestral_graph(g, chosen)
    keep = set(chosen).union(*(nx.ancestors(d, v) for v in chosen))
    assert set(sub.nodes) == keep
    assert set(sub.edges) == set(d.subgraph(keep).edges)
    # moral graph of the ancestral graph: separation there is d-separation (Lauritzen 1990)
    m = nx.Graph(list(moral_graph(g, chosen).undirected))
    m.add_nodes_from(keep)
    if len(chosen) == 2:
        x, y = chosen
        z = keep - {x, y}
        cut = m.copy()
        cut.remove_nodes_from(z)
        assert nx.has_path(cut, x, y) == (not nx.is_d_separator(d, {x}, {y}, z))


def _canonical(d: nx.DiGraph, bidirected) -> nx.DiGraph:
    c = d.copy()
    for i, (a, b) in enumerate(bidirected):
        c.add_edges_from([(f"L{i}", a), (f"L{i}", b)])
    return c


ADMGS = []
_rng2 = random.Random(2003)
while len(ADMGS) < 30:
    _d = random_dag(_rng2, _rng2.randint(4, 7), 0.3)
    _pairs = [p for p in itertools.combinations(sorted(_d.nodes), 2)]
    _bi = tuple(p for p in _pairs if _rng2.random() < 0.15)
    if _bi:
        ADMGS.append((_d, _bi))


@pytest.mark.parametrize("case", range(len(ADMGS)))
def test_admg_markov_blanket_separates_and_is_minimal(case):
    d, bi = ADMGS[case]
    g = _graph(d, bi)
    canon = _canonical(d, bi)
    for v in d.nodes:
        mb = set(markov_blanket(g, v).blanket)
        rest = set(d.nodes) - mb - {v}
        if rest:
            assert nx.is_d_separator(canon, {v}, rest, mb), (v, mb)
        for w in mb:       # every member is needed: without it, v and w are m-connected
            assert not nx.is_d_separator(canon, {v}, {w}, mb - {w}), (v, w, mb)


@pytest.mark.parametrize("case", range(len(ADMGS)))
def test_admg_moral_graph_is_the_collider_connection_graph(case):
    # adjacent in the augmented graph iff not m-separable by any set of the other nodes
    # (Richardson 2003: collider-connected nodes are never separated)
    d, bi = ADMGS[case]
    g = _graph(d, bi)
    canon = _canonical(d, bi)
    joined = {frozenset(e) for e in moral_graph(g).undirected}
    for a, b in itertools.combinations(sorted(d.nodes), 2):
        blanket = set(markov_blanket(g, a).blanket)
        expected = b in blanket
        assert (frozenset((a, b)) in joined) == expected
        if not expected:
            assert nx.is_d_separator(canon, {a}, {b}, blanket)


def test_dagitty_confounder_example_blanket_and_moral_links():
    g = parse_graph("dag { z -> x; z -> y; x -> m -> y; a -> x }")
    mb = markov_blanket(g, "m")
    assert (mb.parents, mb.children, mb.coparents) == (("x",), ("y",), ("z",))
    moral = moral_graph(g)
    assert moral_links(g, moral) == (("a", "z"), ("m", "z"))
    assert "independent of every other node" in mb.sentence()


def test_bidirected_blanket_names_the_district():
    g = parse_graph("dag { x -> y; y <-> w; p -> w; q -> x }")
    mb = markov_blanket(g, "x")
    assert set(mb.blanket) == {"q", "y", "w", "p"}
    assert set(mb.district) == {"w", "p"}


@pytest.mark.parametrize("text, word", [("pdag { a -- b }", "PDAG"), ("pag { a @-> b }", "PAG")])
def test_other_graph_types_are_refused_with_their_type(text, word):
    g = parse_graph(text)
    for f in (lambda: markov_blanket(g, "a"), lambda: moral_graph(g),
              lambda: ancestral_graph(g, "a")):
        with pytest.raises(QueryError) as e:
            f()
        assert word in e.value.user_message()


def test_mag_blanket_is_the_collider_connected_set():
    # In a MAG the Markov blanket of T is every node collider-connected to T (Pellet &
    # Elisseeff 2008, JMLR 9, Thm 3): x -> y <-> z <- w makes z and w part of x's blanket
    g = parse_graph("mag { x -> y; y <-> z; w -> z; v -> w }")
    assert set(markov_blanket(g, "x").blanket) == {"y", "z", "w"}
    assert set(markov_blanket(g, "x").district) == {"z", "w"}


# ---- the back-door graph ---------------------------------------------------------------------

@pytest.mark.parametrize("text, removed", [
    # DAGitty's examples for backDoorGraph (r/R/dagitty.R)
    ("dag { x <-> m <-> y <- x }", {("x", "y")}),
    ("mag { x <-> m <-> y <- x }", set()),           # x -> y not visible: not removed
    ("mag { x <-> m <-> y <- x <- i }", {("x", "y")}),
    # a PAG: i @-> x makes x -> y visible (Zhang 2008, Def. 3.1); alone it is not
    ("pag { i @-> x; x -> y }", {("x", "y")}),
    ("pag { x -> y }", set()),
    # a CPDAG: only directed first edges are removed (DAGitty removes children only)
    ("pdag { a -- x; x -> m; m -> y; a -> y }", {("x", "m")}),
])
def test_back_door_graph_on_dagittys_examples(text, removed):
    g = parse_graph(text)
    b = back_door_graph(g, "x", "y")
    assert set(b.removed) == removed
    assert set(b.graph.edges) == set(g.edges) - removed
    assert b.graph.bidirected == g.bidirected and b.graph.kind == g.kind
    assert ("Nothing is removed" in b.sentence()) == (not removed)


@pytest.mark.parametrize("case", range(len(DAGS)))
def test_back_door_graph_removes_the_first_edge_of_each_proper_causal_path(case):
    """Pearl's (2009) back-door graph restricted to proper causal paths (Shpitser et al. 2010):
    x -> c goes when c reaches Y by a directed path avoiding X (networkx)."""
    d = DAGS[case]
    names = sorted(d.nodes)
    if len(names) < 3:
        return
    rng = random.Random(case)
    xs = set(rng.sample(names, rng.choice((1, 2))))
    ys = set(rng.sample([n for n in names if n not in xs], 1))
    rest = d.subgraph(set(names) - xs)
    expected = {(x, c) for x in xs for c in d.succ[x]
                if c not in xs and any(nx.has_path(rest, c, y) for y in ys)}
    b = back_door_graph(_graph(d), sorted(xs), sorted(ys))
    assert set(b.removed) == expected
    assert set(b.graph.edges) == set(d.edges) - expected


# ---- orienting a PDAG (Meek's rules) ---------------------------------------------------------

def test_orient_pdag_orients_what_every_fitting_dag_agrees_on():
    """Meek (1995, Thm 4): closing a CPDAG plus background knowledge under R1–R4 orients exactly
    the edges every member DAG consistent with the knowledge orients the same way. The members
    are enumerated by brute force (every orientation of the skeleton, networkx only)."""
    rng = random.Random(1995)
    checked = oriented_more = 0
    while checked < 60:
        d = random_dag(rng, rng.randint(4, 6), 0.5)
        if not 2 <= d.number_of_edges() <= 9:
            continue
        members, text = members_and_cpdag(d)
        cpdag = parse_graph(text)
        if not cpdag.undirected:
            continue
        truth = rng.choice(members)
        a, b = rng.choice(sorted(cpdag.undirected))
        a, b = (a, b) if truth.has_edge(a, b) else (b, a)
        known = CausalGraph(nodes=cpdag.nodes, edges=cpdag.edges | {(a, b)},
                            undirected=cpdag.undirected - {tuple(sorted((a, b)))}, kind="pdag")
        fitting = [m for m in members if m.has_edge(a, b)]
        expected = {e for e in fitting[0].edges if all(m.has_edge(*e) for m in fitting)}
        got = orient_pdag(known)
        assert set(got.edges) == expected
        assert {frozenset(e) for e in got.undirected} == {
            frozenset(e) for e in fitting[0].edges if e not in expected}
        oriented_more += len(got.edges) > len(known.edges)
        checked += 1
    assert oriented_more >= 5


def test_orient_pdag_on_dagittys_example_and_refusals():
    """r/R/dagitty.R, orientPDAG: pdag { x -> y -- z } becomes x -> y -> z."""
    g = orient_pdag(parse_graph("pdag { x -> y -- z }"))
    assert g.edges == {("x", "y"), ("y", "z")} and not g.undirected
    with pytest.raises(QueryError, match="No DAG fits"):
        orient_pdag(parse_graph("pdag { a -- b; b -- c; c -- d; d -- a }"))   # a chordless cycle
    with pytest.raises(QueryError, match="needs a PDAG"):
        orient_pdag(parse_graph("dag { a -> b }"))


# ---- structural and measurement parts ---------------------------------------------------------

def test_structural_and_measurement_parts_of_bollens_democracy_model():
    """DAGitty (GraphTransformer.js): structuralPart is the subgraph on the latent variables;
    measurementPart keeps directed edges into measured variables and <-> among them, then drops
    latent variables left without a directed edge. Model: lavaan's political democracy SEM."""
    g = parse_graph("""ind60 =~ x1 + x2 + x3
        dem60 =~ y1 + y2 + y3 + y4
        dem65 =~ y5 + y6 + y7 + y8
        dem60 ~ ind60
        dem65 ~ ind60 + dem60
        y1 ~~ y5
        y2 ~~ y4 + y6""", "lavaan")
    s = structural_part(g)
    assert set(s.nodes) == {"ind60", "dem60", "dem65"} and s.latents == set(s.nodes)
    assert s.edges == {("ind60", "dem60"), ("ind60", "dem65"), ("dem60", "dem65")}
    m = measurement_part(g)
    assert set(m.nodes) == set(g.nodes)
    assert m.edges == g.edges - s.edges and m.bidirected == g.bidirected
    # a second-order factor with no measured indicator of its own is dropped
    h = parse_graph("dag { G [latent] F [latent] G -> F; F -> a; F -> b; a <-> F }")
    assert set(measurement_part(h).nodes) == {"F", "a", "b"}
    assert measurement_part(h).edges == {("F", "a"), ("F", "b")}
    assert not measurement_part(h).bidirected
