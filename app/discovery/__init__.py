"""Causal discovery: learn a graph from data with background knowledge and bootstrap confidence,
and compare it with a reference graph.

    result = discover(df, method="auto", knowledge=Knowledge(forbidden={("y", "x")}), bootstrap=50)
    print(result)                       # method + why, edges with confidence, notes
    diff = compare_graphs(true_graph, result)   # SHD (Tsamardinos 2006, on CPDAGs) and edge lists
    graph = to_causal_graph(result)     # adopt the directed edges as a CausalGraph
    typed = typed_graph(result)         # the learned CPDAG/PAG as a pdag/pag, nothing oriented
"""
from app.discovery.compare import GraphDiff, compare_graphs, true_pag
from app.discovery.engine import (
    METHOD_HELP,
    METHODS,
    SCORES,
    TESTS,
    choose_method,
    discover,
)
from app.discovery.knowledge import Knowledge
from app.discovery.prepare import default_variables, variable_kinds
from app.discovery.result import (
    AUTO,
    KIND_MEANING,
    AdoptionPlan,
    DiscoveryResult,
    EdgeConfidence,
    LearnedEdge,
    plan_adoption,
    to_causal_graph,
    typed_graph,
)

__all__ = [
    "discover", "compare_graphs", "to_causal_graph", "typed_graph", "plan_adoption", "AdoptionPlan", "AUTO", "true_pag", "Knowledge", "DiscoveryResult",
    "LearnedEdge", "EdgeConfidence", "GraphDiff", "METHODS", "METHOD_HELP", "TESTS", "SCORES",
    "KIND_MEANING", "choose_method", "default_variables", "variable_kinds",
]
