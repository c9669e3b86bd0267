"""One way to draw a causal graph: the colour map, the legend, a deterministic layout, and the
vis-network data every page (and the editor) uses. Pure Python: no Streamlit, no HTML pages.
"""
from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import numpy as np

from app.graph import CausalGraph
from app.layout_check import (
    LabelBox,
    NodeBox,
    boxes_overlap,
    curve_midpoint,
    curve_points,
    estimate_node_box,
    node_arrays,
    points_inside,
    text_width,
    via_point,
)

# Colour-blind-safe role colours (Okabe–Ito based), used by every page and by the legend.
ROLE_COLORS: dict[str, dict[str, str]] = {
    "exposure": {"background": "#009E73", "border": "#00664b", "font": "#ffffff"},
    "outcome": {"background": "#0072B2", "border": "#004a75", "font": "#ffffff"},
    "adjusted": {"background": "#f3f4f6", "border": "#111827", "font": "#111827"},
    "latent": {"background": "#e5e7eb", "border": "#6b7280", "font": "#4b5563"},
    "selected": {"background": "#CC79A7", "border": "#8a4470", "font": "#ffffff"},
    "anc_exposure": {"background": "#F0E442", "border": "#8a8200", "font": "#111827"},
    "anc_outcome": {"background": "#9fd0f0", "border": "#3a7ea8", "font": "#111827"},
    "confounder": {"background": "#f4a582", "border": "#b2182b", "font": "#111827"},
    "other": {"background": "#ffffff", "border": "#374151", "font": "#111827"},
}

FONT = 15               # node label size (pixels at zoom 1)
PRESENTER_FONT = 22     # presenter mode: readable from the back of a classroom
PRESENTER_WIDTH = 1.8   # presenter mode: edge and border widths grow by this factor

# Presenter mode: the same meanings with stronger contrast and thicker lines.
HIGH_CONTRAST_COLORS: dict[str, dict[str, str]] = {
    **ROLE_COLORS,
    "exposure": {"background": "#006400", "border": "#000000", "font": "#ffffff"},
    "outcome": {"background": "#00008b", "border": "#000000", "font": "#ffffff"},
    "other": {"background": "#ffffff", "border": "#000000", "font": "#000000"},
}

LEGEND_LABELS: dict[str, str] = {
    "exposure": "exposure (cause of interest)",
    "outcome": "outcome",
    "adjusted": "adjusted for",
    "latent": "latent (not measured)",
    "selected": "selected (conditioned by design)",
    "anc_exposure": "ancestor of exposure",
    "anc_outcome": "ancestor of outcome",
    "confounder": "ancestor of both (possible confounder)",
    "other": "other variable",
}

# Named styles pages apply to edges or node pairs (a styled pair need not be an edge).
STYLES: dict[str, dict] = {
    "default": {"color": "#4b5563", "width": 1.6, "dashes": False},
    "highlight": {"color": "#f59e0b", "width": 4, "dashes": False},
    "open_path": {"color": "#dc2626", "width": 4, "dashes": False},
    "blocked_path": {"color": "#9ca3af", "width": 3, "dashes": [4, 6]},
    "causal_path": {"color": "#009E73", "width": 4, "dashes": False},
    "biasing_path": {"color": "#d6336c", "width": 4, "dashes": False},
    "moral_edge": {"color": "#4b5563", "width": 1.6, "dashes": False, "arrows": ""},
    "moral_link": {"color": "#7c3aed", "width": 2.5, "dashes": [6, 4], "arrows": ""},
    "missing": {"color": "#dc2626", "width": 3, "dashes": [8, 6]},
    "extra": {"color": "#2563eb", "width": 3, "dashes": False},
    "reversed": {"color": "#d97706", "width": 3, "dashes": False},
    "violated": {"color": "#dc2626", "width": 3, "dashes": [6, 6], "arrows": ""},
    "cut": {"color": "#d1d5db", "width": 1.5, "dashes": [2, 6]},
    "dashed": {"color": "#4b5563", "width": 1.6, "dashes": [6, 6]},
    "circle": {"color": "#4b5563", "width": 1.6, "dashes": False, "arrows": "from"},
    "feedback": {"color": "#9ca3af", "width": 1.6, "dashes": [6, 6]},
    "undirected": {"color": "#4b5563", "width": 1.6, "dashes": False, "arrows": ""},
    "bidirected": {"color": "#7c3aed", "width": 1.8, "dashes": [6, 6], "arrows": "to,from"},
    "will_orient": {"color": "#f59e0b", "width": 4, "dashes": False, "arrows": ""},
    "may_orient": {"color": "#f59e0b", "width": 3, "dashes": [6, 6], "arrows": ""},
}
STYLE_LABELS: dict[str, str] = {
    "highlight": "highlighted", "open_path": "open path", "blocked_path": "blocked path",
    "causal_path": "causal path", "biasing_path": "biasing path (open, non-causal)",
    "moral_edge": "edge of the graph, arrow dropped",
    "moral_link": "joined by moralising (parents of a common child)",
    "missing": "missing (in reference only)",
    "extra": "extra (learned only)", "reversed": "reversed", "violated": "independence violated in data",
    "cut": "edge cut by the intervention",
    "dashed": "end mark undecided (o→ in a PAG)", "circle": "o circle: either mark",
    "feedback": "feedback (left out of the DAG)", "undirected": "— direction undecided",
    "bidirected": "latent common cause (↔)",
    "will_orient": "oriented by the experiment", "may_orient": "may be oriented by the experiment",
}
NODE_STYLES: dict[str, dict] = {
    "highlight": {"borderWidth": 5, "border": "#f59e0b"},
    "dimmed": {"opacity": 0.35},
    "blocking": {"borderWidth": 5, "border": "#6b7280"},
    "intervened": {"borderWidth": 5, "border": "#111827", "shape": "box"},
    "confounder": {"borderWidth": 4, "border": "#b2182b"},
    "mediator": {"borderWidth": 4, "border": "#009E73"},
    "collider": {"borderWidth": 4, "border": "#7c3aed"},
}
# A node style changes a node's ring, fade or shape: the legend names each one in use.
NODE_STYLE_LABELS: dict[str, str] = {
    "highlight": "highlighted (orange ring)", "dimmed": "not part of it (faded)",
    "blocking": "marked (grey ring)", "intervened": "set by the intervention (box)",
    "confounder": "confounder (red ring)", "mediator": "mediator (green ring)",
    "collider": "collider (purple ring)",
}


def node_category(g: CausalGraph, node: str, ancestry: Mapping[str, set[str]] | None = None) -> str:
    """The legend category that colours `node`: its role, else its ancestry to exposure/outcome."""
    roles = g.roles.get(node, frozenset())
    for role in ("exposure", "outcome", "latent", "adjusted", "selected"):
        if role in roles:
            return role
    ancestry = ancestry if ancestry is not None else ancestry_sets(g)
    a_exp = node in ancestry["exposure"]
    a_out = node in ancestry["outcome"]
    if a_exp and a_out:
        return "confounder"
    if a_exp:
        return "anc_exposure"
    if a_out:
        return "anc_outcome"
    return "other"


def ancestry_sets(g: CausalGraph) -> dict[str, set[str]]:
    """Ancestors of the exposure(s), and ancestors of the outcome(s) by directed paths that do
    not pass through an exposure.

    The second set is what makes "ancestor of both" mean "possible confounder": in Z -> X -> Y,
    Z reaches Y only through the exposure X and is an ancestor of the exposure only (as in
    DAGitty's colouring); a mediator X -> M -> Y is an ancestor of the outcome.
    """
    nxg = g.to_networkx()
    exposures = set(g.role_nodes("exposure"))
    out = {"exposure": set(), "outcome": set()}
    for n in exposures:
        out["exposure"] |= nx.ancestors(nxg, n)
    without = nxg.subgraph(n for n in nxg if n not in exposures)
    for n in g.role_nodes("outcome"):
        if n in without:
            out["outcome"] |= nx.ancestors(without, n)
    return out


def layered_layout(g: CausalGraph, spacing: tuple[float, float] = (160.0, 110.0)
                   ) -> dict[str, tuple[float, float]]:
    """A deterministic top-down layout: layer = longest path from a root; order by barycentre.

    Neighbours in a layer are at least `spacing[0]` apart centre to centre, and further when
    their labels need it, so long names never overlap; the drawing is then made readable
    (app.drawing.readable_positions).
    """
    nxg = g.to_networkx()
    layer: dict[str, int] = {}
    for n in g.topological_order():
        preds = list(nxg.predecessors(n))
        layer[n] = 1 + max(layer[p] for p in preds) if preds else 0
    layers: dict[int, list[str]] = {}
    for n in g.nodes:
        layers.setdefault(layer[n], []).append(n)
    order: dict[str, float] = {}
    for depth in sorted(layers):
        members = layers[depth]
        if depth > 0:
            def bary(n: str) -> float:
                ps = [order[p] for p in nxg.predecessors(n) if p in order]
                return sum(ps) / len(ps) if ps else 0.0
            members.sort(key=lambda n: (bary(n), g.nodes.index(n)))
        for i, n in enumerate(members):
            order[n] = i - (len(members) - 1) / 2
    _clear_long_edges(g, layer, order)
    dx, dy = spacing
    widths = {n: estimate_node_box(n, _label(n), 0, 0).width for n in g.nodes}
    x = {n: order[n] * dx for n in g.nodes}
    for members in layers.values():          # widen a layer where long names would touch
        members = sorted(members, key=lambda n: order[n])
        for left, right in zip(members, members[1:]):
            need = (widths[left] + widths[right]) / 2 + _LAYER_GAP
            if x[right] - x[left] < need:
                shift = need - (x[right] - x[left])
                for n in members[members.index(right):]:
                    x[n] += shift
        if members:     # keep the layer centred where the barycentres put it
            shift = sum(order[n] * dx - x[n] for n in members) / len(members)
            for n in members:
                x[n] += shift
    # a very wide layer (nine confounders side by side) is staggered on two rows, half as wide,
    # so fitting the drawing on screen does not shrink every label
    y: dict[str, float] = {}
    top = 0.0
    for depth in sorted(layers):
        members = sorted(layers[depth], key=lambda n: order[n])
        span = x[members[-1]] - x[members[0]]
        stagger = len(members) >= 5 and span > _WIDE_LAYER
        if stagger:
            centre = (x[members[0]] + x[members[-1]]) / 2
            for i, n in enumerate(members[1:], start=1):
                same_row = (x[members[i - 2]] + (widths[members[i - 2]] + widths[n]) / 2
                            + _LAYER_GAP) if i >= 2 else -math.inf
                x[n] = max(x[members[i - 1]] + _LAYER_GAP, same_row)
            shift = centre - (x[members[0]] + x[members[-1]]) / 2
            for n in members:
                x[n] += shift
        for i, n in enumerate(members):
            y[n] = top + (dy / 2 if stagger and i % 2 else 0.0)
        top += dy * (1.5 if stagger else 1.0)
    return readable_positions(g, {n: (x[n], y[n]) for n in g.nodes})


def _clear_long_edges(g: CausalGraph, layer: dict[str, int], order: dict[str, float]) -> None:
    """Shift a node sideways when an edge skipping its layer would run straight through it."""
    for a, b in sorted(g.edges):
        span = layer[b] - layer[a]
        if span < 2:
            continue
        for n in g.nodes:
            if n in (a, b) or not layer[a] < layer[n] < layer[b]:
                continue
            t = (layer[n] - layer[a]) / span
            x_on_edge = order[a] + t * (order[b] - order[a])
            if abs(order[n] - x_on_edge) < 0.3:
                order[n] = x_on_edge - 0.6


def display_positions(g: CausalGraph) -> dict[str, tuple[float, float]]:
    """Pixel positions for drawing: the graph's own where all are set, scaled; else layered.

    Nodes whose boxes would overlap are pushed apart just enough (nothing else moves a user's
    node: an edge that would cross a node is bent instead, see `drawing_layout`).
    """
    if g.nodes and all(n in g.positions for n in g.nodes):
        xs = [p[0] for p in g.positions.values()]
        ys = [p[1] for p in g.positions.values()]
        extent = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        # all on one spot (e.g. a single node): keep as is rather than blow up the scale
        scale = 1.0 if extent > 50 or extent < 1e-6 else 500.0 / extent
        pos = {n: (g.positions[n][0] * scale, g.positions[n][1] * scale) for n in g.nodes}
        return separate_nodes(pos, _boxes(g, pos))
    auto = layered_layout(g)
    return {n: g.positions.get(n, auto[n]) for n in g.nodes}


# ---- readability: no overlapping nodes, no edge through a third node --------------------
_GAP = 3.0                 # pixels kept between two node boxes (more than the check asks)
_LAYER_GAP = 36.0          # pixels between neighbours in a layer of the top-down layout
_WIDE_LAYER = 640.0        # a top-down layer wider than this is staggered on two rows
_LAYOUT_GAP = 30.0         # pixels an automatic layout keeps between any two node boxes
_EDGE_MARGIN = 12.0        # pixels a routed edge keeps from a node it does not join
_BIDIRECTED_ROUNDNESS = 0.25
_KIND = {"default": "d", "bidirected": "b", "undirected": "u", "circle": "c"}   # base style -> kind
# vis-network end marks of a PAG's circle edges (a, mark, b), drawn from a to b: a small circle
# where the mark is undecided, an arrowhead or nothing at the other end
_CIRCLE_END = {"enabled": True, "type": "circle", "scaleFactor": 0.55}
_CIRCLE_ARROWS = {
    "@->": {"from": _CIRCLE_END, "to": {"enabled": True, "type": "arrow"}},
    "@--": {"from": _CIRCLE_END, "to": {"enabled": False}},
    "@-@": {"from": _CIRCLE_END, "to": _CIRCLE_END},
}
# what an edge may become, in order of preference: straight, then ever stronger bends
_BENDS = (0.0, 0.12, 0.2, 0.3, 0.42, 0.55, 0.7, 0.85, 1.0)


def _label(name: str) -> str:
    return name if len(name) <= 40 else name[:38] + "…"


def _shape(g: CausalGraph, n: str) -> str:
    return "box" if "adjusted" in g.roles.get(n, ()) else "ellipse"


def _boxes(g: CausalGraph, pos: Mapping[str, tuple[float, float]], font_size: float = 15.0
           ) -> dict[str, NodeBox]:
    return {n: estimate_node_box(n, _label(n), pos[n][0], pos[n][1], font_size, _shape(g, n))
            for n in g.nodes}


def separate_nodes(pos: Mapping[str, tuple[float, float]], boxes: Mapping[str, NodeBox],
                   gap: float = _GAP, rounds: int = 200) -> dict[str, tuple[float, float]]:
    """Push overlapping node boxes apart along the axis where they overlap least.

    Nodes that do not overlap anything keep their exact positions; the moves are deterministic
    (two nodes on one spot part left and right, in the order they were given).
    """
    names = list(pos)
    if len(names) < 2:
        return {n: tuple(pos[n]) for n in names}
    p = {n: [float(pos[n][0]), float(pos[n][1])] for n in names}
    w = np.array([boxes[n].width for n in names], float)
    h = np.array([boxes[n].height for n in names], float)
    for _ in range(rounds):
        moved = False
        xy = np.array([p[n] for n in names], float)
        close = ((np.abs(xy[:, None, 0] - xy[None, :, 0]) < (w[:, None] + w[None, :]) / 2 + gap)
                 & (np.abs(xy[:, None, 1] - xy[None, :, 1]) < (h[:, None] + h[None, :]) / 2 + gap))
        for i, j in zip(*np.nonzero(np.triu(close, 1))):
            a, b = names[i], names[j]
            ba, bb = boxes[a], boxes[b]
            need_x = (ba.width + bb.width) / 2 + gap - abs(p[a][0] - p[b][0])
            need_y = (ba.height + bb.height) / 2 + gap - abs(p[a][1] - p[b][1])
            if need_x <= 0 or need_y <= 0:
                continue
            moved = True
            if need_x / (ba.width + bb.width) <= need_y / (ba.height + bb.height):
                sign = 1.0 if p[b][0] >= p[a][0] else -1.0
                p[a][0] -= sign * (need_x / 2 + 0.5)
                p[b][0] += sign * (need_x / 2 + 0.5)
            else:
                sign = 1.0 if p[b][1] >= p[a][1] else -1.0
                p[a][1] -= sign * (need_y / 2 + 0.5)
                p[b][1] += sign * (need_y / 2 + 0.5)
        if not moved:
            break
    return {n: (round(p[n][0], 1), round(p[n][1], 1)) if p[n] != list(map(float, pos[n]))
            else tuple(pos[n]) for n in names}


@dataclass(frozen=True)
class DrawnEdge:
    """An edge as the layout sees it: its ends, kind ("d" directed, "b" bidirected, "u"
    undirected, "c" with a circle mark, "s" a styled pair) and its label text, if any. Only
    bidirected edges are drawn as arcs; every other kind is routed like an arrow."""

    source: str
    target: str
    kind: str = "d"
    label: str = ""


@dataclass(frozen=True)
class DrawingLayout:
    """Where each node goes and how each edge bends (a vis-network `smooth` option)."""

    positions: dict[str, tuple[float, float]]
    smooth: dict[DrawnEdge, dict]


def _smooth(bend: float, clockwise: bool) -> dict:
    if bend == 0.0:
        return {"enabled": False}
    return {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW",
            "roundness": bend}


def _label_box(owner: str, text: str, at: tuple[float, float], font_size: float) -> LabelBox:
    return LabelBox(owner, at[0], at[1], text_width(text, font_size * 14 / 15) + 4.0,
                    font_size * 14 / 15 + 4.0)


def _crossings(p: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> int:
    """How many proper crossings polyline p has with the segments starts[i]–ends[i]."""
    if not len(starts):
        return 0
    a, b = p[:-1, None, :], p[1:, None, :]
    c, d = starts[None, :, :], ends[None, :, :]

    def orient(u, v, w):
        return np.sign((v[..., 0] - u[..., 0]) * (w[..., 1] - u[..., 1])
                       - (v[..., 1] - u[..., 1]) * (w[..., 0] - u[..., 0]))
    return int(((orient(a, b, c) * orient(a, b, d) < 0)
                & (orient(c, d, a) * orient(c, d, b) < 0)).sum())


def _coarse(pts: np.ndarray, via) -> np.ndarray:
    """The edge as a few segments, enough to count crossings: one if straight, else eight."""
    if via is None:
        return pts[[0, -1]]
    return pts[np.linspace(0, len(pts) - 1, 9).astype(int)]


# (ends, control point, nearby node boxes) -> (nodes the curve passes through, coarse polyline).
# Routing tries a few bends for every edge on every edit and nudge pass; a moved node changes
# the key only of the curves whose hull it is near, so the rest come from here.
_GEOMETRY: dict[tuple, tuple[list[str], np.ndarray]] = {}
_GEOMETRY_MAX = 50_000


def _edge_geometry(a, b, via, source: str, target: str, nodes: Sequence[NodeBox],
                   arrays: Mapping[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    """The nodes (other than its ends) the edge a→b (bent through `via`) passes through, and
    the edge as a few segments for counting crossings. Memoised on the nodes whose box meets
    the hull of the curve's control points (a superset of the ones it can touch)."""
    xs = (a[0], b[0]) if via is None else (a[0], b[0], via[0])
    ys = (a[1], b[1]) if via is None else (a[1], b[1], via[1])
    near = np.flatnonzero((arrays["x"] + arrays["hw"] > min(xs)) & (arrays["x"] - arrays["hw"] < max(xs))
                          & (arrays["y"] + arrays["hh"] > min(ys)) & (arrays["y"] - arrays["hh"] < max(ys)))
    key = (a, b, via, source, target,
           tuple((nodes[i].name, nodes[i].x, nodes[i].y, nodes[i].width, nodes[i].height,
                  nodes[i].shape) for i in near))
    found = _GEOMETRY.get(key)
    if found is None:
        pts = curve_points(a, b, via, step=6.0)   # finer than any node (30 px tall)
        sub = {k: v[near] for k, v in arrays.items()}
        inside = points_inside(pts, sub)
        hits = [nodes[i].name for i, hit in zip(near, inside)
                if hit and nodes[i].name not in (source, target)]
        if len(_GEOMETRY) >= _GEOMETRY_MAX:
            _GEOMETRY.clear()
        found = _GEOMETRY[key] = (hits, _coarse(pts, via))
    return found


def route_edges(pos: Mapping[str, tuple[float, float]], boxes: Mapping[str, NodeBox],
                edges: Sequence[DrawnEdge], font_size: float = 15.0, straight: bool = False
                ) -> tuple[dict[DrawnEdge, dict], list[tuple[DrawnEdge, str]], int]:
    """Choose for every edge the least bend that keeps it off every node it does not join.

    Directed edges stay straight when they can; bidirected edges are always arcs (DAGitty's
    convention), so an arrow between the same two nodes stays visible. Among equally small
    bends the side with fewer crossings and no label on a node or another label wins.
    Returns the smooth option per edge, the (edge, node) pairs no bend could clear and the
    number of edge labels left on a node or another label. With `straight` (automatic
    layouts, which may move nodes instead) directed edges are never bent.
    """
    nodes = [replace_box(boxes[n], pos[n]) for n in pos]
    arrays = node_arrays(nodes, _EDGE_MARGIN)
    plain = node_arrays(nodes)
    smooth: dict[DrawnEdge, dict] = {}
    starts, ends = np.empty((0, 2)), np.empty((0, 2))     # the segments of edges routed so far
    placed_labels: list[LabelBox] = []
    stuck: list[tuple[DrawnEdge, str]] = []
    clashes = 0
    count_crossings = len(edges) <= 80
    order = sorted(edges, key=lambda e: (e.kind == "b", -math.dist(pos[e.source], pos[e.target])))
    centre = (sum(p[0] for p in pos.values()) / max(len(pos), 1),
              sum(p[1] for p in pos.values()) / max(len(pos), 1))
    for e in order:
        a, b = pos[e.source], pos[e.target]
        if math.dist(a, b) < 1e-6:
            smooth[e] = {"enabled": False}
            continue
        best = None
        for rank, bend in enumerate(_BENDS):
            if e.kind == "b" and bend < _BIDIRECTED_ROUNDNESS:
                continue
            if straight and e.kind != "b" and bend > 0.0:
                break
            for clockwise in ((True,) if bend == 0.0 else (True, False)):
                option = _smooth(bend, clockwise)
                via = via_point(a, b, option)
                hits, coarse = _edge_geometry(a, b, via, e.source, e.target, nodes, arrays)
                crossings = (_crossings(coarse, starts, ends)
                             if count_crossings and not hits else 0)
                label_clash = 0
                if e.label:
                    box = _label_box(e.source + e.target, e.label, curve_midpoint(a, b, via), font_size)
                    label_clash = int(((np.abs(box.x - plain["x"]) < box.width / 2 + plain["hw"])
                                       & (np.abs(box.y - plain["y"]) < box.height / 2 + plain["hh"])
                                       ).sum())
                    label_clash += sum(boxes_overlap((box.x, box.y, box.width, box.height),
                                                     (o.x, o.y, o.width, o.height))
                                       for o in placed_labels)
                mid = curve_midpoint(a, b, via)
                score = (len(hits) * 1000 + min(label_clash, 9) * 100 + rank * 3
                         + min(crossings, 10),
                         # then bend outwards, away from the middle of the drawing; then up
                         -round(math.dist(mid, centre)), round(mid[1]))
                if best is None or score < best[0]:
                    best = (score, option, coarse, hits, via)
            if best is not None and best[0][0] < (rank + 1) * 3:
                break       # nothing hit and no label clash: a stronger bend cannot do better
        _, option, coarse, hits, via = best
        smooth[e] = option
        starts, ends = np.vstack([starts, coarse[:-1]]), np.vstack([ends, coarse[1:]])
        if e.label:
            placed_labels.append(_label_box(e.source + e.target, e.label,
                                            curve_midpoint(a, b, via), font_size))
        stuck += [(e, h) for h in hits]
        clashes += best[0][0] // 100 % 10
    return smooth, stuck, clashes


def replace_box(box: NodeBox, at: tuple[float, float]) -> NodeBox:
    return NodeBox(box.name, float(at[0]), float(at[1]), box.width, box.height, box.shape)


def drawing_layout(g: CausalGraph, pos: Mapping[str, tuple[float, float]],
                   edges: Sequence[DrawnEdge], font_size: float = 15.0,
                   shapes: Mapping[str, str] | None = None, stretch: bool = False,
                   straight: bool = False) -> DrawingLayout:
    """Make a drawing readable: separate overlapping nodes, then bend every edge off the nodes
    it does not join.

    With `stretch` (read-only views) a drawing too tight for its labels (presenter mode's
    larger type, many edge labels) is first spread out evenly, which keeps its shape. Only
    where that fails is a node nudged sideways off the edge no bend could clear (it sat almost
    on another node's edge), and the edges routed again.
    """
    shapes = shapes or {}
    key = (tuple((n, tuple(pos[n]), shapes.get(n) or _shape(g, n)) for n in g.nodes),
           tuple(edges), font_size, stretch, straight)
    return _drawing_layout(key)


# how a view may be spread out (x, y), mildest first: wide labels mostly need wider columns
_STRETCH = ((1.0, 1.0), (1.15, 1.15), (1.3, 1.0), (1.3, 1.3), (1.5, 1.0), (1.5, 1.5),
            (1.75, 1.2), (2.0, 1.0), (2.0, 1.5), (2.0, 2.0))
_STRETCH_NODES = 60        # graphs with more nodes are not spread out (each try routes anew)
_NUDGE_ALL_NODES = 30     # larger graphs get two nudge rounds: each rerun of the editor routes anew
_GENTLE = 0.55             # a stronger bend than this is worth spreading a view out for


@lru_cache(maxsize=64)
def _drawing_layout(key) -> DrawingLayout:
    node_items, edges, font_size, stretch, straight = key
    names = [n for n, _, _ in node_items]
    shapes = {n: s for n, _, s in node_items}
    boxes = {n: estimate_node_box(n, _label(n), p[0], p[1], font_size, shapes[n])
             for n, p, _ in node_items}
    gap = _LAYOUT_GAP if straight else _GAP    # a layout of ours leaves room for an arrow
    start = separate_nodes({n: p for n, p, _ in node_items}, boxes, gap)
    best = None
    tries = _STRETCH if stretch and len(names) <= _STRETCH_NODES else ((1.0, 1.0),)
    for fx, fy in tries:     # spreading out: for graphs a teacher draws, not 200-node results
        pos = start if fx == fy == 1.0 else separate_nodes(
            {n: (round(x * fx, 1), round(y * fy, 1)) for n, (x, y) in start.items()}, boxes, gap)
        quality, smooth, _ = _route_quality(pos, boxes, edges, font_size, straight)
        if best is None or quality < best[0]:
            best = (quality, pos, smooth)
        if quality == (0, 0, 0):     # clean, and no arrow needs more than a gentle bend
            break
    if best[0][0]:           # still an edge through a node: nudge that node off its line
        pos = start
        for _ in range(6 if len(names) <= _NUDGE_ALL_NODES else 2):
            quality, smooth, stuck = _route_quality(pos, boxes, edges, font_size, straight)
            if quality < best[0]:
                best = (quality, pos, smooth)
            if not stuck:
                break
            pos = separate_nodes(_nudged(pos, boxes, stuck), boxes, gap)
    return DrawingLayout(positions={n: best[1][n] for n in names}, smooth=best[2])


def _route_quality(pos, boxes, edges, font_size, straight):
    """Route the edges; rate the result (edges through nodes, label clashes, steep bends)."""
    smooth, stuck, clashes = route_edges(pos, boxes, edges, font_size, straight)
    steep = sum(float(s.get("roundness", 0)) > _GENTLE for s in smooth.values() if s.get("enabled"))
    return (len(stuck), clashes, steep), smooth, stuck


def _nudged(pos, boxes, stuck):
    """Each node an edge could not avoid, pushed off the straight line through its ends."""
    pos = dict(pos)
    for e, n in stuck:
        (ax, ay), (bx, by), (x, y) = pos[e.source], pos[e.target], pos[n]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy) or 1.0
        nx_, ny_ = -dy / length, dx / length
        sign = 1.0 if (x - ax) * nx_ + (y - ay) * ny_ >= 0 else -1.0
        step = (boxes[n].width + boxes[n].height) / 4 + _EDGE_MARGIN
        pos[n] = (round(x + sign * step * nx_, 1), round(y + sign * step * ny_, 1))
    return pos


def readable_positions(g: CausalGraph, pos: Mapping[str, tuple[float, float]]
                       ) -> dict[str, tuple[float, float]]:
    """An automatic layout made readable: nodes 30 px apart and every node nudged off the
    straight arrows it would sit on (see drawing_layout), so its arrows can stay straight."""
    return drawing_layout(g, pos, _drawn_edges(g), straight=True).positions


def _drawn_edges(g: CausalGraph, labels: Mapping[tuple[str, str], str] | None = None
                 ) -> list[DrawnEdge]:
    """Every edge of `g` with its kind, each mark type in turn (the order they are drawn in)."""
    labels = labels or {}

    def label(a: str, b: str) -> str:
        return str(labels.get((a, b), ""))

    return ([DrawnEdge(a, b, "d", label(a, b)) for a, b in sorted(g.edges)]
            + [DrawnEdge(a, b, "b", label(a, b)) for a, b in sorted(g.bidirected)]
            + [DrawnEdge(a, b, "u", label(a, b)) for a, b in sorted(g.undirected)]
            + [DrawnEdge(a, b, "c", label(a, b)) for a, _, b in sorted(g.circle)])


def _is_edge(g: CausalGraph, a: str, b: str) -> bool:
    """True when a style for the pair (a, b) falls on an edge of `g`: the arrow a → b, or any
    edge between a and b whose marks a style cannot change (↔, —, circle marks)."""
    pair = (a, b) if a <= b else (b, a)
    return ((a, b) in g.edges or pair in g.bidirected or pair in g.undirected
            or any({x, y} == {a, b} for x, _, y in g.circle))


@dataclass(frozen=True)
class NetworkData:
    """vis-network nodes and edges (lists of dicts) plus the legend entries in use."""

    nodes: list[dict]
    edges: list[dict]
    legend: list[tuple[str, str, dict]]   # (key, label, colours or style)

    def to_json(self) -> str:
        """JSON safe to embed inside an HTML <script> element."""
        return script_json({"nodes": self.nodes, "edges": self.edges})


def script_json(obj) -> str:
    """json.dumps that cannot break out of a <script> element (names are user data)."""
    text = json.dumps(obj, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def network_data(g: CausalGraph, *, highlight_nodes: Iterable[str] = (),
                 edge_styles: Mapping[tuple[str, str], str] | None = None,
                 node_styles: Mapping[str, str] | None = None,
                 edge_labels: Mapping[tuple[str, str], str] | None = None,
                 edge_widths: Mapping[tuple[str, str], float] | None = None,
                 high_contrast: bool = False, stretch: bool = True,
                 node_legend: Mapping[str, str] | None = None) -> NetworkData:
    """Everything needed to draw `g`: coloured nodes, styled edges, and the legend in use.

    `node_legend` names what a node style means on this page (e.g. "blocking": "blocks the
    path (grey ring)"); otherwise the legend uses NODE_STYLE_LABELS.

    Positions and edge bends come from `drawing_layout`; `stretch=False` (the editor, whose
    positions are the user's own coordinates) never spreads the drawing out."""
    colors = HIGH_CONTRAST_COLORS if high_contrast else ROLE_COLORS
    font_size = PRESENTER_FONT if high_contrast else FONT
    width_factor = PRESENTER_WIDTH if high_contrast else 1.0
    edge_styles = dict(edge_styles or {})
    node_styles = dict(node_styles or {})
    for n in highlight_nodes:
        node_styles.setdefault(n, "highlight")
    edge_labels = dict(edge_labels or {})
    edge_widths = dict(edge_widths or {})
    ancestry = ancestry_sets(g)
    drawn_edges = _drawn_edges(g, edge_labels)
    drawn_edges += [DrawnEdge(a, b, "s", str(edge_labels.get((a, b), "")))
                    for (a, b), style in edge_styles.items()
                    if a in g.nodes and b in g.nodes and not _is_edge(g, a, b)
                    and style in STYLES]
    shapes = {n: "box" for n, st in node_styles.items()
              if NODE_STYLES.get(st, {}).get("shape") == "box"}
    layout = drawing_layout(g, display_positions(g), drawn_edges, font_size, shapes, stretch)
    pos = layout.positions
    bends = {(e.source, e.target, e.kind): s for e, s in layout.smooth.items()}
    ids = {n: i for i, n in enumerate(g.nodes)}
    used_categories: dict[str, None] = {}
    nodes = []
    used_node_styles: dict[str, None] = {}
    for n in g.nodes:
        cat = node_category(g, n, ancestry)
        used_categories[cat] = None
        c = colors[cat]
        roles = sorted(g.roles.get(n, ()))
        title = n + (f" — {', '.join(roles)}" if roles else "")
        item = {
            "id": ids[n], "name": n, "label": n if len(n) <= 40 else n[:38] + "…",
            "title": title,   # vis-network 9 shows a string tooltip as text (innerText)
            "x": pos[n][0], "y": pos[n][1],
            "color": {"background": c["background"], "border": c["border"],
                      "highlight": {"background": c["background"], "border": "#f59e0b"}},
            "font": {"color": c["font"], "size": font_size},
            "borderWidth": (3 if cat == "adjusted" else 1.5) * width_factor,
            "shape": "box" if cat == "adjusted" else "ellipse",
            "shapeProperties": {"borderDashes": [5, 4] if cat == "latent" else False},
        }
        style = node_styles.get(n)
        if style in NODE_STYLES:
            used_node_styles[style] = None
            s = NODE_STYLES[style]
            if "border" in s:
                item["color"]["border"] = s["border"]
            if "borderWidth" in s:
                item["borderWidth"] = s["borderWidth"]
            if "opacity" in s:
                item["opacity"] = s["opacity"]
            if "shape" in s:
                item["shape"] = s["shape"]
        nodes.append(item)
    used_styles: dict[str, None] = {}
    edges = []

    def add(a: str, b: str, style: str, base: str, arrows: str | dict | None = None) -> None:
        s = {**STYLES[base], **(STYLES.get(style, {}) if style != base else {})}
        if style != base:
            used_styles[style] = None
        e = {"from": ids[a], "to": ids[b], "color": {"color": s["color"]},
             "width": s["width"] * width_factor, "dashes": s["dashes"],
             "arrows": arrows if arrows is not None else s.get("arrows", "to"),
             "smooth": bends.get((a, b, _KIND.get(base, "s")), {"enabled": False})}
        if (a, b) in edge_labels:
            e["label"] = str(edge_labels[(a, b)])
            e["font"] = {"size": round(font_size * 14 / 15)}
        if (a, b) in edge_widths:
            e["width"] = float(edge_widths[(a, b)]) * width_factor
        edges.append(e)

    for a, b in sorted(g.edges):
        add(a, b, edge_styles.get((a, b), "default"), "default")
    for a, b in sorted(g.bidirected):
        style = edge_styles.get((a, b)) or edge_styles.get((b, a)) or "bidirected"
        add(a, b, style, "bidirected")
        used_styles["bidirected"] = None
    # a PDAG's or PAG's marks: — without arrowheads, o as a small circle at its end; a style
    # asked for the pair colours the line but never changes its marks
    for a, b in sorted(g.undirected):
        style = edge_styles.get((a, b)) or edge_styles.get((b, a)) or "undirected"
        add(a, b, style, "undirected", arrows="")
        used_styles["undirected"] = None
    for a, mark, b in sorted(g.circle):
        style = edge_styles.get((a, b)) or edge_styles.get((b, a)) or "circle"
        add(a, b, style, "circle", arrows=_CIRCLE_ARROWS[mark])
        used_styles["circle"] = None
    # styled pairs that are not edges of g (e.g. a violated independence, a missing edge)
    for (a, b), style in edge_styles.items():
        if _is_edge(g, a, b):
            continue
        if a in ids and b in ids and style in STYLES:
            add(a, b, style, style)
            used_styles[style] = None
    legend = [(k, LEGEND_LABELS[k], colors[k]) for k in ROLE_COLORS if k in used_categories]
    style_labels = {**NODE_STYLE_LABELS, **(node_legend or {})}
    legend += [(f"node:{k}", style_labels[k], _node_swatch(NODE_STYLES[k]))
               for k in NODE_STYLES if k in used_node_styles]
    legend += [(k, STYLE_LABELS[k], STYLES[k]) for k in STYLES if k in used_styles]
    return NetworkData(nodes=nodes, edges=edges, legend=legend)


def _node_swatch(style: Mapping) -> dict:
    """A legend chip for a node style: a white node with that ring, fade or shape."""
    return {"background": "#ffffff", "border": style.get("border", "#374151"),
            "ring": 4 if "borderWidth" in style else 2, "opacity": style.get("opacity", 1),
            "radius": 2 if style.get("shape") == "box" else 7}


def legend_html(legend: list[tuple[str, str, dict]]) -> str:
    """The legend as small escaped HTML chips (node colours, node styles and edge styles)."""
    chips = []
    for key, label, spec in legend:
        if "background" in spec:
            border = "dashed" if key == "latent" else "solid"
            swatch = (f'<span style="display:inline-block;width:16px;height:16px;'
                      f'border-radius:{spec.get("radius", 7)}px;opacity:{spec.get("opacity", 1)};'
                      f'background:{spec["background"]};'
                      f'border:{spec.get("ring", 2)}px {border} {spec["border"]};'
                      f'vertical-align:middle;box-sizing:border-box"></span>')
        else:
            line = "dashed" if spec.get("dashes") else "solid"
            swatch = (f'<span style="display:inline-block;width:26px;height:0;border-top:3px {line} '
                      f'{spec["color"]};vertical-align:middle"></span>')
        # a chip keeps its swatch beside its words, and wraps them in a narrow column
        chips.append(f'<span style="display:inline-flex;align-items:center;gap:5px;'
                     f'max-width:100%;margin-right:14px;vertical-align:middle">'
                     f'{swatch.replace("vertical-align:middle", "flex-shrink:0")}'
                     f'<span>{html.escape(label)}</span></span>')
    return "".join(chips)



def force_layout(g: CausalGraph, *, seed: int = 7, spacing: float = 150.0
                 ) -> dict[str, tuple[float, float]]:
    """A force-directed layout (networkx spring layout, fixed seed) in drawing pixels.

    Each connected part is laid out on its own (bidirected edges pull too), scaled so that
    neighbours sit about `spacing` pixels apart, and the parts are packed left to right.
    It starts from the positions on screen, so pressing it again tidies the same picture.
    """
    und = nx.Graph()
    und.add_nodes_from(g.nodes)
    und.add_edges_from(g.edges)
    und.add_edges_from(g.bidirected)
    start = display_positions(g) if g.nodes else {}
    order = {n: i for i, n in enumerate(g.nodes)}
    parts = sorted((sorted(c, key=order.get) for c in nx.connected_components(und)),
                   key=lambda c: (-len(c), order[c[0]]))
    out: dict[str, tuple[float, float]] = {}
    left = 0.0
    for part in parts:
        if len(part) == 1:
            local = {part[0]: (0.0, 0.0)}
        else:
            sub = und.subgraph(part)
            # start from the picture on screen, in unit size, with a little seeded jitter:
            # from nodes on one line the forces would never leave that line
            xy = np.array([start[n] for n in part], dtype=float)
            xy = (xy - xy.mean(axis=0)) / max(float(np.abs(xy - xy.mean(axis=0)).max()), 1e-9)
            xy += np.random.default_rng(seed).normal(scale=0.1, size=xy.shape)
            pos = nx.spring_layout(sub, pos={n: tuple(q) for n, q in zip(part, xy)},
                                   seed=seed, iterations=200)
            lengths = sorted(float(((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2)
                                   ** 0.5) for a, b in sub.edges)
            scale = spacing / max(lengths[len(lengths) // 2], 1e-9)
            spread = _push_apart([(float(pos[n][0]) * scale, float(pos[n][1]) * scale)
                                  for n in part], 0.6 * spacing)
            local = dict(zip(part, spread))
        xs = [p[0] for p in local.values()]
        ys = [p[1] for p in local.values()]
        dx, dy = left - min(xs), -min(ys)
        out.update({n: (round(x + dx, 1), round(y + dy, 1)) for n, (x, y) in local.items()})
        left += max(xs) - min(xs) + spacing
    return readable_positions(g, {n: out[n] for n in g.nodes})


def _push_apart(points: list[tuple[float, float]], min_dist: float, rounds: int = 60
                ) -> list[tuple[float, float]]:
    """Nudge points apart until no two are closer than `min_dist` (so labels do not overlap)."""
    p = np.array(points, dtype=float)
    if len(p) < 2:
        return [tuple(map(float, q)) for q in p]
    jitter = np.random.default_rng(0).normal(scale=1e-3, size=p.shape)
    p = p + jitter
    for _ in range(rounds):
        diff = p[:, None, :] - p[None, :, :]
        dist = np.sqrt((diff ** 2).sum(-1))
        np.fill_diagonal(dist, np.inf)
        overlap = np.clip(min_dist - dist, 0, None)
        if not overlap.any():
            break
        push = (diff / dist[..., None] * (overlap / 2)[..., None]).sum(1)
        p = p + push
    return [(float(x), float(y)) for x, y in p]
