"""The per-graph views behind the analyses (app/analysis/_core.py): remembered per graph object,
never stale after an edit, the lazy topological order equal to CausalGraph.topological_order
(networkx's lexicographical_topological_sort), and the early-exit m-separation walk equal to the
full reachable set on DAGs with <-> edges."""
from __future__ import annotations

import itertools
import random

import networkx as nx

from app.analysis import d_separated
from app.analysis._core import admg, m_separated, reachable, separation_view
from app.graph import CausalGraph


def _graph(rng: random.Random, n: int) -> CausalGraph:
    names = [f"v{i}" for i in rng.sample(range(n), n)]      # node order differs from topology
    edges = [(names[i], names[j]) for i, j in itertools.combinations(range(n), 2)
             if rng.random() < 0.3]
    bi = [(names[i], names[j]) for i, j in itertools.combinations(range(n), 2)
          if rng.random() < 0.08]
    return CausalGraph.from_edges(edges, nodes=sorted(names), bidirected=bi)


def test_lazy_topological_order_matches_the_graphs_own():
    rng = random.Random(4)
    for _ in range(40):
        g = _graph(rng, rng.randint(2, 12))
        adm = admg(g)
        assert sorted(g.nodes, key=adm.order.__getitem__) == g.topological_order()
        assert len(adm.order) == len(g.nodes)


def test_views_are_remembered_per_graph_object_and_never_stale():
    g = CausalGraph.from_edges([("X", "M"), ("M", "Y")])
    assert admg(g) is admg(g)
    assert separation_view(g, frozenset({"dag"}), "t") is admg(g)
    assert d_separated(g, "X", "Y", ["M"])
    h = g.add_edge("X", "Y")                   # a new object: a new view
    assert not d_separated(h, "X", "Y", ["M"])
    assert admg(h) is not admg(g)


def test_fast_walk_equals_the_full_reachable_set():
    rng = random.Random(9)
    for _ in range(200):
        g = _graph(rng, rng.randint(3, 9))
        adm = admg(g)
        x, y = rng.sample(g.nodes, 2)
        z = {v for v in g.nodes if v not in (x, y) and rng.random() < 0.3}
        assert m_separated(adm, [x], [y], z) == (y not in reachable(adm, [x], frozenset(z)))
        fresh = CausalGraph.from_edges(g.edges, nodes=g.nodes, bidirected=g.bidirected)
        assert d_separated(fresh, x, y, z) == m_separated(adm, [x], [y], z)


def test_single_query_matches_networkx_on_a_larger_dag():
    rng = random.Random(1)
    n = 300
    names = [f"v{i}" for i in range(n)]
    edges = [(names[i], names[j]) for i, j in itertools.combinations(range(n), 2)
             if rng.random() < 4 / n]
    g = CausalGraph.from_edges(edges, nodes=names)
    d = g.to_networkx()
    for _ in range(100):
        x, y = rng.sample(names, 2)
        z = set(rng.sample([v for v in names if v not in (x, y)], 8))
        fresh = CausalGraph.from_edges(edges, nodes=names)     # the cold path each time
        assert d_separated(fresh, x, y, z) == nx.is_d_separator(d, {x}, {y}, z)
