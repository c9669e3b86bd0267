"""Estimators on simulated data with a known effect, and cross-checks against DoWhy itself."""
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from app.estimation import estimate_effect, identify_estimand, refute, sensitivity
from app.graph import CausalGraph
from app.samples import load_sample


def linear_dataset(**kw):
    import dowhy.datasets
    np.random.seed(0)
    d = dowhy.datasets.linear_dataset(**kw)
    g = nx.parse_gml(d["gml_graph"])
    return d, CausalGraph.from_edges(list(g.edges), nodes=list(g.nodes))


@pytest.fixture(scope="module")
def backdoor_data():
    # True ATE = beta = 10. Treatment noise 10 (DoWhy's default is 1): with beta=10 DoWhy draws
    # confounder->treatment coefficients up to 5.5, so with noise 1 a quarter of the units have
    # propensity < 0.01 or > 0.99 and no weighting estimator can work; noise 10 restores overlap.
    d, g = linear_dataset(beta=10, num_common_causes=3, num_samples=2000, treatment_is_binary=True,
                          stddev_treatment_noise=10, stddev_outcome_noise=5)
    return d["df"], g, d["treatment_name"][0], d["outcome_name"]


@pytest.mark.parametrize("method", ["linear_regression", "ps_weighting", "ps_stratification",
                                    "ps_matching", "ml"])
def test_every_backdoor_estimator_covers_the_true_effect(backdoor_data, method):
    df, g, t, y = backdoor_data
    est = estimate_effect(df, g, t, y, method=method, n_bootstrap=60)
    assert est.ci_low <= 10 <= est.ci_high, (est.value, est.ci_low, est.ci_high)
    assert est.adjustment_set == ("W0", "W1", "W2")


def test_iv_covers_the_true_effect_when_confounders_are_unmeasured():
    d, g = linear_dataset(beta=10, num_common_causes=2, num_instruments=1, num_samples=3000,
                          treatment_is_binary=False, stddev_outcome_noise=5)
    df = d["df"].drop(columns=["W0", "W1"])          # confounders unmeasured: only IV works
    est = estimate_effect(df, g, d["treatment_name"][0], d["outcome_name"])
    assert est.method == "iv" and est.ci_low <= 10 <= est.ci_high


def test_frontdoor_covers_the_true_effect_with_a_hidden_confounder():
    # U -> T, U -> Y, T -> M (0.8), M -> Y (1.5): effect of T on Y = 0.8 * 1.5 = 1.2.
    rng = np.random.default_rng(4)
    n = 3000
    u = rng.normal(size=n)
    t = u + rng.normal(size=n)
    m = 0.8 * t + rng.normal(size=n)
    yv = 1.5 * m + 2 * u + rng.normal(size=n)
    df = pd.DataFrame({"T": t, "M": m, "Y": yv})
    g = CausalGraph.from_edges([("T", "M"), ("M", "Y")], bidirected=[("T", "Y")])
    est = estimate_effect(df, g, "T", "Y", n_bootstrap=60)
    assert est.method == "frontdoor" and est.mediators == ("M",)
    assert est.ci_low <= 1.2 <= est.ci_high
    assert est.naive.value > 1.8                       # confounded slope is far off


def test_placebo_refutation_gives_about_zero(backdoor_data):
    df, g, t, y = backdoor_data
    for method in ("linear_regression", "ps_weighting"):
        est = estimate_effect(df, g, t, y, method=method)
        r = refute(est, "placebo", n_simulations=40)
        assert abs(r.new_effect) < 0.05 * 10 and r.passed, method


def test_ipw_sandwich_standard_error_matches_the_bootstrap(backdoor_data):
    # Independent reference: the bootstrap distribution of DoWhy's own weighting estimator.
    from app.estimation.estimators import bootstrap, point_estimate
    df, g, t, y = backdoor_data
    est = estimate_effect(df, g, t, y, method="ps_weighting")
    ctx = est.context
    draws, _ = bootstrap(lambda d: point_estimate(ctx.spec, d), ctx.prepared.data, 200, seed=1)
    assert est.se == pytest.approx(np.std(draws, ddof=1), rel=0.2)


def test_sensitivity_matches_dowhy_linear_partial_r2():
    # DoWhy's LinearSensitivityAnalyzer (Cinelli & Hazlett 2020) on NHEFS, benchmark wt71, k = 1.
    import dowhy
    from dowhy.causal_refuters.add_unobserved_common_cause import sensitivity_linear_partial_r2
    s = load_sample("nhefs")
    est = estimate_effect(s.data, s.graph, method="linear_regression")
    mine = sensitivity(est)
    data = est.context.prepared.data
    model = dowhy.CausalModel(data=data, treatment="qsmk", outcome="wt82_71",
                              graph=s.graph.to_networkx())
    ie = model.identify_effect(proceed_when_unidentifiable=True)
    ie.set_backdoor_variables(list(est.adjustment_set), "backdoor")
    dw = model.estimate_effect(ie, method_name="backdoor.linear_regression")
    ref = sensitivity_linear_partial_r2(data, dw, ["qsmk"], benchmark_common_causes=["wt71"],
                                        significance_level=0.05, null_hypothesis_effect=0,
                                        frac_strength_treatment=[1.0], frac_strength_outcome=[1.0],
                                        plot_estimate=False)
    assert mine.estimate == pytest.approx(ref.stats["estimate"], rel=1e-6)
    assert mine.robustness_value == pytest.approx(ref.stats["robustness_value"], rel=1e-6)
    assert mine.robustness_value_ci == pytest.approx(ref.stats["robustness_value_alpha"], rel=1e-6)
    row = mine.benchmarks.set_index("covariate").loc["wt71"]
    assert row["r2_treatment"] == pytest.approx(ref.r2tu_w[0], rel=1e-6)
    assert row["r2_outcome"] == pytest.approx(ref.r2yu_tw[0], rel=1e-6)
    assert row["adjusted_estimate"] == pytest.approx(
        ref.benchmarking_results["bias_adjusted_estimate"].iloc[0], rel=1e-6)


@pytest.mark.parametrize("name", ["kidney_stones", "nhefs", "lalonde_nsw", "m_bias"])
def test_dowhy_adjustment_set_is_valid_by_networkx_dseparation(name):
    # Independent check of the back-door criterion: no member descends from the treatment and the
    # set d-separates treatment and outcome once the treatment's outgoing edges are removed.
    s = load_sample(name)
    g = s.graph
    t, yv = sorted(g.exposures)[0], sorted(g.outcomes)[0]
    est = identify_estimand(g, t, yv, s.data.columns)
    z = set(est.backdoor)
    full = g.to_networkx()
    for a, b in g.bidirected:
        full.add_edges_from([(f"U_{a}_{b}", a), (f"U_{a}_{b}", b)])
    assert not z & nx.descendants(full, t)
    cut = full.copy()
    cut.remove_edges_from(list(full.out_edges(t)))
    assert nx.is_d_separator(cut, {t}, {yv}, z)
    if name == "m_bias":
        assert z == set()           # adjusting for the collider M would open a path
