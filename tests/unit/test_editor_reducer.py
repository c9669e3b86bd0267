"""The editor reducer: each canvas event becomes exactly one CausalGraph edit, or a GraphError
that leaves the graph untouched."""
import itertools
import math

import pytest

from app.drawing import display_positions, force_layout, layered_layout, network_data
from app.editor import (
    EVENT_TYPES,
    EditResult,
    apply_event,
    freeze_layout,
    place_new_nodes,
    shown_positions,
)
from app.errors import CycleError, GraphError
from app.graph import CausalGraph
from app.layout_check import check_network_data

TRIANGLE = CausalGraph.from_edges([("Z", "X"), ("Z", "Y"), ("X", "Y")])


def run(g: CausalGraph, *events: dict) -> CausalGraph:
    for e in events:
        g = apply_event(g, e).graph
    return g


def test_confounding_triangle_built_from_events_equals_the_textbook_graph():
    g = run(CausalGraph(),
            {"type": "add_node", "name": "Z", "x": 0, "y": 0},
            {"type": "add_node", "name": "X", "x": -100, "y": 120},
            {"type": "add_node", "name": "Y", "x": 100, "y": 120},
            {"type": "add_edge", "source": "Z", "target": "X"},
            {"type": "add_edge", "source": "Z", "target": "Y"},
            {"type": "add_edge", "source": "X", "target": "Y"})
    assert g.same_structure(TRIANGLE)
    assert g.positions == {"Z": (0.0, 0.0), "X": (-100.0, 120.0), "Y": (100.0, 120.0)}


def test_edge_closing_a_cycle_is_refused_with_the_cycle_named():
    with pytest.raises(CycleError) as err:
        apply_event(TRIANGLE, {"type": "add_edge", "source": "Y", "target": "Z"})
    text = err.value.user_message()
    # Y -> Z closes Z -> X -> Y -> Z (or Z -> Y -> Z): every node of the cycle is named
    assert "Y" in text and "Z" in text and "cycle" in text
    assert set(err.value.cycle) <= {"X", "Y", "Z"} and {"Y", "Z"} <= set(err.value.cycle)


@pytest.mark.parametrize("event, fragment", [
    ({"type": "add_edge", "source": "Z", "target": "Q"}, "no node called 'Q'"),
    ({"type": "add_edge", "source": "X", "target": "X"}, "cannot point to itself"),
    ({"type": "add_edge", "source": "Z", "target": "X"}, "already there"),
    ({"type": "add_node", "name": "   "}, "cannot be empty"),
    ({"type": "add_node", "name": ""}, "cannot be empty"),
    ({"type": "add_node", "name": "X"}, "already exists"),
    ({"type": "add_node", "name": "A\u0000B"}, "control character"),
    ({"type": "add_node", "name": 5}, "must be text"),
    ({"type": "add_node", "name": "A", "x": 1}, "both x and y"),
    ({"type": "add_node", "name": "A", "x": "1", "y": 2}, "finite number"),
    ({"type": "add_node", "name": "A", "x": math.nan, "y": 2}, "finite number"),
    ({"type": "add_node", "name": "A", "x": True, "y": 2}, "finite number"),
    ({"type": "add_node", "name": "A", "roles": ["boss"]}, "Unknown role"),
    ({"type": "remove_node", "name": "Q"}, "no node called 'Q'"),
    ({"type": "rename_node", "name": "Q", "new_name": "R"}, "no node called 'Q'"),
    ({"type": "rename_node", "name": "X", "new_name": "Y"}, "already exists"),
    ({"type": "rename_node", "name": "X", "new_name": " "}, "cannot be empty"),
    ({"type": "rename_node", "name": "X"}, "missing 'new_name'"),
    ({"type": "remove_edge", "source": "Y", "target": "X"}, "no edge Y → X"),
    ({"type": "reverse_edge", "source": "Y", "target": "Z"}, "no edge Y → Z"),
    ({"type": "add_bidirected", "source": "X", "target": "X"}, "two different nodes"),
    ({"type": "remove_bidirected", "source": "X", "target": "Y"}, "no bidirected edge"),
    ({"type": "convert_edge", "source": "X", "target": "Y", "to": "sideways"}, "not 'sideways'"),
    ({"type": "move", "positions": {}}, "non-empty map"),
    ({"type": "move", "positions": {"Q": [1, 2]}}, "no node called 'Q'"),
    ({"type": "move", "positions": {"X": [1]}}, "pair of numbers"),
    ({"type": "move", "positions": {"X": [1, math.inf]}}, "finite number"),
    ({"type": "move", "positions": {"X": [1, 1e9]}}, "not a usable number"),
    ({"type": "move", "positions": [["X", 1, 2]]}, "non-empty map"),
    ({"type": "set_roles", "name": "X", "roles": ["boss"]}, "Unknown role 'boss'"),
    ({"type": "set_roles", "name": "X", "roles": "exposure"}, "list of node names"),
    ({"type": "set_roles", "name": "X", "roles": [["exposure"]]}, "list of node names"),
    ({"type": "set_roles", "name": "Q", "roles": []}, "no node called 'Q'"),
    ({"type": "layout", "kind": "circle"}, "Unknown layout"),
    ({"type": "delete"}, "Nothing is selected"),
    ({"type": "delete", "nodes": ["X"], "edges": [["Z", "Q"]]}, "no node called 'Q'"),
    ({"type": "delete", "edges": [["Y", "X"]]}, "no edge Y → X"),
    ({"type": "delete", "edges": "Z->X"}, "list of [source, target] pairs"),
    ({"type": "delete", "edges": [["Z"]]}, "pairs of node names"),
    ({"type": "teleport"}, "Unknown edit 'teleport'"),
    ({"kind": "add_node"}, "Unknown edit None"),
    ({"type": 3}, "Unknown edit 3"),
])
def test_bad_event_raises_graph_error_and_leaves_graph_unchanged(event, fragment):
    before = TRIANGLE.canonical_json()
    with pytest.raises(GraphError) as err:
        apply_event(TRIANGLE, event)
    assert fragment in err.value.user_message()
    assert TRIANGLE.canonical_json() == before


@pytest.mark.parametrize("event", [None, "add_node", ["add_node", "X"], 42])
def test_event_that_is_not_an_object_is_refused(event):
    with pytest.raises(GraphError, match="JSON object"):
        apply_event(TRIANGLE, event)


def test_failing_multi_delete_applies_nothing():
    # the first edge exists, the second does not: the whole delete is refused
    event = {"type": "delete", "edges": [["Z", "X"], ["X", "Z"]], "nodes": ["Y"]}
    with pytest.raises(GraphError, match="no edge X → Z"):
        apply_event(TRIANGLE, event)


def test_failing_multi_move_applies_nothing():
    event = {"type": "move", "positions": {"X": [5, 5], "Nope": [1, 1]}}
    with pytest.raises(GraphError, match="Nope"):
        apply_event(TRIANGLE, event)


def test_delete_selection_removes_nodes_with_their_edges_and_chosen_edges():
    g = TRIANGLE.add_node("U").add_bidirected("X", "U")
    result = apply_event(g, {"type": "delete", "nodes": ["Y"], "edges": [["Z", "X"], ["X", "Y"]],
                             "bidirected": [["U", "X"]]})
    assert result.graph.nodes == ("Z", "X", "U")
    assert result.graph.edges == frozenset() and result.graph.bidirected == frozenset()
    # X -> Y went with node Y, so two edges are counted: Z -> X and U <-> X
    assert result.message == "delete node Y and 2 edges"


def test_rename_keeps_edges_roles_and_position_and_says_so():
    g = TRIANGLE.set_role("X", "exposure").move("X", 10, 20)
    result = apply_event(g, {"type": "rename_node", "name": "X", "new_name": "  Smoking "})
    assert result.graph.edges == {("Z", "Smoking"), ("Z", "Y"), ("Smoking", "Y")}
    assert result.graph.exposures == {"Smoking"}
    assert result.graph.positions["Smoking"] == (10.0, 20.0)
    assert result.message == "rename X to Smoking"


def test_hostile_name_is_plain_data():
    name = "<img src=x onerror=alert(1)>"
    g = run(TRIANGLE, {"type": "add_node", "name": name, "x": 1, "y": 2},
            {"type": "add_edge", "source": name, "target": "Y"})
    assert name in g.nodes and (name, "Y") in g.edges


def test_reverse_remove_and_convert_edges():
    g = apply_event(TRIANGLE, {"type": "reverse_edge", "source": "X", "target": "Y"}).graph
    assert ("Y", "X") in g.edges and ("X", "Y") not in g.edges
    g = apply_event(g, {"type": "convert_edge", "source": "Y", "target": "X",
                        "to": "bidirected"}).graph
    assert ("X", "Y") in g.bidirected and not g.has_edge("Y", "X")
    g = apply_event(g, {"type": "convert_edge", "source": "X", "target": "Y",
                        "to": "directed"}).graph
    assert g.has_edge("X", "Y") and not g.bidirected
    g = apply_event(g, {"type": "remove_edge", "source": "X", "target": "Y"}).graph
    assert g.edges == {("Z", "X"), ("Z", "Y")}


def test_reversing_into_a_cycle_is_refused():
    chain = CausalGraph.from_edges([("A", "B"), ("B", "C"), ("A", "C")])
    with pytest.raises(CycleError):
        apply_event(chain, {"type": "reverse_edge", "source": "A", "target": "C"})


def test_bidirected_edges_in_either_order():
    g = apply_event(TRIANGLE, {"type": "add_bidirected", "source": "Y", "target": "X"}).graph
    assert g.bidirected == {("X", "Y")}
    with pytest.raises(GraphError, match="already there"):
        apply_event(g, {"type": "add_bidirected", "source": "X", "target": "Y"})
    g = apply_event(g, {"type": "remove_bidirected", "source": "Y", "target": "X"}).graph
    assert not g.bidirected


def test_set_roles_replaces_all_roles_of_a_node():
    g = apply_event(TRIANGLE, {"type": "set_roles", "name": "X",
                               "roles": ["exposure", "adjusted"]}).graph
    assert g.roles["X"] == {"exposure", "adjusted"}
    result = apply_event(g, {"type": "set_roles", "name": "X", "roles": []})
    assert "X" not in result.graph.roles and result.message == "set roles of X: no role"


def test_move_many_nodes_at_once_and_freezes_the_rest_where_they_were_shown():
    shown = display_positions(TRIANGLE)          # no stored positions: the layered layout
    result = apply_event(TRIANGLE, {"type": "move",
                                    "positions": {"X": [300, 40], "Y": {"x": -5, "y": 7.5}}})
    g = result.graph
    assert g.positions["X"] == (300.0, 40.0) and g.positions["Y"] == (-5.0, 7.5)
    assert g.positions["Z"] == shown["Z"]        # Z did not jump
    assert result.message == "move 2 nodes"
    assert g.same_structure(TRIANGLE)


def test_adding_a_placed_node_to_a_small_unit_layout_keeps_what_the_user_sees():
    # DAGitty positions in small units are scaled for display; a new node in screen pixels
    # must not shrink the others into a corner.
    g = TRIANGLE.with_positions({"Z": (0, 0), "X": (-1, 1), "Y": (1, 1)})
    shown = display_positions(g)
    g2 = apply_event(g, {"type": "add_node", "name": "W", "x": 400, "y": 0}).graph
    assert display_positions(g2) == {**shown, "W": (400.0, 0.0)}


def test_node_added_without_position_to_a_placed_graph_lands_in_a_free_spot():
    g = TRIANGLE.with_positions({"Z": (0, 0), "X": (-100, 100), "Y": (100, 100)})
    g2 = apply_event(g, {"type": "add_node", "name": "W"}).graph
    x, y = g2.positions["W"]
    assert x > 100 and all(math.dist((x, y), p) >= 100 for p in g.positions.values())


def test_layout_events_use_the_shared_layouts():
    g = apply_event(TRIANGLE, {"type": "layout", "kind": "hierarchical"}).graph
    assert g.positions == layered_layout(TRIANGLE)
    g2 = apply_event(TRIANGLE, {"type": "layout", "kind": "force"}).graph
    assert g2.positions == force_layout(TRIANGLE)
    assert apply_event(CausalGraph(), {"type": "layout", "kind": "force"}).graph == CausalGraph()


def test_force_layout_is_deterministic_and_keeps_nodes_apart():
    chain = CausalGraph.from_edges([(f"v{i}", f"v{i + 1}") for i in range(30)]
                                   + [(f"v{i}", f"v{i + 7}") for i in range(0, 20, 3)],
                                   nodes=["lonely"])
    a, b = force_layout(chain), force_layout(chain)
    assert a == b
    closest = min(math.dist(a[m], a[n]) for m, n in itertools.combinations(chain.nodes, 2))
    assert closest >= 60      # spread out, then nudged off arrows (never onto another node)
    drawn = network_data(chain.with_positions(a))
    assert check_network_data(drawn.nodes, drawn.edges).ok      # no overlap, no arrow through


def test_extra_keys_like_sequence_numbers_are_ignored():
    result = apply_event(TRIANGLE, {"type": "remove_node", "name": "Z", "seq": 7, "nonce": "abc"})
    assert isinstance(result, EditResult) and result.graph.nodes == ("X", "Y")
    assert "remove node Z" in str(result)


def test_every_event_type_is_covered_by_a_reducer():
    assert set(EVENT_TYPES) == {"add_node", "remove_node", "rename_node", "add_edge", "remove_edge",
                                "reverse_edge", "add_bidirected", "remove_bidirected",
                                "convert_edge", "move", "set_roles", "layout", "delete"}


def test_freeze_layout_is_a_no_op_when_positions_are_already_shown():
    g = freeze_layout(TRIANGLE)
    assert freeze_layout(g) is g


def test_text_added_nodes_get_a_free_place_when_the_layout_is_manual():
    old = TRIANGLE.with_positions({"Z": (0, 0), "X": (-100, 100), "Y": (100, 100)})
    typed = CausalGraph.from_edges([("Z", "X"), ("Z", "Y"), ("X", "Y"), ("W", "Y"), ("V", "W")],
                                   positions=old.positions)
    placed = place_new_nodes(old, typed)
    assert {"W", "V"} <= set(placed.positions)
    assert placed.positions["W"] != placed.positions["V"]
    assert all(math.dist(placed.positions["W"], p) >= 100 for p in old.positions.values())
    # an automatic (unplaced) layout stays automatic
    assert place_new_nodes(TRIANGLE, typed.without_positions()) == typed.without_positions()


def test_a_graph_typed_over_another_is_laid_out_afresh_not_stacked_in_a_column():
    """QA round 3: typing a 10-node graph over the kidney-stones sample's 3 placed nodes put all
    10 new nodes in one column, 90 px apart (Analyse then drew a thin line of tiny ovals)."""
    old = TRIANGLE.with_positions({"Z": (0, 0), "X": (-100, 100), "Y": (100, 100)})
    typed = CausalGraph.from_edges([("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"), ("D", "E")])
    assert place_new_nodes(old, typed).positions == {}       # automatic (layered) layout
    # one node kept, one new: the new one still gets a free place beside the drawing
    kept = CausalGraph.from_edges([("Z", "W")], positions={"Z": (0, 0)})
    assert "W" in place_new_nodes(old, kept).positions


def test_second_node_next_to_a_single_placed_node_keeps_both_where_drawn():
    # one stored position has no extent: it must not be scaled up before the next node lands
    g = run(CausalGraph(), {"type": "add_node", "name": "Z", "x": 150.5, "y": -57.5},
            {"type": "add_node", "name": "X", "x": 20, "y": 200})
    assert g.positions == {"Z": (150.5, -57.5), "X": (20.0, 200.0)}
    assert shown_positions(CausalGraph(nodes=("Z",), positions={"Z": (150.5, -57.5)})) == {
        "Z": (150.5, -57.5)}


# ---- the component's message handling (pure parts of components.dag_editor) ----------------
def accept_events(payload, seen):
    """What _receive does with a message that is applied without interruption."""
    from components.dag_editor import fresh_events, mark_seen

    nonce, events = fresh_events(payload, seen)
    if events:
        mark_seen(seen, nonce, events[-1]["seq"])
    return events


def test_each_event_is_accepted_once_even_when_the_browser_resends_it():
    seen: dict[str, int] = {}
    first = {"nonce": "tab1", "events": [{"seq": 1, "type": "add_node", "name": "A"},
                                         {"seq": 2, "type": "add_node", "name": "B"}]}
    assert [e["seq"] for e in accept_events(first, seen)] == [1, 2]
    # the browser had not seen the acknowledgement and sends 1..3 again: only 3 is new
    again = {"nonce": "tab1", "events": [*first["events"], {"seq": 3, "type": "undo"}]}
    assert [e["seq"] for e in accept_events(again, seen)] == [3]
    assert accept_events(again, seen) == []
    # another page load numbers from 1 again under its own nonce
    assert [e["seq"] for e in accept_events({"nonce": "tab2", "events": [{"seq": 1}]}, seen)] == [1]
    assert seen == {"tab1": 3, "tab2": 1}


def test_out_of_order_and_duplicate_events_are_applied_in_sequence_once():
    seen: dict[str, int] = {}
    msg = {"nonce": "n", "events": [{"seq": 3, "type": "c"}, {"seq": 1, "type": "a"},
                                    {"seq": 3, "type": "c"}, {"seq": 2, "type": "b"}]}
    assert [e["type"] for e in accept_events(msg, seen)] == ["a", "b", "c"]


@pytest.mark.parametrize("payload", [
    None, "edit", [], {"events": []}, {"nonce": 5, "events": [{"seq": 1}]},
    {"nonce": "", "events": [{"seq": 1}]}, {"nonce": "x" * 65, "events": [{"seq": 1}]},
    {"nonce": "n", "events": "add"}, {"nonce": "n", "events": [{"seq": "1"}, {"seq": True}, 7]},
])
def test_malformed_messages_are_ignored(payload):
    seen: dict[str, int] = {}
    assert accept_events(payload, seen) == [] and seen == {}


def test_only_the_most_recent_page_loads_are_remembered():
    from components.dag_editor import MAX_NONCES

    seen: dict[str, int] = {}
    for i in range(MAX_NONCES + 5):
        accept_events({"nonce": f"n{i}", "events": [{"seq": 1}]}, seen)
    assert len(seen) == MAX_NONCES and "n0" not in seen and f"n{MAX_NONCES + 4}" in seen


def test_canvas_data_names_nodes_by_name_and_marks_latent_links():
    from components.dag_editor import editor_graph

    g = CausalGraph.from_edges([("<b>Z</b>", "X"), ("X", "Y")], bidirected=[("X", "Y")]).set_role(
        "X", "exposure").with_positions({"<b>Z</b>": (0, 0), "X": (0, 100), "Y": (100, 200)})
    drawn, legend = editor_graph(g)
    assert drawn["hash"] == g.content_hash()
    nodes = {n["id"]: n for n in drawn["nodes"]}
    assert set(nodes) == {"<b>Z</b>", "X", "Y"}
    assert "title" not in nodes["X"]            # tooltips are built as DOM text in the browser
    assert nodes["X"]["roles"] == ["exposure"] and (nodes["Y"]["x"], nodes["Y"]["y"]) == (100, 200)
    assert sorted((e["from"], e["to"], e["kind"]) for e in drawn["edges"]) == [
        ("<b>Z</b>", "X", "d"), ("X", "Y", "b"), ("X", "Y", "d")]
    latent = [e for e in drawn["edges"] if e["kind"] == "b"]
    assert len(latent) == 1 and latent[0]["arrows"] == "to,from" and latent[0]["dashes"]
    assert latent[0]["smooth"]["type"] in ("curvedCW", "curvedCCW")   # bent: X -> Y stays visible
    assert "bidirected" in [key for key, _, _ in legend]


# ---- a PDAG or PAG on the canvas keeps its kind and marks -------------------------------------
PDAG = CausalGraph.from_edges([("b", "c")], undirected=[("a", "b")], kind="pdag",
                              positions={"a": (0, 0), "b": (100, 0), "c": (200, 0)})
PAG = CausalGraph.from_edges([], nodes=("a", "b", "c"), kind="pag",
                             circle=[("a", "@->", "b"), ("b", "@-@", "c")])


def test_a_new_edge_on_a_pdag_is_directed_and_the_graph_stays_a_pdag():
    g = apply_event(PDAG, {"type": "add_edge", "source": "c", "target": "a"}).graph
    assert (g.kind, g.edges, g.undirected) == ("pdag", {("b", "c"), ("c", "a")}, {("a", "b")})
    with pytest.raises(GraphError, match="at most one edge"):     # a -- b already joins them
        apply_event(PDAG, {"type": "add_edge", "source": "a", "target": "b"})


def test_edits_keep_the_kind_and_the_marks():
    g = PDAG
    for event in ({"type": "rename_node", "name": "a", "new_name": "A"},
                  {"type": "move", "positions": {"b": [50, 50]}},
                  {"type": "set_roles", "name": "c", "roles": ["outcome"]},
                  {"type": "add_node", "name": "d", "x": 0, "y": 100},
                  {"type": "layout", "kind": "hierarchical"}):
        g = apply_event(g, event).graph
        assert g.kind == "pdag" and g.undirected == {("A", "b")}
    p = apply_event(PAG, {"type": "rename_node", "name": "b", "new_name": "B"}).graph
    assert (p.kind, p.circle) == ("pag", {("a", "@->", "B"), ("B", "@-@", "c")})


def test_undirected_and_circle_edges_can_be_deleted_from_the_canvas():
    r = apply_event(PDAG, {"type": "delete", "undirected": [["b", "a"]]})
    assert (r.graph.kind, r.graph.undirected, r.graph.edges) == ("pdag", frozenset(), {("b", "c")})
    assert r.message == "delete 1 edge"
    r = apply_event(PAG, {"type": "delete", "circle": [["b", "a"], ["c", "b"]]})
    assert (r.graph.kind, r.graph.circle) == ("pag", frozenset())
    assert r.message == "delete 2 edges"
    with pytest.raises(GraphError, match="no undirected edge"):
        apply_event(PDAG, {"type": "delete", "undirected": [["b", "c"]]})
    with pytest.raises(GraphError, match="circle mark"):
        apply_event(PAG, {"type": "delete", "circle": [["a", "c"]]})
    # deleting a node takes its marked edges with it
    r = apply_event(PAG, {"type": "delete", "nodes": ["b"], "circle": [["a", "b"]]})
    assert r.graph.circle == frozenset() and r.graph.kind == "pag"
