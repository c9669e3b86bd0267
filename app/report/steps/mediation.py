"""Stage "mediation" (only when mediators are named): the natural direct and indirect effects of
the treatment through them, by app.estimation.mediation on the graph used — the identification
conditions are checked on that graph first, and a refusal is reported with its reason."""
from __future__ import annotations

from app.errors import EstimationError
from app.report.steps.context import Mediation, ReportContext

MEDIATION_BOOTSTRAP = 200     # percentile-bootstrap resamples for the intervals


def run(ctx: ReportContext) -> Mediation:
    s = ctx.settings
    if not s.mediators:
        return Mediation(None, None, "")
    from app.estimation.mediation import check_mediation, mediation_effects

    g, df = ctx.chosen.final, ctx.inputs.df
    check = check_mediation(g, s.treatment, s.outcome, s.mediators, df.columns)
    if not check.ok:
        return Mediation(check, None, check.reason)
    try:
        result = mediation_effects(df, g, s.treatment, s.outcome, s.mediators,
                                   treatment_value=s.treatment_value,
                                   control_value=s.control_value,
                                   n_bootstrap=MEDIATION_BOOTSTRAP, seed=s.seed)
    except EstimationError as err:
        return Mediation(check, None, err.user_message())
    return Mediation(check, result, "")


__all__ = ["MEDIATION_BOOTSTRAP", "run"]
