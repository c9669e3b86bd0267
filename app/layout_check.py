"""Is a drawing readable? Pure geometry over node boxes, edge curves and edge labels.

A drawing is readable when no two nodes (or edge labels) overlap and no edge, straight or
curved, passes through a node that is not one of its ends. The same check runs on positions we
compute (tests over every sample and layout), on the geometry read back from the browser's
vis-network canvas (tests/e2e/test_layout_geometry.py), and inside app.drawing, which bends
edges until it passes.

Edges are quadratic Bézier curves: `via` is the control point, None for a straight line. For
vis-network's "curvedCW"/"curvedCCW" smooth edges `via_point` gives the control point with the
formula of the vendored vis-network 9 (BezierEdgeStatic._getViaCoordinates).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Point = tuple[float, float]

# Measured in Chromium with the vendored vis-network (node margin 10, system-ui font): an
# ellipse is its text plus one font size wide and two font sizes tall; a box is the text plus
# 32 px wide (34 kept) and the font size plus 32 px tall.
_NARROW = set("iljtfr.,:;'|!()[]{} ")
_WIDE = set("mwMW@%")


@dataclass(frozen=True)
class NodeBox:
    """A drawn node: centre, full width and height, and shape ("ellipse" or "box")."""

    name: str
    x: float
    y: float
    width: float
    height: float
    shape: str = "ellipse"

    def contains(self, px: np.ndarray, py: np.ndarray, margin: float = 0.0) -> np.ndarray:
        """Which of the points lie inside the shape grown by `margin` on every side."""
        hw, hh = self.width / 2 + margin, self.height / 2 + margin
        dx, dy = np.abs(px - self.x), np.abs(py - self.y)
        if self.shape == "ellipse":
            return (dx / hw) ** 2 + (dy / hh) ** 2 < 1.0
        return (dx < hw) & (dy < hh)


@dataclass(frozen=True)
class EdgeCurve:
    """An edge from `source` to `target`; `via` is the quadratic Bézier control point."""

    source: str
    target: str
    via: Point | None = None


@dataclass(frozen=True)
class LabelBox:
    """An edge label: the text's box centred at (x, y)."""

    owner: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class LayoutProblem:
    """One thing that makes a drawing hard to read. kind: "node_overlap", "edge_through_node",
    "label_overlap" (a label on a node or on another label)."""

    kind: str
    first: str
    second: str

    def __str__(self) -> str:
        verb = {"node_overlap": "overlaps", "edge_through_node": "runs through",
                "label_overlap": "covers"}[self.kind]
        return f"{self.first} {verb} {self.second}"


@dataclass(frozen=True)
class LayoutReport:
    """Every problem found; an empty report is a readable drawing."""

    problems: tuple[LayoutProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        return "readable" if self.ok else "; ".join(map(str, self.problems))


def text_width(text: str, font_size: float) -> float:
    """A slightly generous estimate of the rendered width of `text` in a sans-serif font."""
    units = 0.0
    for ch in text:
        if ch in _NARROW:
            units += 0.36
        elif ch in _WIDE:
            units += 0.95
        elif ch.isupper():
            units += 0.72
        elif ord(ch) > 0x2E80:        # CJK and other wide scripts
            units += 1.0
        else:
            units += 0.6
    return units * font_size


def estimate_node_box(name: str, label: str, x: float, y: float, font_size: float = 15.0,
                      shape: str = "ellipse") -> NodeBox:
    """The box vis-network draws for a node with this label (see the measurements above)."""
    w = text_width(label, font_size)
    if shape == "box":
        return NodeBox(name, x, y, w + 34.0, font_size + 32.0, "box")
    return NodeBox(name, x, y, w + font_size + 4.0, 2.0 * font_size + 2.0, "ellipse")


def via_point(a: Point, b: Point, smooth: Mapping | None) -> Point | None:
    """The control point vis-network uses for a "curvedCW"/"curvedCCW" edge from a to b."""
    if not smooth or not smooth.get("enabled", True) or smooth.get("type") not in (
            "curvedCW", "curvedCCW"):
        return None
    r = float(smooth.get("roundness", 0.5))
    dx, dy = b[0] - a[0], a[1] - b[1]
    length = math.hypot(dx, dy)
    sign = 1.0 if smooth["type"] == "curvedCW" else -1.0
    angle = (math.atan2(dy, dx) + (0.5 * sign * r + 0.5) * math.pi) % (2 * math.pi)
    k = (0.5 * r + 0.5) * length
    return (a[0] + k * math.sin(angle), a[1] + k * math.cos(angle))


def curve_points(a: Point, b: Point, via: Point | None, step: float = 3.0) -> np.ndarray:
    """Points along the edge, about `step` pixels apart (shape (n, 2))."""
    length = math.dist(a, b) + (math.dist(a, via) + math.dist(via, b) if via else 0.0)
    n = max(8, int(length / step) + 1)
    t = np.linspace(0.0, 1.0, n)[:, None]
    pa, pb = np.asarray(a, float), np.asarray(b, float)
    if via is None:
        return pa + t * (pb - pa)
    pv = np.asarray(via, float)
    return (1 - t) ** 2 * pa + 2 * t * (1 - t) * pv + t ** 2 * pb


def curve_midpoint(a: Point, b: Point, via: Point | None) -> Point:
    """Where vis-network centres an edge's label: the curve at t = 0.5."""
    if via is None:
        return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    return ((a[0] + 2 * via[0] + b[0]) / 4, (a[1] + 2 * via[1] + b[1]) / 4)


def node_arrays(nodes: Sequence[NodeBox], margin: float = 0.0) -> dict[str, np.ndarray]:
    """The nodes as arrays (centres, half sizes grown by `margin`, ellipse or not), for
    testing many points against all nodes at once."""
    return {"x": np.array([n.x for n in nodes], float), "y": np.array([n.y for n in nodes], float),
            "hw": np.array([n.width / 2 + margin for n in nodes], float),
            "hh": np.array([n.height / 2 + margin for n in nodes], float),
            "ellipse": np.array([n.shape == "ellipse" for n in nodes], bool)}


def points_inside(points: np.ndarray, arrays: Mapping[str, np.ndarray]) -> np.ndarray:
    """For every node of `arrays` (see node_arrays): does any of the points fall inside it?"""
    out = np.zeros(len(arrays["x"]), bool)
    if not len(out) or not len(points):
        return out
    lo, hi = points.min(axis=0), points.max(axis=0)
    near = np.flatnonzero((arrays["x"] + arrays["hw"] > lo[0]) & (arrays["x"] - arrays["hw"] < hi[0])
                          & (arrays["y"] + arrays["hh"] > lo[1]) & (arrays["y"] - arrays["hh"] < hi[1]))
    if not len(near):
        return out
    dx = np.abs(points[:, 0:1] - arrays["x"][None, near]) / arrays["hw"][None, near]
    dy = np.abs(points[:, 1:2] - arrays["y"][None, near]) / arrays["hh"][None, near]
    inside = np.where(arrays["ellipse"][None, near], dx ** 2 + dy ** 2 < 1.0, (dx < 1.0) & (dy < 1.0))
    out[near] = inside.any(axis=0)
    return out


def edge_hits(points: np.ndarray, nodes: Sequence[NodeBox], ends: Iterable[str],
              margin: float = 2.0) -> list[str]:
    """Names of the nodes (other than `ends`) that the sampled edge passes through."""
    ends = set(ends)
    others = [n for n in nodes if n.name not in ends]
    hit = points_inside(points, node_arrays(others, margin))
    return [n.name for n, h in zip(others, hit) if h]


def boxes_overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float],
                  gap: float = 0.0) -> bool:
    """Do two (centre x, centre y, width, height) rectangles come closer than `gap`?"""
    return (abs(a[0] - b[0]) < (a[2] + b[2]) / 2 + gap
            and abs(a[1] - b[1]) < (a[3] + b[3]) / 2 + gap)


def _rect(n: NodeBox | LabelBox) -> tuple[float, float, float, float]:
    return (n.x, n.y, n.width, n.height)


def check_layout(nodes: Sequence[NodeBox], edges: Sequence[EdgeCurve],
                 labels: Sequence[LabelBox] = (), *, gap: float = 2.0,
                 margin: float = 2.0) -> LayoutReport:
    """Every overlap of nodes or labels and every edge through a third node.

    gap: how close two nodes' (or labels') boxes may come; margin: how close an edge may pass
    a node that is not its end. Label boxes are checked against every node and every other
    label (an edge's own label may sit on its own line, which is how vis-network draws it).
    """
    problems: list[LayoutProblem] = []
    by_name = {n.name: n for n in nodes}
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            if boxes_overlap(_rect(a), _rect(b), gap):
                problems.append(LayoutProblem("node_overlap", a.name, b.name))
    for e in edges:
        if e.source not in by_name or e.target not in by_name:
            continue
        a, b = by_name[e.source], by_name[e.target]
        pts = curve_points((a.x, a.y), (b.x, b.y), e.via)
        for hit in edge_hits(pts, nodes, (e.source, e.target), margin):
            problems.append(LayoutProblem("edge_through_node", f"{e.source}–{e.target}", hit))
    for i, lab in enumerate(labels):
        for n in nodes:
            if boxes_overlap(_rect(lab), _rect(n), 0.0):
                problems.append(LayoutProblem("label_overlap", f"label {lab.owner}", n.name))
        for other in labels[i + 1:]:
            if boxes_overlap(_rect(lab), _rect(other), 0.0):
                problems.append(LayoutProblem("label_overlap", f"label {lab.owner}",
                                              f"label {other.owner}"))
    return LayoutReport(tuple(problems))


def check_network_data(nodes: Sequence[Mapping], edges: Sequence[Mapping], *,
                       scale: float = 1.0) -> LayoutReport:
    """Check vis-network node and edge items (app.drawing.network_data) with estimated sizes.

    `scale` multiplies the positions (not the sizes), as a read-only view does when it pulls a
    wide layout together.
    """
    boxes = [estimate_node_box(str(n["id"]), str(n.get("label", n["id"])), float(n["x"]) * scale,
                               float(n["y"]) * scale, float(n.get("font", {}).get("size", 15)),
                               "box" if n.get("shape") == "box" else "ellipse") for n in nodes]
    by_id = {b.name: b for b in boxes}
    curves, labels = [], []
    for e in edges:
        a, b = by_id[str(e["from"])], by_id[str(e["to"])]
        via = via_point((a.x, a.y), (b.x, b.y), e.get("smooth"))
        curves.append(EdgeCurve(a.name, b.name, via))
        if e.get("label"):
            size = float(e.get("font", {}).get("size", 14))
            mx, my = curve_midpoint((a.x, a.y), (b.x, b.y), via)
            labels.append(LabelBox(f"{a.name}→{b.name}", mx, my,
                                   text_width(str(e["label"]), size) + 4.0, size + 4.0))
    return check_layout(boxes, curves, labels)
