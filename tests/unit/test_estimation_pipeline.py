"""estimate_effect / available_methods: identification, estimator choice and clear errors."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from app.errors import Cancelled, EstimationError
from app.estimation import available_methods, estimate_effect, identify_estimand
from app.graph import CausalGraph

CONF = CausalGraph.from_edges([("Z", "T"), ("Z", "Y"), ("T", "Y")],
                              roles={"T": ["exposure"], "Y": ["outcome"]})


def confounded(n=600, seed=1, effect=2.0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    t = rng.binomial(1, 1 / (1 + np.exp(-z)))
    y = effect * t + 1.5 * z + rng.normal(size=n)
    return pd.DataFrame({"Z": z, "T": t, "Y": y})


def test_importing_estimation_does_not_import_dowhy():
    code = ("import sys, app, app.estimation, app.charts.estimation; "
            "print('dowhy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_roles_give_default_treatment_and_outcome_and_auto_picks_weighting():
    est = estimate_effect(confounded(), CONF)
    assert (est.treatment, est.outcome) == ("T", "Y")
    assert est.method == "ps_weighting" and est.adjustment_set == ("Z",)
    assert est.ci_low < 2.0 < est.ci_high          # simulated truth 2.0
    assert est.naive.value > est.value + 0.5          # confounding inflates the naive difference


def test_treatment_missing_from_data_is_a_clear_error():
    df = confounded().drop(columns="T")
    with pytest.raises(EstimationError, match="treatment 'T' is in the graph but not in the data"):
        estimate_effect(df, CONF)


def test_outcome_missing_from_graph_is_a_clear_error():
    with pytest.raises(EstimationError, match="outcome 'W' is not a node"):
        estimate_effect(confounded().assign(W=1.0), CONF, "T", "W")


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(EstimationError, match="Unknown estimation method") as err:
        estimate_effect(confounded(), CONF, method="magic")
    assert "ps_matching" in err.value.hint


def test_binary_only_estimator_refuses_a_continuous_treatment():
    df = confounded().assign(T=lambda d: d["T"] + np.random.default_rng(0).normal(size=len(d)))
    with pytest.raises(EstimationError, match="needs a treatment with two values"):
        estimate_effect(df, CONF, method="ps_weighting")
    reasons = {a.name: a for a in available_methods(CONF, "T", "Y", df)}
    assert reasons["linear_regression"].available and not reasons["ps_matching"].available


def test_hidden_confounder_without_alternatives_is_not_identifiable():
    g = CausalGraph.from_edges([("T", "Y")], bidirected=[("T", "Y")])
    with pytest.raises(EstimationError, match="cannot be identified"):
        estimate_effect(confounded(), g, "T", "Y")
    avail = {a.name: a for a in available_methods(g, "T", "Y", confounded())}
    assert "unmeasured" in avail["linear_regression"].reason
    assert "instrument" in avail["iv"].reason


def test_unmeasured_node_counts_as_latent():
    df = confounded().drop(columns="Z")
    with pytest.raises(EstimationError, match="cannot be identified"):
        estimate_effect(df, CONF)


def test_no_directed_path_means_nothing_to_estimate():
    g = CausalGraph.from_edges([("Z", "T"), ("Z", "Y")])
    with pytest.raises(EstimationError, match="no directed path"):
        estimate_effect(confounded(), g, "T", "Y")


def test_perfect_separation_in_the_propensity_model_is_reported():
    df = confounded()
    df["T"] = (df["Z"] > 0).astype(int)
    with pytest.raises(EstimationError, match="Perfect separation"):
        estimate_effect(df, CONF, method="ps_weighting")


def test_marked_adjustment_set_is_used_when_valid():
    rng = np.random.default_rng(0)
    df = confounded().assign(W=rng.normal(size=600))
    g = CONF.add_node("W").add_edge("W", "Y").set_role("W", "adjusted").set_role("Z", "adjusted")
    est = estimate_effect(df, g, method="linear_regression")
    assert est.adjustment_set == ("W", "Z")
    assert any("marked on the graph" in n for n in est.notes)


def test_invalid_marked_set_falls_back_to_dowhy_with_a_note():
    g = CONF.set_role("Y", "outcome")  # nothing marked
    mediator = CausalGraph.from_edges([("Z", "T"), ("Z", "Y"), ("T", "M"), ("M", "Y")],
                                      roles={"M": ["adjusted"]})
    rng = np.random.default_rng(0)
    df = confounded().assign(M=lambda d: d["T"] + rng.normal(size=len(d)))
    est = estimate_effect(df, mediator, "T", "Y", method="linear_regression")
    assert est.adjustment_set == ("Z",)
    assert any("do not form a valid adjustment set" in n for n in est.notes)
    assert g.exposures == {"T"}


def test_explicit_invalid_adjustment_set_is_refused():
    m_bias = CausalGraph.from_edges([("U1", "T"), ("U1", "M"), ("U2", "M"), ("U2", "Y"), ("T", "Y")],
                                    roles={"U1": ["latent"], "U2": ["latent"]})
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"T": rng.binomial(1, 0.5, 300), "M": rng.normal(size=300),
                       "Y": rng.normal(size=300)})
    assert identify_estimand(m_bias, "T", "Y", df.columns).backdoor == ()
    with pytest.raises(EstimationError, match="not a valid adjustment set"):
        estimate_effect(df, m_bias, "T", "Y", adjustment_set=["M"])


def test_ps_methods_need_something_to_adjust_for():
    g = CausalGraph.from_edges([("T", "Y")])
    reasons = {a.name: a.reason for a in available_methods(g, "T", "Y", confounded())}
    assert "nothing to adjust for" in reasons["ps_weighting"]
    est = estimate_effect(confounded(), g, "T", "Y")
    assert est.method == "linear_regression"
    assert est.value == pytest.approx(est.naive.value)


def test_bootstrap_reports_progress_and_can_be_cancelled():
    seen = []
    est = estimate_effect(confounded(), CONF, method="ps_stratification", n_bootstrap=20,
                          progress=lambda f, m: seen.append(f))
    assert seen[0] == 0 and seen[-1] == 1 and est.has_ci
    calls = iter(range(100))
    with pytest.raises(Cancelled):
        estimate_effect(confounded(), CONF, method="ps_stratification", n_bootstrap=50,
                        should_stop=lambda: next(calls) >= 2)


def test_result_prints_readably_and_keeps_the_context():
    est = estimate_effect(confounded(), CONF, method="linear_regression")
    text = str(est)
    assert "Linear regression" in text and "naive difference" in text
    assert est.context is not None and est.context.spec.method == "linear_regression"
    assert "95% CI" in est.sentence and r"\sum" in est.estimand_latex


def test_latex_escapes_awkward_names():
    g = CausalGraph.from_edges([("a_b", "T"), ("a_b", "Y"), ("T", "Y")])
    df = confounded().rename(columns={"Z": "a_b"})
    est = estimate_effect(df, g, "T", "Y", method="linear_regression")
    assert r"\text{a\_b}" in est.estimand_latex


def test_estimation_works_without_graphviz_or_pydot():
    code = ("import sys; sys.modules['pydot'] = None; sys.modules['pygraphviz'] = None\n"
            "import numpy as np, pandas as pd, app\n"
            "rng = np.random.default_rng(0); z = rng.normal(size=200)\n"
            "df = pd.DataFrame({'Z': z, 'T': (z + rng.normal(size=200) > 0).astype(int)})\n"
            "df['Y'] = df['T'] + z + rng.normal(size=200)\n"
            "g = app.parse_graph('dag { Z -> T; Z -> Y; T -> Y }')\n"
            "e = app.estimate_effect(df, g, 'T', 'Y')\n"
            "r = app.refute(e, 'placebo', n_simulations=3)\n"
            "s = app.subgroup_effects(df, g, 'T', 'Y', 'Z', overall=e, bins=2)\n"
            "print(round(e.value, 1), len(s.table))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    value, groups = out.stdout.split()
    assert abs(float(value) - 1.0) < 0.5 and groups == "2"      # simulated effect 1.0


def test_estimators_whose_intervals_do_not_overlap_are_said_to_disagree():
    from app.estimation.pipeline import disagreements

    # an instrument with a direct effect on Y (invalid) against a correct back-door estimate
    rng = np.random.default_rng(7)
    n = 5000
    z = rng.normal(size=n)
    c = rng.normal(size=n)
    t = z + c + rng.normal(size=n)
    y = 1.0 * t + 2.0 * c + 1.0 * z + rng.normal(size=n)
    df = pd.DataFrame({"Z": z, "C": c, "T": t, "Y": y})
    g = CausalGraph.from_edges([("Z", "T"), ("C", "T"), ("C", "Y"), ("T", "Y")])
    lin = estimate_effect(df, g, "T", "Y", method="linear_regression")
    iv = estimate_effect(df, g, "T", "Y", method="iv")
    said = disagreements([lin, iv])
    assert len(said) == 1 and "invalid instrument" in said[0] and "missing from" in said[0]
    assert disagreements([lin, estimate_effect(df, g, "T", "Y", method="linear_regression")]) == []
