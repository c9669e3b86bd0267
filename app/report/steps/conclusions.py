"""Stage "conclusions": the assumptions the estimate rests on and what would change the
conclusion, written from the results of the earlier stages."""
from __future__ import annotations

from app.report.steps.context import Conclusions, ReportContext, fmt

ASSUMPTION_BY_ESTIMATOR = (
    ("linear_regression", "Linear regression: the effect is the same for everyone and the outcome "
                          "is linear in the adjustment variables."),
    ("ps_weighting", "Propensity-score weighting: the logistic model of the treatment is right."),
    ("ml", "Doubly robust ML: either the outcome model or the treatment model is right."),
    ("iv", "Instrumental variable: the instrument affects the outcome only through the "
           "treatment and shares no cause with the outcome."),
    ("frontdoor", "Front-door: the mediator carries the whole effect and its links to treatment "
                  "and outcome are unconfounded."),
)


def run(ctx: ReportContext) -> Conclusions:
    return Conclusions(tuple(assumptions(ctx)), tuple(what_would_change(ctx)))


def assumptions(ctx: ReportContext) -> list[str]:
    s, g, chosen = ctx.settings, ctx.chosen.final, ctx.chosen
    disc = ctx.discovered.result
    hidden = [f"{a} ↔ {b}" for a, b in sorted(g.bidirected)]
    latent = sorted(g.latents)
    out = ["The graph used (below) is right: every common cause of two of its variables is in it"
           + (" — measured, or shown as latent (" + ", ".join(latent + hidden) + ")"
              if latent or hidden else "") + ". This is the assumption everything else rests on; "
           "the sensitivity analysis and the graph alternatives test how much it matters."]
    if chosen.effect_rule.applied:
        out.append(f"The edge {s.treatment} → {s.outcome} was added so an effect can be "
                   "estimated (the graph had no causal path).")
    if s.outcome_last:
        out.append(f"{s.outcome} is measured after everything else and causes none of the other "
                   "variables.")
    out.append("Consistency and no interference: each unit's outcome depends only on its own "
               "treatment, and the treatment means the same thing for everyone.")
    out.append("Positivity: every kind of unit (each combination of the adjustment variables) "
               "could receive either treatment value.")
    if disc is not None:
        out.append("Discovery: rows are independent draws from one population; every "
                   "independence in the data comes from the graph's structure (faithfulness)"
                   + ("" if ctx.discovered.suspected or disc.method == "fci" else
                      "; no unmeasured common cause of two measured variables (causal "
                      "sufficiency)") + ".")
    kinds = {r.method for r in ctx.estimates.rows if r.ok}
    out += [text for method, text in ASSUMPTION_BY_ESTIMATOR if method in kinds]
    if any(n for n in ctx.inputs.coding.notes if "Only rows" in n):
        out.append("Only the two compared treatment values are used.")
    out.append("Complete cases: rows with a missing value in a column a step uses are left out of "
               "that step.")
    return out


def what_would_change(ctx: ReportContext) -> list[str]:
    sens = ctx.sensitivity.result
    out = [sens.explanation] if sens is not None else []
    for a in ctx.alternatives.alternatives:
        if not a.changes_conclusion:
            continue
        if a.identifiable and a.value is not None:
            zs = ", ".join(a.adjustment_set or ()) or "nothing"
            out.append(f"If the graph were changed to {a.change}, the report would adjust for "
                       f"{{{zs}}} and the regression estimate {fmt(a.value)} (95% CI "
                       f"{fmt(a.ci_low)} to {fmt(a.ci_high)}). {a.reason}")
        else:
            out.append(f"If the graph were changed to {a.change}: {a.note} {a.reason}")
    for c in ctx.chosen.conflicts:
        if c.kind in ("reversed", "latent", "not_added", "outside_both"):
            out.append(f"Discovery disagrees with your graph on {c.edge}: {c.text}")
    implications = ctx.implications.report
    if implications is not None and implications.violated:
        worst = ", ".join(t.independence.text for t in implications.violated[:3])
        out.append(f"The data contradict implied independencies ({worst}): an edge or a common "
                   "cause is probably missing between those variables; if it involves the "
                   "treatment or the outcome, the adjustment set may change.")
    primary = ctx.estimates.primary_row
    if primary is not None and primary.has_ci and primary.ci_excludes_zero:
        width = primary.ci_high - primary.ci_low
        if width > 0 and abs(primary.value) / width < 0.75:
            out.append("The interval is wide relative to the estimate: a modestly different "
                       "sample could give an interval that includes 0.")
    if not out:
        out.append("None of the checks found a single change (graph edge, hidden confounder of "
                   "the size of the measured ones) that would overturn the conclusion.")
    return out


__all__ = ["assumptions", "run", "what_would_change"]
