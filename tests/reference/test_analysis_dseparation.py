"""d-separation checked against networkx (an independent implementation) on random graphs.

Source of truth: networkx.is_d_separator (networkx 3.6). Bidirected edges are compared after
replacing each a ↔ b by an explicit latent fork a ← U_ab → b, the textbook meaning of ↔
(Richardson & Spirtes 2002), so our ADMG code is tested against the plain-DAG reference.
"""
from __future__ import annotations

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.analysis import d_separated, open_paths
from app.graph import CausalGraph


@st.composite
def graph_and_query(draw, bidirected: bool):
    n = draw(st.integers(min_value=3, max_value=9))
    names = [f"V{i}" for i in range(n)]
    order = draw(st.permutations(names))
    edges, bidi = [], []
    for i in range(n):
        for j in range(i + 1, n):
            r = draw(st.integers(0, 9))
            if r < 3:
                edges.append((order[i], order[j]))
            elif bidirected and r == 3:
                bidi.append((order[i], order[j]))
    g = CausalGraph.from_edges(edges, nodes=names, bidirected=bidi)
    roles = draw(st.lists(st.sampled_from("xyz-"), min_size=n, max_size=n))
    xs = ({v for v, r in zip(names, roles) if r == "x"} - {names[-1]}) or {names[0]}
    ys = {v for v, r in zip(names, roles) if r == "y"} - xs
    ys = ys or {next(v for v in reversed(names) if v not in xs)}
    zs = {v for v, r in zip(names, roles) if r == "z"} - xs - ys
    return g, xs, ys, zs


def _fork_dag(g: CausalGraph) -> nx.DiGraph:
    d = nx.DiGraph()
    d.add_nodes_from(g.nodes)
    d.add_edges_from(g.edges)
    for a, b in g.bidirected:
        u = f"U_{a}_{b}"
        d.add_edges_from([(u, a), (u, b)])
    return d


@settings(max_examples=500, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(graph_and_query(bidirected=False))
def test_d_separation_agrees_with_networkx_on_500_random_dags(case):
    g, xs, ys, zs = case
    expected = nx.is_d_separator(g.to_networkx(), xs, ys, zs)
    assert d_separated(g, xs, ys, zs) == expected


@settings(max_examples=300, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(graph_and_query(bidirected=True))
def test_m_separation_with_bidirected_edges_agrees_with_networkx_on_latent_forks(case):
    g, xs, ys, zs = case
    expected = nx.is_d_separator(_fork_dag(g), xs, ys, zs)
    assert d_separated(g, xs, ys, zs) == expected


@settings(max_examples=200, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(graph_and_query(bidirected=True))
def test_path_listing_is_open_exactly_when_networkx_says_connected(case):
    # The path enumerator is a second, independent decision procedure: X and Y are
    # d-connected iff at least one listed path is open.
    g, xs, ys, zs = case
    paths = open_paths(g, xs, ys, zs, limit=100_000)
    assert not paths.truncated
    connected = not nx.is_d_separator(_fork_dag(g), xs, ys, zs)
    assert any(p.open for p in paths) == connected
