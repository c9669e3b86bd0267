"""Stage "estimate": run the estimators that app.report.rules.estimator_plan chose, one row per
run (or why it could not run), plus the plug-in of the identified formula on discrete data."""
from __future__ import annotations

import dataclasses

from app.errors import Cancelled, CausalCanvasError
from app.report.result import EstimateRow, ReportSettings
from app.report.rules import estimator_plan
from app.report.steps.context import Estimates, ReportContext

MAX_PLUGIN_LEVELS = 20


def run(ctx: ReportContext) -> Estimates:
    from app.estimation.pipeline import naive_difference

    s, df, coding, ids = ctx.settings, ctx.inputs.df, ctx.inputs.coding, ctx.identified
    plan = estimator_plan(df, s, ids.minimal, ids.efficient, ids.instruments, ids.frontdoor_sets,
                          ctx.profiled.determiners, coding.binary_treatment)
    rows, effects, notes, skipped = _run_plan(ctx, plan)
    rules = list(plan.rules)
    if skipped:
        rules[-1] = dataclasses.replace(rules[-1], outcome=rules[-1].outcome + " Skipped (the "
                                        "estimation engine says it does not apply): "
                                        + "; ".join(skipped) + ".")
    rows = _promote_first_if_primary_failed(rows)
    plug = plug_in(df, ids.estimand, s, coding)
    if plug is not None:
        rows.append(plug)
        effects.append(None)
    ran = [e for e in effects if e is not None]
    naive = ran[0].naive if ran else naive_difference(coding)
    return Estimates(tuple(rows), tuple(effects), tuple(rules), tuple(notes), naive, plan.overlap)


def _run_plan(ctx: ReportContext, plan):
    """Each planned estimator through the engine: rows, engine estimates, notes, skipped."""
    from app.estimation import METHODS, available_methods, estimate_effect

    s, df, g, tracker = ctx.settings, ctx.inputs.df, ctx.chosen.final, ctx.tracker
    rows: list[EstimateRow] = []
    effects: list = []
    notes = list(plan.notes)
    skipped: list[str] = []
    n = len(plan.estimates)
    for i, p in enumerate(plan.estimates):
        tracker.update("estimate", i / max(n, 1), f"estimator {i + 1} of {n}")
        tracker.check()
        info = METHODS[p.method]
        zs = list(p.adjustment_set) if p.adjustment_set is not None else None
        try:
            avail = {a.name: a for a in available_methods(
                g, s.treatment, s.outcome, df, treatment_value=s.treatment_value,
                control_value=s.control_value, adjustment_set=zs)}
            if not avail[p.method].available:
                skipped.append(f"{info.label}: {avail[p.method].reason}")
                continue
            e = estimate_effect(df, g, s.treatment, s.outcome, method=p.method,
                                adjustment_set=zs, seed=s.seed, treatment_value=s.treatment_value,
                                control_value=s.control_value, should_stop=tracker.cancelled,
                                overlap_diagnostic=plan.overlap)   # fitted once, in the plan
        except Cancelled:
            raise
        except CausalCanvasError as err:
            rows.append(EstimateRow(p.method, info.label, info.kind, tuple(zs or ()), p.why,
                                    error=err.message, primary=p.primary))
            effects.append(None)
            continue
        effects.append(e)
        rows.append(EstimateRow(p.method, e.method_label, e.estimand_kind,
                                tuple(e.adjustment_set or e.instruments or e.mediators), p.why,
                                e.value, e.ci_low, e.ci_high, e.ci_method, e.n_rows,
                                primary=p.primary))
        for note in e.notes:
            # the sets are shown in the table; the engine calls a passed set "chosen by you"
            if note.startswith("Adjustment set {") or note.startswith("Estimator chosen"):
                continue
            if note not in notes:
                notes.append(note)
    return rows, effects, notes, skipped


def _promote_first_if_primary_failed(rows: list[EstimateRow]) -> list[EstimateRow]:
    """When the planned primary estimator failed, the first estimate that ran is primary."""
    if rows and not any(r.primary and r.ok for r in rows):
        first = next((r for r in rows if r.ok), None)
        if first is not None:
            return [dataclasses.replace(r, primary=r is first) for r in rows]
    return rows


def plug_in(df, estimand, s: ReportSettings, prep) -> EstimateRow | None:
    """The identified formula evaluated on the table's frequencies (discrete data only): a
    nonparametric check with no modelling assumption."""
    from app.estimation.prepare import prepare

    if not (estimand.identifiable and prep.binary_treatment and prep.binary_outcome):
        return None
    if estimand.kind not in ("backdoor", "frontdoor"):
        return None
    zs = sorted(estimand.adjustment_set or estimand.frontdoor_set or ())
    if any(z not in df.columns or df[z].nunique() > MAX_PLUGIN_LEVELS for z in zs):
        return None
    label = "Plug-in of the identified formula (frequencies)"
    why = ("Check: the identification formula computed directly from the table's frequencies; "
           "no model at all, so it is exact for these data when every combination occurs.")
    try:
        coded = prepare(df, s.treatment, s.outcome, zs, treatment_value=s.treatment_value,
                        control_value=s.control_value).data
        hi = estimand.evaluate(coded, {s.treatment: 1.0}, {s.outcome: 1.0})
        lo = estimand.evaluate(coded, {s.treatment: 0.0}, {s.outcome: 1.0})
    except CausalCanvasError as err:
        return EstimateRow("plug_in", label, "plug-in", tuple(zs), why, error=err.message)
    return EstimateRow("plug_in", label, "plug-in", tuple(zs), why, float(hi - lo),
                       ci_method="none (point value)", n_rows=len(coded))


__all__ = ["MAX_PLUGIN_LEVELS", "plug_in", "run"]
