"""DAGitty's causal/biasing edge colouring against brute-force path enumeration and DAGitty's tests.

Definitions (DAGitty, jslib/graph/GraphTransformer.js: causalFlowGraph, activeBiasGraph): an
edge is causal when it lies on an open causal path X → … → Y, biasing when it lies on an open
non-causal path between X and Y, given the conditioned set Z. The reference enumerates every
simple path of the skeleton with networkx (`nx.all_simple_paths`, inner nodes outside X ∪ Y) and
decides open/blocked with the textbook rule (Pearl 2009, Def. 1.2.3) using `nx.descendants` —
none of our path code. Fixed examples: DAGitty's own QUnit tests "biasing paths in DAGs
(allowing <->)" (jtextor/dagitty, test/).
"""
from __future__ import annotations

import random

import networkx as nx
import pytest

from app import CausalGraph, parse_graph
from app.analysis.colouring import path_colouring
from tests.reference.test_analysis_cpdag import random_dag


def _brute_force(d: nx.DiGraph, x: str, y: str, z: set[str]):
    causal, biasing = set(), set()
    skeleton = d.to_undirected()
    for path in nx.all_simple_paths(skeleton, x, y):
        blocked = False
        for a, v, b in zip(path, path[1:], path[2:]):
            collider = d.has_edge(a, v) and d.has_edge(b, v)
            if collider:
                if not ({v} | nx.descendants(d, v)) & z:
                    blocked = True
            elif v in z:
                blocked = True
        if blocked:
            continue
        edges = [(a, b) if d.has_edge(a, b) else (b, a) for a, b in zip(path, path[1:])]
        forward = all(d.has_edge(a, b) for a, b in zip(path, path[1:]))
        (causal if forward else biasing).update(edges)
    return causal, biasing


CASES = []
_rng = random.Random(2016)
while len(CASES) < 60:
    _d = random_dag(_rng, _rng.randint(4, 8), 0.4)
    _nodes = sorted(_d.nodes)
    _x, _y = sorted(_rng.sample(_nodes, 2), key=list(nx.topological_sort(_d)).index)
    _z = {n for n in _nodes if n not in (_x, _y) and _rng.random() < 0.3}
    CASES.append((_d, _x, _y, _z))


@pytest.mark.parametrize("case", range(len(CASES)))
def test_colouring_equals_brute_force_path_enumeration(case):
    d, x, y, z = CASES[case]
    g = CausalGraph.from_edges(sorted(d.edges), nodes=sorted(d.nodes))
    ours = path_colouring(g, x, y, z)
    causal, biasing = _brute_force(d, x, y, z)
    assert set(ours.causal) == causal
    assert set(ours.biasing) == biasing
    assert ours.note == ""


def test_colouring_cases_are_varied():
    # the random cases exercise both colours and edges on both kinds of path
    both = sum(1 for d, x, y, z in CASES if all(_brute_force(d, x, y, z)))
    assert both >= 8


@pytest.mark.parametrize("text, z, causal, biasing", [
    # DAGitty's QUnit "biasing paths in DAGs (allowing <->)"
    ("dag { x <-> y }", (), set(), {("x", "y")}),
    ("dag { x <- m <-> y }", (), set(), {("m", "x"), ("m", "y")}),
    ("dag { x -> m <-> y }", ("m",), set(), {("x", "m"), ("m", "y")}),
    ("dag { m <-> y; x -> m -> y }", ("m",), set(), {("x", "m"), ("m", "y")}),
    ("dag { m <-> y; x -> m -> y }", (), {("x", "m"), ("m", "y")}, set()),
    ("dag { M <-> Y; X -> Y; X -> M -> Y }", (), {("X", "Y"), ("X", "M"), ("M", "Y")}, set()),
    ("dag { x -> m -> y; z -> {x y} }", (), {("x", "m"), ("m", "y")}, {("z", "x"), ("z", "y")}),
])
def test_dagitty_qunit_examples(text, z, causal, biasing):
    g = parse_graph(text)
    nodes = {n.lower(): n for n in g.nodes}
    ours = path_colouring(g, nodes["x"], nodes["y"], z)
    assert set(ours.causal) == causal
    assert set(ours.biasing) == biasing


def test_styles_draw_an_edge_on_both_kinds_as_biasing():
    g = parse_graph("dag { x -> m -> y; c -> x; c -> m }")
    ours = path_colouring(g, "x", "y")
    assert ("m", "y") in ours.causal and ("m", "y") in ours.biasing
    assert ours.styles()[("m", "y")] == "biasing_path"
    assert ours.styles()[("x", "m")] == "causal_path"
    assert "block each by conditioning on a non-collider" in ours.sentence()


def test_selected_node_is_always_conditioned():
    g = parse_graph("dag { x -> s <- y; s [selected] }")
    assert path_colouring(g, "x", "y").biasing == {("x", "s"), ("y", "s")}
