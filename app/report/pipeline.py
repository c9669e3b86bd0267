"""The automatic analysis: profile → choose and run discovery (bootstrap) → merge with your graph
and knowledge → test the graph's implications → identify → estimate (several estimators) →
refute → sensitivity → what would change the conclusion → (mediation) → verdict.

Each stage is one module in app.report.steps with `run(context)`; this module runs them in
order on one ReportContext and writes the ReportResult. The stages call the app's engine
(app.data, app.discovery, app.analysis, app.estimation) and decide, by the stated rules in
app.report.rules, what to run. The same inputs give the same ReportResult: one seed drives
every random step.
"""
from __future__ import annotations

import platform
from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any

import pandas as pd

from app.data import Dataset
from app.graph import CausalGraph
from app.report.result import ReportResult, ReportSettings
from app.report.steps import (
    alternatives,
    check,
    conclusions,
    discovery,
    estimate,
    identify,
    implications,
    mediation,
    profile,
    refute,
    sensitivity,
    verdict,
)
from app.report.steps import graph as graph_step
from app.report.steps.check import MIN_ROWS
from app.report.steps.context import STAGES, Progress, ReportContext, Tracker

VERSION_PACKAGES = ("numpy", "pandas", "scipy", "networkx", "scikit-learn", "statsmodels",
                    "causal-learn", "dowhy", "pgmpy")


def make_report(data: pd.DataFrame | Dataset, treatment: str | None = None,
                outcome: str | None = None, *, settings: ReportSettings | None = None,
                graph: CausalGraph | None = None, knowledge=None,
                types: Mapping[str, str] | None = None, name: str | None = None,
                progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                **options: Any) -> ReportResult:
    """Run the whole automatic causal analysis of `treatment` → `outcome` on `data`.

    The analysis settings are one ReportSettings: pass it as `settings`, or its fields as
    keywords (treatment, outcome, bootstrap, seed, alpha, method, use_graph, add_learned, latent,
    domain_column, outcome_last, treatment_value, control_value, refutation_simulations,
    mediators, …), which replace those of `settings` when both are given.
    graph: your causal graph (merged with what discovery learns when `use_graph`); knowledge:
    required/forbidden edges and tiers for discovery (app.discovery.Knowledge).
    progress(fraction, text) is called as stages advance; cancel() is polled between stages and
    inside the long ones (raises app.errors.Cancelled).
    """
    tracker = Tracker(progress, cancel)
    tracker.begin("check")
    ctx = ReportContext(data=data, settings=ReportSettings.build(treatment, outcome, settings,
                                                                 **options),
                        tracker=tracker, graph=graph, knowledge=knowledge, types=types,
                        name=name)
    ctx.inputs = check.run(ctx)
    for stage, step, slot in _TRACKED_STEPS:
        tracker.begin(stage)
        setattr(ctx, slot, step.run(ctx))
    tracker.end()
    ctx.verdict = verdict.run(ctx)
    ctx.conclusions = conclusions.run(ctx)
    return _result(ctx)


# (stage shown in the progress bar, its module, where its result goes on the context), in order
_TRACKED_STEPS = (("profile", profile, "profiled"), ("discovery", discovery, "discovered"),
                  ("graph", graph_step, "chosen"), ("implications", implications, "implications"),
                  ("identify", identify, "identified"), ("estimate", estimate, "estimates"),
                  ("refute", refute, "refuted"), ("sensitivity", sensitivity, "sensitivity"),
                  ("alternatives", alternatives, "alternatives"), ("mediation", mediation, "mediation"))


def _result(ctx: ReportContext) -> ReportResult:
    """The frozen record of the run: every stage's results under the names renderers read."""
    inputs, prof, disc, chosen = ctx.inputs, ctx.profiled, ctx.discovered, ctx.chosen
    ids, est, coding = ctx.identified, ctx.estimates, ctx.inputs.coding
    df = inputs.df
    primary = est.primary_effect
    return ReportResult(
        settings=ctx.settings, dataset_name=inputs.dataset.name,
        fingerprint=inputs.dataset.fingerprint, n_rows=len(df), n_columns=df.shape[1],
        profile=prof.profile, profile_notes=prof.notes, variables=prof.variables,
        excluded=prof.excluded, method_rules=disc.method_rules,
        knowledge_summary=disc.knowledge_lines, discovery=disc.result,
        discovery_error=disc.error, user_graph=inputs.user_graph, graph_source=chosen.source,
        merge_rules=chosen.merge_rules, conflicts=chosen.conflicts, added_edges=chosen.added,
        final_graph=chosen.final, graph_notes=chosen.notes,
        implications=ctx.implications.report, implications_note=ctx.implications.note,
        estimand=ids.estimand, minimal_sets=ids.minimal, efficient_set=ids.efficient,
        instruments=ids.instruments, frontdoor_sets=ids.frontdoor_sets,
        estimator_rules=est.rules, estimates=est.rows, naive=est.naive,
        coding={"treatment_label": coding.treatment_label,
                "control_label": coding.control_label,
                "binary_treatment": coding.binary_treatment,
                "binary_outcome": coding.binary_outcome,
                "outcome_label": coding.outcome_label,
                "treatment_value": coding.treatment_value,
                "control_value": coding.control_value},
        estimation_notes=est.notes, refutations=ctx.refuted.refutations,
        refutation_note=ctx.refuted.note, sensitivity=ctx.sensitivity.result,
        sensitivity_note=ctx.sensitivity.note, alternatives=ctx.alternatives.alternatives,
        possible_effects=chosen.possible, assumptions=ctx.conclusions.assumptions,
        what_would_change=ctx.conclusions.what_would_change, checks=ctx.verdict.checks,
        verdict=ctx.verdict.text, headline=primary.sentence if primary is not None else "",
        versions=_versions(), mediation_check=ctx.mediation.check,
        mediation=ctx.mediation.result, mediation_note=ctx.mediation.note,
        effect_estimates=tuple(e for e in est.effects if e is not None),
        timings=dict(ctx.tracker.timings))


def _versions() -> tuple[tuple[str, str], ...]:
    import app

    out = [("Python", platform.python_version()), ("Causal Canvas", app.__version__)]
    for pkg in VERSION_PACKAGES:
        try:
            out.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(out)


__all__ = ["MIN_ROWS", "STAGES", "make_report"]
