"""Issue 23, "every degenerate estimate says so": each input here once gave a confident-looking
number (a zero-width interval that "excludes 0", NaN with no error, 0.579 for a confounder that
copies the treatment) or a raw crash. Each must now raise EstimationError with a message for a
person, or carry a warning beside the number.
"""
import resource
import time

import numpy as np
import pandas as pd
import pytest

from app.errors import EstimationError
from app.estimation import estimate_effect
from app.estimation.prepare import MAX_COVARIATE_LEVELS
from app.graph import CausalGraph

CONF = CausalGraph.from_edges([("Z", "T"), ("Z", "Y"), ("T", "Y")],
                              roles={"T": ["exposure"], "Y": ["outcome"]})
METHODS = ("linear_regression", "ps_weighting")


def confounded(n=600, seed=1):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    t = rng.binomial(1, 1 / (1 + np.exp(-z)))
    y = 2.0 * t + 1.5 * z + rng.normal(size=n)
    return pd.DataFrame({"Z": z, "T": t, "Y": y})


@pytest.mark.parametrize("method", METHODS)
def test_constant_outcome_is_refused_not_a_zero_width_interval(method):
    # before: "95% CI −0.000000 to −0.000000, which excludes 0"
    with pytest.raises(EstimationError, match="outcome 'Y' has the same value"):
        estimate_effect(confounded().assign(Y=3.0), CONF, method=method)


@pytest.mark.parametrize("method", METHODS)
def test_constant_treatment_is_refused(method):
    with pytest.raises(EstimationError, match="only one value"):
        estimate_effect(confounded().assign(T=1), CONF, method=method)


@pytest.mark.parametrize("column", ["Y", "Z", "T"])
@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_one_infinite_value_is_refused_with_its_column(column, value):
    # before: one +inf in the outcome gave NaN with no error (regression) or a LinAlgError (IPW)
    df = confounded()
    df[column] = df[column].astype(float)
    df.loc[3, column] = value
    for method in METHODS:
        with pytest.raises(EstimationError, match=f"'{column}' has 1 infinite value"):
            estimate_effect(df, CONF, method=method)


@pytest.mark.parametrize("method", METHODS)
def test_confounder_identical_to_treatment_is_refused(method):
    # before: 0.579 (or 1.51 here) with no warning from linear regression
    df = confounded().assign(Z=lambda d: d["T"].astype(float))
    with pytest.raises(EstimationError, match="determines the treatment 'T' exactly"):
        estimate_effect(df, CONF, method=method)


def test_confounder_that_is_an_affine_copy_of_a_continuous_treatment_is_refused():
    df = confounded().assign(T=lambda d: d["Z"] * 2 + 1)
    with pytest.raises(EstimationError, match="determines the treatment"):
        estimate_effect(df, CONF, method="linear_regression")


def test_near_copy_of_the_treatment_gives_warnings_beside_the_number():
    rng = np.random.default_rng(4)
    df = confounded(2000)
    flip = rng.random(len(df)) < 0.01
    df["Z"] = np.where(flip, 1 - df["T"], df["T"]).astype(float)
    lin = estimate_effect(df, CONF, method="linear_regression")
    assert any("little independent variation" in w for w in lin.warnings)
    ipw = estimate_effect(df, CONF, method="ps_weighting")
    assert any("nearly determines T" in w for w in ipw.warnings)
    assert ipw.overlap is not None and not ipw.overlap.ok and ipw.overlap.determining == ("Z",)


def test_too_few_rows_is_refused_and_few_rows_warn():
    with pytest.raises(EstimationError, match="at least 10 are needed"):
        estimate_effect(confounded().head(6), CONF, method="linear_regression")
    e = estimate_effect(confounded().head(20), CONF, method="linear_regression")
    assert any("Few rows (20" in w for w in e.warnings)
    assert "WARNING: Few rows" in str(e) and "Read the warnings" in e.sentence
    assert estimate_effect(confounded(), CONF, method="linear_regression").warnings == ()


def test_a_treatment_group_of_one_is_refused():
    df = confounded()
    df["T"] = 0
    df.loc[0, "T"] = 1
    with pytest.raises(EstimationError, match="Only 1 row"):
        estimate_effect(df, CONF, method="linear_regression")


def test_more_model_columns_than_rows_is_refused():
    df = confounded(40).assign(Z=[f"level{i % 39}" for i in range(40)])
    with pytest.raises(EstimationError, match="too few rows"):
        estimate_effect(df, CONF, method="linear_regression")


def test_exact_outcome_function_warns_about_a_zero_width_interval():
    df = confounded().assign(Y=lambda d: 2.0 * d["T"] + 1.5 * d["Z"])
    e = estimate_effect(df, CONF, method="linear_regression")
    assert e.value == pytest.approx(2.0)
    assert any("zero width" in w for w in e.warnings)


def test_confounder_with_ten_thousand_categories_is_refused_before_expansion():
    # before: one-hot expansion passed 2 GB; the check counts levels before any dummy column
    rng = np.random.default_rng(0)
    n = 50_000
    df = pd.DataFrame({"Z": [f"c{v}" for v in rng.integers(0, 10_000, n)],
                       "T": rng.binomial(1, 0.5, n), "Y": rng.normal(size=n)})
    estimate_effect(confounded(), CONF, method="linear_regression")   # warm the imports
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with pytest.raises(EstimationError, match=f"at most {MAX_COVARIATE_LEVELS}"):
        estimate_effect(df, CONF, method="linear_regression")
    assert time.perf_counter() - t0 < 5
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024   # KiB on Linux
    assert grown_mb < 200


def test_design_size_budget_counts_indicator_columns(monkeypatch):
    import app.estimation.prepare as prep_mod

    monkeypatch.setattr(prep_mod, "MAX_DESIGN_CELLS", 5000)
    df = confounded().assign(Z=[f"k{i % 50}" for i in range(600)])
    with pytest.raises(EstimationError, match="would need 51 columns"):
        estimate_effect(df, CONF, method="linear_regression")


IV_GRAPH = CausalGraph.from_edges([("Z", "T"), ("W", "T"), ("W", "Y"), ("T", "Y")],
                                  bidirected=[("T", "Y")])


def iv_data(n=500, seed=2):
    rng = np.random.default_rng(seed)
    z, w, u = rng.normal(size=(3, n))
    t = z + w + u + rng.normal(size=n)
    return pd.DataFrame({"Z": z, "W": w, "T": t, "Y": t + w + 2 * u + rng.normal(size=n)})


def test_an_instrument_that_copies_the_treatment_is_refused_with_the_reason():
    df = iv_data().assign(Z=lambda d: d["T"])
    with pytest.raises(EstimationError, match="determines the treatment T exactly"):
        estimate_effect(df, IV_GRAPH, "T", "Y", method="iv")


def test_controls_that_fix_the_treatment_leave_the_instrument_nothing_to_move():
    df = iv_data().assign(W=lambda d: d["T"])
    with pytest.raises(EstimationError, match="once the controls are held fixed"):
        estimate_effect(df, IV_GRAPH, "T", "Y", method="iv")
