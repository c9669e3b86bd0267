"""Discovery results as typed graphs: a CPDAG becomes a "pdag", a PAG a "pag", nothing oriented,
and every one survives a round trip through DAGitty text.

References: Verma & Pearl (1990), "Equivalence and synthesis of causal models": two DAGs are
Markov equivalent iff they have the same skeleton and the same v-structures, so the chain
a → b → c shares its class with a ← b ← c and a ← b → c (both edges undirected in the CPDAG)
while the v-structure a → c ← b is alone in its class (both edges compelled). Zhang (2008),
"On the completeness of orientation rules for causal discovery in the presence of latent
confounders": the PAG of a → x ← L → y ← b with L hidden is a o→ x ↔ y ←o b.
"""
import pytest

from app.discovery import DiscoveryResult, LearnedEdge, discover, to_causal_graph, typed_graph
from app.discovery.compare import true_pag
from app.discovery.simulate import linear_sem
from app.graph import CausalGraph
from app.io import parse_graph
from app.io.dagitty import write_dagitty


def _round_trip(g: CausalGraph) -> CausalGraph:
    return parse_graph(write_dagitty(g))


def test_pc_on_a_simulated_chain_gives_a_pdag_with_two_undirected_edges():
    truth = CausalGraph.from_edges([("a", "b"), ("b", "c")])
    result = discover(linear_sem(truth, 2000, seed=1), "pc", test="fisherz")
    g = typed_graph(result)
    assert g.kind == "pdag"
    assert g.undirected == {("a", "b"), ("b", "c")}       # Verma & Pearl 1990: no v-structure
    assert g.edges == frozenset() and g.circle == frozenset()
    assert g.nodes == ("a", "b", "c")
    assert _round_trip(g) == g
    # the Adopt path still orients into a DAG, as before
    assert to_causal_graph(result, "extend").kind == "dag"


def test_ges_on_a_simulated_v_structure_gives_directed_edges():
    truth = CausalGraph.from_edges([("a", "c"), ("b", "c")])
    g = discover(linear_sem(truth, 2000, seed=1), "ges").to_graph()
    assert g.kind == "pdag"
    assert g.edges == {("a", "c"), ("b", "c")}             # compelled: a v-structure
    assert g.undirected == frozenset()
    assert _round_trip(g) == g


def test_fci_on_a_latent_confounded_model_gives_circle_marks_as_a_pag():
    truth = CausalGraph.from_edges([("a", "x"), ("L", "x"), ("L", "y"), ("b", "y")])
    data = linear_sem(truth, 3000, seed=2).drop(columns="L")
    g = typed_graph(discover(data, "fci", test="fisherz"))
    assert g.kind == "pag"
    assert g.circle == {("a", "@->", "x"), ("b", "@->", "y")}   # Zhang 2008: a o-> x
    assert g.bidirected == {("x", "y")}
    assert g.edges == frozenset() and g.undirected == frozenset()
    # the same PAG as FCI with a d-separation oracle on the true graph
    assert typed_graph(true_pag(truth, ["a", "x", "y", "b"])).same_structure(g)
    assert _round_trip(g) == g


def _result(edges, graph_type, nodes=("a", "b", "c", "d"), **kw):
    return DiscoveryResult(nodes=nodes, edges=tuple(edges), graph_type=graph_type, method="pc",
                           method_name="PC", reason="test", **kw)


def test_every_pag_mark_becomes_the_circle_mark_dagitty_writes():
    r = _result([LearnedEdge("a", "b", "circle", "arrow"),      # a o-> b
                 LearnedEdge("b", "c", "circle", "circle"),     # b o-o c
                 LearnedEdge("c", "d", "tail", "circle"),       # c --o d, i.e. d o-- c
                 LearnedEdge("a", "d", "tail", "arrow")], "PAG")
    g = r.to_graph(positions={"a": (0, 0), "b": (100, 0), "zz": (5, 5)})
    assert g.kind == "pag"
    assert g.circle == {("a", "@->", "b"), ("b", "@-@", "c"), ("d", "@--", "c")}
    assert g.edges == {("a", "d")}
    assert g.positions == {"a": (0.0, 0.0), "b": (100.0, 0.0)}   # unknown names dropped
    text = write_dagitty(g)
    assert "a @-> b" in text and "d @-- c" in text
    assert _round_trip(g) == g


def test_kind_follows_the_result_and_confidence_filters_edges():
    from app.discovery.result import EdgeConfidence

    dag = _result([LearnedEdge.directed("a", "b")], "DAG")
    assert typed_graph(dag).kind == "dag"
    cpdag = _result([LearnedEdge.directed("a", "b")], "CPDAG")
    assert typed_graph(cpdag).kind == "pdag"                 # a class, even if all directed
    conf = {("a", "b"): EdgeConfidence(("a", "b"), 0.9), ("c", "d"): EdgeConfidence(("c", "d"), 0.3)}
    r = _result([LearnedEdge.directed("a", "b"), LearnedEdge.undirected("c", "d")], "CPDAG",
                confidence=conf)
    kept = typed_graph(r, min_confidence=0.5)
    assert kept.edges == {("a", "b")} and kept.undirected == frozenset()
    assert kept.nodes == ("a", "b", "c", "d")                # every learned variable stays
    assert typed_graph(r).undirected == {("c", "d")}


def test_inconsistent_marks_raise_a_graph_error_not_a_wrong_graph():
    from app.errors import CausalCanvasError

    r = _result([LearnedEdge.directed("a", "b"), LearnedEdge.directed("b", "a")], "CPDAG")
    with pytest.raises(CausalCanvasError):
        typed_graph(r)


def test_the_discover_drawing_keeps_the_marks_and_puts_labels_on_the_drawn_edges():
    from app.discovery.result import EdgeConfidence
    from app.discovery.view import drawing
    from app.drawing import network_data

    conf = {p: EdgeConfidence(p, share) for p, share in
            ((("a", "b"), 0.8), (("c", "d"), 0.6), (("b", "c"), 0.4))}
    r = _result([LearnedEdge("a", "b", "circle", "arrow"), LearnedEdge("c", "d", "tail", "circle"),
                 LearnedEdge.bidirected("b", "c")], "PAG", confidence=conf)
    d = drawing(r)
    assert d.graph.kind == "pag" and d.graph.circle == {("a", "@->", "b"), ("d", "@--", "c")}
    assert d.edge_labels == {("a", "b"): "80%", ("d", "c"): "60%", ("b", "c"): "40%"}
    assert d.edge_styles == {("a", "b"): "dashed"}            # o→ stays dashed, as the caption says
    data = network_data(d.graph, edge_styles=d.edge_styles, edge_labels=d.edge_labels)
    names = {n["id"]: n["name"] for n in data.nodes}
    by_pair = {(names[e["from"]], names[e["to"]]): e for e in data.edges}
    assert by_pair[("d", "c")]["label"] == "60%"
    assert by_pair[("d", "c")]["arrows"]["from"]["type"] == "circle"
    assert by_pair[("a", "b")]["dashes"] and by_pair[("a", "b")]["arrows"]["to"]["type"] == "arrow"


def test_the_discover_drawing_of_inconsistent_marks_still_draws_every_edge():
    from app.discovery.view import drawing

    r = _result([LearnedEdge.directed("a", "b"), LearnedEdge.directed("b", "c"),
                 LearnedEdge.directed("c", "a")], "CPDAG")
    d = drawing(r)                        # a directed cycle: no pdag, drawn acyclic instead
    assert d.graph.kind == "dag" and len(d.graph.edges) == 3


def test_adopting_into_an_opened_pdag_replaces_only_the_adopted_pairs():
    """The workspace may now hold the learned PDAG itself: Adopt orients the chosen pairs and
    keeps the other undecided edges (and the type) instead of silently dropping them."""
    from app.discovery import plan_adoption

    r = _result([LearnedEdge.undirected("a", "b"), LearnedEdge.undirected("b", "c"),
                 LearnedEdge.directed("c", "d")], "CPDAG")
    base = typed_graph(r)
    plan = plan_adoption(r, base, [r.edge("a", "b")], {("a", "b"): "b"})
    g = plan.graph
    assert plan.adopted == ("a → b (your orientation)",)
    assert (g.kind, g.edges, g.undirected) == ("pdag", {("a", "b"), ("c", "d")}, {("b", "c")})
    # orienting the last undecided edge leaves a fully oriented graph: a DAG
    last = plan_adoption(r, g, [r.edge("b", "c")], {("b", "c"): "c"}).graph
    assert (last.kind, last.edges) == ("dag", {("a", "b"), ("b", "c"), ("c", "d")})
    # to_causal_graph merges the same way
    merged = to_causal_graph(r, "skip", base=base)
    assert (merged.kind, merged.undirected) == ("pdag", {("a", "b"), ("b", "c")})
    # a DAG base is unchanged in type
    assert plan_adoption(r, CausalGraph(), r.edges, {p: "auto" for p in r.adjacencies}).graph.kind == "dag"
