"""Effect estimates against published figures and hand calculations on the classic datasets."""
import numpy as np
import pytest

from app.estimation import estimate_effect
from app.samples import load_sample

LALONDE_COVARIATES = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75"]


@pytest.fixture(scope="module")
def lalonde():
    s = load_sample("lalonde_nsw")
    g = s.graph
    for c in LALONDE_COVARIATES:   # adjust for all pre-treatment covariates (valid: randomised)
        g = g.set_role(c, "adjusted")
    return s.data, g


def test_lalonde_naive_difference_is_the_experimental_benchmark(lalonde):
    # Dehejia & Wahba (1999) NSW subsample as in Cunningham, Causal Inference: The Mixtape, ch. 5:
    # mean re78 treated 6349.14, control 4554.80 -> difference 1794.34 (LaLonde 1986 experiment).
    df, g = lalonde
    assert df.loc[df.treat == 1, "re78"].mean() == pytest.approx(6349.14, abs=0.01)
    assert df.loc[df.treat == 0, "re78"].mean() == pytest.approx(4554.80, abs=0.01)
    est = estimate_effect(df, g, method="linear_regression")
    assert est.naive.value == pytest.approx(1794.34, abs=0.01)
    assert (est.naive.n_treated, est.naive.n_control) == (185, 260)


@pytest.mark.parametrize("method", ["linear_regression", "ps_weighting", "ps_stratification",
                                    "ps_matching", "ml"])
def test_lalonde_adjusted_estimates_cover_the_experimental_figure(lalonde, method):
    # Randomised experiment: adjusting for pre-treatment covariates must stay compatible with the
    # experimental difference 1794.34 (each estimator's own 95% CI contains it).
    df, g = lalonde
    est = estimate_effect(df, g, method=method, n_bootstrap=60)
    assert est.adjustment_set == tuple(sorted(LALONDE_COVARIATES))
    assert est.ci_low <= 1794.34 <= est.ci_high
    assert 0 < est.value < 4000


def test_lalonde_sample_graph_needs_no_adjustment():
    s = load_sample("lalonde_nsw")     # the sample's graph: nothing points into treat
    est = estimate_effect(s.data, s.graph)
    assert est.adjustment_set == () and est.value == pytest.approx(1794.34, abs=0.01)


def test_kidney_stones_adjustment_reverses_the_sign():
    # Charig et al. (1986): A 81/87 small, 192/263 large; B 234/270 small, 55/80 large.
    # Naive: B 289/350 = 0.8257 vs A 273/350 = 0.7800 -> B better by 0.0457.
    # Back-door by hand (Pearl, Glymour & Jewell, Primer §1.5): P(small) = 357/700,
    # P(rec | do A) = 0.9310*0.51 + 0.7300*0.49 = 0.8325; P(rec | do B) = 0.8667*0.51 + 0.6875*0.49
    # = 0.7789 -> B - A = -0.0536 (A better).
    s = load_sample("kidney_stones")
    df = s.data
    counts = df.groupby(["treatment", "stone_size"])["recovery"].agg(["sum", "count"])
    assert counts.loc[("A", "small")].tolist() == [81, 87]
    assert counts.loc[("B", "large")].tolist() == [55, 80]
    p_small = 357 / 700
    do_a = 81 / 87 * p_small + 192 / 263 * (1 - p_small)
    do_b = 234 / 270 * p_small + 55 / 80 * (1 - p_small)
    assert (do_a, do_b) == pytest.approx((0.8325, 0.7789), abs=5e-5)
    ipw = estimate_effect(df, s.graph, method="ps_weighting")
    assert (ipw.treatment_label, ipw.control_label) == ("B", "A")
    assert ipw.naive.value == pytest.approx(289 / 350 - 273 / 350, abs=1e-9)
    assert ipw.value == pytest.approx(do_b - do_a, abs=1e-6)    # saturated propensity = exact
    for method in ("linear_regression", "ps_stratification", "ml"):
        est = estimate_effect(df, s.graph, method=method, n_bootstrap=40)
        assert est.value < 0 < est.naive.value, method
        assert est.value == pytest.approx(do_b - do_a, abs=0.01), method
    assert "Simpson" in ipw.sentence
    swapped = estimate_effect(df, s.graph, method="ps_weighting", treatment_value="A")
    assert swapped.value == pytest.approx(-ipw.value)


def test_card_college_proximity_iv_without_controls_is_the_wald_ratio():
    # Hand calculation: Wald = (E[lwage|nearc4=1]-E[lwage|nearc4=0]) / (E[educ|1]-E[educ|0]);
    # on Card's NLS data this is 0.188 (e.g. Wooldridge, Introductory Econometrics, Ex. 15.x uses
    # the same data; OLS is 0.075). DoWhy's Wald estimator must reproduce the ratio exactly.
    from app.graph import CausalGraph
    df = load_sample("college_proximity").data
    z = df.nearc4 == 1
    wald = ((df.lwage[z].mean() - df.lwage[~z].mean()) / (df.educ[z].mean() - df.educ[~z].mean()))
    g = CausalGraph.from_edges([("nearc4", "educ"), ("educ", "lwage")], bidirected=[("educ", "lwage")])
    est = estimate_effect(df, g, "educ", "lwage")
    assert est.method == "iv" and est.engine.startswith("DoWhy")
    assert est.value == pytest.approx(wald, rel=1e-9)
    assert wald == pytest.approx(0.188, abs=0.001)
    assert est.ci_low < 0.188 < est.ci_high and 0.015 < (est.ci_high - est.ci_low) / 3.92 < 0.04


def test_card_college_proximity_iv_with_controls_matches_the_published_return():
    # Card (1995), "Using geographic variation in college proximity to estimate the return to
    # schooling", 2SLS with nearc4 and controls: 0.132 (SE 0.055), as in Wooldridge Example 15.4.
    # Our sample has fewer controls (no region dummies, smsa66, exper^2) and adds `married`, so we
    # check sign, magnitude (within 0.03) and a standard error of the same size; OLS is ~0.07.
    s = load_sample("college_proximity")
    est = estimate_effect(s.data, s.graph, method="iv")
    assert est.instruments == ("nearc4",)
    assert est.value == pytest.approx(0.132, abs=0.03)
    se = (est.ci_high - est.ci_low) / 3.92
    assert 0.035 < se < 0.07
    assert est.naive.value == pytest.approx(0.052, abs=0.005)      # OLS of lwage on educ alone
    assert any("First-stage F" in n for n in est.notes)


def test_nhefs_ipw_is_close_to_hernan_robins():
    # Hernán & Robins, Causal Inference: What If, Program 12.2: IP-weighted effect of quitting
    # smoking on weight gain 3.4 kg (95% CI 2.4 to 4.5) with a richer propensity model (squares of
    # continuous confounders); with linear terms only we expect about the same, within 0.5 kg.
    s = load_sample("nhefs")
    est = estimate_effect(s.data, s.graph, method="ps_weighting")
    assert est.value == pytest.approx(3.4, abs=0.5)
    assert est.ci_low == pytest.approx(2.4, abs=0.5) and est.ci_high == pytest.approx(4.5, abs=0.5)
    assert est.naive.value == pytest.approx(2.5, abs=0.1)   # What If §12.1: unadjusted 2.5 kg
    assert np.isfinite(est.se)
