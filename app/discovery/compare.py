"""Compare a learned graph with a reference (the truth, or the graph drawn in the workspace).

SHD follows Tsamardinos, Brown & Aliferis (2006, Machine Learning 65, "The max-min
hill-climbing Bayesian network structure learning algorithm", Algorithm 4): both graphs are
turned into CPDAGs (DAGs via their essential graph) and the SHD is the number of node pairs
whose edge differs — an edge to add, to delete, or to re-orient (reversing a → b, or changing
directed ↔ undirected, each counts once). A learned PAG is compared, by exact endpoint marks,
with the true PAG (FCI run with a d-separation oracle on the reference graph).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.discovery.pdag import cpdag_of_dag
from app.discovery.result import DiscoveryResult, LearnedEdge
from app.errors import DiscoveryError
from app.graph import CausalGraph

Pair = tuple[str, str]


@dataclass(frozen=True)
class GraphDiff:
    """How a learned graph differs from a reference graph, pair by pair."""

    shd: int
    missing: tuple[LearnedEdge, ...]       # in the reference, absent from the learned graph
    extra: tuple[LearnedEdge, ...]         # learned, absent from the reference
    reversed: tuple[LearnedEdge, ...]      # learned a → b where the reference has b → a
    misoriented: tuple[tuple[LearnedEdge, LearnedEdge], ...]  # (reference, learned), other marks
    correct: tuple[LearnedEdge, ...]
    adjacency_precision: float
    adjacency_recall: float
    arrowhead_precision: float
    arrowhead_recall: float
    compared_as: str = "CPDAG"
    nodes: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def adjacency_f1(self) -> float:
        p, r = self.adjacency_precision, self.adjacency_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        lines = [
            f"SHD {self.shd} (compared as {self.compared_as}): {len(self.missing)} missing, "
            f"{len(self.extra)} extra, {len(self.reversed)} reversed, "
            f"{len(self.misoriented)} other orientation differences",
            f"Adjacencies: precision {self.adjacency_precision:.2f}, recall "
            f"{self.adjacency_recall:.2f}; arrowheads: precision "
            f"{self.arrowhead_precision:.2f}, recall {self.arrowhead_recall:.2f}",
        ]
        lines += [f"  missing  {e.text}" for e in self.missing]
        lines += [f"  extra    {e.text}" for e in self.extra]
        lines += [f"  reversed {e.text}" for e in self.reversed]
        lines += [f"  differs  {t.text}  vs learned  {g.text}" for t, g in self.misoriented]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)


def _edge_map(g: CausalGraph | DiscoveryResult, as_cpdag: bool) -> tuple[dict, tuple, str]:
    """pair -> LearnedEdge, node tuple, and the graph type used."""
    # duck-typed: Streamlit's module reloading can leave objects of an older class around
    if _is_result(g):
        nodes, kind = g.nodes, g.graph_type
        directed, undirected, bidirected = set(g.directed), set(g.undirected), set(g.bidirected)
        circles = [LearnedEdge(e.a, e.b, e.mark_a, e.mark_b) for e in g.circle_edges]
    elif _is_graph(g):
        nodes, directed, bidirected, kind = g.nodes, set(g.edges), set(g.bidirected), "DAG"
        undirected: set = set()
        circles: list[LearnedEdge] = []
    else:
        raise DiscoveryError(f"Cannot compare a {type(g).__name__}; pass a CausalGraph or a "
                             "DiscoveryResult.")
    edges: dict[Pair, LearnedEdge] = {}
    if as_cpdag and kind == "DAG":
        cp = cpdag_of_dag(nodes, directed)
        directed, undirected = cp.directed, {tuple(sorted(p)) for p in cp.undirected}
        kind = "CPDAG"
    for a, b in directed:
        edges[_pair(a, b)] = LearnedEdge.directed(a, b)
    for a, b in undirected:
        edges[_pair(a, b)] = LearnedEdge.undirected(a, b)
    for a, b in bidirected:
        edges[_pair(a, b)] = LearnedEdge.bidirected(a, b)
    for e in circles:
        edges[e.pair] = e
    return edges, tuple(nodes), kind


def _conflict(pag_edge: LearnedEdge, learned: LearnedEdge) -> bool:
    """True when a definite PAG mark (arrow/tail) contradicts a learned directed edge's mark
    at the same end (undirected and circle ends claim nothing)."""
    if not learned.is_directed:
        return False
    for node in (learned.a, learned.b):
        mark = pag_edge.mark_at(node)
        if mark != "circle" and mark != learned.mark_at(node):
            return True
    return False


def _is_result(g) -> bool:
    return isinstance(g, DiscoveryResult) or hasattr(g, "graph_type")


def _is_graph(g) -> bool:
    return isinstance(g, CausalGraph) or (hasattr(g, "bidirected") and hasattr(g, "roles"))


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


def _arrowheads(edges: dict[Pair, LearnedEdge]) -> set[tuple[str, str]]:
    """(x, y) for every arrowhead at y on an x–y edge."""
    out = set()
    for e in edges.values():
        if e.mark_b == "arrow":
            out.add((e.a, e.b))
        if e.mark_a == "arrow":
            out.add((e.b, e.a))
    return out


def true_pag(graph: CausalGraph, observed) -> DiscoveryResult:
    """The PAG that FCI would find with perfect independence information: FCI run with a
    d-separation oracle on `graph`, where nodes outside `observed` (and one hidden parent per
    ↔ edge) are latent."""
    import networkx as nx

    from app.discovery.algorithms import fci_with_test
    from app.discovery.citests import DSeparationOracle
    from app.discovery.knowledge import Knowledge

    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from(graph.edges)
    for i, (a, b) in enumerate(sorted(graph.bidirected)):
        hidden = f"__latent_{i}"
        dag.add_edges_from([(hidden, a), (hidden, b)])
    observed = [n for n in graph.nodes if n in set(observed)]
    oracle = DSeparationOracle(dag, observed)
    edges, _ = fci_with_test(np.zeros((1, len(observed))), oracle, observed, 0.5, Knowledge())
    return DiscoveryResult(nodes=tuple(observed), edges=tuple(edges), graph_type="PAG",
                           method="oracle", method_name="FCI with a d-separation oracle",
                           reason="true PAG")


def compare_graphs(true: CausalGraph | DiscoveryResult, learned: CausalGraph | DiscoveryResult,
                   *, as_cpdag: bool = True) -> GraphDiff:
    """SHD (Tsamardinos et al. 2006, on CPDAGs) and the edge-by-edge difference.

    With as_cpdag=False DAGs are compared as they are (the usual "DAG SHD", e.g. for LiNGAM,
    whose directions are identified). Only nodes present in both graphs are compared; nodes
    left out are named in `notes` (e.g. latent variables of the true graph)."""
    consistency = False
    notes = []
    if _is_graph(true) and not _is_result(true) and _is_result(learned):
        hidden = [n for n in true.nodes if n not in set(learned.nodes)]
        if learned.graph_type == "PAG":
            true = true_pag(true, learned.nodes)
        elif hidden or true.bidirected:
            # a CPDAG/DAG method assumes no latent variables; the fair reference over the
            # measured variables is the true PAG, and only definite marks on both sides count
            notes.append("The reference has latent variables (" + ", ".join(
                hidden or ["↔ edges"]) + "): compared with its PAG over the measured "
                "variables; an edge counts as wrong only if adjacency differs or both graphs "
                "make conflicting definite claims about an end.")
            true = true_pag(true, learned.nodes)
            consistency = True
    t_edges, t_nodes, t_kind = _edge_map(true, as_cpdag)
    l_edges, l_nodes, l_kind = _edge_map(learned, as_cpdag)
    common = [n for n in l_nodes if n in set(t_nodes)]
    only_true = [n for n in t_nodes if n not in set(l_nodes)]
    only_learned = [n for n in l_nodes if n not in set(t_nodes)]
    if only_true:
        notes.append("Not compared (only in the reference graph, e.g. latent): "
                      + ", ".join(only_true) + "; edges through them are not counted.")
    if only_learned:
        notes.append("Not compared (only in the learned graph): " + ", ".join(only_learned) + ".")
    keep = set(common)
    t_edges = {p: e for p, e in t_edges.items() if set(p) <= keep}
    l_edges = {p: e for p, e in l_edges.items() if set(p) <= keep}

    missing, extra, rev, mis, correct = [], [], [], [], []
    for pair in sorted(set(t_edges) | set(l_edges)):
        t, g = t_edges.get(pair), l_edges.get(pair)
        if g is None:
            missing.append(t)
        elif t is None:
            extra.append(g)
        elif (t.a, t.b, t.mark_a, t.mark_b) == (g.a, g.b, g.mark_a, g.mark_b) or (
                consistency and not _conflict(t, g)):
            correct.append(g)
        elif t.is_directed and g.is_directed:
            rev.append(g)
        else:
            mis.append((t, g))
    shd = len(missing) + len(extra) + len(rev) + len(mis)
    adj_both = len(set(t_edges) & set(l_edges))
    t_heads, l_heads = _arrowheads(t_edges), _arrowheads(l_edges)
    heads_both = len(t_heads & l_heads)
    kinds = {t_kind, l_kind}
    compared_as = "PAG" if "PAG" in kinds else ("CPDAG" if "CPDAG" in kinds else "DAG")
    if consistency:
        compared_as = f"{l_kind}-vs-true-PAG"
    return GraphDiff(
        shd=shd, missing=tuple(missing), extra=tuple(extra), reversed=tuple(rev),
        misoriented=tuple(mis), correct=tuple(correct),
        adjacency_precision=adj_both / len(l_edges) if l_edges else 1.0,
        adjacency_recall=adj_both / len(t_edges) if t_edges else 1.0,
        arrowhead_precision=heads_both / len(l_heads) if l_heads else 1.0,
        arrowhead_recall=heads_both / len(t_heads) if t_heads else 1.0,
        compared_as=compared_as, nodes=tuple(common), notes=tuple(notes))
