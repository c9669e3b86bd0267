"""Inline SVG of a causal graph for the report: the app's one colour map, legend and layout,
drawn as plain SVG with every name escaped and no external reference (no fonts, no links).

Pure functions: a CausalGraph (plus optional edges with explicit end marks, e.g. a learned
CPDAG or PAG) in, an SVG string out. The output depends only on the input, so the same graph
always gives the same bytes.
"""
from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.drawing import (
    LEGEND_LABELS,
    ROLE_COLORS,
    STYLE_LABELS,
    STYLES,
    ancestry_sets,
    display_positions,
    node_category,
)
from app.graph import CausalGraph

FONT = "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
CHAR_W = 7.4          # average glyph width at 13 px, for sizing nodes and legend text
NODE_RY = 17.0
MAX_WIDTH = 860.0     # positions are scaled down to fit this drawing width
MIN_GAP = 95.0        # positions are scaled up until neighbours are at least this far apart
MARGIN = 18.0
ARROW = 11.0
MAX_LABEL = 28


def esc(text: object) -> str:
    """Text safe inside SVG/HTML elements and attribute values."""
    return html.escape(str(text), quote=True)


def num(v: float) -> str:
    """A coordinate with one decimal (stable text; no '-0.0')."""
    r = round(float(v), 1)
    return "0" if r == 0 else f"{r:g}" if abs(r) >= 1e-4 else "0"


@dataclass(frozen=True)
class SvgEdge:
    """An edge to draw: marks at each end ("tail", "arrow", "circle"), a style from
    app.drawing.STYLES and an optional short label (e.g. a bootstrap confidence)."""

    a: str
    b: str
    mark_a: str = "tail"
    mark_b: str = "arrow"
    style: str = "default"
    label: str = ""
    curved: bool = False


def graph_edges(g: CausalGraph, styles: Mapping[tuple[str, str], str] | None = None,
                labels: Mapping[tuple[str, str], str] | None = None) -> list[SvgEdge]:
    """The edges of `g` as SvgEdges: directed → , bidirected ↔ (curved, dashed purple)."""
    styles, labels = dict(styles or {}), dict(labels or {})
    out = [SvgEdge(a, b, style=styles.get((a, b), "default"), label=labels.get((a, b), ""))
           for a, b in sorted(g.edges)]
    for a, b in sorted(g.bidirected):
        style = styles.get((a, b)) or styles.get((b, a)) or "bidirected"
        label = labels.get((a, b)) or labels.get((b, a)) or ""
        out.append(SvgEdge(a, b, "arrow", "arrow", style, label, curved=True))
    return out


def _label(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[:MAX_LABEL - 1] + "…"


def _half_width(name: str) -> float:
    return max(26.0, len(_label(name)) * CHAR_W / 2 + 14)


def _layout(g: CausalGraph) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Node centres in drawing pixels (top-left at the margin) and the drawing size."""
    pos = display_positions(g)
    if not pos:
        return {}, 2 * MARGIN, 2 * MARGIN
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    pts = list(pos.values())
    closest = min((math.dist(p, q) for i, p in enumerate(pts) for q in pts[i + 1:]), default=0)
    scale = MIN_GAP / closest if 0 < closest < MIN_GAP else 1.0
    span = (max(xs) - min(xs)) * scale
    widest = max(_half_width(n) for n in g.nodes)
    if span + 2 * widest > MAX_WIDTH:
        scale *= max(0.2, (MAX_WIDTH - 2 * widest) / max(span, 1e-9))
    left = MARGIN + widest
    top = MARGIN + NODE_RY + 4
    out = {n: (left + (x - min(xs)) * scale, top + (y - min(ys)) * scale)
           for n, (x, y) in pos.items()}
    width = max(x + _half_width(n) for n, (x, _) in out.items()) + MARGIN
    height = max(y for _, y in out.values()) + NODE_RY + MARGIN + 4
    return out, width, height


def _boundary(c: tuple[float, float], d: tuple[float, float], name: str, box: bool) -> tuple[float, float]:
    """Where the ray from centre `c` in direction `d` leaves the node's ellipse (or box)."""
    rx, ry = _half_width(name), NODE_RY
    dx, dy = d
    norm = math.hypot(dx, dy) or 1.0
    dx, dy = dx / norm, dy / norm
    if box:
        t = min(rx / abs(dx) if dx else math.inf, ry / abs(dy) if dy else math.inf)
    else:
        t = 1 / math.sqrt((dx / rx) ** 2 + (dy / ry) ** 2)
    return c[0] + dx * (t + 2), c[1] + dy * (t + 2)


def _mark(tip: tuple[float, float], toward: tuple[float, float], mark: str, color: str) -> str:
    """An arrowhead or circle at `tip`, pointing away from `toward`."""
    if mark == "tail":
        return ""
    dx, dy = tip[0] - toward[0], tip[1] - toward[1]
    norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    if mark == "circle":
        cx, cy = tip[0] - ux * 5, tip[1] - uy * 5
        return (f'<circle cx="{num(cx)}" cy="{num(cy)}" r="4.5" fill="#fff" stroke="{color}" '
                f'stroke-width="1.6"/>')
    bx, by = tip[0] - ux * ARROW, tip[1] - uy * ARROW
    px, py = -uy * ARROW * 0.45, ux * ARROW * 0.45
    pts = f"{num(tip[0])},{num(tip[1])} {num(bx + px)},{num(by + py)} {num(bx - px)},{num(by - py)}"
    return f'<polygon points="{pts}" fill="{color}"/>'


def _detour(e: SvgEdge, pos: Mapping[str, tuple[float, float]]) -> float:
    """0 for a straight edge; otherwise the bend that routes the edge around a node that sits
    on the straight line (signed to curve away from it)."""
    (ax, ay), (bx, by) = pos[e.a], pos[e.b]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy or 1.0
    for n, (cx, cy) in pos.items():
        if n in (e.a, e.b):
            continue
        u = ((cx - ax) * dx + (cy - ay) * dy) / length2
        if not 0.05 < u < 0.95:
            continue
        px, py = ax + u * dx, ay + u * dy
        # distance in the node's own ellipse units: below 1.25 the line runs through the node
        if math.hypot((px - cx) / _half_width(n), (py - cy) / NODE_RY) < 1.25:
            side = dx * (cy - ay) - dy * (cx - ax)     # which side of the line the node is on
            return 0.3 if side < 0 else -0.3
    return 0.0


def _edge_svg(e: SvgEdge, pos: Mapping[str, tuple[float, float]], boxes: set[str]) -> str:
    style = {**STYLES["default"], **STYLES.get(e.style, {})}
    color, width = style["color"], float(style["width"])
    dash = style.get("dashes")
    dash_attr = f' stroke-dasharray="{" ".join(num(d) for d in dash)}"' if dash else ""
    ca, cb = pos[e.a], pos[e.b]
    bend = 0.22 if e.curved else _detour(e, pos)
    if bend:
        mx, my = (ca[0] + cb[0]) / 2, (ca[1] + cb[1]) / 2
        dx, dy = cb[0] - ca[0], cb[1] - ca[1]
        ctrl = (mx - dy * bend, my + dx * bend)
    else:
        ctrl = None
    aim_a = ctrl or cb
    aim_b = ctrl or ca
    pa = _boundary(ca, (aim_a[0] - ca[0], aim_a[1] - ca[1]), e.a, e.a in boxes)
    pb = _boundary(cb, (aim_b[0] - cb[0], aim_b[1] - cb[1]), e.b, e.b in boxes)
    # shorten the line under arrowheads so the line end does not poke through the tip
    def inset(p, toward, mark):
        if mark != "arrow":
            return p
        dx, dy = p[0] - toward[0], p[1] - toward[1]
        n = math.hypot(dx, dy) or 1.0
        return p[0] - dx / n * (ARROW - 2), p[1] - dy / n * (ARROW - 2)

    la = inset(pa, ctrl or cb, e.mark_a)
    lb = inset(pb, ctrl or ca, e.mark_b)
    title = f"<title>{esc(f'{e.a} – {e.b}' + (f' ({e.label})' if e.label else ''))}</title>"
    if ctrl is None:
        line = (f'<line x1="{num(la[0])}" y1="{num(la[1])}" x2="{num(lb[0])}" y2="{num(lb[1])}" '
                f'stroke="{color}" stroke-width="{num(width)}"{dash_attr}/>')
        mid = ((pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2)
    else:
        line = (f'<path d="M{num(la[0])},{num(la[1])} Q{num(ctrl[0])},{num(ctrl[1])} '
                f'{num(lb[0])},{num(lb[1])}" fill="none" stroke="{color}" '
                f'stroke-width="{num(width)}"{dash_attr}/>')
        mid = (0.25 * ca[0] + 0.5 * ctrl[0] + 0.25 * cb[0], 0.25 * ca[1] + 0.5 * ctrl[1] + 0.25 * cb[1])
    marks = (_mark(pa, ctrl or cb, e.mark_a, color) if e.mark_a != "tail" else "") + \
            (_mark(pb, ctrl or ca, e.mark_b, color) if e.mark_b != "tail" else "")
    label = ""
    if e.label:
        w = len(e.label) * 6.4 + 8
        label = (f'<rect x="{num(mid[0] - w / 2)}" y="{num(mid[1] - 8)}" width="{num(w)}" '
                 f'height="16" rx="3" fill="#ffffff" fill-opacity="0.9" stroke="{color}" '
                 f'stroke-width="0.6"/><text x="{num(mid[0])}" y="{num(mid[1] + 4)}" '
                 f'font-size="11" text-anchor="middle" fill="#111827">{esc(e.label)}</text>')
    return f'<g class="edge">{title}{line}{marks}{label}</g>'


def _node_svg(name: str, c: tuple[float, float], cat: str, node_style: str | None) -> str:
    col = ROLE_COLORS[cat]
    rx = _half_width(name)
    border, bw = col["border"], 3.0 if cat == "adjusted" else 1.5
    if node_style == "highlight":
        border, bw = "#f59e0b", 4.0
    dash = ' stroke-dasharray="5 4"' if cat == "latent" else ""
    if cat == "adjusted":
        shape = (f'<rect x="{num(c[0] - rx)}" y="{num(c[1] - NODE_RY)}" width="{num(2 * rx)}" '
                 f'height="{num(2 * NODE_RY)}" rx="5" fill="{col["background"]}" '
                 f'stroke="{border}" stroke-width="{num(bw)}"{dash}/>')
    else:
        shape = (f'<ellipse cx="{num(c[0])}" cy="{num(c[1])}" rx="{num(rx)}" ry="{num(NODE_RY)}" '
                 f'fill="{col["background"]}" stroke="{border}" stroke-width="{num(bw)}"{dash}/>')
    text = (f'<text x="{num(c[0])}" y="{num(c[1] + 4.5)}" font-size="13" text-anchor="middle" '
            f'fill="{col["font"]}">{esc(_label(name))}</text>')
    return f'<g class="node"><title>{esc(name)} ({esc(LEGEND_LABELS[cat])})</title>{shape}{text}</g>'


def _legend(items: Sequence[tuple[str, str, dict]], width: float, top: float) -> tuple[str, float]:
    """Legend chips wrapped into rows; returns the SVG and its height."""
    if not items:
        return "", 0.0
    parts, x, y = [], MARGIN, top + 12
    for key, label, spec in items:
        w = 30 + len(label) * 6.6
        if x + w > width - MARGIN and x > MARGIN:
            x, y = MARGIN, y + 20
        if key == "adjusted":
            parts.append(f'<rect x="{num(x)}" y="{num(y - 6.5)}" width="14" height="13" rx="2" '
                         f'fill="{spec["background"]}" stroke="{spec["border"]}" '
                         'stroke-width="2"/>')
        elif "background" in spec:
            dash = ' stroke-dasharray="3 2"' if key == "latent" else ""
            parts.append(f'<circle cx="{num(x + 7)}" cy="{num(y)}" r="6.5" fill="{spec["background"]}" '
                         f'stroke="{spec["border"]}" stroke-width="1.5"{dash}/>')
        else:
            dash = spec.get("dashes")
            dash_attr = f' stroke-dasharray="{" ".join(num(d) for d in dash)}"' if dash else ""
            parts.append(f'<line x1="{num(x)}" y1="{num(y)}" x2="{num(x + 18)}" y2="{num(y)}" '
                         f'stroke="{spec["color"]}" stroke-width="3"{dash_attr}/>')
        parts.append(f'<text x="{num(x + 22)}" y="{num(y + 4)}" font-size="11.5" '
                     f'fill="#374151">{esc(label)}</text>')
        x += w + 10
    return "".join(parts), y - top + 12


def graph_svg(g: CausalGraph, edges: Iterable[SvgEdge] | None = None, *,
              node_styles: Mapping[str, str] | None = None, title: str = "Causal graph",
              extra_legend: Sequence[tuple[str, str]] = ()) -> str:
    """The graph as one self-contained <svg> element: coloured nodes, styled edges, legend.

    `edges` replaces the graph's own edges (e.g. learned edges with circle or undirected
    marks); `extra_legend` adds (style, label) entries for edge styles with a report-specific
    meaning. Nodes are placed by app.drawing.display_positions, so the layout matches the app.
    """
    edges = list(graph_edges(g) if edges is None else edges)
    node_styles = dict(node_styles or {})
    pos, width, height = _layout(g)
    ancestry = ancestry_sets(g)
    cats = {n: node_category(g, n, ancestry) for n in g.nodes}
    boxes = {n for n, c in cats.items() if c == "adjusted"}
    body = [_edge_svg(e, pos, boxes) for e in edges if e.a in pos and e.b in pos]
    body += [_node_svg(n, pos[n], cats[n], node_styles.get(n)) for n in g.nodes]
    used_cats = [k for k in ROLE_COLORS if k in set(cats.values())]
    legend = [(k, LEGEND_LABELS[k], ROLE_COLORS[k]) for k in used_cats]
    labels = dict(extra_legend)
    used_styles: list[str] = []
    for e in edges:
        key = e.style
        if (e.mark_a, e.mark_b) == ("tail", "tail") and key == "default":
            key = "undirected"
        if key != "default" and key not in used_styles:
            used_styles.append(key)
    if any(e.mark_a == "circle" or e.mark_b == "circle" for e in edges):
        labels.setdefault("circle", "o  end undecided (PAG circle mark)")
    for key in used_styles:
        if key in STYLES:
            legend.append((key, labels.get(key, STYLE_LABELS.get(key, key)), STYLES[key]))
    if "circle" in labels:
        legend.append(("circle", labels["circle"], {"color": "#4b5563", "dashes": False}))
    width = max(width, 360.0)
    legend_svg, legend_h = _legend(legend, width, height)
    total_h = height + legend_h + 6
    # no xmlns: inside HTML the parser puts <svg> in the SVG namespace, and the report then
    # contains no URL at all (its "no external reference" check stays simple and strict)
    return (f'<svg class="graph" role="img" '
            f'aria-label="{esc(title)}" width="{num(width)}" height="{num(total_h)}" '
            f'viewBox="0 0 {num(width)} {num(total_h)}" font-family="{esc(FONT)}">'
            f'<title>{esc(title)}</title>'
            f'<rect width="100%" height="100%" fill="#ffffff"/>'
            + "".join(body) + legend_svg + "</svg>")


__all__ = ["SvgEdge", "graph_edges", "graph_svg", "esc", "num"]
