"""Readable drawings (issue 17, item 4): the geometry check itself, then every bundled sample in
every layout, the time-series lagged graph, user positions, presenter mode and the views.

The check is plain plane geometry, tested on hand-made cases whose answer is obvious; that our
model of vis-network's curved edges is exact is measured in the browser
(tests/e2e/test_layout_geometry.py compares it with vis-network's own control points).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from app.drawing import display_positions, force_layout, layered_layout, network_data
from app.graph import CausalGraph
from app.layout_check import (
    EdgeCurve,
    LabelBox,
    NodeBox,
    check_layout,
    check_network_data,
    curve_points,
    estimate_node_box,
    via_point,
)
from app.samples import SAMPLE_NAMES, load_sample
from app.timeseries import TimeSeriesLink, TimeSeriesResult
from components.dag_editor import editor_graph
from components.dag_editor.view import min_scale, view_payload


def _box(name, x, y, w=60.0, h=30.0):
    return NodeBox(name, x, y, w, h, "ellipse")


# ---- the check --------------------------------------------------------------------------
def test_a_straight_edge_through_a_third_node_is_reported_and_a_bent_one_is_not():
    nodes = [_box("A", 0, 0), _box("B", 200, 0), _box("C", 400, 0)]
    straight = check_layout(nodes, [EdgeCurve("A", "C")])
    assert [(p.kind, p.second) for p in straight.problems] == [("edge_through_node", "B")]
    arc = via_point((0, 0), (400, 0), {"type": "curvedCW", "roundness": 0.25})
    assert check_layout(nodes, [EdgeCurve("A", "C", arc)]).ok
    assert check_layout(nodes, [EdgeCurve("A", "B"), EdgeCurve("B", "C")]).ok   # ends only


def test_overlapping_nodes_and_labels_are_reported():
    report = check_layout([_box("A", 0, 0), _box("B", 50, 10), _box("C", 300, 0)], [],
                          [LabelBox("e1", 300, 5, 40, 16), LabelBox("e2", 150, 100, 40, 16),
                           LabelBox("e3", 170, 105, 40, 16)])
    assert {(p.kind, p.first, p.second) for p in report.problems} == {
        ("node_overlap", "A", "B"), ("label_overlap", "label e1", "C"),
        ("label_overlap", "label e2", "label e3")}
    assert "A overlaps B" in str(report)


def test_curved_edge_control_point_follows_vis_network_formula():
    # vis-network 9 BezierEdgeStatic, type curvedCW: via = from + (r/2 + 1/2)·L·(sin g, cos g)
    # with g = atan2(from.y - to.y, to.x - from.x) + (r/2 + 1/2)·π. r = 0 is the midpoint.
    assert via_point((0, 0), (100, 0), {"type": "curvedCW", "roundness": 0.0}) == \
        pytest.approx((50, 0), abs=1e-9)
    assert via_point((0, 0), (100, 0), {"type": "curvedCW", "roundness": 1.0}) == \
        pytest.approx((0, -100), abs=1e-9)
    cw = via_point((0, 0), (100, 0), {"type": "curvedCW", "roundness": 0.5})
    ccw = via_point((0, 0), (100, 0), {"type": "curvedCCW", "roundness": 0.5})
    assert cw[0] == pytest.approx(ccw[0]) and cw[1] == pytest.approx(-ccw[1])   # mirror images
    assert via_point((0, 0), (100, 0), {"enabled": False}) is None
    pts = curve_points((0, 0), (100, 0), cw)
    assert tuple(pts[0]) == (0, 0) and tuple(pts[-1]) == (100, 0)


def test_node_size_estimate_covers_the_sizes_measured_in_chromium():
    # getBoundingBox in Chromium with the vendored vis-network (font 15 and 18, margin 10)
    measured = [("smoking", 15, "ellipse", 78, 30), ("temperature (t-2)", 15, "ellipse", 147, 30),
                ("WWWWWW", 15, "ellipse", 104, 30), ("X", 15, "box", 42, 47),
                ("tar", 18, "box", 57, 50), ("zooplankton (t-1)", 18, "ellipse", 173, 36)]
    for label, size, shape, w, h in measured:
        b = estimate_node_box(label, label, 0, 0, size, shape)
        assert w <= b.width <= 1.25 * w and h <= b.height <= 1.1 * h, (label, b)


# ---- every sample, every layout -----------------------------------------------------------
def _drawings(g: CausalGraph):
    yield "saved", g
    yield "top-down", g.with_positions(layered_layout(g))
    yield "force", g.with_positions(force_layout(g))


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_sample_is_readable_in_every_layout_in_views_and_in_the_editor(name):
    for layout, g in _drawings(load_sample(name).graph):
        for presenter in (False, True):
            for stretch in (True, False):          # a read-only view; the editor
                data = network_data(g, high_contrast=presenter, stretch=stretch)
                report = check_network_data(data.nodes, data.edges)
                assert report.ok, f"{name} {layout} presenter={presenter}: {report}"


def test_front_door_latent_arc_no_longer_hides_the_arrow_through_tar():
    g = load_sample("smoking_tar_cancer").graph        # three nodes on one line, as DAGitty draws it
    straight = network_data(g)
    for e in straight.edges:
        e["smooth"] = {"enabled": False}              # how it was drawn before: the defect
    assert not check_network_data(straight.nodes, straight.edges).ok
    data = network_data(g)
    assert check_network_data(data.nodes, data.edges).ok
    ids = {n["name"]: n["id"] for n in data.nodes}
    (arc,) = [e for e in data.edges if {e["from"], e["to"]} == {ids["smoking"], ids["cancer"]}]
    assert arc["smooth"]["type"] in ("curvedCW", "curvedCCW") and arc["arrows"] == "to,from"
    assert all(not e["smooth"]["enabled"] for e in data.edges if e is not arc)   # arrows straight
    # the user's (the sample's) positions are kept: the arc bends, no node moves
    assert {n["name"]: (n["x"], n["y"]) for n in data.nodes} == display_positions(g)


def test_bidirected_edges_are_arcs_even_beside_an_arrow_between_the_same_pair():
    g = CausalGraph.from_edges([("X", "Y")], bidirected=[("X", "Y")],
                               positions={"X": (0, 0), "Y": (300, 0)})
    drawn, _ = editor_graph(g)
    kinds = {e["kind"]: e["smooth"] for e in drawn["edges"]}
    assert kinds["d"] == {"enabled": False} and kinds["b"]["enabled"]


def test_user_positions_are_kept_unless_nodes_overlap():
    g = CausalGraph.from_edges([("A", "C"), ("B", "C")],
                               positions={"A": (0, 0), "B": (20, 5), "C": (400, 300)})
    data = network_data(g)
    where = {n["name"]: (n["x"], n["y"]) for n in data.nodes}
    assert where["C"] == (400, 300)                              # untouched
    a, b = estimate_node_box("A", "A", *where["A"]), estimate_node_box("B", "B", *where["B"])
    assert abs(a.x - b.x) >= (a.width + b.width) / 2 or abs(a.y - b.y) >= (a.height + b.height) / 2
    assert check_network_data(data.nodes, data.edges).ok


def test_collinear_user_chain_bends_the_long_arrow_and_keeps_the_nodes():
    g = CausalGraph.from_edges([("Z", "X"), ("X", "Y"), ("Z", "Y")],
                               positions={"Z": (0, 0), "X": (1, 0), "Y": (2, 0)})
    data = network_data(g)
    assert check_network_data(data.nodes, data.edges).ok
    assert [n["y"] for n in data.nodes] == [0, 0, 0]
    assert sum(bool(e["smooth"]["enabled"]) for e in data.edges) == 1     # only Z -> Y


def test_automatic_layouts_take_the_front_door_off_one_line():
    g = load_sample("smoking_tar_cancer").graph
    pos = force_layout(g)
    (ax, ay), (bx, by), (cx, cy) = pos["smoking"], pos["tar"], pos["cancer"]
    area = abs((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) / 2
    assert area > 2000                                         # a real triangle, not a line


def test_long_names_in_one_layer_of_the_top_down_layout_do_not_overlap():
    names = [f"a rather long variable name number {i}" for i in range(4)]
    g = CausalGraph.from_edges([("root", n) for n in names])
    data = network_data(g.with_positions(layered_layout(g)))
    assert check_network_data(data.nodes, data.edges).ok


def test_time_series_lagged_graph_is_readable_with_its_labels():
    variables = ("temperature", "nutrients", "algae", "zooplankton", "fish")
    truth = [("temperature", "temperature", 1), ("nutrients", "nutrients", 1), ("algae", "algae", 1),
             ("zooplankton", "zooplankton", 1), ("fish", "fish", 1), ("temperature", "algae", 1),
             ("nutrients", "algae", 2), ("algae", "zooplankton", 1), ("zooplankton", "fish", 2),
             ("temperature", "fish", 1)]        # sample_data/ts_simulated/links.csv
    links = [TimeSeriesLink(a, b, lag, 0.3 + 0.04 * i, 0.001) for i, (a, b, lag) in enumerate(truth)]
    n = len(variables)
    strengths = np.zeros((n, n, 3))
    for lk in links:
        strengths[variables.index(lk.source), variables.index(lk.target), lk.lag] = lk.strength
    res = TimeSeriesResult(variables=variables, links=tuple(links), method="pcmci",
                           test="parcorr", max_lag=2, alpha=0.05, n_steps=500, time_column="t",
                           strengths=strengths, p_values=np.full((n, n, 3), 0.5),
                           frequencies=None)
    for repeat in (False, True):
        lg = res.lagged_graph(repeat=repeat)
        for presenter in (False, True):
            data = network_data(lg.graph, edge_labels=lg.edge_labels, edge_styles=lg.edge_styles,
                                edge_widths=lg.edge_widths, high_contrast=presenter)
            assert sum(1 for e in data.edges if "label" in e) == len(lg.edge_labels)
            report = check_network_data(data.nodes, data.edges)
            assert report.ok, f"repeat={repeat} presenter={presenter}: {report}"


# ---- presenter mode and the views -----------------------------------------------------------
def test_presenter_mode_enlarges_labels_and_lines():
    g = load_sample("smoking_tar_cancer").graph
    normal, big = network_data(g), network_data(g, high_contrast=True)
    assert min(n["font"]["size"] for n in big.nodes) >= 1.4 * max(n["font"]["size"] for n in normal.nodes)
    assert all(b["width"] >= 1.5 * a["width"] for a, b in zip(normal.edges, big.edges))
    assert view_payload(big, height=400, presenter=True)["presenter"] is True


@pytest.mark.parametrize("name", ["sachs", "nhefs", "lalonde_nsw"])
def test_a_view_pulls_a_layout_together_only_as_far_as_it_stays_readable(name):
    data = network_data(load_sample(name).graph)
    k = min_scale(data)
    assert check_network_data(data.nodes, data.edges, scale=k).ok
    assert k >= 1 / 3 and view_payload(data, height=450)["min_scale"] == k


def test_a_view_of_overlapping_positions_is_never_pulled_together():
    # ten nodes 30 px apart: already as tight as they can be; pulling them in would overlap
    g = CausalGraph.from_edges([], nodes=[f"n{i}" for i in range(10)],
                               positions={f"n{i}": (i * 30.0, 0.0) for i in range(10)})
    data = network_data(g)
    assert check_network_data(data.nodes, data.edges).ok
    k = min_scale(data)
    assert k == 1.0 or check_network_data(data.nodes, data.edges, scale=k).ok
    assert not check_network_data(data.nodes, data.edges, scale=1 / 3).ok


def test_a_fifty_node_graph_is_laid_out_and_routed_quickly():
    import time

    rng = np.random.default_rng(3)
    names = [f"v{i}" for i in range(50)]
    edges = {(names[i], names[j]) for i, j in rng.integers(0, 50, size=(120, 2)) if i < j}
    g = CausalGraph.from_edges(sorted(edges), nodes=names)
    t0 = time.perf_counter()
    data = network_data(g.with_positions(force_layout(g)))
    elapsed = time.perf_counter() - t0
    assert check_network_data(data.nodes, data.edges).ok
    assert elapsed < 3.0, elapsed
    assert math.isfinite(sum(n["x"] + n["y"] for n in data.nodes))


def test_empty_and_single_node_graphs_draw():
    assert network_data(CausalGraph()).nodes == []
    one = network_data(CausalGraph(nodes=("A",), positions={"A": (3.0, 4.0)}))
    assert (one.nodes[0]["x"], one.nodes[0]["y"]) == (3.0, 4.0)
    assert check_network_data([], []).ok
