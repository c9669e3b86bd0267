"""E-values (VanderWeele & Ding 2017, "Sensitivity analysis in observational research:
introducing the E-value", Annals of Internal Medicine 167:268–274).

The E-value is the smallest strength of association, on the risk-ratio scale, that a hidden
confounder would need with both the treatment and the outcome (beyond the measured covariates)
to explain an estimate away: E = RR + sqrt(RR · (RR − 1)) for RR ≥ 1 (1/RR first when RR < 1).
The E-value of the interval uses the bound closer to the null, and is 1 when the interval
already includes the null.

Our estimates are differences, so they are put on the risk-ratio scale first:
- binary outcome: RR = (p0 + effect) / p0, with p0 the outcome share in the control group (for
  a numeric treatment: the overall share);
- numeric outcome: the standardized difference d = effect / SD(outcome), RR ≈ exp(0.91 · d)
  (VanderWeele & Ding's approximation for continuous outcomes).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

RR_FLOOR = 1e-9


@dataclass(frozen=True)
class EValue:
    """The E-value of an estimate and of its interval, with the risk ratios they come from."""

    point: float
    ci: float | None               # None without an interval
    rr: float                      # the estimate on the risk-ratio scale
    rr_ci: float | None            # the interval bound closer to the null, as a risk ratio
    scale: str                     # "risk ratio" or "standardized difference (RR ≈ exp(0.91 d))"
    sentence: str


def evalue_rr(rr: float) -> float:
    """E-value of one risk ratio: RR + sqrt(RR (RR − 1)), after inverting a protective RR."""
    if not math.isfinite(rr):
        return math.inf
    rr = max(rr, RR_FLOOR)
    if rr < 1:
        rr = 1 / rr
    return rr + math.sqrt(rr * (rr - 1))


def evalue_for_rr(rr: float, lo: float | None = None, hi: float | None = None
                  ) -> tuple[float, float | None]:
    """(E-value of the estimate, E-value of the interval bound closer to 1; 1 if it spans 1)."""
    point = evalue_rr(rr)
    if lo is None or hi is None:
        return point, None
    if lo <= 1 <= hi:
        return point, 1.0
    return point, evalue_rr(lo if rr > 1 else hi)


def to_risk_ratio(effect: float, *, binary_outcome: bool, baseline: float | None = None,
                  sd: float | None = None) -> float:
    """A difference on the risk-ratio scale (see the module doc for the two conversions)."""
    if binary_outcome:
        p0 = max(float(baseline), RR_FLOOR)
        return max(p0 + effect, RR_FLOOR) / p0
    if not sd or sd <= 0:
        return 1.0
    return math.exp(0.91 * effect / sd)


def evalue_of_difference(value: float, lo: float | None, hi: float | None, *,
                         binary_outcome: bool, baseline: float | None = None,
                         sd: float | None = None, treatment: str = "the treatment",
                         outcome: str = "the outcome") -> EValue:
    """The E-value of an effect on the difference scale, with a sentence for people."""
    def conv(v: float) -> float:
        return to_risk_ratio(v, binary_outcome=binary_outcome, baseline=baseline, sd=sd)

    rr = conv(value)
    rr_lo = conv(lo) if lo is not None else None
    rr_hi = conv(hi) if hi is not None else None
    point, ci = evalue_for_rr(rr, rr_lo, rr_hi)
    rr_ci = None
    if rr_lo is not None and rr_hi is not None:
        rr_ci = 1.0 if rr_lo <= 1 <= rr_hi else (rr_lo if rr > 1 else rr_hi)
    scale = "risk ratio" if binary_outcome else "standardized difference (RR ≈ exp(0.91 d))"
    s = (f"E-value {point:.2f}: to explain this estimate away, a hidden confounder would need to "
         f"be associated with both {treatment} and {outcome} by a risk ratio of at least "
         f"{point:.2f} each, beyond the measured variables.")
    if ci is not None and ci <= 1.0:
        s += " The interval already includes no effect, so no hidden confounding is needed for that."
    elif ci is not None:
        s += (f" A weaker one, of {ci:.2f}, could already make the interval include no effect.")
    return EValue(point, ci, rr, rr_ci, scale, s)


__all__ = ["EValue", "evalue_for_rr", "evalue_of_difference", "evalue_rr", "to_risk_ratio"]
