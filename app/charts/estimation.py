"""Altair charts for the Estimate page: naive vs adjusted, sensitivity, refutations, subgroups,
and the brushable covariate charts whose selections pick a subgroup.

Pure functions: data in, chart out. Rows are summarised (binned, sampled) before they go into a
chart, so a 100,000-row table still makes a small chart spec.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from app.drawing import ROLE_COLORS, display_positions, node_category
from app.graph import CausalGraph

NAIVE_COLOR = "#9ca3af"
ADJUSTED_COLOR = "#2563eb"
WARN_COLOR = "#dc2626"
TREATED_COLOR = "#009E73"
CONTROL_COLOR = "#E69F00"
BRUSH = "brush"
NODE_PICK = "node"
MAX_SCATTER_POINTS = 2000
HIST_BINS = 30


def _zero_rule(axis: str = "x") -> alt.Chart:
    zero = pd.DataFrame({"zero": [0.0]})
    enc = {axis: alt.X("zero:Q") if axis == "x" else alt.Y("zero:Q")}
    return alt.Chart(zero).mark_rule(color="#111827", strokeDash=[4, 4]).encode(**enc)


def effects_table(estimates: Sequence) -> pd.DataFrame:
    """One row for the unadjusted difference, then one per estimate (value and interval)."""
    if not estimates:
        return pd.DataFrame(columns=["label", "kind", "value", "ci_low", "ci_high"])
    first = estimates[0]
    rows = [{"label": "Unadjusted difference", "kind": "naive (unadjusted)",
             "value": first.naive.value, "ci_low": first.naive.ci_low, "ci_high": first.naive.ci_high}]
    for e in estimates:
        rows.append({"label": e.method_label, "kind": "adjusted (causal)", "value": e.value,
                     "ci_low": e.ci_low if e.has_ci else e.value,
                     "ci_high": e.ci_high if e.has_ci else e.value})
    return pd.DataFrame(rows)


def effects_chart(estimates: Sequence, *, width: int = 520) -> alt.Chart:
    """Naive vs adjusted estimates with 95% intervals around a zero line: Simpson's paradox at
    a glance when the grey (unadjusted) and blue (adjusted) points sit on opposite sides of 0."""
    data = effects_table(estimates)
    order = list(data["label"])
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=280)),
        color=alt.Color("kind:N", title=None, legend=None,
                        scale=alt.Scale(domain=["naive (unadjusted)", "adjusted (causal)"],
                                        range=[NAIVE_COLOR, ADJUSTED_COLOR])),
        tooltip=[alt.Tooltip("label:N", title="estimate"),
                 alt.Tooltip("value:Q", format=",.4g"), alt.Tooltip("ci_low:Q", format=",.4g"),
                 alt.Tooltip("ci_high:Q", format=",.4g")])
    bars = base.mark_rule(strokeWidth=3).encode(x=alt.X("ci_low:Q", title="effect (95% interval)"),
                                                 x2="ci_high:Q")
    points = base.mark_point(filled=True, size=110).encode(x="value:Q")
    return (bars + points + _zero_rule("x")).properties(width=width, height=alt.Step(40))


def sensitivity_chart(result, *, width: int = 520, height: int = 260) -> alt.Chart:
    """Adjusted estimate against the hidden confounder's strength, with its 95% band, the zero
    line, the robustness value, and where confounders like the measured ones would land."""
    t = result.table
    x = alt.X("strength:Q", axis=alt.Axis(format="%"),    # two lines: fits a narrow column
              title=["hidden confounder strength", "(partial R² with treatment and outcome)"])
    band = alt.Chart(t).mark_area(opacity=0.18, color=ADJUSTED_COLOR).encode(
        x=x, y=alt.Y("ci_low:Q", title="estimate if such a confounder existed"), y2="ci_high:Q")
    line = alt.Chart(t).mark_line(color=ADJUSTED_COLOR, strokeWidth=2.5).encode(
        x=x, y="adjusted_estimate:Q",
        tooltip=[alt.Tooltip("strength:Q", format=".1%"),
                 alt.Tooltip("adjusted_estimate:Q", format=",.4g", title="estimate"),
                 alt.Tooltip("ci_low:Q", format=",.4g"), alt.Tooltip("ci_high:Q", format=",.4g")])
    layers = [band, line, _zero_rule("y")]
    rv = pd.DataFrame({"strength": [result.robustness_value],
                       "label": [f"robustness value {result.robustness_value:.1%}"]})
    if result.robustness_value <= float(t["strength"].max()):
        layers.append(alt.Chart(rv).mark_rule(color=WARN_COLOR, strokeDash=[6, 3]).encode(
            x="strength:Q", tooltip=["label:N"]))
    if len(result.benchmarks):
        b = result.benchmarks.assign(label=lambda d: "like " + d["covariate"])
        pts = alt.Chart(b).encode(x="strength:Q", y="adjusted_estimate:Q",
                                  tooltip=[alt.Tooltip("covariate:N", title="as strong as"),
                                           alt.Tooltip("r2_treatment:Q", format=".2%"),
                                           alt.Tooltip("r2_outcome:Q", format=".2%"),
                                           alt.Tooltip("adjusted_estimate:Q", format=",.4g")])
        layers += [pts.mark_point(color="#111827", filled=True, size=50),
                   pts.mark_text(align="left", dx=6, dy=-6, fontSize=10).encode(text="label:N")]
    return alt.layer(*layers).properties(width=width, height=height)


def refutation_chart(result, *, width: int = 260, height: int = 120) -> alt.Chart:
    """Histogram of the refutation's re-estimates, with the original estimate (blue) and 0."""
    sims = np.asarray(result.simulations, dtype=float)
    edges = np.histogram_bin_edges(sims, bins=min(20, max(5, len(sims) // 5)))
    counts, edges = np.histogram(sims, bins=edges)
    hist = pd.DataFrame({"from": edges[:-1], "to": edges[1:], "count": counts})
    bars = alt.Chart(hist).mark_bar(color=NAIVE_COLOR).encode(
        x=alt.X("from:Q", bin="binned", title="re-estimated effect"), x2="to:Q",
        y=alt.Y("count:Q", title="simulations"))
    marks = pd.DataFrame({"value": [result.original, 0.0], "what": ["your estimate", "zero"]})
    rules = alt.Chart(marks).mark_rule(strokeWidth=2).encode(
        x="value:Q", color=alt.Color("what:N", title=None, legend=alt.Legend(orient="top"),
                                     scale=alt.Scale(domain=["your estimate", "zero"],
                                                     range=[ADJUSTED_COLOR, "#111827"])),
        tooltip=["what:N", alt.Tooltip("value:Q", format=",.4g")])
    return (bars + rules).properties(width=width, height=height)


def cate_chart(sub, *, width: int = 520, height: int = 240) -> alt.Chart:
    """Effect within each subgroup (point and 95% interval) against the overall effect (band)."""
    t = sub.table.copy()
    t["ci_low"] = t["ci_low"].fillna(t["estimate"])
    t["ci_high"] = t["ci_high"].fillna(t["estimate"])
    order = list(t["group"])
    x = alt.X("group:N", sort=order, title=sub.covariate or "subgroup", axis=alt.Axis(labelAngle=0))
    tip = [alt.Tooltip("group:N"), alt.Tooltip("n:Q", title="rows"),
           alt.Tooltip("estimate:Q", format=",.4g"), alt.Tooltip("ci_low:Q", format=",.4g"),
           alt.Tooltip("ci_high:Q", format=",.4g")]
    err = alt.Chart(t).mark_rule(color=ADJUSTED_COLOR, strokeWidth=3).encode(
        x=x, y=alt.Y("ci_low:Q", title="effect (95% interval)"), y2="ci_high:Q",
        tooltip=tip)
    pts = alt.Chart(t).mark_point(filled=True, size=90, color=ADJUSTED_COLOR).encode(
        x=x, y="estimate:Q", tooltip=tip)
    o = sub.overall
    overall = pd.DataFrame({"value": [o.value], "lo": [o.ci_low if o.has_ci else o.value],
                            "hi": [o.ci_high if o.has_ci else o.value], "what": ["overall effect"]})
    band = alt.Chart(overall).mark_rect(opacity=0.12, color="#111827").encode(y="lo:Q", y2="hi:Q")
    line = alt.Chart(overall).mark_rule(color="#111827").encode(
        y="value:Q", tooltip=["what:N", alt.Tooltip("value:Q", format=",.4g")])
    return alt.layer(band, line, _zero_rule("y"), err, pts).properties(width=width, height=height)


# ---- brushable covariate charts ------------------------------------------------------------
MAX_COLOUR_GROUPS = 8    # a numeric treatment with more values is coloured below/above its median


def _group_labels(t: pd.Series, treatment_label: str | None, control_label: str | None) -> pd.Series:
    """The colour group of each row: treated/control, or a few values; a many-valued numeric
    treatment in two halves at its median (one colour per distinct value would be unreadable)."""
    if (treatment_label is None or control_label is None) and t.dtype.kind in "if" \
            and t.nunique() > MAX_COLOUR_GROUPS:
        med = float(t.median())
        low = t.le(med).map({True: f"at most the median ({med:.3g})",
                             False: f"above the median ({med:.3g})"})
        return low.where(t.notna(), "treatment missing")
    s = t.astype(int).astype(str) if pd.api.types.is_bool_dtype(t) else t.astype(str)
    s = s.str.replace(r"\.0$", "", regex=True)
    if treatment_label is not None and control_label is not None:
        # rows with the treatment missing are in no group (nor in the estimate); other values of a
        # many-valued treatment are named as such
        named = s.map({treatment_label: f"treated ({treatment_label})",
                       control_label: f"control ({control_label})"})
        return named.fillna("other values of the treatment").where(t.notna(), "treatment missing")
    return s.where(t.notna(), "treatment missing")


def covariate_chart(df: pd.DataFrame, covariate: str, treatment: str, *,
                    treatment_label: str | None = None, control_label: str | None = None,
                    width: int = 330, height: int = 170) -> alt.Chart:
    """Distribution of `covariate` by treatment group, with a brush (numeric: drag a range;
    categorical: click bars). The selection parameter is named "brush"."""
    s = df[covariate]
    groups = _group_labels(df[treatment], treatment_label, control_label)
    numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) \
        and s.nunique() > 8
    color = alt.Color("group:N", title=treatment, legend=alt.Legend(orient="top"),
                      scale=alt.Scale(range=[CONTROL_COLOR, TREATED_COLOR, NAIVE_COLOR]))
    if numeric:
        values = pd.to_numeric(s, errors="coerce")
        finite = values[np.isfinite(values)]
        edges = np.histogram_bin_edges(finite, bins=HIST_BINS)
        rows = []
        for g in sorted(groups.unique()):
            c, _ = np.histogram(values[(groups == g) & np.isfinite(values)], bins=edges)
            rows += [{"from": a, "to": b, "count": int(k), "group": g}
                     for a, b, k in zip(edges[:-1], edges[1:], c)]
        data = pd.DataFrame(rows).rename(columns={"from": covariate})
        brush = alt.selection_interval(name=BRUSH, encodings=["x"])
        return alt.Chart(data).mark_bar(binSpacing=0, opacity=0.8).encode(
            x=alt.X(f"{_field(covariate)}:Q", bin="binned", title=covariate), x2="to:Q",
            y=alt.Y("count:Q", title="rows", stack=True), color=color,
            tooltip=[alt.Tooltip(f"{_field(covariate)}:Q", format=",.4g", title="from"),
                     alt.Tooltip("to:Q", format=",.4g"), "group:N", "count:Q"],
        ).add_params(brush).properties(width=width, height=height)
    counts = pd.DataFrame({covariate: s.astype(str), "group": groups}).value_counts().reset_index(name="count")
    pick = alt.selection_point(name=BRUSH, fields=[covariate])
    return alt.Chart(counts).mark_bar().encode(
        x=alt.X(f"{_field(covariate)}:N", title=covariate, axis=alt.Axis(labelAngle=0)),
        xOffset="group:N", y=alt.Y("count:Q", title="rows"), color=color,
        opacity=alt.condition(pick, alt.value(0.9), alt.value(0.35)),
        tooltip=[f"{_field(covariate)}:N", "group:N", "count:Q"],
    ).add_params(pick).properties(width=width, height=height)


def scatter_chart(df: pd.DataFrame, x: str, y: str, treatment: str, *,
                  treatment_label: str | None = None, control_label: str | None = None,
                  width: int = 330, height: int = 220, seed: int = 0) -> alt.Chart:
    """`x` against `y` coloured by treatment group, with a 2-D brush named "brush" (at most
    2,000 points are drawn; the selection is applied to all rows by its ranges)."""
    cols = list(dict.fromkeys([x, y, treatment]))
    d = df[cols]
    if len(d) > MAX_SCATTER_POINTS:
        d = d.sample(MAX_SCATTER_POINTS, random_state=seed)
    data = pd.DataFrame({x: d[x].to_numpy(), y: d[y].to_numpy(),
                         "group": _group_labels(d[treatment], treatment_label, control_label).to_numpy()})
    brush = alt.selection_interval(name=BRUSH, encodings=["x", "y"])
    return alt.Chart(data).mark_circle(size=22, opacity=0.6).encode(
        x=alt.X(f"{_field(x)}:Q", title=x, scale=alt.Scale(zero=False)),
        y=alt.Y(f"{_field(y)}:Q", title=y, scale=alt.Scale(zero=False)),
        color=alt.condition(brush, alt.Color("group:N", title=treatment,
                                             legend=alt.Legend(orient="top"),
                                             scale=alt.Scale(range=[CONTROL_COLOR, TREATED_COLOR, NAIVE_COLOR])),
                            alt.value("#d1d5db")),
        tooltip=[f"{_field(x)}:Q", f"{_field(y)}:Q", "group:N"],
    ).add_params(brush).properties(width=width, height=height)


def _field(name: str) -> str:
    """A column name usable as an Altair field (dots, brackets and colons are escaped)."""
    return "".join("\\" + c if c in ".[]:\\" else c for c in name)


def selection_mask(df: pd.DataFrame, selection: Mapping | None, param: str = BRUSH) -> np.ndarray | None:
    """Rows selected by an Altair selection event (st.altair_chart(on_select=...).selection).

    Interval selections are {field: [lo, hi]} (numbers); point selections a list of
    {field: value}. Returns None when nothing is selected.
    """
    if not selection:
        return None
    state = selection.get(param) if isinstance(selection, Mapping) else None
    if not state:
        return None
    if isinstance(state, Mapping):
        mask = np.ones(len(df), dtype=bool)
        used = False
        for field, rng in state.items():
            col = field.replace("\\", "")
            if col not in df.columns or not isinstance(rng, Sequence) or len(rng) != 2:
                continue
            lo, hi = sorted(float(v) for v in rng)
            v = pd.to_numeric(df[col], errors="coerce").to_numpy(float)
            mask &= (v >= lo) & (v <= hi)
            used = True
        return mask if used else None
    if isinstance(state, Sequence):
        mask = np.zeros(len(df), dtype=bool)
        used = False
        for item in state:
            if not isinstance(item, Mapping):
                continue
            m = np.ones(len(df), dtype=bool)
            for field, value in item.items():
                col = field.replace("\\", "")
                if col not in df.columns:
                    continue
                m &= df[col].astype(str).to_numpy() == str(value)
                used = True
            mask |= m
        return mask if used else None
    return None


def node_picker_chart(graph: CausalGraph, *, adjustment: Sequence[str] = (),
                      current: str | None = None, width: int = 330, height: int = 200) -> alt.Chart:
    """The graph as a small clickable map (same colours and layout as the main drawing):
    clicking a node selects it (point selection named "node")."""
    pos = display_positions(graph)
    nodes = pd.DataFrame([{"node": n, "x": pos[n][0], "y": pos[n][1],
                           "fill": ROLE_COLORS[node_category(graph, n)]["background"],
                           "stroke": "#f59e0b" if n in set(adjustment) else "#374151",
                           "ring": 3.5 if n == current else 1.2}
                          for n in graph.nodes])
    pick = alt.selection_point(name=NODE_PICK, fields=["node"], on="click")
    dx, dy = _padded(nodes["x"]), _padded(nodes["y"])
    sx = alt.Scale(domain=dx, nice=False)
    sy = alt.Scale(domain=dy[::-1], nice=False)
    ax = dict(axis=None, title=None)
    edges, heads = _map_edges(graph, pos, dx, dy, width, height)
    lines = alt.Chart(edges).mark_rule(color="#6b7280", strokeWidth=1.3).encode(
        x=alt.X("x:Q", scale=sx, **ax), y=alt.Y("y:Q", scale=sy, **ax), x2="x2:Q", y2="y2:Q",
        strokeDash=alt.StrokeDash("dash:N", scale=None, legend=None))
    arrows = alt.Chart(heads).mark_point(shape="triangle-up", filled=True, size=70,
                                         color="#6b7280", opacity=1).encode(
        x=alt.X("x:Q", scale=sx, **ax), y=alt.Y("y:Q", scale=sy, **ax),
        angle=alt.Angle("angle:Q", scale=None)).transform_filter(alt.datum.show)
    dots = alt.Chart(nodes).mark_circle(size=520, opacity=1).encode(
        x=alt.X("x:Q", scale=sx, **ax), y=alt.Y("y:Q", scale=sy, **ax),
        color=alt.Color("fill:N", scale=None), stroke=alt.Stroke("stroke:N", scale=None),
        strokeWidth=alt.StrokeWidth("ring:Q", scale=None),
        tooltip=[alt.Tooltip("node:N", title="click to explore")]).add_params(pick)
    labels = alt.Chart(nodes).mark_text(dy=-17, fontSize=11, color="#111827").encode(
        x=alt.X("x:Q", scale=sx, **ax), y=alt.Y("y:Q", scale=sy, **ax), text="node:N")
    return alt.layer(lines, arrows, dots, labels).properties(width=width, height=height
                                                            ).configure_view(strokeWidth=0)


NODE_RADIUS_PX = 13.0      # mark_circle size 520 ≈ π r²


def _map_edges(graph: CausalGraph, pos, dx, dy, width: int, height: int):
    """The map's edges, cut back to the node circles, and an arrowhead at each directed edge's
    end, turned in screen space (the two axes have different scales). ↔ edges are dashed."""
    kx, ky = width / (dx[1] - dx[0]), height / (dy[1] - dy[0])   # pixels per unit
    lines, heads = [], []
    pairs = [(a, b, True) for a, b in sorted(graph.edges)] + \
        [(a, b, False) for a, b in sorted(graph.bidirected)]
    for a, b, directed in pairs:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        px, py = (xb - xa) * kx, (yb - ya) * ky     # the y scale is reversed: as on screen
        dist = float(np.hypot(px, py))
        if dist < 2 * NODE_RADIUS_PX + 4:
            continue
        ux, uy = px / dist, py / dist
        cut = NODE_RADIUS_PX + (5.0 if directed else 2.0)
        start = (xa + ux * (NODE_RADIUS_PX + 2) / kx, ya + uy * (NODE_RADIUS_PX + 2) / ky)
        end = (xb - ux * cut / kx, yb - uy * cut / ky)
        lines.append({"x": start[0], "y": start[1], "x2": end[0], "y2": end[1],
                      "dash": [1, 0] if directed else [4, 3]})
        if directed:
            heads.append({"x": end[0], "y": end[1],
                          "angle": float(np.degrees(np.arctan2(ux, -uy))) % 360})
    empty = {"x": 0.0, "y": 0.0, "x2": 0.0, "y2": 0.0, "dash": [0, 1]}
    return pd.DataFrame(lines or [empty]), pd.DataFrame(heads or [{"x": 0.0, "y": 0.0,
                                                                   "angle": 0.0}]).assign(
        show=bool(heads))


def _padded(values: pd.Series) -> list[float]:
    lo, hi = float(values.min()), float(values.max())
    pad = max((hi - lo) * 0.12, 40.0)
    return [lo - pad, hi + pad]


def picked_node(selection: Mapping | None) -> str | None:
    """The node clicked in `node_picker_chart` (None when nothing is clicked)."""
    state = (selection or {}).get(NODE_PICK) if isinstance(selection, Mapping) else None
    if isinstance(state, Sequence) and state and isinstance(state[0], Mapping):
        return state[0].get("node")
    return None


def propensity_table(result, *, bins: int = HIST_BINS) -> pd.DataFrame:
    """Binned propensity scores per treatment group; control counts negative (drawn below 0)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for treated, label, sign in ((True, result.treated_label, 1), (False, result.control_label, -1)):
        counts, _ = np.histogram(result.scores[result.treated == treated], bins=edges)
        group = f"{result.treatment} = {label}"
        rows += [{"from": a, "to": b, "count": sign * int(c), "units": int(c), "group": group}
                 for a, b, c in zip(edges[:-1], edges[1:], counts)]
    return pd.DataFrame(rows)


def propensity_chart(result, *, width: int = 520, height: int = 260) -> alt.Chart:
    """Mirrored histogram of propensity scores: treated above the axis, control below, with the
    overlap bounds as dashed lines. Where one side has bars and the other none, overlap fails."""
    data = propensity_table(result)
    groups = list(dict.fromkeys(data["group"]))
    bars = alt.Chart(data).mark_bar(opacity=0.85).encode(
        x=alt.X("from:Q", bin="binned", title="propensity score (estimated chance of treatment)",
                scale=alt.Scale(domain=[0, 1])),
        x2="to:Q",
        y=alt.Y("count:Q", title="units (control drawn below 0)"),
        color=alt.Color("group:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=groups, range=[TREATED_COLOR, CONTROL_COLOR])),
        tooltip=["group:N", alt.Tooltip("from:Q", format=".2f", title="score from"),
                 alt.Tooltip("to:Q", format=".2f", title="score to"), "units:Q"])
    lo, hi = result.bounds
    rules = alt.Chart(pd.DataFrame({"bound": [lo, hi]})).mark_rule(
        color=WARN_COLOR, strokeDash=[6, 3]).encode(x="bound:Q", tooltip=["bound:Q"])
    return (bars + rules + _zero_rule("y")).properties(width=width, height=height)


def mediation_table(result) -> pd.DataFrame:
    """The total effect split into its direct and indirect parts, each with its interval. An
    exact result from a fitted model (app.models.mediation) has no interval (the value itself)
    and adds the interaction row when direct + indirect differ from the total."""
    via = ", ".join(result.mediators)

    def row(part: str, label: str, value: float, ci: tuple[float, float] | None) -> dict:
        lo, hi = ci if ci is not None else (value, value)
        return {"part": part, "label": label, "value": value, "ci_low": lo, "ci_high": hi}

    rows = [row("total", "total effect", result.total, getattr(result, "total_ci", None)),
            row("direct", "direct (not through the mediators)", result.nde,
                getattr(result, "nde_ci", None)),
            row("indirect", f"indirect (through {via})", result.nie,
                getattr(result, "nie_ci", None))]
    if not getattr(result, "additive", True):
        rows.append(row("interaction", "interaction (total − direct − indirect)",
                        result.interaction, None))
    return pd.DataFrame(rows)


def mediation_chart(result, *, width: int = 520) -> alt.Chart:
    """Bars for the total, direct and indirect effects with 95% intervals and the zero line:
    the direct and indirect bars (and the interaction, when there is one) add up to the total."""
    data = mediation_table(result)
    title = "effect (95% interval)" if hasattr(result, "total_ci") else "effect (exact, in the model)"
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=280)),
        color=alt.Color("part:N", legend=None, scale=alt.Scale(
            domain=["total", "direct", "indirect", "interaction"],
            range=[NAIVE_COLOR, ADJUSTED_COLOR, TREATED_COLOR, CONTROL_COLOR])),
        tooltip=["label:N", alt.Tooltip("value:Q", format=",.4g"),
                 alt.Tooltip("ci_low:Q", format=",.4g"), alt.Tooltip("ci_high:Q", format=",.4g")])
    bars = base.mark_bar(opacity=0.8).encode(x=alt.X("value:Q", title=title))
    rules = base.mark_rule(color="#111827").encode(x="ci_low:Q", x2="ci_high:Q")
    return (bars + rules + _zero_rule("x")).properties(width=width, height=alt.Step(36))
