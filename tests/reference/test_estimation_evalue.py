"""E-values against VanderWeele & Ding (2017), Ann Intern Med 167:268–274, and the EValue R
package's vignette ("unmeasured-confounding", by the same authors), which reruns its examples.
"""
import math

import numpy as np
import pandas as pd
import pytest

from app.estimation import estimate_effect
from app.estimation.evalue import evalue_for_rr, evalue_of_difference, evalue_rr
from app.graph import CausalGraph


def test_smoking_and_lung_cancer_from_the_evalue_vignette():
    # Hammond & Horn: RR 10.73 (95% CI 8.02 to 14.36) -> E-values 20.94777 and 15.52336
    point, ci = evalue_for_rr(10.73, 8.02, 14.36)
    assert point == pytest.approx(20.94777, abs=1e-5)
    assert ci == pytest.approx(15.52336, abs=1e-5)


def test_breastfeeding_and_infant_death_from_the_paper():
    # VanderWeele & Ding's worked example (Victora et al.): RR 3.9, 95% CI 1.8 to 8.7;
    # E = 3.9 + sqrt(3.9 · 2.9) = 7.26 and, for the lower limit, 1.8 + sqrt(1.8 · 0.8) = 3.0
    point, ci = evalue_for_rr(3.9, 1.8, 8.7)
    assert point == pytest.approx(7.26, abs=0.005)
    assert ci == pytest.approx(3.0, abs=1e-12)


def test_protective_ratios_are_inverted_and_null_spanning_intervals_give_one():
    assert evalue_rr(0.8) == pytest.approx(evalue_rr(1.25))
    point, ci = evalue_for_rr(0.5, 0.3, 0.8)       # the upper limit is the one nearer 1
    assert ci == pytest.approx(evalue_rr(1 / 0.8))
    assert evalue_for_rr(1.4, 0.9, 2.1)[1] == 1.0
    assert evalue_rr(1.0) == 1.0


def test_continuous_outcome_uses_the_standardized_difference_approximation():
    # RR ≈ exp(0.91 d): d = 0.5 -> RR = exp(0.455), E = RR + sqrt(RR (RR − 1))
    e = evalue_of_difference(5.0, 3.04, 6.96, binary_outcome=False, sd=10.0)
    rr = math.exp(0.91 * 0.5)
    assert e.rr == pytest.approx(rr)
    assert e.point == pytest.approx(rr + math.sqrt(rr * (rr - 1)))
    rr_lo = math.exp(0.91 * 0.304)
    assert e.ci == pytest.approx(rr_lo + math.sqrt(rr_lo * (rr_lo - 1)))
    assert "at least 2.53" in e.sentence


def test_binary_outcome_converts_the_risk_difference_with_the_control_risk():
    # control risk 0.2, difference 0.1 -> RR 1.5; lower limit 0.02 -> RR 1.1
    e = evalue_of_difference(0.1, 0.02, 0.18, binary_outcome=True, baseline=0.2)
    assert e.rr == pytest.approx(1.5) and e.rr_ci == pytest.approx(1.1)
    assert e.point == pytest.approx(1.5 + math.sqrt(1.5 * 0.5))


def test_every_estimate_carries_its_evalue():
    rng = np.random.default_rng(2)
    n = 3000
    z = rng.normal(size=n)
    t = rng.binomial(1, 1 / (1 + np.exp(-z)))
    y = rng.binomial(1, 0.2 + 0.15 * t + 0.05 * (z > 0))
    g = CausalGraph.from_edges([("Z", "T"), ("Z", "Y"), ("T", "Y")])
    df = pd.DataFrame({"Z": z, "T": t, "Y": y})
    est = estimate_effect(df, g, "T", "Y", method="linear_regression")
    p0 = df.loc[df["T"] == 0, "Y"].mean()
    assert est.evalue.rr == pytest.approx((p0 + est.value) / p0)
    assert est.evalue.point > est.evalue.ci > 1
    assert "E-value" in str(est)
