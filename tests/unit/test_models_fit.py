"""Fitting: our CPT counts equal pgmpy's estimators; linear fits equal statsmodels OLS; the
visible notes (discretisation, unseen parent combinations, dropped rows) are there."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from app.graph import CausalGraph
from app.models import LinearSCM, fit_model, model_from_bif, with_cpt


@pytest.fixture(scope="module")
def asia_data():
    from app.samples import load_sample

    return load_sample("asia")


def _pgmpy_cpts(graph, data, estimator, **kw):
    from pgmpy.models import DiscreteBayesianNetwork

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = DiscreteBayesianNetwork(sorted(graph.edges))
        net.add_nodes_from(graph.nodes)
        est = estimator(net, data)
        return {c.variable: c for c in est.get_parameters(**kw)}


def _same_cpd(ours, theirs):
    """Compare two pgmpy CPDs state by state (their variable and state orders may differ)."""
    assert set(ours.variables) == set(theirs.variables)
    a = ours.to_factor()
    b = theirs.to_factor()
    import itertools

    for combo in itertools.product(*(a.state_names[v] for v in a.variables)):
        kw = dict(zip(a.variables, combo))
        assert a.get_value(**kw) == pytest.approx(b.get_value(**kw), abs=1e-12)


def test_maximum_likelihood_tables_equal_pgmpy(asia_data):
    from pgmpy.estimators import MaximumLikelihoodEstimator

    model = fit_model(asia_data.graph, asia_data.data)
    ref = _pgmpy_cpts(asia_data.graph, asia_data.data, MaximumLikelihoodEstimator)
    net = model.to_pgmpy()
    for v in model.variables:
        _same_cpd(net.get_cpds(v), ref[v])
    assert model.source == "data (maximum likelihood)"


@pytest.mark.parametrize(("prior", "ess"), [("BDeu", 5), ("BDeu", 12.5), ("K2", 5)])
def test_bayesian_tables_equal_pgmpy(asia_data, prior, ess):
    from pgmpy.estimators import BayesianEstimator

    model = fit_model(asia_data.graph, asia_data.data, estimator="bayes", prior=prior,
                      equivalent_sample_size=ess)
    ref = _pgmpy_cpts(asia_data.graph, asia_data.data, BayesianEstimator, prior_type=prior,
                      equivalent_sample_size=ess)
    net = model.to_pgmpy()
    for v in model.variables:
        _same_cpd(net.get_cpds(v), ref[v])


def test_unseen_parent_combinations_get_uniform_rows_and_a_note():
    # (A=1, B=1) never occurs: maximum likelihood has nothing to count there
    df = pd.DataFrame({"A": [0, 0, 1, 1, 0], "B": [0, 0, 0, 0, 1], "C": [0, 1, 1, 1, 0]})
    model = fit_model(CausalGraph.from_edges([("A", "C"), ("B", "C")]), df)
    table = model.cpt("C")
    row = table[(table.A == 1) & (table.B == 1)]
    assert row["P(C=0)"].item() == 0.5 and row["P(C=1)"].item() == 0.5
    assert any("never occur" in n for n in model.notes)


def test_mixed_data_is_discretised_with_a_note():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"T": rng.integers(0, 2, 300), "Y": rng.normal(size=300)})
    model = fit_model(CausalGraph.from_edges([("T", "Y")]), df)
    assert model.kind == "discrete"
    assert len(model.states["Y"]) == 3 and str(model.states["Y"][0]).startswith("[")
    assert any("Discretised Y" in n for n in model.notes)
    assert "Y" in model.discretised


def test_continuous_data_gives_a_linear_scm_matching_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(1)
    x = rng.normal(size=500)
    z = rng.normal(size=500)
    y = 1.5 + 2.0 * x - 0.5 * z + rng.normal(scale=0.7, size=500)
    df = pd.DataFrame({"X": x, "Z": z, "Y": y})
    model = fit_model(CausalGraph.from_edges([("X", "Y"), ("Z", "Y")]), df)
    assert model.kind == "linear"
    ols = sm.OLS(df["Y"], sm.add_constant(df[["X", "Z"]])).fit()
    assert model.scm.coefficients["Y"]["X"] == pytest.approx(ols.params["X"], abs=1e-10)
    assert model.scm.coefficients["Y"]["Z"] == pytest.approx(ols.params["Z"], abs=1e-10)
    assert model.scm.intercepts["Y"] == pytest.approx(ols.params["const"], abs=1e-10)
    assert model.scm.noise_std["Y"] == pytest.approx(np.sqrt(ols.mse_resid), abs=1e-10)
    assert model.scm.r_squared["Y"] == pytest.approx(ols.rsquared, abs=1e-10)


def test_binary_columns_in_a_linear_model_are_numbers_with_a_note():
    rng = np.random.default_rng(2)
    t = rng.integers(0, 2, 200)
    df = pd.DataFrame({"T": t, "Y": 3 * t + rng.normal(size=200)})
    model = fit_model(CausalGraph.from_edges([("T", "Y")]), df, kind="linear")
    assert model.kind == "linear"
    assert any("linear probability" in n for n in model.notes)


def test_rows_with_missing_values_are_dropped_with_a_note():
    df = pd.DataFrame({"A": [0, 1, None, 1], "B": [0, 1, 1, 0]})
    model = fit_model(CausalGraph.from_edges([("A", "B")]), df)
    assert model.n_rows == 3
    assert any("1 rows with missing" in n for n in model.notes)


def test_ordered_categories_keep_their_order():
    df = pd.DataFrame({"dose": pd.Categorical(["low", "high", "mid", "low"],
                                              categories=["low", "mid", "high"], ordered=True),
                       "Y": [0, 1, 1, 0]})
    model = fit_model(CausalGraph.from_edges([("dose", "Y")]), df)
    assert model.states["dose"] == ("low", "mid", "high")


def test_bif_model_keeps_its_tables(asia_data):
    text = open(asia_data.bif_path).read()
    model = model_from_bif(text)
    assert model.source == "BIF file"
    table = model.cpt("lung")
    # asia.bif: P(lung = yes | smoke = yes) = 0.1, P(lung = yes | smoke = no) = 0.01
    yes = table.set_index("smoke")["P(lung=yes)"]
    assert yes["yes"] == pytest.approx(0.1) and yes["no"] == pytest.approx(0.01)


def test_content_key_follows_parameters_not_identity(asia_data):
    a = fit_model(asia_data.graph, asia_data.data)
    b = fit_model(asia_data.graph, asia_data.data.copy())
    c = fit_model(asia_data.graph, asia_data.data, estimator="bayes")
    assert a.key == b.key and a.key != c.key
    edited = a.cpt("smoke")
    edited.loc[0, "P(smoke=yes)"], edited.loc[0, "P(smoke=no)"] = 0.9, 0.1
    d = with_cpt(a, "smoke", edited)
    assert d.key != a.key
    assert d.cpt("smoke").loc[0, "P(smoke=yes)"] == pytest.approx(0.9)
    assert any("edited by hand" in n for n in d.notes)


def test_summary_lists_equations_for_linear_models():
    scm = LinearSCM.from_equations({"X": [], "Y": ["X"]}, {"X": {}, "Y": {"X": 2.0}},
                                   intercepts={"Y": 1.0})
    assert scm.equation("Y") == "Y = 1 + 2·X + U_Y"
    assert "X = U_X" in repr(scm)
