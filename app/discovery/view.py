"""What the Discover page draws: a learned graph as a typed CausalGraph (its undirected and circle
marks kept) plus edge styles, labels and widths (confidence, differences to a reference)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from app.discovery.compare import GraphDiff
from app.discovery.result import DiscoveryResult, LearnedEdge, typed_graph
from app.errors import GraphError
from app.graph import CausalGraph

Pair = tuple[str, str]


@dataclass(frozen=True)
class Drawing:
    """A drawable graph (the learned pdag/pag with its marks) with how to style its edges."""

    graph: CausalGraph
    edge_styles: dict[Pair, str] = field(default_factory=dict)
    edge_labels: dict[Pair, str] = field(default_factory=dict)
    edge_widths: dict[Pair, float] = field(default_factory=dict)
    drawn_as: dict[Pair, LearnedEdge] = field(default_factory=dict)   # drawn pair -> learned edge


def drawing(result: DiscoveryResult, *, positions: Mapping[str, tuple[float, float]] | None = None,
            diff: GraphDiff | None = None, reference: CausalGraph | None = None,
            show_confidence: bool = True) -> Drawing:
    """The learned graph with its own marks (a typed pdag/pag, see typed_graph): → arrows,
    — without arrowheads, o as a small circle (o→ also dashed), ↔ as latent links; labels show
    bootstrap confidence (or LiNGAM coefficients); with `diff`, edges of the reference that
    were not learned are drawn as "missing" and learned extras/reversals coloured (a missing
    edge is drawn in the direction `reference` has it, if given)."""
    pos = {n: p for n, p in (positions or {}).items() if n in result.nodes}
    try:
        graph = typed_graph(result, positions=pos)
        drawn = {_drawn_pair(e): e for e in result.edges}
        styles = {pair: "dashed" for pair, e in drawn.items() if e.symbol == "o->"}
    except GraphError:      # marks that make no graph of the learned type (a directed cycle)
        graph, drawn, styles = _oriented(result, pos)
    labels: dict[Pair, str] = {}
    widths: dict[Pair, float] = {}
    for pair, e in drawn.items():
        conf = result.confidence.get(e.pair)
        if show_confidence and conf is not None:
            labels[pair] = f"{conf.present:.0%}"
            widths[pair] = 1.0 + 5.0 * conf.present
        elif (e.a, e.b) in result.weights:
            labels[pair] = f"{result.weights[(e.a, e.b)]:+.2f}"
    if diff is not None:
        for e in diff.extra:
            key = _drawn_key(drawn, e)
            if key:
                styles[key] = "extra"
        for e in diff.reversed:
            key = _drawn_key(drawn, e)
            if key:
                styles[key] = "reversed"
        for e in diff.missing:
            if e.a in graph.nodes and e.b in graph.nodes:
                flip = reference is not None and (e.b, e.a) in reference.edges
                styles[(e.b, e.a) if flip else (e.a, e.b)] = "missing"
    return Drawing(graph, styles, labels, widths, drawn)


def _drawn_pair(e: LearnedEdge) -> Pair:
    """The (from, to) pair app.drawing draws the learned edge as, in typed_graph's orientation."""
    if e.symbol == "--o":
        return (e.b, e.a)                 # b o-- a
    if e.symbol in ("<->", "---"):
        return e.pair
    return (e.a, e.b)


def _oriented(result: DiscoveryResult, pos: Mapping[str, tuple[float, float]]
              ) -> tuple[CausalGraph, dict[Pair, LearnedEdge], dict[Pair, str]]:
    """Inconsistent marks only: every edge drawn as an arrow in a direction that keeps the
    drawing acyclic, the undecided ones styled (o→ dashed, — and o-o plain lines)."""
    directed = [(e.a, e.b) for e in result.edges if e.symbol in ("-->", "o->")]
    order = _order(result.nodes, directed)
    rank = {n: i for i, n in enumerate(order)}
    g = nx.DiGraph()
    g.add_nodes_from(result.nodes)
    edges: list[Pair] = []
    bidirected: list[Pair] = []
    styles: dict[Pair, str] = {}
    drawn: dict[Pair, LearnedEdge] = {}
    for e in sorted(result.edges, key=lambda e: (e.symbol not in ("-->", "o->"), e)):
        if e.symbol == "<->":
            bidirected.append(e.pair)
            drawn[e.pair] = e
            continue
        a, b = (e.a, e.b) if e.symbol in ("-->", "o->") or rank[e.a] < rank[e.b] else (e.b, e.a)
        g.add_edge(a, b)
        if not nx.is_directed_acyclic_graph(g):
            g.remove_edge(a, b)
            a, b = b, a
            g.add_edge(a, b)
        edges.append((a, b))
        drawn[(a, b)] = e
        if e.symbol == "o->":
            styles[(a, b)] = "dashed"
        elif e.symbol != "-->":
            styles[(a, b)] = "undirected"
    graph = CausalGraph(nodes=tuple(result.nodes), edges=frozenset(edges),
                        bidirected=frozenset(bidirected), positions=pos)
    return graph, drawn, styles


def _drawn_key(drawn: dict[Pair, LearnedEdge], e: LearnedEdge) -> Pair | None:
    return next((k for k, v in drawn.items() if v.pair == e.pair), None)


def _order(nodes, directed) -> list[str]:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(directed)
    try:
        return list(nx.lexicographical_topological_sort(g, key=list(nodes).index))
    except nx.NetworkXUnfeasible:
        return list(nodes)


def edge_table(result: DiscoveryResult) -> list[dict]:
    """One row per learned edge: the edge, what it means, and its bootstrap frequencies."""
    rows = []
    for e in sorted(result.edges):
        conf = result.confidence.get(e.pair)
        row = {"edge": e.text, "meaning": e.meaning}
        if result.confidence:
            row["present"] = conf.present if conf else 0.0
            row["this orientation"] = (conf.orientations.get(_label(e), 0.0) if conf else 0.0)
            row["most common"] = readable(conf.most_common[0], e.pair) if conf else ""
        if result.weights:
            row["coefficient"] = result.weights.get((e.a, e.b))
        rows.append(row)
    return rows


def readable(label: str, pair: Pair) -> str:
    """An orientation label with the arrow pointing right: "B <-- A" reads as "A --> B"."""
    x, y = pair
    for back, forward in (("<--", "-->"), ("<-o", "o->"), ("o--", "--o")):
        if label == f"{x} {back} {y}":
            return f"{y} {forward} {x}"
    return label


def _label(e: LearnedEdge) -> str:
    from app.discovery.result import orientation_label

    return orientation_label(e, e.pair)
