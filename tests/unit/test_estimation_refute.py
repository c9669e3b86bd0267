"""Refutations, sensitivity and subgroup effects: behaviour on data with a known answer."""
import numpy as np
import pandas as pd
import pytest

from app.errors import Cancelled, EstimationError
from app.estimation import estimate_effect, refutation_suite, refute, sensitivity, subgroup_effects
from app.graph import CausalGraph

CONF = CausalGraph.from_edges([("Z", "T"), ("Z", "Y"), ("T", "Y")],
                              roles={"T": ["exposure"], "Y": ["outcome"]})


def data(n=800, seed=2, effect=2.0, modifier=0.0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    t = rng.binomial(1, 1 / (1 + np.exp(-z)))
    y = (effect + modifier * (z > 0)) * t + 1.5 * z + rng.normal(size=n)
    return pd.DataFrame({"Z": z, "T": t, "Y": y})


@pytest.fixture(scope="module")
def lr():
    return estimate_effect(data(), CONF, method="linear_regression")


def test_placebo_treatment_drops_to_zero_and_passes(lr):
    r = refute(lr, "placebo", n_simulations=30)
    assert abs(r.new_effect) < 0.2 and r.verdict == "passed"
    assert r.p_value > 0.05 and len(r.simulations) == 30
    assert "shuffl" in r.explanation


def test_random_common_cause_and_subset_leave_the_estimate_alone(lr):
    for kind in ("random_common_cause", "data_subset"):
        r = refute(lr, kind, n_simulations=20)
        assert r.new_effect == pytest.approx(lr.value, abs=0.15)
        assert r.passed


def test_unobserved_common_cause_reports_strengths_and_a_verdict(lr):
    r = refute(lr, "unobserved_common_cause", n_simulations=5)
    assert r.verdict in ("passed", "warning") and r.p_value is None
    assert 0 < r.params["effect_on_treatment"] < 1 and r.params["effect_on_outcome"] > 0


def test_refutation_can_be_cancelled_between_simulations(lr):
    with pytest.raises(Cancelled):
        refute(lr, "placebo", n_simulations=50, should_stop=lambda: True)


def test_refutation_suite_runs_each_kind_with_progress(lr):
    seen = []
    out = refutation_suite(lr, ("placebo", "data_subset"), n_simulations=5,
                           progress=lambda f, m: seen.append(f))
    assert [r.kind for r in out] == ["placebo", "data_subset"]
    assert seen == sorted(seen) and seen[-1] == 1


def test_refuting_without_a_context_is_a_clear_error(lr):
    from dataclasses import replace
    with pytest.raises(EstimationError, match="made in this session"):
        refute(replace(lr, context=None), "placebo")
    with pytest.raises(EstimationError, match="Unknown refutation"):
        refute(lr, "astrology")


def test_sensitivity_curve_crosses_zero_at_the_robustness_value(lr):
    s = sensitivity(lr)
    t = s.table
    assert t["adjusted_estimate"].iloc[0] == pytest.approx(s.estimate)
    cross = np.interp(0.0, t["adjusted_estimate"][::-1], t["strength"][::-1])
    assert cross == pytest.approx(s.robustness_value, rel=0.02)
    assert 0 < s.robustness_value_ci < s.robustness_value < 1
    assert list(s.benchmarks["covariate"]) == ["Z"]


def test_subgroup_by_column_recovers_a_known_modifier():
    df = data(n=3000, effect=1.0, modifier=2.0)      # effect 1 for Z <= 0, 3 for Z > 0
    g = CONF.add_node("S").add_edge("S", "Y")
    df["S"] = (df["Z"] > 0).map({True: "high", False: "low"})
    sub = subgroup_effects(df, g, "T", "Y", "S", method="linear_regression")
    est = dict(zip(sub.table["group"], sub.table["estimate"]))
    assert est["low"] == pytest.approx(1.0, abs=0.3) and est["high"] == pytest.approx(3.0, abs=0.3)


def test_numeric_column_is_binned_into_quantiles():
    df = data(n=1200)
    sub = subgroup_effects(df, CONF, "T", "Y", "Z", method="linear_regression", bins=3)
    assert len(sub.table) == 3 and sub.table["n"].sum() == 1200
    assert sub.table["mid"].is_monotonic_increasing


def test_too_small_brushed_subgroup_names_the_minimum():
    df = data()
    mask = np.zeros(len(df), dtype=bool)
    mask[:7] = True
    with pytest.raises(EstimationError, match="too small") as err:
        subgroup_effects(df, CONF, "T", "Y", mask, method="linear_regression")
    assert "minimum 20 rows" in err.value.hint


def test_brushed_subgroup_is_estimated_next_to_the_rest():
    df = data()
    sub = subgroup_effects(df, CONF, "T", "Y", (df["Z"] > -0.5).to_numpy(), method="linear_regression")
    assert list(sub.table["group"]) == ["selected", "not selected"]
    assert sub.overall.method == "linear_regression"


def test_subgroup_on_the_only_confounder_falls_back_to_regression():
    df = data().assign(B=lambda d: (d["Z"] > 0).astype(int))
    g = CausalGraph.from_edges([("B", "T"), ("B", "Y"), ("T", "Y")])
    sub = subgroup_effects(df, g, "T", "Y", "B", method="ps_weighting")
    assert len(sub.table) == 2
    assert any("linear regression" in n for n in sub.notes)


def test_sensitivity_benchmarks_lie_on_the_curve_even_past_zero():
    # kidney stones: a confounder as strong as stone size would more than explain the effect away,
    # so the benchmark point sits beyond the zero crossing, on the same curve.
    from app.samples import load_sample
    s = load_sample("kidney_stones")
    sens = sensitivity(estimate_effect(s.data, s.graph, method="linear_regression"))
    row = sens.benchmarks.iloc[0]
    t = sens.table
    on_curve = np.interp(row["strength"], t["strength"], t["adjusted_estimate"])
    assert row["adjusted_estimate"] == pytest.approx(on_curve, abs=1e-3)
    assert row["adjusted_estimate"] > 0 > sens.estimate
    assert "already includes zero" in sens.explanation
