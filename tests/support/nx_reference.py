"""Independent references built on networkx only, shared by the analysis tests.

The adjustment criterion in one DAG is Shpitser, VanderWeele & Robins (2010), in the form of
Perković, Textor, Kalisch & Maathuis (JMLR 2018, Def. 3.3): no node of Z on or below a proper
causal path, and Z d-separates X and Y once the first edge of each proper causal path is cut.
"""
from __future__ import annotations

import networkx as nx

from app.graph import CausalGraph


def gac_valid(d: nx.DiGraph, x: str, y: str, z: set[str]) -> bool:
    """Is Z a valid adjustment set for the effect of x on y in the DAG d (networkx only)?"""
    pcp = {v for v in nx.descendants(d, x) if v == y or y in nx.descendants(d, v)}
    forb = set().union(*(nx.descendants(d, v) | {v} for v in pcp)) if pcp else set()
    if z & forb:
        return False
    pbd = d.copy()
    pbd.remove_edges_from([(x, c) for c in d.successors(x) if c in pcp])
    return nx.is_d_separator(pbd, {x}, {y}, z)


def canonical_dag(g: CausalGraph) -> nx.DiGraph:
    """The DAG a MAG or ADMG stands for with each <-> replaced by a latent common cause
    (nodes "__L0", "__L1", …), one of the DAGs of its class."""
    d = nx.DiGraph()
    d.add_nodes_from(g.nodes)
    d.add_edges_from(g.edges)
    for i, (a, b) in enumerate(sorted(g.bidirected)):
        d.add_edges_from([(f"__L{i}", a), (f"__L{i}", b)])
    return d
