"""The report's numbers against the public API on the same inputs and against independent
references: Charig et al.'s counts worked by hand, LaLonde's experimental difference, numpy
least squares, the Asia network's exact effect (pgmpy), Cinelli & Hazlett's formula."""
from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest

import app
from app.estimation import sensitivity
from app.samples import load_sample
from tests.unit.test_report_pipeline import FAST, QUESTIONS, sample_report


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_every_estimate_equals_the_public_api_with_the_same_settings(name):
    r = sample_report(name)
    df = load_sample(name).data
    t, y = QUESTIONS[name]
    checked = 0
    for row in r.estimates:
        if not row.ok or row.kind == "plug-in":
            continue
        kw = {"adjustment_set": list(row.adjustment_set)} if row.kind == "backdoor" else {}
        e = app.estimate_effect(df, r.final_graph, t, y, method=row.method, seed=FAST["seed"],
                                **kw)
        assert e.value == pytest.approx(row.value, abs=1e-12)
        assert (e.ci_low, e.ci_high) == pytest.approx((row.ci_low, row.ci_high), abs=1e-9)
        checked += 1
    assert checked >= 2
    primary = r.effect_estimates[0]
    for ref in r.refutations:       # the same refutation through the public API, same seed
        again = app.refute(primary, ref.kind, seed=FAST["seed"],
                           n_simulations=FAST["refutation_simulations"])
        assert again.new_effect == pytest.approx(ref.new_effect, abs=1e-12)
    sens = sensitivity(primary)
    assert sens.robustness_value == pytest.approx(r.sensitivity.robustness_value, abs=1e-12)


def test_kidney_stones_match_charig_counts_worked_by_hand():
    # Charig et al. (1986): recovered/total — A small 81/87, A large 192/263,
    # B small 234/270, B large 55/80; small 357 of 700 stones, large 343.
    r = sample_report("kidney_stones")
    naive = Fraction(234 + 55, 350) - Fraction(81 + 192, 350)               # +0.0457
    standardised = (Fraction(357, 700) * (Fraction(234, 270) - Fraction(81, 87))
                    + Fraction(343, 700) * (Fraction(55, 80) - Fraction(192, 263)))  # −0.0537
    assert r.naive.value == pytest.approx(float(naive), abs=1e-12)
    plug = next(e for e in r.estimates if e.kind == "plug-in")
    assert plug.value == pytest.approx(float(standardised), abs=1e-12)
    # a saturated propensity model makes IPW the same standardisation (Hernán & Robins, ch. 12)
    ipw = next(e for e in r.estimates if e.method == "ps_weighting")
    assert ipw.value == pytest.approx(float(standardised), abs=1e-9)
    assert r.coding["treatment_label"] == "B" and r.coding["control_label"] == "A"


def test_lalonde_matches_the_experimental_difference_and_numpy_least_squares():
    r = sample_report("lalonde_nsw")
    df = load_sample("lalonde_nsw").data
    # LaLonde (1986) / Dehejia & Wahba (1999): NSW experimental difference in 1978 earnings,
    # treated mean 6,349.14 − control mean 4,554.80 = 1,794.34
    assert r.naive.value == pytest.approx(1794.34, abs=0.01)
    # regression adjustment for the efficient set, recomputed with numpy least squares
    zs = list(r.primary.adjustment_set)
    x = np.column_stack([np.ones(len(df)), df["treat"], df[zs]]).astype(float)
    beta, *_ = np.linalg.lstsq(x, df["re78"].to_numpy(float), rcond=None)
    assert r.primary.value == pytest.approx(beta[1], rel=1e-9)
    # Cinelli & Hazlett (2020) eq. (17): RV = ½(√(f⁴ + 4f²) − f²), f = |t| / √dof
    resid = df["re78"].to_numpy(float) - x @ beta
    dof = len(df) - x.shape[1]
    cov = resid @ resid / dof * np.linalg.inv(x.T @ x)
    f = abs(beta[1] / math.sqrt(cov[1, 1])) / math.sqrt(dof)
    rv = 0.5 * (math.sqrt(f ** 4 + 4 * f ** 2) - f ** 2)
    assert r.sensitivity.robustness_value == pytest.approx(rv, rel=1e-9)


def test_asia_estimate_recovers_the_networks_exact_effect():
    from pgmpy.inference import VariableElimination
    from pgmpy.readwrite import BIFReader

    r = sample_report("asia")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BIFReader(str(load_sample("asia").bif_path)).get_model()
        ve = VariableElimination(model)
        # smoke is a root of the Asia network, so P(dysp | do(smoke)) = P(dysp | smoke)
        p = {v: ve.query(["dysp"], evidence={"smoke": v}, show_progress=False)
             .get_value(dysp="yes") for v in ("yes", "no")}
    truth = p["yes"] - p["no"]                           # 0.5528 − 0.3191 = 0.2337
    assert truth == pytest.approx(0.2337, abs=1e-4)
    se = (r.primary.ci_high - r.primary.ci_low) / (2 * 1.959964)
    assert abs(r.primary.value - truth) < 3 * se         # 5,000 sampled rows: within 3 SE
    assert r.primary.ci_low < truth < r.primary.ci_high
