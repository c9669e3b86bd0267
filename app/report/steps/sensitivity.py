"""Stage "sensitivity": how strong a hidden confounder would have to be (Cinelli & Hazlett),
for adjustment (back-door) estimates."""
from __future__ import annotations

from app.errors import EstimationError
from app.report.steps.context import ReportContext, Sensitivity


def run(ctx: ReportContext) -> Sensitivity:
    primary = ctx.estimates.primary_effect
    if primary is None:
        return Sensitivity(None, "")
    if primary.estimand_kind != "backdoor":
        return Sensitivity(None, (
            "The sensitivity analysis is for adjustment (back-door) estimates; this "
            f"{primary.estimand_label.lower()} estimate already allows a hidden common cause of "
            "treatment and outcome."))
    from app.estimation import sensitivity

    try:
        return Sensitivity(sensitivity(primary), "")
    except EstimationError as err:
        return Sensitivity(None, err.user_message())


__all__ = ["run"]
