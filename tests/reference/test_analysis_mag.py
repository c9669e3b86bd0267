"""The MAG of a DAG with latent and selected nodes (DAGitty's toMAG) and the latent projection.

References:
- Richardson & Spirtes (2002), Ann. Statist. 30, §4.2.3: the MAG over the measured nodes O of a
  DAG with latent L and selected S has u, v adjacent exactly when no Z ⊆ O \\ {u, v} d-separates
  them given S (Thm 4.2, maximality), the mark at u is a tail exactly when u ∈ An({v} ∪ S), and
  X, Y are m-separated by Z in it exactly when they are d-separated by Z ∪ S in the DAG (Thm 4.18).
  Each side is decided here independently of our code: d-separation by networkx's
  `is_d_separator` on the DAG, m-separation by listing the simple paths of the MAG and applying
  the definition (every non-collider outside Z, every collider an ancestor of Z).
- DAGitty's toMAG example (r/R/dagitty.R): Profession latent over Income and Smoking.
- Verma (1993) latent projection: the same d-separations among the measured nodes.
"""
from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from app import CausalGraph, parse_graph
from app.analysis import adjustment_sets, d_separated
from app.analysis.derived import canonicalize, latent_projection, to_mag
from app.errors import QueryError
from tests.reference.test_analysis_cpdag import random_dag


def _case(rng: random.Random):
    """A random DAG (networkx) with every node a possible latent / selected node, some of its
    latent confounding drawn as <-> in the CausalGraph (a latent parent in the reference)."""
    d = random_dag(rng, rng.randint(4, 7), 0.4)
    names = sorted(d.nodes)
    latent = set(rng.sample(names, rng.randint(0, 2)))
    selected = set(rng.sample(sorted(set(names) - latent), rng.randint(0, 1)))
    roles = {n: {"latent"} for n in latent} | {n: {"selected"} for n in selected}
    bidirected = []
    if rng.random() < 0.4:
        a, b = rng.sample(names, 2)
        bidirected.append(tuple(sorted((a, b))))
        d.add_edges_from([("U", a), ("U", b)])
        latent = latent | {"U"}
    g = CausalGraph.from_edges(sorted(e for e in d.edges if e[0] != "U"), nodes=names,
                               bidirected=bidirected, roles=roles)
    return g, d, latent, selected


def _subsets(items):
    return (set(c) for k in range(len(items) + 1) for c in itertools.combinations(items, k))


def _mag_marks(m: CausalGraph) -> dict[tuple[str, str], str]:
    """(u, v) -> the mark at v on the edge u *-* v: 'head' or 'tail'."""
    marks = {}
    for a, b in m.edges:
        marks[(a, b)], marks[(b, a)] = "head", "tail"
    for a, b in m.bidirected:
        marks[(a, b)] = marks[(b, a)] = "head"
    for a, b in m.undirected:
        marks[(a, b)] = marks[(b, a)] = "tail"
    return marks


def _m_separated_by_paths(m: CausalGraph, x: str, y: str, z: set[str]) -> bool:
    """m-separation by its definition, over every simple path of the MAG."""
    marks = _mag_marks(m)
    directed = nx.DiGraph(list(m.edges))
    directed.add_nodes_from(m.nodes)
    an_z = set(z).union(*(nx.ancestors(directed, n) for n in z))
    skeleton = nx.Graph(list(marks))
    skeleton.add_nodes_from(m.nodes)
    for path in nx.all_simple_paths(skeleton, x, y):
        open_ = True
        for a, w, b in zip(path, path[1:], path[2:]):
            collider = marks[(a, w)] == "head" and marks[(b, w)] == "head"
            if (collider and w not in an_z) or (not collider and w in z):
                open_ = False
                break
        if open_:
            return False
    return True


CASES = []
_rng = random.Random(2002)
while len(CASES) < 150:
    CASES.append(_case(_rng))


@pytest.mark.parametrize("case", range(len(CASES)))
def test_mag_adjacency_marks_and_m_separation_match_the_dag(case):
    g, d, latent, selected = CASES[case]
    m = to_mag(g)
    measured = [n for n in sorted(d.nodes) if n not in latent | selected]
    assert sorted(m.nodes) == measured
    marks = _mag_marks(m)
    anc = {n: nx.ancestors(d, n) | {n} for n in d.nodes}
    an_s = set().union(*(anc[s] for s in selected))
    for u, v in itertools.combinations(measured, 2):
        rest = [n for n in measured if n not in (u, v)]
        adjacent = not any(nx.is_d_separator(d, {u}, {v}, z | selected) for z in _subsets(rest))
        assert ((u, v) in marks) == adjacent, (u, v)
        if adjacent:
            assert (marks[(v, u)] == "tail") == (u in anc[v] or u in an_s), (u, v)
            assert (marks[(u, v)] == "tail") == (v in anc[u] or v in an_s), (u, v)
        for z in _subsets(rest):
            truth = nx.is_d_separator(d, {u}, {v}, z | selected)
            assert _m_separated_by_paths(m, u, v, z) == truth, (u, v, z)
            assert d_separated(m, u, v, sorted(z)) == truth, (u, v, z)   # ours on the MAG


def test_the_cases_cover_selection_latents_and_every_mark():
    mags = [to_mag(g) for g, *_ in CASES]
    assert sum(bool(m.undirected) for m in mags) >= 5
    assert sum(bool(m.bidirected) for m in mags) >= 15
    assert sum(bool(s) for *_, s in CASES) >= 40


def test_dagittys_tomag_example():
    """r/R/dagitty.R, toMAG: Profession is latent; it causes Income and Smoking, and Income ->
    Smoking, so the MAG keeps Income -> Smoking (Income is Smoking's ancestor) and adds nothing."""
    g = parse_graph("""dag { ParentalSmoking -> Smoking
        Profession [latent] Profession -> Income; Profession -> Smoking; Income -> Smoking
        Genotype -> Smoking; Genotype -> LungCancer; Smoking -> LungCancer }""")
    m = to_mag(g)
    assert m.kind == "mag" and "Profession" not in m.nodes
    assert m.edges == {("ParentalSmoking", "Smoking"), ("Income", "Smoking"),
                       ("Genotype", "Smoking"), ("Genotype", "LungCancer"),
                       ("Smoking", "LungCancer")}
    assert not m.bidirected and not m.undirected


def test_textbook_marks():
    """A latent common cause gives <->; a latent mediator gives ->; selection on a common child
    gives -- (Richardson & Spirtes 2002, §4.2.3)."""
    m = to_mag(parse_graph("dag { U [latent] U -> a; U -> b; c -> M; M -> d; M [latent] "
                           "e -> S; f -> S; S [selected] }"))
    assert m.bidirected == {("a", "b")} and m.edges == {("c", "d")}
    assert m.undirected == {("e", "f")}
    mb = to_mag(parse_graph("dag { a -> b; a <-> b; c <-> d }"))
    assert mb.edges == {("a", "b")} and mb.bidirected == {("c", "d")}


def test_to_mag_refuses_graphs_that_are_not_dags():
    with pytest.raises(QueryError, match="MAG of a DAG"):
        to_mag(parse_graph("pdag { a -- b }"))


@pytest.mark.parametrize("case", range(0, len(CASES), 3))
def test_latent_projection_keeps_every_d_separation_among_measured_nodes(case):
    g, d, latent, _ = CASES[case]
    g = CausalGraph.from_edges(sorted(g.edges), nodes=g.nodes, bidirected=sorted(g.bidirected),
                               roles={n: r - {"selected"} for n, r in g.roles.items()})
    p = latent_projection(g)
    measured = [n for n in sorted(d.nodes) if n not in latent]
    assert sorted(p.nodes) == measured and not p.latents
    for u, v in itertools.combinations(measured, 2):
        rest = [n for n in measured if n not in (u, v)]
        for z in _subsets(rest):
            assert d_separated(p, u, v, sorted(z)) == nx.is_d_separator(d, {u}, {v}, z)


@pytest.mark.parametrize("case", range(0, len(CASES), 2))
def test_canonical_dag_of_a_mag_has_that_mag(case):
    """DAGitty's canonicalize: <-> becomes <- L ->, -- becomes -> S <-; the MAG of the
    canonical DAG is the MAG itself (Richardson & Spirtes 2002, §6)."""
    m = to_mag(CASES[case][0])
    c = canonicalize(m)
    assert c.kind == "dag" and not c.bidirected and not c.undirected
    assert len(c.latents) == len(m.bidirected)
    assert len(c.role_nodes("selected")) == len(m.undirected)
    back = to_mag(c)
    assert (back.edges, back.bidirected, back.undirected) == (m.edges, m.bidirected,
                                                              m.undirected)


def test_canonicalize_names_new_nodes_as_dagitty_and_avoids_taken_names():
    c = canonicalize(parse_graph("mag { L1 <-> b; c -- d }"))
    # GraphTransformer.canonicalDag: one counter i, raised while "L"+i / "S"+i is taken
    assert set(c.nodes) == {"L1", "b", "c", "d", "L2", "S2"}
    assert c.edges == {("L2", "L1"), ("L2", "b"), ("c", "S2"), ("d", "S2")}
    assert c.latents == {"L2"} and c.role_nodes("selected") == {"S2"}
    with pytest.raises(QueryError, match="DAG or a MAG"):
        canonicalize(parse_graph("pdag { a -- b }"))


def test_a_mag_with_selection_edges_is_separated_but_not_adjusted():
    """d-separation reads a MAG's -- edges (Richardson & Spirtes 2002); adjustment still refuses
    them (as DAGitty: "must not contain any undirected edges"), even after a d-separation query
    on the same graph object made its view."""
    m = to_mag(parse_graph("dag { a -> s <- b; s [selected]; b -> y; a -> x; x -> y }"))
    assert m.undirected == {("a", "b")}
    assert not d_separated(m, "x", "y") and d_separated(m, "a", "y", ["b", "x"])
    with pytest.raises(QueryError, match="undirected"):
        adjustment_sets(m, "x", "y")


def test_to_mag_refuses_a_graph_past_its_budget(monkeypatch):
    """Every input has a budget: projection follows inducing paths between every pair."""
    from app.analysis import derived

    monkeypatch.setattr(derived, "MAX_PROJECTION_NODES", 3)
    g = parse_graph("dag { a -> b -> c -> d; b [latent] }")
    with pytest.raises(QueryError, match="up to 3 nodes"):
        derived.to_mag(g)
