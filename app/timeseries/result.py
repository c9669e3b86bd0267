"""What time-series discovery found: lagged links, the summary graph, and the drawable lagged graph.

A lagged link says "X at time t-τ directly influences Y at time t". The summary graph collapses
lags ("X influences Y at some lag"); as a causal diagram it must stay acyclic, so feedback
loops and same-time links whose direction the data cannot tell are reported beside it.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from app.graph import CausalGraph

KINDS = ("lagged", "contemporaneous", "unoriented", "conflicting")
STRENGTH_NAMES = {
    "parcorr": "partial correlation", "cmiknn": "conditional mutual information",
    "gpdc": "distance correlation", "granger": "partial correlation",
}


@dataclass(frozen=True)
class TimeSeriesLink:
    """source(t-lag) → target(t). kind: lagged, contemporaneous (lag 0, oriented),
    unoriented (lag 0, direction unknown) or conflicting (lag 0, tests disagree)."""

    source: str
    target: str
    lag: int
    strength: float
    p_value: float
    frequency: float | None = None
    kind: str = "lagged"

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.source, self.target, self.lag)

    @property
    def oriented(self) -> bool:
        return self.kind in ("lagged", "contemporaneous")

    def label(self) -> str:
        """'X (t-2) → Y (t)' in words a reader follows."""
        arrow = "→" if self.oriented else ("—" if self.kind == "unoriented" else "×")
        return f"{lag_name(self.source, self.lag)} {arrow} {lag_name(self.target, 0)}"

    def __str__(self) -> str:
        freq = f", found in {self.frequency:.0%} of resamples" if self.frequency is not None else ""
        return f"{self.label()}: strength {self.strength:+.3f}, p = {_p(self.p_value)}{freq}"


@dataclass(frozen=True)
class TimeSeriesSummary:
    """The summary graph (lags collapsed, acyclic) and what a DAG cannot show."""

    graph: CausalGraph
    unoriented: tuple[tuple[str, str], ...]       # same-time pairs with unknown direction
    feedback: tuple[tuple[str, str], ...]         # edges left out because they close a loop
    autodependent: tuple[str, ...]                # variables that depend on their own past

    def __str__(self) -> str:
        lines = [f"Summary graph: {len(self.graph.edges)} edges: "
                 + (", ".join(f"{a} → {b}" for a, b in sorted(self.graph.edges)) or "none")]
        if self.unoriented:
            lines.append("Same-time links of unknown direction: "
                         + ", ".join(f"{a} — {b}" for a, b in self.unoriented))
        if self.feedback:
            lines.append("Feedback (left out of the DAG): "
                         + ", ".join(f"{a} → {b}" for a, b in self.feedback))
        if self.autodependent:
            lines.append("Depend on their own past: " + ", ".join(self.autodependent))
        return "\n".join(lines)


@dataclass(frozen=True)
class LaggedGraph:
    """The time-lagged graph ready to draw: nodes 'X (t-τ)' in columns by lag."""

    graph: CausalGraph
    edge_labels: dict[tuple[str, str], str]
    edge_styles: dict[tuple[str, str], str]
    edge_widths: dict[tuple[str, str], float]


@dataclass(frozen=True, eq=False)
class TimeSeriesResult:
    """Everything a discovery run found; arrays are indexed [source, target, lag]."""

    variables: tuple[str, ...]
    links: tuple[TimeSeriesLink, ...]
    method: str
    test: str
    max_lag: int
    alpha: float
    n_steps: int
    time_column: str
    bootstrap: int = 0
    block_length: int | None = None
    seed: int = 0
    notes: tuple[str, ...] = ()
    elapsed_seconds: float = 0.0
    strengths: np.ndarray = field(default=None, repr=False)
    p_values: np.ndarray = field(default=None, repr=False)
    frequencies: np.ndarray | None = field(default=None, repr=False)

    # ---- selections -----------------------------------------------------------------------
    def kept_links(self, min_frequency: float = 0.0) -> tuple[TimeSeriesLink, ...]:
        """The links, leaving out those found in fewer than `min_frequency` of resamples."""
        if min_frequency <= 0 or self.frequencies is None:
            return self.links
        return tuple(lk for lk in self.links
                     if lk.frequency is None or lk.frequency >= min_frequency)

    def lagged_links(self, include_auto: bool = True) -> set[tuple[str, str, int]]:
        """(source, target, lag) of the oriented links with lag ≥ 1."""
        return {lk.key for lk in self.links if lk.lag >= 1
                and (include_auto or lk.source != lk.target)}

    # ---- graphs ---------------------------------------------------------------------------
    def summary(self, min_frequency: float = 0.0) -> TimeSeriesSummary:
        """Collapse lags into one acyclic graph; loops and unknown directions are listed apart.

        Edges are added strongest first (by the largest |strength| over lags); an edge that would
        close a directed cycle (feedback, normal in time series) is left out and reported.
        """
        best: dict[tuple[str, str], float] = {}
        unoriented: set[tuple[str, str]] = set()
        auto: set[str] = set()
        for lk in self.kept_links(min_frequency):
            if lk.source == lk.target:
                auto.add(lk.source)
            elif lk.oriented:
                pair = (lk.source, lk.target)
                best[pair] = max(best.get(pair, 0.0), abs(lk.strength))
            else:
                unoriented.add(tuple(sorted((lk.source, lk.target), key=self.variables.index)))
        nxg = nx.DiGraph()
        nxg.add_nodes_from(self.variables)
        kept, feedback = [], []
        for (a, b), _s in sorted(best.items(), key=lambda kv: (-kv[1], kv[0])):
            if nx.has_path(nxg, b, a):
                feedback.append((a, b))
            else:
                nxg.add_edge(a, b)
                kept.append((a, b))
        graph = CausalGraph.from_edges(kept, nodes=self.variables,
                                       positions=circle_positions(self.variables))
        unoriented -= {tuple(sorted(e, key=self.variables.index)) for e in kept}
        return TimeSeriesSummary(
            graph=graph,
            unoriented=tuple(sorted(unoriented)),
            feedback=tuple(sorted(feedback)),
            autodependent=tuple(v for v in self.variables if v in auto))

    def summary_graph(self, min_frequency: float = 0.0) -> CausalGraph:
        """The summary graph as a CausalGraph (see `summary` for what it leaves out)."""
        return self.summary(min_frequency).graph

    def lagged_graph(self, min_frequency: float = 0.0, repeat: bool = False,
                     spacing: tuple[float, float] = (210.0, 100.0)) -> LaggedGraph:
        """The time-lagged graph: one column per time slice t-max_lag … t, one row per variable.

        By default only the arrows into the present (t) are drawn; `repeat=True` draws each link
        into every slice where it fits, the full (stationary) time-series graph.
        """
        dx, dy = spacing
        names, positions = [], {}
        for col, lag in enumerate(range(self.max_lag, -1, -1)):
            for row, v in enumerate(self.variables):
                n = lag_name(v, lag)
                names.append(n)
                # alternate columns are shifted down a little, so an arrow spanning several
                # lags does not run straight through the nodes in between
                positions[n] = (col * dx, row * dy + (0.4 * dy if col % 2 else 0.0))
        edges, labels, styles, widths = [], {}, {}, {}
        for lk in self.kept_links(min_frequency):
            shifts = range(0, self.max_lag - lk.lag + 1) if repeat else (0,)
            for shift in shifts:
                a, b = lag_name(lk.source, lk.lag + shift), lag_name(lk.target, shift)
                width = 1.5 + 5.0 * min(1.0, abs(lk.strength) / _scale(self.strengths))
                if lk.oriented:
                    edges.append((a, b))
                else:
                    styles[(a, b)] = "undirected"
                if shift == 0:
                    labels[(a, b)] = f"{lk.strength:+.2f}"
                widths[(a, b)] = round(width, 2)
        graph = CausalGraph.from_edges(edges, nodes=names, positions=positions)
        return LaggedGraph(graph=graph, edge_labels=labels, edge_styles=styles, edge_widths=widths)

    # ---- tables ---------------------------------------------------------------------------
    def table(self, min_frequency: float = 0.0) -> pd.DataFrame:
        """One row per link: cause, effect, lag, strength, p-value, bootstrap frequency, kind."""
        rows = [{"cause": lk.source, "effect": lk.target, "lag": lk.lag,
                 "link": lk.label(), "strength": lk.strength, "p_value": lk.p_value,
                 "frequency": lk.frequency, "kind": lk.kind}
                for lk in self.kept_links(min_frequency)]
        cols = ["cause", "effect", "lag", "link", "strength", "p_value", "frequency", "kind"]
        out = pd.DataFrame(rows, columns=cols)
        if self.frequencies is None:
            out = out.drop(columns="frequency")
        return out

    def cells(self) -> pd.DataFrame:
        """Every (cause, effect, lag) cell tested, significant or not: for heat maps."""
        rows = []
        found = {lk.key for lk in self.links}
        for i, a in enumerate(self.variables):
            for j, b in enumerate(self.variables):
                for lag in range(self.max_lag + 1):
                    p = float(self.p_values[i, j, lag])
                    if np.isnan(p) or (lag == 0 and i == j):
                        continue
                    rows.append({
                        "cause": a, "effect": b, "lag": lag, "edge": f"{a} → {b}",
                        "strength": float(self.strengths[i, j, lag]), "p_value": p,
                        "frequency": (float(self.frequencies[i, j, lag])
                                      if self.frequencies is not None else None),
                        "significant": (a, b, lag) in found or (lag == 0 and (b, a, 0) in found),
                    })
        return pd.DataFrame(rows, columns=["cause", "effect", "lag", "edge", "strength",
                                           "p_value", "frequency", "significant"])

    @property
    def strength_name(self) -> str:
        return STRENGTH_NAMES.get("granger" if self.method == "granger" else self.test, "strength")

    def __str__(self) -> str:
        test = "" if self.method == "granger" else f"{self.test}, "
        head = (f"{METHOD_TITLES.get(self.method, self.method)} ({test}α = {self.alpha:g}, "
                f"max lag {self.max_lag}) on {self.n_steps} time steps of "
                f"{len(self.variables)} variables: {len(self.links)} links")
        if self.bootstrap:
            head += f"; {self.bootstrap} block-bootstrap resamples (block length {self.block_length})"
        lines = [head, *(f"  {lk}" for lk in self.links)]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


METHOD_TITLES = {"pcmci": "PCMCI", "pcmci+": "PCMCI+", "granger": "Granger (VAR t-tests)"}


def lag_name(variable: str, lag: int) -> str:
    """The node name of `variable` at time t-lag, e.g. 'X (t-2)' or 'X (t)'."""
    return f"{variable} (t)" if lag == 0 else f"{variable} (t-{lag})"


def circle_positions(names: Sequence[str], node_width: float = 170.0
                     ) -> dict[str, tuple[float, float]]:
    """Names evenly on a circle, clockwise from the top: with every node on a convex curve no
    straight edge can pass through a third node (time-series summaries are often dense)."""
    n = len(names)
    if n == 0:
        return {}
    radius = max(160.0, n * node_width / (2 * math.pi))
    return {name: (round(radius * math.sin(2 * math.pi * k / n), 1),
                   round(-radius * math.cos(2 * math.pi * k / n), 1))
            for k, name in enumerate(names)}


def link_scores(found: Iterable[tuple[str, str, int]], truth: Iterable[tuple[str, str, int]]
                ) -> dict[str, float]:
    """Precision, recall and F1 of found (source, target, lag) links against the true ones."""
    found, truth = set(found), set(truth)
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_positives": tp,
            "false_positives": len(found - truth), "false_negatives": len(truth - found)}


def _scale(strengths: np.ndarray | None) -> float:
    if strengths is None:
        return 1.0
    finite = np.abs(strengths[np.isfinite(strengths)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"
