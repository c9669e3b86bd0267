"""What the report's steps share: the progress tracker, the typed result of each stage and the
context that carries the inputs (data, graph, settings) and the results so far.

Each step module in app.report.steps has `run(context) -> <its StageResult>`; app.report.pipeline
calls them in order and stores each result on the context, so a later step reads what an
earlier one decided (for example `context.identified.minimal`) and nothing is passed twice.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from app.errors import Cancelled
from app.graph import CausalGraph
from app.report.result import Alternative, Check, Conflict, EstimateRow, ReportSettings, Rule

Progress = Callable[[float, str], None]

# (stage, what the progress bar says, share of the run's time) — shares measured on Lalonde
STAGES: tuple[tuple[str, str, float], ...] = (
    ("check", "Checking the inputs", 0.01),
    ("profile", "Profiling the data", 0.02),
    ("discovery", "Learning the graph from the data", 0.50),
    ("graph", "Merging with your graph and knowledge", 0.02),
    ("implications", "Testing the graph's implications", 0.04),
    ("identify", "Identifying the effect", 0.03),
    ("estimate", "Estimating the effect", 0.10),
    ("refute", "Trying to refute the estimate", 0.18),
    ("sensitivity", "Sensitivity to hidden confounding", 0.02),
    ("alternatives", "What would change the conclusion", 0.06),
    ("mediation", "Splitting the effect into direct and indirect parts", 0.02),
)


class Tracker:
    """Progress reporting, stage timings and cancel checks between (and inside) stages."""

    def __init__(self, progress: Progress | None, cancel: Callable[[], bool] | None) -> None:
        self.progress, self.cancel_fn = progress, cancel
        self.start = {s: sum(w for _, _, w in STAGES[:i]) for i, (s, _, _) in enumerate(STAGES)}
        self.weight = {s: w for s, _, w in STAGES}
        self.label = {s: lbl for s, lbl, _ in STAGES}
        self.timings: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def cancelled(self) -> bool:
        return bool(self.cancel_fn and self.cancel_fn())

    def check(self) -> None:
        if self.cancelled():
            raise Cancelled("Stopped at your request; the previous report (if any) is kept.")

    def begin(self, stage: str) -> None:
        self.end()
        self.check()
        self._current = (stage, time.perf_counter())
        self.update(stage, 0.0)

    def update(self, stage: str, fraction: float, detail: str = "") -> None:
        if self.progress:
            total = self.start[stage] + self.weight[stage] * min(max(fraction, 0.0), 1.0)
            text = self.label[stage] + (f" — {detail}" if detail else "") + "…"
            self.progress(min(total, 1.0), text)

    def end(self) -> None:
        if self._current:
            stage, t0 = self._current
            self.timings[stage] = time.perf_counter() - t0
            self._current = None


# ---- the result of each stage -------------------------------------------------------------------
@dataclass(frozen=True)
class StageResult:
    """Base of every stage's typed result."""


@dataclass(frozen=True)
class Inputs(StageResult):
    """check: the validated table, the user's graph and how the treatment/outcome are coded."""

    dataset: Any                      # app.data.Dataset
    user_graph: CausalGraph | None    # the graph given (None when empty)
    rules_graph: CausalGraph | None   # the user's graph when it is to be used, else None
    coding: Any                       # app.estimation.prepare.PreparedData of T and Y

    @property
    def df(self) -> pd.DataFrame:
        return self.dataset.df


@dataclass(frozen=True)
class Profiled(StageResult):
    """profile: the data profile, what it implies, and which columns enter discovery."""

    profile: Any                      # app.data.DataProfile
    notes: tuple[str, ...]
    variables: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]
    size_rule: Rule
    determiners: Mapping[str, float]  # variables that (nearly) decide the treatment


@dataclass(frozen=True)
class Discovered(StageResult):
    """discovery: the learned graph (or why there is none) and the rules that chose the method."""

    result: Any                       # app.discovery.DiscoveryResult | None
    error: str
    knowledge: Any                    # app.discovery.Knowledge actually used
    knowledge_lines: tuple[str, ...]
    method_rules: tuple[Rule, ...]
    suspected: bool                   # unmeasured common causes suspected


@dataclass(frozen=True)
class GraphChoice(StageResult):
    """graph: the graph the analysis uses, where it came from and every conflict."""

    final: CausalGraph
    source: str                       # "learned" | "yours" | "merged"
    merge_rules: tuple[Rule, ...]
    conflicts: tuple[Conflict, ...]
    added: tuple[str, ...]
    notes: tuple[str, ...]
    effect_rule: Rule
    possible: tuple[Alternative, ...]  # orientations of undecided edges at the treatment


@dataclass(frozen=True)
class Implications(StageResult):
    report: Any                       # app.analysis.ImplicationReport | None
    note: str


@dataclass(frozen=True)
class Identified(StageResult):
    estimand: Any                     # app.analysis.Estimand
    minimal: tuple[tuple[str, ...], ...]
    efficient: tuple[str, ...] | None
    instruments: tuple[str, ...]
    frontdoor_sets: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Estimates(StageResult):
    """estimate: one row per estimator run, the engine estimate behind each row (or None)."""

    rows: tuple[EstimateRow, ...]
    effects: tuple[Any, ...]          # app.estimation.EffectEstimate | None, one per row
    rules: tuple[Rule, ...]
    notes: tuple[str, ...]
    naive: Any
    overlap: Any                      # app.estimation.OverlapResult | None

    @property
    def primary_row(self) -> EstimateRow | None:
        return next((r for r in self.rows if r.primary and r.ok), None)

    @property
    def primary_effect(self) -> Any:
        row = self.primary_row
        return self.effects[self.rows.index(row)] if row is not None else None


@dataclass(frozen=True)
class Refuted(StageResult):
    refutations: tuple[Any, ...]      # app.estimation.RefutationResult
    note: str


@dataclass(frozen=True)
class Sensitivity(StageResult):
    result: Any                       # app.estimation.SensitivityResult | None
    note: str


@dataclass(frozen=True)
class Alternatives(StageResult):
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class Mediation(StageResult):
    """mediation: the natural direct and indirect effects, or why they are not identified."""

    check: Any                        # app.estimation.mediation.MediationCheck | None
    result: Any                       # app.estimation.MediationResult | None
    note: str


@dataclass(frozen=True)
class Verdict(StageResult):
    checks: tuple[Check, ...]
    text: str


@dataclass(frozen=True)
class Conclusions(StageResult):
    assumptions: tuple[str, ...]
    what_would_change: tuple[str, ...]


# ---- the context ----------------------------------------------------------------------------------
@dataclass
class ReportContext:
    """The inputs of one report and the results of the stages run so far (None until run)."""

    data: Any                         # pandas DataFrame or app.data.Dataset
    settings: ReportSettings
    tracker: Tracker
    graph: CausalGraph | None = None
    knowledge: Any = None             # app.discovery.Knowledge | None
    types: Mapping[str, str] | None = None
    name: str | None = None
    inputs: Inputs | None = None
    profiled: Profiled | None = None
    discovered: Discovered | None = None
    chosen: GraphChoice | None = None
    implications: Implications | None = None
    identified: Identified | None = None
    estimates: Estimates | None = None
    refuted: Refuted | None = None
    sensitivity: Sensitivity | None = None
    alternatives: Alternatives | None = None
    mediation: Mediation | None = None
    verdict: Verdict | None = None
    conclusions: Conclusions | None = None


def fmt(v: float | None) -> str:
    """A number as every step writes it (the estimation engine's format)."""
    from app.numbers import fmt as engine_fmt

    return engine_fmt(v)


__all__ = ["STAGES", "Alternatives", "Conclusions", "Discovered", "Estimates", "GraphChoice",
           "Identified", "Implications", "Inputs", "Mediation", "Profiled", "Progress",
           "Refuted", "ReportContext", "Sensitivity", "StageResult", "Tracker", "Verdict", "fmt"]
