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
