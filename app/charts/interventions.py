"""Altair charts for the Intervene and Counterfactual pages: seeing versus doing, intervention
sweeps, factual versus counterfactual, and intervals for the probabilities of causation."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

SEEING = "#9ca3af"      # grey: mere observation
DOING = "#009E73"       # the exposure colour of the graph legend: intervention
FACTUAL = "#0072B2"
COUNTERFACTUAL = "#D55E00"
MONOTONE = "#111827"


def stacked_legend() -> alt.Legend:
    """A legend under the chart with one entry a line: side by side, two long entries (a query
    with its values) ran past a narrow column's edge and the second was cut off."""
    return alt.Legend(orient="bottom", direction="vertical", title=None, labelLimit=400)

def _scale(labels: list[str], colors: list[str]) -> alt.Scale:
    return alt.Scale(domain=labels, range=colors)


def seeing_vs_doing(see, do, target: str, see_label: str | None = None,
                    do_label: str | None = None, height: int = 240) -> alt.Chart:
    """Grouped bars P(Y | X=x) beside P(Y | do(X=x)) (discrete), or two normal curves (linear).

    `see` may be None (observation impossible): then only the intervention is drawn.
    """
    see_label = see_label or (see.label if see is not None else "seeing")
    do_label = do_label or do.label
    labels = [see_label, do_label] if see is not None else [do_label]
    colors = [SEEING, DOING] if see is not None else [DOING]
    if do.kind == "discrete":
        rows = []
        for name, r in ((see_label, see), (do_label, do)):
            if r is None:
                continue
            for state, p in r.distributions[target].items():
                rows.append({"state": str(state), "probability": float(p), "query": name})
        data = pd.DataFrame(rows)
        order = [str(s) for s in do.distributions[target].index]
        return alt.Chart(data).mark_bar().encode(
            x=alt.X("state:N", sort=order, title=target, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("query:N", sort=labels),
            y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), title="probability"),
            color=alt.Color("query:N", scale=_scale(labels, colors), sort=labels,
                            legend=stacked_legend()),
            tooltip=["query:N", "state:N", alt.Tooltip("probability:Q", format=".4f")],
        ).properties(height=height)
    return normal_curves([(see_label, see), (do_label, do)], target, colors, height)


def normal_curves(items, target: str, colors: list[str], height: int = 240) -> alt.Chart:
    """Normal densities for linear-model answers (mean ± std), with the means marked."""
    items = [(name, r) for name, r in items if r is not None]
    lo = min(r.means[target] - 3.5 * max(r.stds[target], 1e-9) for _, r in items)
    hi = max(r.means[target] + 3.5 * max(r.stds[target], 1e-9) for _, r in items)
    grid = np.linspace(lo, hi, 200)
    rows, means = [], []
    for name, r in items:
        m, s = r.means[target], r.stds[target]
        if s > 1e-12:
            dens = np.exp(-0.5 * ((grid - m) / s) ** 2) / (s * np.sqrt(2 * np.pi))
            rows += [{"x": float(x), "density": float(d), "query": name} for x, d in zip(grid, dens)]
        means.append({"x": m, "query": name, "mean": m, "std": s})
    labels = [name for name, _ in items]
    color = alt.Color("query:N", scale=_scale(labels, colors[-len(labels):]), sort=labels,
                      legend=stacked_legend())
    rules = alt.Chart(pd.DataFrame(means)).mark_rule(strokeWidth=2, strokeDash=[4, 3]).encode(
        x=alt.X("x:Q", title=target), color=color,
        tooltip=["query:N", alt.Tooltip("mean:Q", format=".4g"), alt.Tooltip("std:Q", format=".3g")])
    if not rows:
        return rules.properties(height=height)
    curves = alt.Chart(pd.DataFrame(rows)).mark_line(strokeWidth=2.5).encode(
        x=alt.X("x:Q", title=target), y=alt.Y("density:Q", title="density"), color=color)
    return (curves + rules).properties(height=height)


def sweep_chart(sweep: pd.DataFrame, treatment: str, target: str, what: str,
                height: int = 240) -> alt.Chart:
    """The target (probability of the outcome state, or mean) against every treatment value."""
    numeric = pd.api.types.is_numeric_dtype(sweep[treatment]) and len(sweep) > 6
    x = alt.X(f"{treatment}:{'Q' if numeric else 'N'}", title=treatment,
              sort=None if numeric else [str(v) for v in sweep[treatment]],
              axis=alt.Axis(labelAngle=0))
    data = sweep.copy()
    if not numeric:
        data[treatment] = data[treatment].astype(str)
    long = data.melt(id_vars=[treatment], value_vars=["do", "see"], var_name="kind",
                     value_name="value").dropna()
    long["kind"] = long["kind"].map({"do": f"do({treatment} = x)", "see": f"seeing {treatment} = x"})
    labels = [f"seeing {treatment} = x", f"do({treatment} = x)"]
    color = alt.Color("kind:N", scale=_scale(labels, [SEEING, DOING]), sort=labels,
                      legend=stacked_legend())
    base = alt.Chart(long).encode(
        x=x, y=alt.Y("value:Q", title=what, scale=alt.Scale(zero=False, nice=True)), color=color,
        tooltip=[alt.Tooltip(f"{treatment}:{'Q' if numeric else 'N'}"), "kind:N",
                 alt.Tooltip("value:Q", format=".4g")])
    chart = base.mark_line(strokeWidth=2.5) + base.mark_point(size=70, filled=True)
    if "do_low" in data:
        band = alt.Chart(data).mark_area(opacity=0.15, color=DOING).encode(
            x=x, y="do_low:Q", y2="do_high:Q")
        chart = band + chart
    return chart.properties(height=height)


def factual_vs_counterfactual(result, target: str, height: int = 220) -> alt.Chart:
    """Bars of the factual distribution (or value) beside the counterfactual one."""
    fact_label = "what happened (factual)"
    cf_label = "had " + ", ".join(f"{k} = {_fmt(v)}" for k, v in result.do.items())
    labels, colors = [fact_label, cf_label], [FACTUAL, COUNTERFACTUAL]
    color = alt.Color("world:N", scale=_scale(labels, colors), sort=labels,
                      legend=stacked_legend())
    if result.kind == "discrete":
        rows = [{"state": str(s), "probability": float(p), "world": fact_label}
                for s, p in result.factual_distributions[target].items()]
        rows += [{"state": str(s), "probability": float(p), "world": cf_label}
                 for s, p in result.distributions[target].items()]
        order = [str(s) for s in result.distributions[target].index]
        return alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
            x=alt.X("state:N", sort=order, title=target, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("world:N", sort=labels),
            y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1])), color=color,
            tooltip=["world:N", "state:N", alt.Tooltip("probability:Q", format=".4f")],
        ).properties(height=height)
    rows = [{"world": fact_label, "value": result.factual_means[target], "low": None, "high": None},
            {"world": cf_label, "value": result.means[target],
             "low": result.means[target] - 1.96 * result.stds[target],
             "high": result.means[target] + 1.96 * result.stds[target]}]
    data = pd.DataFrame(rows)
    points = alt.Chart(data).mark_point(size=160, filled=True).encode(
        # no axis labels: in a narrow column they were cut ("had hours_worke…"); the legend
        # under the chart names each colour whole
        y=alt.Y("world:N", sort=labels, title=None, axis=alt.Axis(labels=False, ticks=False)),
        x=alt.X("value:Q", title=target),
        color=color, tooltip=["world:N", alt.Tooltip("value:Q", format=".4g")])
    bars = alt.Chart(data.dropna()).mark_rule(strokeWidth=3).encode(
        y=alt.Y("world:N", sort=labels), x="low:Q", x2="high:Q", color=color)
    return (bars + points).properties(height=max(100, height // 2))


def bounds_chart(bounds, height: int = 170) -> alt.Chart:
    """PN, PS and PNS as intervals on [0, 1], with the values under monotonicity as dots."""
    frame = bounds.to_frame().dropna(subset=["lower"])
    base = alt.Chart(frame).encode(
        y=alt.Y("quantity:N", sort=["PN", "PS", "PNS"], title=None),
        tooltip=["quantity:N", alt.Tooltip("lower:Q", format=".4f"),
                 alt.Tooltip("upper:Q", format=".4f"), alt.Tooltip("monotone:Q", format=".4f"),
                 alt.Tooltip("meaning:N")])
    bars = base.mark_bar(size=18, color=DOING, opacity=0.55).encode(
        x=alt.X("lower:Q", scale=alt.Scale(domain=[0, 1]), title="probability"), x2="upper:Q")
    ticks = base.mark_tick(thickness=3, size=24, color=DOING).encode(x="lower:Q") + \
        base.mark_tick(thickness=3, size=24, color=DOING).encode(x="upper:Q")
    chart = bars + ticks
    mono = frame.dropna(subset=["monotone"])
    if len(mono):
        chart = chart + alt.Chart(mono).mark_point(
            shape="diamond", size=140, filled=True, color=MONOTONE).encode(
            y=alt.Y("quantity:N", sort=["PN", "PS", "PNS"]), x="monotone:Q",
            tooltip=["quantity:N", alt.Tooltip("monotone:Q", format=".4f",
                                               title="if monotone")])
    return chart.properties(height=height)


def _fmt(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)
