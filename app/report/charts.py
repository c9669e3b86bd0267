"""Small static charts for the report, drawn as inline SVG (no JavaScript, no CDN).

Why not the app's Altair charts: rendering Vega-Lite needs vega/vega-lite/vega-embed JS, which
no installed wheel ships in a reusable form (Streamlit's bundle is split and minified), and
loading it from a CDN would break the report offline. vl-convert-python renders Vega-Lite to
SVG offline, but it is an 84 MB native package (an embedded V8) for four simple charts. These
charts are a few lines of SVG each, byte-identical for identical input, and escape every label.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.report.svg import FONT, esc, num

AXIS = "#6b7280"
GRID = "#e5e7eb"
INK = "#111827"
NAIVE = "#9ca3af"
ADJUSTED = "#2563eb"
WARN = "#dc2626"
OK = "#059669"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About `n` round tick values (1, 2, 5 × 10^k steps) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks, t = [], first
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 12) + 0.0)   # + 0.0 turns -0.0 into 0.0
        t += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 12))
    return ticks


def tick_label(v: float, percent: bool = False) -> str:
    """A short axis label: 1,500 / 0.25 / 25% (no '-0')."""
    if percent:
        return f"{v * 100:.0f}%"
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    text = f"{v:.4g}"
    return "0" if text in ("-0", "0") else text


class _Scale:
    def __init__(self, lo: float, hi: float, a: float, b: float) -> None:
        self.lo, self.hi, self.a, self.b = lo, hi, a, b

    def __call__(self, v: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.a + (v - self.lo) / span * (self.b - self.a)


def _frame(width: float, height: float, title: str, body: str) -> str:
    return (f'<svg class="chart" role="img" aria-label="{esc(title)}" width="{num(width)}" '
            f'height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" '
            f'font-family="{esc(FONT)}"><title>{esc(title)}</title>'
            f'<rect width="100%" height="100%" fill="#ffffff"/>{body}</svg>')


def _x_axis(sx: _Scale, ticks: Sequence[float], y0: float, y1: float, percent: bool = False) -> str:
    out = []
    for t in ticks:
        x = sx(t)
        out.append(f'<line x1="{num(x)}" y1="{num(y0)}" x2="{num(x)}" y2="{num(y1)}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{num(x)}" y="{num(y1 + 14)}" font-size="11" text-anchor="middle" '
                   f'fill="{AXIS}">{esc(tick_label(t, percent))}</text>')
    return "".join(out)


def _zero(sx: _Scale, y0: float, y1: float) -> str:
    if not sx.lo <= 0 <= sx.hi:
        return ""
    x = sx(0)
    return (f'<line x1="{num(x)}" y1="{num(y0)}" x2="{num(x)}" y2="{num(y1)}" stroke="{INK}" '
            f'stroke-width="1.2" stroke-dasharray="4 4"/>')


@dataclass(frozen=True)
class ForestRow:
    """One estimate for the forest plot: point, optional 95% interval, colour."""

    label: str
    value: float
    lo: float | None = None
    hi: float | None = None
    color: str = ADJUSTED


def forest_svg(rows: Sequence[ForestRow], *, title: str, axis_label: str,
               width: float = 900) -> str:
    """Estimates with 95% intervals around a dashed zero line (one row each)."""
    rows = [r for r in rows if math.isfinite(r.value)]
    label_w = min(420.0, max([len(r.label) for r in rows] + [10]) * 6.8 + 16)
    row_h, top = 30.0, 12.0
    height = top + row_h * len(rows) + 44
    vals = [v for r in rows for v in (r.value, r.lo, r.hi) if v is not None and math.isfinite(v)]
    vals.append(0.0)
    ticks = nice_ticks(min(vals), max(vals))
    sx = _Scale(ticks[0], ticks[-1], label_w + 10, width - 20)
    plot_bottom = top + row_h * len(rows)
    body = [_x_axis(sx, ticks, top, plot_bottom), _zero(sx, top, plot_bottom)]
    for i, r in enumerate(rows):
        y = top + row_h * i + row_h / 2
        body.append(f'<text x="{num(label_w)}" y="{num(y + 4)}" font-size="12" text-anchor="end" '
                    f'fill="{INK}">{esc(r.label)}</text>')
        if r.lo is not None and r.hi is not None and math.isfinite(r.lo) and math.isfinite(r.hi):
            body.append(f'<line x1="{num(sx(r.lo))}" y1="{num(y)}" x2="{num(sx(r.hi))}" '
                        f'y2="{num(y)}" stroke="{r.color}" stroke-width="2.5"/>')
            for end in (r.lo, r.hi):
                body.append(f'<line x1="{num(sx(end))}" y1="{num(y - 5)}" x2="{num(sx(end))}" '
                            f'y2="{num(y + 5)}" stroke="{r.color}" stroke-width="2"/>')
        body.append(f'<circle cx="{num(sx(r.value))}" cy="{num(y)}" r="5.5" fill="{r.color}" '
                    f'stroke="#ffffff" stroke-width="1.5"/>')
    body.append(f'<text x="{num((sx.a + sx.b) / 2)}" y="{num(height - 6)}" font-size="11.5" '
                f'text-anchor="middle" fill="{AXIS}">{esc(axis_label)}</text>')
    return _frame(width, height, title, "".join(body))


def curve_svg(x: Sequence[float], y: Sequence[float], lo: Sequence[float], hi: Sequence[float], *,
              title: str, x_label: str, y_label: str,
              points: Sequence[tuple[float, float, str]] = (),
              marks: Sequence[tuple[float, str]] = (), width: float = 900,
              height: float = 300) -> str:
    """A line with a shaded 95% band, a dashed zero line, labelled points and vertical marks
    (the sensitivity curve: estimate against hidden-confounder strength)."""
    left, right, top, bottom = 64.0, 16.0, 14.0, 46.0
    ys = [v for v in (*y, *lo, *hi, *(p[1] for p in points), 0.0) if math.isfinite(v)]
    xt = nice_ticks(min(x), max(x))
    yt = nice_ticks(min(ys), max(ys))
    sx = _Scale(xt[0], xt[-1], left, width - right)
    sy = _Scale(yt[0], yt[-1], height - bottom, top)
    body = [_x_axis(sx, xt, top, height - bottom, percent=True)]
    for t in yt:
        body.append(f'<line x1="{num(left)}" y1="{num(sy(t))}" x2="{num(width - right)}" '
                    f'y2="{num(sy(t))}" stroke="{GRID}"/>')
        body.append(f'<text x="{num(left - 6)}" y="{num(sy(t) + 4)}" font-size="11" '
                    f'text-anchor="end" fill="{AXIS}">{esc(tick_label(t))}</text>')
    if yt[0] <= 0 <= yt[-1]:
        body.append(f'<line x1="{num(left)}" y1="{num(sy(0))}" x2="{num(width - right)}" '
                    f'y2="{num(sy(0))}" stroke="{INK}" stroke-width="1.2" stroke-dasharray="4 4"/>')
    band = [f"{num(sx(a))},{num(sy(b))}" for a, b in zip(x, hi)] + \
           [f"{num(sx(a))},{num(sy(b))}" for a, b in zip(reversed(x), reversed(lo))]
    body.append(f'<polygon points="{" ".join(band)}" fill="{ADJUSTED}" fill-opacity="0.15"/>')
    line = " ".join(f"{num(sx(a))},{num(sy(b))}" for a, b in zip(x, y))
    body.append(f'<polyline points="{line}" fill="none" stroke="{ADJUSTED}" stroke-width="2.5"/>')
    for xv, label in marks:
        if xt[0] <= xv <= xt[-1]:
            body.append(f'<line x1="{num(sx(xv))}" y1="{num(top)}" x2="{num(sx(xv))}" '
                        f'y2="{num(height - bottom)}" stroke="{WARN}" stroke-width="1.2" '
                        f'stroke-dasharray="2 3"/>')
            body.append(f'<text x="{num(sx(xv) + 4)}" y="{num(top + 11)}" font-size="11" '
                        f'fill="{WARN}">{esc(label)}</text>')
    for i, (xv, yv, label) in enumerate(points):
        if not (math.isfinite(xv) and math.isfinite(yv)) or not xt[0] <= xv <= xt[-1]:
            continue
        body.append(f'<circle cx="{num(sx(xv))}" cy="{num(sy(yv))}" r="4" fill="{INK}"/>')
        dy = -7 if i % 2 == 0 else 14
        body.append(f'<text x="{num(sx(xv) + 6)}" y="{num(sy(yv) + dy)}" font-size="10.5" '
                    f'fill="{INK}">{esc(label)}</text>')
    body.append(f'<text x="{num((left + width - right) / 2)}" y="{num(height - 8)}" '
                f'font-size="11.5" text-anchor="middle" fill="{AXIS}">{esc(x_label)}</text>')
    body.append(f'<text x="14" y="{num((top + height - bottom) / 2)}" font-size="11.5" '
                f'text-anchor="middle" fill="{AXIS}" transform="rotate(-90 14 '
                f'{num((top + height - bottom) / 2)})">{esc(y_label)}</text>')
    return _frame(width, height, title, "".join(body))


def strip_svg(values: Sequence[float], original: float, *, title: str, expected: float | None,
              width: float = 900, height: float = 74) -> str:
    """Simulated estimates as ticks, the original estimate as a red diamond and, where the
    refutation expects a value (0 for a placebo), a dashed reference line."""
    vals = [v for v in values if math.isfinite(v)]
    pool = [*vals, original, *( [expected] if expected is not None else [])]
    ticks = nice_ticks(min(pool), max(pool), 6)
    sx = _Scale(ticks[0], ticks[-1], 36, width - 36)
    y0, y1 = 10.0, height - 28
    body = [_x_axis(sx, ticks, y0, y1)]
    if expected is not None:
        body.append(f'<line x1="{num(sx(expected))}" y1="{num(y0)}" x2="{num(sx(expected))}" '
                    f'y2="{num(y1)}" stroke="{INK}" stroke-width="1.2" stroke-dasharray="4 4"/>')
    for v in vals:
        body.append(f'<line x1="{num(sx(v))}" y1="{num(y0 + 8)}" x2="{num(sx(v))}" '
                    f'y2="{num(y1 - 8)}" stroke="{ADJUSTED}" stroke-opacity="0.45" '
                    f'stroke-width="1.5"/>')
    cx, cy = sx(original), (y0 + y1) / 2
    body.append(f'<polygon points="{num(cx)},{num(cy - 8)} {num(cx + 7)},{num(cy)} '
                f'{num(cx)},{num(cy + 8)} {num(cx - 7)},{num(cy)}" fill="{WARN}"/>')
    return _frame(width, height, title, "".join(body))


def share_bars_svg(rows: Sequence[tuple[str, float, str]], *, title: str,
                   width: float = 900) -> str:
    """Horizontal bars of shares in [0, 1] with a label on the left and a note on the right
    (bootstrap confidence of each learned edge)."""
    label_w = min(280.0, max([len(r[0]) for r in rows] + [8]) * 6.7 + 14)
    note_w = min(220.0, max([len(r[2]) for r in rows] + [4]) * 6.2 + 10)
    row_h, top = 22.0, 8.0
    height = top + row_h * len(rows) + 26
    sx = _Scale(0.0, 1.0, label_w + 8, width - note_w - 8)
    body = [_x_axis(sx, [0, 0.25, 0.5, 0.75, 1.0], top, top + row_h * len(rows), percent=True)]
    for i, (label, share, note) in enumerate(rows):
        y = top + row_h * i
        color = OK if share >= 0.8 else ADJUSTED if share >= 0.5 else NAIVE
        body.append(f'<text x="{num(label_w)}" y="{num(y + 15)}" font-size="12" text-anchor="end" '
                    f'fill="{INK}">{esc(label)}</text>')
        body.append(f'<rect x="{num(sx(0))}" y="{num(y + 4)}" width="{num(sx(share) - sx(0))}" '
                    f'height="{num(row_h - 8)}" fill="{color}"/>')
        body.append(f'<text x="{num(sx(1) + 8)}" y="{num(y + 15)}" font-size="11" '
                    f'fill="{AXIS}">{esc(note)}</text>')
    return _frame(width, height, title, "".join(body))


__all__ = ["ForestRow", "curve_svg", "forest_svg", "nice_ticks", "share_bars_svg", "strip_svg",
           "tick_label"]
