"""Drawing: names are escaped wherever they can reach HTML; one legend; deterministic layout."""
from app.drawing import layered_layout, legend_html, network_data, node_category, script_json
from app.graph import CausalGraph
from app.graph_html import graph_page_html

EVIL = "</script><img src=x onerror=alert(1)>"


def test_hostile_name_cannot_break_out_of_script_or_tooltip():
    g = CausalGraph.from_edges([(EVIL, "Y")]).set_role(EVIL, "exposure")
    doc = graph_page_html(network_data(g))
    assert EVIL not in doc                      # never raw
    assert "<img src=x" not in doc
    assert "\\u003c/script\\u003e" in doc      # JSON-escaped inside the data script
    # the tooltip is set with innerText by vis-network 9: escaping it would show "&lt;" literally
    assert network_data(g).nodes[0]["title"] == f"{EVIL} — exposure"


def test_script_json_escapes_line_separators():
    assert "\u2028" not in script_json({"a": "x\u2028y"})


def test_legend_lists_categories_in_use():
    g = CausalGraph.from_edges([("Z", "X"), ("Z", "Y"), ("X", "Y")])
    g = g.set_role("X", "exposure").set_role("Y", "outcome")
    keys = [k for k, _, _ in network_data(g).legend]
    assert keys[:2] == ["exposure", "outcome"] and "confounder" in keys
    assert "possible confounder" in legend_html(network_data(g).legend)


def test_node_styles_in_use_are_in_the_legend():
    """A highlighted path's orange ring, a faded node, an intervened box: each drawn mark is
    named in the legend (Analyse drew orange rings with no legend entry), and only those used."""
    g = CausalGraph.from_edges([("A", "B"), ("B", "C")])
    data = network_data(g, highlight_nodes=["A"], node_styles={"C": "dimmed", "B": "intervened"})
    labels = [label for _, label, _ in data.legend]
    assert {"highlighted (orange ring)", "not part of it (faded)",
            "set by the intervention (box)"} <= set(labels)
    assert "collider (purple ring)" not in labels
    chips = legend_html(data.legend)
    assert "#f59e0b" in chips and "opacity:0.35" in chips and "border-radius:2px" in chips
    assert not any(k.startswith("node:") for k, _, _ in network_data(g).legend)
    # a page says what its marks mean there (Estimate's grey ring is an instrument, not a blocker)
    here = network_data(g, node_styles={"A": "blocking"}, node_legend={"blocking": "blocks it"})
    assert "blocks it" in [label for _, label, _ in here.legend]
    assert "marked (grey ring)" in [label for _, label, _ in
                                    network_data(g, node_styles={"A": "blocking"}).legend]
    # a long label wraps inside a narrow column instead of running past it (QA round 3, 1024 px)
    assert "white-space:nowrap" not in chips and "max-width:100%" in chips


def test_styled_pair_that_is_not_an_edge_is_drawn_and_legended():
    g = CausalGraph.from_edges([("A", "B"), ("B", "C")])
    data = network_data(g, edge_styles={("A", "C"): "violated"})
    assert len(data.edges) == 3 and any(k == "violated" for k, _, _ in data.legend)


def test_layered_layout_puts_parents_above_children():
    g = CausalGraph.from_edges([("A", "B"), ("B", "C"), ("A", "C")])
    pos = layered_layout(g)
    assert pos["A"][1] < pos["B"][1] < pos["C"][1]
    assert layered_layout(g) == pos


def test_page_html_has_no_external_references():
    import re
    doc = graph_page_html(network_data(CausalGraph.from_edges([("A", "B")])))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", doc)


def test_edge_skipping_a_layer_does_not_run_through_the_middle_node():
    # confounding triangle: Z -> X -> Y and Z -> Y; X must not sit on the Z–Y line
    g = CausalGraph.from_edges([("Z", "X"), ("X", "Y"), ("Z", "Y")])
    pos = layered_layout(g)
    assert pos["Z"][0] == pos["Y"][0] and abs(pos["X"][0] - pos["Z"][0]) >= 0.5 * 160


def test_single_positioned_node_is_not_blown_up():
    from app.drawing import display_positions
    g = CausalGraph.from_edges([], nodes=["A"]).move("A", 3, 4)
    assert display_positions(g)["A"] == (3.0, 4.0)


def test_ancestor_of_both_means_a_possible_confounder_not_a_cause_of_the_exposure_only():
    # Z -> X -> Y: Z reaches Y only through the exposure; W -> X and W -> Y confounds;
    # X -> M -> Y: M is a mediator, an ancestor of the outcome
    g = CausalGraph.from_edges([("Z", "X"), ("X", "Y"), ("W", "X"), ("W", "Y"),
                                ("X", "M"), ("M", "Y")]).set_role("X", "exposure").set_role("Y", "outcome")
    cats = {n: node_category(g, n) for n in g.nodes}
    assert cats == {"Z": "anc_exposure", "X": "exposure", "Y": "outcome", "W": "confounder",
                    "M": "anc_outcome"}


# ---- a PDAG's and a PAG's marks -------------------------------------------------------------
def _ends(edge: dict) -> tuple:
    """(mark at `from`, mark at `to`) of a vis-network edge item: "arrow", "circle" or None."""
    arrows = edge["arrows"]
    if isinstance(arrows, dict):
        return tuple((arrows[end].get("type", "arrow") if arrows.get(end, {}).get("enabled") else None)
                     for end in ("from", "to"))
    return tuple("arrow" if end in arrows else None for end in ("from", "to"))


def test_undirected_edges_are_plain_lines_and_the_legend_says_direction_undecided():
    g = CausalGraph.from_edges([("b", "c")], undirected=[("a", "b")], kind="pdag")
    data = network_data(g)
    names = {n["id"]: n["name"] for n in data.nodes}
    ends = {(names[e["from"]], names[e["to"]]): _ends(e) for e in data.edges}
    assert ends == {("a", "b"): (None, None), ("b", "c"): (None, "arrow")}
    assert ("undirected", "— direction undecided") in [(k, label) for k, label, _ in data.legend]
    # a style asked for the pair (e.g. a highlighted path) colours it but adds no arrowhead
    styled = network_data(g, edge_styles={("b", "a"): "highlight"})
    line = next(e for e in styled.edges if {names[e["from"]], names[e["to"]]} == {"a", "b"})
    assert _ends(line) == (None, None) and line["color"]["color"] == "#f59e0b"
    assert len(styled.edges) == 2                      # not drawn a second time as a styled pair


def test_circle_marks_are_circle_ends_at_the_right_end():
    g = CausalGraph.from_edges([], bidirected=[("x", "y")], kind="pag",
                               circle=[("a", "@->", "x"), ("b", "@-@", "y"), ("c", "@--", "y")])
    data = network_data(g)
    names = {n["id"]: n["name"] for n in data.nodes}
    ends = {(names[e["from"]], names[e["to"]]): _ends(e) for e in data.edges}
    assert ends == {("x", "y"): ("arrow", "arrow"),
                    ("a", "x"): ("circle", "arrow"),      # a o-> x
                    ("b", "y"): ("circle", "circle"),     # b o-o y
                    ("c", "y"): ("circle", None)}         # c o-- y
    assert ("circle", "o circle: either mark") in [(k, label) for k, label, _ in data.legend]
    assert "o circle: either mark" in legend_html(data.legend)


def test_typed_equivalence_classes_of_the_samples_are_readable_in_every_layout():
    """The CPDAG of every sample (undirected edges routed like arrows) passes the same
    readability check as the samples themselves."""
    from app.discovery.pdag import cpdag_of_dag
    from app.drawing import force_layout
    from app.layout_check import check_network_data
    from app.samples import SAMPLE_NAMES, load_sample

    undirected = 0
    for name in SAMPLE_NAMES:
        dag = load_sample(name).graph
        p = cpdag_of_dag(dag.nodes, dag.edges)
        g = CausalGraph.from_edges(sorted(p.directed), nodes=dag.nodes, kind="pdag",
                                   undirected=[tuple(sorted(e)) for e in p.undirected],
                                   positions=dag.positions)
        undirected += len(g.undirected)
        for h in (g, g.with_positions(layered_layout(g)), g.with_positions(force_layout(g))):
            for stretch in (True, False):
                data = network_data(h, stretch=stretch)
                assert len(data.edges) == len(h.edges) + len(h.undirected)
                report = check_network_data(data.nodes, data.edges)
                assert report.ok, f"{name}: {report}"
    assert undirected > 5            # the check did see undirected edges


def test_the_editor_receives_each_mark_with_its_kind():
    from components.dag_editor import editor_graph

    g = CausalGraph.from_edges([("b", "c")], undirected=[("a", "b")], kind="pag",
                               circle=[("c", "@->", "d")])
    drawn, legend = editor_graph(g)
    kinds = {(e["from"], e["to"]): e["kind"] for e in drawn["edges"]}
    assert kinds == {("b", "c"): "d", ("a", "b"): "u", ("c", "d"): "c"}
    assert {k for k, _, _ in legend} >= {"undirected", "circle"}


def test_a_style_for_the_reverse_of_an_arrow_is_still_drawn_as_its_own_edge():
    """As before typed graphs: a styled pair (b, a) beside the arrow a → b is a second edge
    (e.g. a missing edge drawn the other way), while a style on a — or o edge colours it."""
    g = CausalGraph.from_edges([("a", "b")])
    data = network_data(g, edge_styles={("b", "a"): "missing"})
    assert len(data.edges) == 2
    p = CausalGraph.from_edges([], nodes=("a", "b"), kind="pag", circle=[("a", "@->", "b")])
    data = network_data(p, edge_styles={("b", "a"): "extra"})
    assert len(data.edges) == 1 and data.edges[0]["color"]["color"] == "#2563eb"


def test_memoised_edge_geometry_routes_exactly_as_a_cold_start():
    """The routing memo (app.drawing._GEOMETRY) is keyed on the nodes near each curve: after
    moving nodes one at a time, every warm routing equals routing with the memo emptied."""
    import random

    from app import drawing
    from app.discovery.simulate import random_dag

    rng = random.Random(4)
    g = random_dag(25, expected_degree=2.5, seed=4)
    pos = drawing.layered_layout(g)
    edges = drawing._drawn_edges(g)
    boxes = {n: drawing.estimate_node_box(n, n, *pos[n]) for n in g.nodes}
    for _ in range(8):
        n = rng.choice(g.nodes)
        pos = {**pos, n: (pos[n][0] + rng.uniform(-80, 80), pos[n][1] + rng.uniform(-50, 50))}
        warm = drawing.route_edges(pos, boxes, edges)
        drawing._GEOMETRY.clear()
        assert drawing.route_edges(pos, boxes, edges) == warm
