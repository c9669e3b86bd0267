"""Stage "refute": the engine's refutations of the primary estimate, one kind at a time."""
from __future__ import annotations

from app.errors import Cancelled, CausalCanvasError
from app.report.steps.context import Refuted, ReportContext

BACKDOOR_ONLY = ("random_common_cause", "unobserved_common_cause")


def run(ctx: ReportContext) -> Refuted:
    primary, s, tracker = ctx.estimates.primary_effect, ctx.settings, ctx.tracker
    if primary is None:
        return Refuted((), "No estimate to refute.")
    if s.refutation_simulations == 0:
        return Refuted((), "Refutations were switched off (0 simulations).")
    from app.estimation import REFUTATIONS, refute

    kinds = [k for k in REFUTATIONS if primary.estimand_kind == "backdoor"
             or k not in BACKDOOR_ONLY]
    out, notes = [], []
    for i, kind in enumerate(kinds):
        def sub(frac: float, msg: str, i=i) -> None:
            tracker.update("refute", (i + frac) / len(kinds), msg)
        try:
            out.append(refute(primary, kind, seed=s.seed, progress=sub,
                              should_stop=tracker.cancelled,
                              n_simulations=s.refutation_simulations))
        except Cancelled:
            raise
        except CausalCanvasError as err:
            notes.append(f"{kind.replace('_', ' ')}: {err.message}")
    return Refuted(tuple(out), " ".join(notes))


__all__ = ["run"]
