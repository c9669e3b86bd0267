"""Bad input gives a DiscoveryError saying what to change; variable kinds and the Auto choice."""
import numpy as np
import pandas as pd
import pytest

from app.discovery import default_variables, discover, variable_kinds
from app.discovery.simulate import linear_sem, random_dag
from app.errors import DiscoveryError


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 200
    a = rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": a + rng.normal(size=n), "c": rng.normal(size=n)})


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.assign(k=1.0), "same value"),
    (lambda d: d.assign(k=np.nan), "empty"),
    (lambda d: d.assign(k=[f"id{i}" for i in range(len(d))]), "looks like an ID"),
    (lambda d: d.assign(patient_id=np.arange(len(d)) + 1000), "looks like an ID"),
    (lambda d: d.assign(k=[str(i % 90) for i in range(len(d))]), "90 different values"),
    (lambda d: d.assign(k=[1, "x"] * (len(d) // 2)), "mixes numbers and text"),
    (lambda d: d.assign(k=["n/a" if i % 10 == 0 else str(i % 7) for i in range(len(d))]),
     "mixes numbers and text"),
    (lambda d: d.assign(k=2 * d["a"] + 1), "perfectly correlated"),
])
def test_bad_columns_are_explained(df, mutate, message):
    with pytest.raises(DiscoveryError, match=message) as info:
        discover(mutate(df), "pc")
    assert info.value.hint or "drop" in info.value.message.lower()


def test_fewer_rows_than_variables_is_an_error():
    rng = np.random.default_rng(1)
    wide = pd.DataFrame(rng.normal(size=(12, 15)), columns=[f"v{i}" for i in range(15)])
    with pytest.raises(DiscoveryError, match="fewer rows"):
        discover(wide, "pc")


def test_too_many_variables_for_the_method():
    rng = np.random.default_rng(1)
    wide = pd.DataFrame(rng.normal(size=(300, 61)), columns=[f"v{i}" for i in range(61)])
    with pytest.raises(DiscoveryError, match="too many for FCI"):
        discover(wide, "fci")


def test_lingam_refuses_categorical_columns(df):
    with pytest.raises(DiscoveryError, match="'g' is categorical"):
        discover(df.assign(g=["x", "y"] * 100), "lingam")


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "magic"}, "Unknown method"),
    ({"test": "ttest"}, "Unknown test"),
    ({"score": "aic"}, "Unknown score"),
    ({"alpha": 1.5}, "between 0 and 1"),
    ({"bootstrap": -1}, "whole number"),
    ({"method": "cdnod"}, "domain"),
    ({"domain_column": "nope"}, "not in the data"),
    ({"variables": ["a"]}, "at least two"),
    ({"variables": ["a", "zz"]}, "no column called 'zz'"),
])
def test_bad_arguments_are_explained(df, kwargs, message):
    with pytest.raises(DiscoveryError, match=message):
        discover(df, **kwargs)


def test_kci_refuses_large_data():
    g = random_dag(3, seed=0)
    big = linear_sem(g, 1600, seed=0)
    with pytest.raises(DiscoveryError, match="KCI"):
        discover(big, "pc", test="kci")


def test_missing_rows_are_dropped_with_a_note(df):
    holes = df.copy()
    holes.loc[:9, "c"] = np.nan
    r = discover(holes, "pc")
    assert r.n_rows == len(df) - 10
    assert any("Left out 10" in n for n in r.notes)


def test_max_rows_samples_and_says_so(df):
    r = discover(df, "pc", max_rows=100)
    assert r.n_rows == 100 and any("random sample of 100" in n for n in r.notes)


def test_variable_kinds_and_default_variables():
    d = pd.DataFrame({"id": range(30), "sex": ["f", "m"] * 15, "age": np.linspace(20, 60, 30),
                      "grade": [1, 2, 3] * 10, "const": 5})
    assert variable_kinds(d[["sex", "age", "grade"]]) == {
        "sex": "discrete", "age": "continuous", "grade": "discrete"}
    assert default_variables(d) == ["sex", "age", "grade"]


def test_auto_explains_its_choice_by_types_and_size():
    g = random_dag(6, seed=2)
    gauss = linear_sem(g, 800, seed=1)
    r = discover(gauss, "auto")
    assert r.method == "ges" and "continuous" in r.reason and "6" in r.reason
    nongauss = linear_sem(g, 800, seed=1, noise="uniform")
    r = discover(nongauss, "auto")
    assert r.method == "lingam" and "non-Gaussian" in r.reason
    cats = pd.DataFrame({c: (gauss[c] > 0).map({True: "hi", False: "lo"}) for c in gauss})
    r = discover(cats, "auto")
    assert r.method == "ges" and "categorical" in r.reason
    mixed = gauss.assign(X1=cats["X1"])
    r = discover(mixed, "auto")
    assert r.method == "ges" and "mix" in r.reason
    assert any("equal-frequency bins" in n for n in r.notes)
    r = discover(mixed, "hc")
    assert "conditional-Gaussian" in r.test_reason
    r = discover(gauss.assign(site=[0, 1] * 400), "auto", domain_column="site")
    assert r.method == "cdnod"


def test_constraint_test_follows_variable_types():
    g = random_dag(4, seed=5)
    cont = linear_sem(g, 600, seed=0)
    assert discover(cont, "pc").test == "fisherz"
    cats = pd.DataFrame({c: np.where(cont[c] > 0, "hi", "lo") for c in cont})
    assert discover(cats, "pc").test == "chisq"
    mixed = cont.assign(X1=cats["X1"])
    r = discover(mixed, "pc")
    assert r.test == "chisq" and any("equal-frequency bins" in n for n in r.notes)


def test_small_curved_data_uses_the_kernel_test():
    rng = np.random.default_rng(4)
    x = rng.uniform(-2, 2, 150)
    y = x ** 2 + 0.3 * rng.normal(size=150)
    z = np.sin(2 * y) + 0.3 * rng.normal(size=150)
    r = discover(pd.DataFrame({"x": x, "y": y, "z": z}), "pc")
    assert r.test == "kci" and "curved" in r.test_reason


def test_types_set_by_the_user_override_inference():
    g = random_dag(4, seed=5)
    cont = linear_sem(g, 400, seed=0)
    graded = cont.assign(X1=np.digitize(cont["X1"], [-1, 0, 1]))   # 4 whole-number levels
    assert discover(graded, "pc").variable_kinds["X1"] == "discrete"
    r = discover(graded, "pc", types={"X1": "continuous"})
    assert r.variable_kinds["X1"] == "continuous" and r.test == "fisherz"
    with pytest.raises(DiscoveryError, match="marked as id"):
        discover(graded, "pc", types={"X2": "id"})
