"""Stage "verdict": the checks behind the conclusion (each with its stated rule) and the verdict
sentence. One small function per check; each returns its Check or None when it does not apply."""
from __future__ import annotations

from app.report.result import Check, EstimateRow
from app.report.steps.context import ReportContext, Verdict, fmt

OVERLAP = "Overlap (positivity)"
SERIOUS_CONFLICTS = ("reversed", "latent", "not_added", "outside_both")


def run(ctx: ReportContext) -> Verdict:
    est = ctx.estimates
    primary = est.primary_row
    if primary is None:
        return _no_estimate(est.rows)
    found = (
        _statistical(primary),
        _agreement(primary, est.rows),
        _overlap(primary, est.overlap),
        _fit(ctx.implications.report),
        _discovery(ctx.chosen.source, ctx.chosen.conflicts, ctx.discovered.result),
        _refutations(ctx.refuted.refutations),
        _robustness(ctx.sensitivity.result),
        _orientations(ctx.chosen.possible),
        _graph_changes(ctx.alternatives.alternatives),
    )
    checks = tuple(c for c in found if c is not None)
    return Verdict(checks, verdict_sentence(primary, checks))


def _no_estimate(rows) -> Verdict:
    errs = "; ".join(f"{r.label}: {r.error}" for r in rows if r.error) or \
        "no estimator applies to this graph"
    return Verdict((Check("Estimate", "warn", f"No estimate could be computed ({errs})."),), (
        "The effect could not be estimated from these data and this graph (see "
        "Identification): no conclusion about its size is possible."))


def _statistical(primary: EstimateRow) -> Check:
    ci = (f"95% CI {fmt(primary.ci_low)} to {fmt(primary.ci_high)}" if primary.has_ci
          else "no interval")
    return Check("Statistical evidence", "pass" if primary.ci_excludes_zero else "warn",
                 f"Primary estimate {fmt(primary.value)} ({ci}): the interval "
                 + ("excludes 0." if primary.ci_excludes_zero else "includes 0."))


def _agreement(primary: EstimateRow, rows) -> Check:
    others = [r for r in rows if r.ok and r is not primary]
    if not others:
        return Check("Estimators agree", "info", "Only one estimator applies here.")
    opposite = [r for r in others if (r.value > 0) != (primary.value > 0) and r.value != 0]
    outside = [r for r in others
               if primary.has_ci and not primary.ci_low <= r.value <= primary.ci_high]
    if opposite:
        return Check("Estimators agree", "warn",
                     "Opposite sign from " + ", ".join(r.label for r in opposite) + ".")
    if outside:
        return Check("Estimators agree", "warn",
                     "Same sign, but outside the primary 95% interval: "
                     + ", ".join(f"{r.label} ({fmt(r.value)})" for r in outside) + ".")
    return Check("Estimators agree", "pass",
                 f"All {len(others) + 1} estimates have the same sign and lie inside the primary "
                 "estimate's 95% interval.")


def _overlap(primary: EstimateRow, overlap) -> Check | None:
    """The overlap diagnostic of app.estimation (the same one the Estimate page shows), when it
    is about the primary estimate's adjustment set."""
    if overlap is None or primary.kind != "backdoor" or \
            not set(overlap.adjustment) <= set(primary.adjustment_set):
        return None
    return Check(OVERLAP, "pass" if overlap.ok else "warn", overlap.message)


def _fit(implications) -> Check:
    if implications is None or not len(implications):
        return Check("Graph fits the data", "info", "No implied independence could be tested.")
    n_bad = len(implications.violated)
    return Check("Graph fits the data", "pass" if implications.consistent else "warn",
                 f"{n_bad} of {len(implications)} implied independencies clearly violated "
                 "(Holm-corrected)." if n_bad else
                 f"None of {len(implications)} implied independencies is clearly violated.")


def _discovery(source: str, conflicts, disc) -> Check | None:
    if source != "learned":
        # rule: a reversed edge, a hidden cause, a blocked strong edge, or an edge of yours that
        # discovery (almost) never found (≤ 10% of resamples) is serious; weaker extras are not
        serious = [c for c in conflicts if c.kind in SERIOUS_CONFLICTS
                   or (c.kind == "not_found" and (c.confidence is None or c.confidence <= 0.1))]
        return Check("Discovery agrees with your graph", "pass" if not serious else "warn",
                     "No serious disagreement." if not serious else
                     f"{len(serious)} disagreement(s), e.g. {serious[0].edge}: {serious[0].text}")
    if disc is None or not disc.bootstrap:
        return None
    shaky = [e for e in disc.edges if (c := disc.confidence_of(e.a, e.b)) is not None
             and 0.5 <= c.present < 0.8]
    return Check("Stable learned graph", "pass" if not shaky else "info",
                 "Every kept edge was found in at least 80% of the resamples." if not shaky else
                 f"{len(shaky)} kept edge(s) found in only 50–80% of the resamples: "
                 + ", ".join(e.text for e in shaky[:4]) + ".")


def _refutations(refutations) -> Check | None:
    if not refutations:
        return None
    failed = [r for r in refutations if not r.passed]
    return Check("Refutations", "pass" if not failed else "warn",
                 f"All {len(refutations)} passed." if not failed else
                 "Warning from " + ", ".join(r.label for r in failed) + ".")


def _robustness(sens) -> Check | None:
    """Rule: the robustness value of the interval must exceed the strongest measured covariate's
    (or 5% when there is no benchmark)."""
    if sens is None:
        return None
    name = "Robust to hidden confounding"
    rv = sens.robustness_value_ci
    if rv == 0:
        return Check(name, "info",
                     "The 95% interval already includes 0; a hidden confounder explaining "
                     f"{sens.robustness_value:.1%} of the residual variation of both treatment "
                     "and outcome would bring the estimate itself to 0.")
    if not rv > 0:
        return None
    bench = float(sens.benchmarks["strength"].max()) if len(sens.benchmarks) else None
    lead = (f"A hidden confounder must explain {rv:.1%} of the residual variation of both "
            "treatment and outcome to make the 95% interval include 0")
    if bench is not None:
        return Check(name, "pass" if rv > bench else "warn",
                     f"{lead}; the strongest measured covariate corresponds to {bench:.1%}.")
    return Check(name, "pass" if rv >= 0.05 else "warn",
                 f"{lead} (rule: at least 5% when no measured covariate can serve as a "
                 "benchmark).")


def _orientations(possible) -> Check | None:
    """Rule: warn when an orientation the data allow changes the conclusion, or when the sizes
    differ by more than a factor of two (the data then do not pin down how large the effect is)."""
    if not possible:
        return None
    vals = [a.value for a in possible if a.value is not None]
    flips = [a for a in possible if a.changes_conclusion or not a.identifiable]
    span = ("" if not vals else f" (from {fmt(min(vals))} to {fmt(max(vals))})"
            if fmt(min(vals)) != fmt(max(vals)) else f" (all estimable ones: {fmt(vals[0])})")
    sizes = [abs(v) for v in vals]
    vague = bool(sizes) and max(sizes) > 2 * min(sizes)
    unusable = [a for a in possible if not a.identifiable]
    if unusable and len(unusable) == len(flips):
        text = (f"{len(unusable)} of {len(possible)} orientations the data allow leave no "
                f"usable adjustment set ({unusable[0].note or 'no valid set'}){span}: if one "
                "of them is the truth, the effect cannot be estimated by adjustment.")
    elif flips:
        text = (f"{len(flips)} of {len(possible)} orientations the data allow change the "
                f"conclusion{span}: the data alone cannot settle it.")
    elif vague:
        text = (f"All {len(possible)} orientations the data allow give the same conclusion, "
                f"but the size varies by more than a factor of two{span}.")
    else:
        text = (f"All {len(possible)} orientations the data allow give the same conclusion"
                f"{span}.")
    doubt = bool(flips) or vague
    return Check("Undecided directions at the treatment", "warn" if doubt else "pass",
                 text + (" Background knowledge (required/forbidden edges or tiers) would "
                         "settle it." if doubt else ""))


def _graph_changes(alts) -> Check | None:
    if not alts:
        return None
    flips = [a for a in alts if a.changes_conclusion]
    return Check("Robust to graph changes", "pass" if not flips else "warn",
                 f"None of {len(alts)} one-edge changes at the treatment or outcome changes the "
                 "conclusion." if not flips else
                 f"{len(flips)} of {len(alts)} one-edge changes alter the conclusion, "
                 f"e.g. {flips[0].change}.")


def verdict_sentence(primary: EstimateRow, checks: tuple[Check, ...]) -> str:
    """Poor overlap first (the estimate extrapolates), then an interval including 0, then the
    number of checks that raise doubts."""
    warns = [c for c in checks if c.status == "warn"]
    others = len(warns) - 1
    if any(c.name == OVERLAP and c.status == "warn" for c in checks):
        return ("Not reliable: treated and untreated units barely overlap on the adjustment "
                "set, so the estimate compares units that have few or no counterparts and "
                "rests on extrapolation (see the Overlap check); "
                + ("its 95% interval includes 0." if not primary.ci_excludes_zero else
                   f"{others} other check(s) raise doubts." if others > 0 else
                   "the other checks pass."))
    if not primary.ci_excludes_zero:
        return ("No clear effect: the primary estimate's 95% interval includes 0, so the data "
                "are compatible with no effect" + (f" (and {others} other check(s) raise "
                                                   "doubts)." if others > 0 else "."))
    if not warns:
        return (f"Consistent evidence of an effect: every one of the {len(checks)} checks "
                "below passes or is only informative.")
    return (f"Evidence of an effect, with caveats: {len(warns)} of {len(checks)} checks "
            "raise doubts (" + ", ".join(c.name.lower() for c in warns) + ").")


__all__ = ["run", "verdict_sentence"]
