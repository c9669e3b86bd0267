"""Inline SVG graphs and charts: escaped names, the app's colours and legend, marks, routing
around nodes, stable bytes, round tick values."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from app.drawing import ROLE_COLORS, STYLES
from app.graph import CausalGraph
from app.report import charts
from app.report.svg import SvgEdge, graph_edges, graph_svg

EVIL = '<script>alert("x")</script> & "q"'


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)          # well-formed XML, so every name was escaped


def test_graph_svg_escapes_names_and_uses_the_role_colours_and_legend():
    g = CausalGraph.from_edges([(EVIL, "Y"), ("X", "Y")], roles={"X": {"exposure"},
                                                                 "Y": {"outcome"}})
    svg = graph_svg(g, title=EVIL)
    root = _parse(svg)
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert ROLE_COLORS["exposure"]["background"] in svg and ROLE_COLORS["outcome"]["background"] in svg
    texts = [t.text for t in root.iter("text")]
    assert "exposure (cause of interest)" in texts and "outcome" in texts
    assert len(root.findall("g[@class='node']")) == 3
    assert len(root.findall("g[@class='edge']")) == 2
    assert "http" not in svg and "href" not in svg


def test_marks_undirected_circle_and_bidirected_edges():
    g = CausalGraph.from_edges([], nodes=["A", "B", "C", "D"])
    edges = [SvgEdge("A", "B", "tail", "tail", "undirected"),
             SvgEdge("B", "C", "circle", "arrow"),
             SvgEdge("C", "D", "arrow", "arrow", "bidirected", "70%", curved=True)]
    root = _parse(graph_svg(g, edges))
    groups = root.findall("g[@class='edge']")
    assert len(groups[0].findall("polygon")) == 0                 # — no arrowheads
    assert len(groups[1].findall("circle")) == 1 and len(groups[1].findall("polygon")) == 1
    assert len(groups[2].findall("path")) == 1 and len(groups[2].findall("polygon")) == 2
    assert groups[2].find("path").get("stroke") == STYLES["bidirected"]["color"]
    assert "70%" in [t.text for t in groups[2].iter("text")]
    legend = [t.text for t in root.iter("text")]
    assert "— direction undecided" in legend and any("PAG circle" in t for t in legend)


def test_an_edge_through_a_node_is_routed_around_it():
    g = CausalGraph.from_edges([("A", "B"), ("B", "C"), ("A", "C")],
                               positions={"A": (0, 0), "B": (0, 100), "C": (0, 200)})
    groups = _parse(graph_svg(g)).findall("g[@class='edge']")
    shapes = {g.find("title").text: g for g in groups}
    assert shapes["A – C"].find("path") is not None            # curved around B
    assert shapes["A – B"].find("line") is not None            # straight


def test_same_graph_same_bytes_and_styles_from_the_drawing_map():
    g = CausalGraph.from_edges([("A", "B"), ("B", "C")], bidirected=[("A", "C")])
    e = graph_edges(g, styles={("A", "B"): "extra"}, labels={("B", "C"): "90%"})
    assert graph_svg(g, e) == graph_svg(g, graph_edges(g, styles={("A", "B"): "extra"},
                                                      labels={("B", "C"): "90%"}))
    assert [x.style for x in e] == ["extra", "default", "bidirected"]
    assert STYLES["extra"]["color"] in graph_svg(g, e)


def test_nice_ticks_cover_the_range_with_round_steps():
    ticks = charts.nice_ticks(-0.12, 0.05)
    assert ticks == [-0.15, -0.1, -0.05, 0.0, 0.05] and str(ticks[3]) == "0.0"
    ticks = charts.nice_ticks(350, 3269)
    assert ticks[0] <= 350 and ticks[-1] >= 3269 and ticks == [0, 1000, 2000, 3000, 4000]
    assert charts.tick_label(1500) == "1,500" and charts.tick_label(0.25, percent=True) == "25%"
    assert charts.tick_label(-0.0) == "0"


def test_charts_escape_labels_and_draw_one_mark_per_value():
    forest = charts.forest_svg([charts.ForestRow(EVIL, 1.0, 0.5, 1.5),
                                charts.ForestRow("b", -0.5, None, None)],
                               title="t", axis_label="effect")
    root = _parse(forest)
    assert len(root.findall("circle")) == 2 and "&lt;script&gt;" in forest
    strip = charts.strip_svg([0.1, -0.2, 0.05], 1.0, title="placebo", expected=0.0)
    assert len(re.findall(r"stroke-opacity", strip)) == 3
    bars = charts.share_bars_svg([("a – b", 0.9, "a --> b"), ("c – d", 0.3, "")], title="conf")
    fills = [r.get("fill") for r in _parse(bars).findall("rect")][1:]
    assert fills == [charts.OK, charts.NAIVE]
    curve = charts.curve_svg([0, 0.1, 0.2], [1.0, 0.5, 0.0], [0.5, 0.0, -0.5], [1.5, 1.0, 0.5],
                             title="s", x_label="x", y_label="y", points=[(0.1, 0.5, EVIL)],
                             marks=[(0.2, "RV")])
    assert "&lt;script&gt;" in curve and len(_parse(curve).findall("polyline")) == 1
