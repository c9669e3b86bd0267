"""Vanishing tetrads and the implied covariance matrix of a linear model on a DAG.

References:
- The covariance matrix of a linear SEM, Σ = (I − B)⁻¹ Ω (I − B)⁻ᵀ (Bollen 1989, ch. 4), built
  here from the networkx DAG with random coefficients; a tetrad implied by the graph vanishes
  for every coefficient choice (Spirtes, Glymour & Scheines 2000, tetrad representation theorem;
  Sullivant, Talaska & Draisma 2010, Thm 2.8), and one not implied is non-zero for random
  coefficients. So on random models the listed tetrads must be exactly the vanishing ones.
- The implied covariance against the sample covariance of data simulated from the same model.
- Textbook cases (Bollen & Ting 1993, Sociol. Methodology 23): one factor with four indicators
  implies all three tetrads; two correlated factors with two indicators each imply one.
"""
from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from app import CausalGraph, parse_graph
from app.analysis import implied_covariance, simulate_sem, test_tetrads, vanishing_tetrads
from app.errors import DataError, QueryError
from tests.reference.test_analysis_cpdag import random_dag


def _sigma(d: nx.DiGraph, weights: dict, measured: list[str]) -> np.ndarray:
    order = list(nx.topological_sort(d))
    i = {v: k for k, v in enumerate(order)}
    b = np.zeros((len(order), len(order)))
    for (p, c), w in weights.items():
        b[i[c], i[p]] = w
    inv = np.linalg.inv(np.eye(len(order)) - b)
    full = inv @ inv.T
    keep = [i[v] for v in measured]
    return full[np.ix_(keep, keep)]


def _case(rng: random.Random):
    d = random_dag(rng, rng.randint(5, 8), 0.35)
    names = sorted(d.nodes)
    latent = set(rng.sample(names, rng.randint(0, 2)))
    bidirected = []
    if rng.random() < 0.4:
        a, b = rng.sample(names, 2)
        bidirected.append(tuple(sorted((a, b))))
        d.add_edges_from([("U", a), ("U", b)])
    g = CausalGraph.from_edges(sorted(e for e in d.edges if e[0] != "U"), nodes=names,
                               bidirected=bidirected, roles={n: {"latent"} for n in latent})
    return g, d, [n for n in names if n not in latent]


@pytest.mark.parametrize("seed", range(60))
def test_listed_tetrads_are_exactly_those_vanishing_in_a_random_linear_model(seed):
    rng = random.Random(seed)
    g, d, measured = _case(rng)
    weights = {e: rng.choice((-1, 1)) * rng.uniform(0.3, 1.0) for e in d.edges}
    s = _sigma(d, weights, measured)
    k = {v: n for n, v in enumerate(measured)}
    listed = {(t.a, t.b, t.c, t.d) for t in vanishing_tetrads(g)}
    for i1, i2, i3, i4 in itertools.combinations(measured, 4):
        for (a, dd), (b, c) in (((i1, i2), (i3, i4)), ((i1, i3), (i2, i4)),
                                ((i1, i4), (i2, i3))):
            value = s[k[a], k[b]] * s[k[c], k[dd]] - s[k[a], k[c]] * s[k[b], k[dd]]
            assert ((a, b, c, dd) in listed) == (abs(value) < 1e-12), (a, b, c, dd, value)


def test_the_random_cases_have_both_vanishing_and_non_vanishing_tetrads():
    found = total = 0
    for seed in range(60):
        g, _, measured = _case(random.Random(seed))
        found += len(vanishing_tetrads(g))
        total += 3 * len(list(itertools.combinations(measured, 4)))
    assert 100 < found < total - 100


def test_one_factor_four_indicators_implies_all_three_tetrads():
    g = parse_graph("dag { F [latent] F -> a; F -> b; F -> c; F -> d }")
    tetrads = vanishing_tetrads(g)
    assert len(tetrads) == 3
    assert "cov(a, b)·cov(c, d) = cov(a, c)·cov(b, d)" in [t.text for t in tetrads]


def test_two_correlated_factors_imply_one_tetrad():
    g = parse_graph("dag { F1 [latent] F2 [latent] F1 -> a; F1 -> b; F2 -> c; F2 -> d; "
                    "F1 <-> F2 }")
    assert [(t.a, t.b, t.c, t.d) for t in vanishing_tetrads(g)] == [("a", "c", "d", "b")]


def test_tetrads_refuse_selection_and_other_graph_types():
    with pytest.raises(QueryError, match="selected"):
        vanishing_tetrads(parse_graph("dag { a -> s <- b; s [selected] }"))
    with pytest.raises(QueryError):
        vanishing_tetrads(parse_graph("pdag { a -- b }"))


def test_implied_covariance_matches_simulated_data():
    g = parse_graph("dag { U [latent] U -> x; U -> y; x -> m; m -> y; z -> x; x <-> z }")
    coef = {("U", "x"): 0.5, ("U", "y"): -0.4, ("x", "m"): 0.7, ("m", "y"): 0.3,
            ("z", "x"): 0.6, ("x", "z"): 0.45}
    sigma = implied_covariance(g, coef, standardized=False)
    rng = np.random.default_rng(7)
    n = 400_000
    e = {v: rng.normal(size=n) for v in ("U", "x", "y", "m", "z", "L")}
    # x <-> z with coefficient 0.45: a latent L with √0.45 on each side (DAGitty's simulateSEM)
    z = e["z"] + np.sqrt(0.45) * e["L"]
    x = 0.5 * e["U"] + 0.6 * z + np.sqrt(0.45) * e["L"] + e["x"]
    m = 0.7 * x + e["m"]
    y = -0.4 * e["U"] + 0.3 * m + e["y"]
    sample = np.cov(np.vstack([x, y, m, z]))
    assert list(sigma.index) == ["x", "y", "m", "z"]
    assert np.allclose(sigma.to_numpy(), sample, atol=0.02)


def test_standardized_implied_covariance_is_a_correlation_matrix():
    g = parse_graph("dag { a -> b; b -> c; a -> c; c <-> d }")
    corr = implied_covariance(g, seed=3)
    assert np.allclose(np.diag(corr.to_numpy()), 1.0)
    assert np.all(np.linalg.eigvalsh(corr.to_numpy()) > 0)
    assert corr.loc["a", "b"] != 0 and corr.loc["a", "d"] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(QueryError, match="explain all"):
        implied_covariance(parse_graph("dag { a -> c; b -> c }"), {("a", "c"): 0.9,
                                                                   ("b", "c"): 0.9})
    with pytest.raises(QueryError, match="no edge"):
        implied_covariance(g, {("d", "a"): 0.3})


def test_simulated_data_have_the_implied_covariance_and_vanishing_tetrads():
    """simulate_sem draws from the implied covariance (as DAGitty's simulateSEM); in data from a
    one-factor model the implied tetrad is near zero while the covariances are not."""
    g = parse_graph("dag { F [latent] F -> a; F -> b; F -> c; F -> d; a -> e }")
    coef = {("F", v): 0.8 for v in "abcd"} | {("a", "e"): 0.5}
    df = simulate_sem(g, 200_000, coef, seed=5)
    assert list(df.columns) == ["a", "b", "c", "d", "e"]
    assert np.allclose(df.cov().to_numpy(), implied_covariance(g, coef).to_numpy(), atol=0.02)
    s = df.cov()
    assert abs(s.loc["a", "b"] * s.loc["c", "d"] - s.loc["a", "c"] * s.loc["b", "d"]) < 0.01
    assert s.loc["a", "b"] > 0.5
    assert simulate_sem(g, 10, coef, seed=5).equals(simulate_sem(g, 10, coef, seed=5))
    with pytest.raises(QueryError, match="rows"):
        simulate_sem(g, 0)


def test_tetrad_test_has_its_level_and_power_on_simulated_data():
    """Simulated truth: data from a one-factor model (all three tetrads vanish) are rejected at
    about the 5% level, and Wishart's standard error matches the spread of the tetrad over
    repeated samples; with one loading moved to a second factor the tetrad that no longer
    vanishes is rejected."""
    g = parse_graph("dag { F [latent] F -> a; F -> b; F -> c; F -> d }")
    coef = {("F", v): w for v, w in zip("abcd", (0.8, 0.7, 0.6, 0.5))}
    sigma = implied_covariance(g, coef, standardized=False).to_numpy()
    rng = np.random.default_rng(11)
    rejected, values, ses = 0, [], []
    for _ in range(300):
        df = pd.DataFrame(rng.multivariate_normal(np.zeros(4), sigma, 400), columns=list("abcd"))
        tests = test_tetrads(g, df)
        assert len(tests) == 3
        rejected += sum(t.p_value < 0.05 for t in tests)
        first = next(t for t in tests if (t.tetrad.a, t.tetrad.d) == ("a", "b"))
        values.append(first.estimate)
        ses.append(first.std_error)
    assert 0.02 < rejected / 900 < 0.09
    assert np.std(values) == pytest.approx(np.mean(ses), rel=0.15)
    two = parse_graph("dag { F [latent] G [latent] F -> a; F -> b; F -> c; G -> d; G -> b }")
    wrong = implied_covariance(two, {("F", "a"): 0.8, ("F", "b"): 0.7, ("F", "c"): 0.6,
                                     ("G", "d"): 0.8, ("G", "b"): 0.7},
                               standardized=False).to_numpy()
    df = pd.DataFrame(rng.multivariate_normal(np.zeros(4), wrong, 2000), columns=list("abcd"))
    tests = {(t.tetrad.a, t.tetrad.b, t.tetrad.c, t.tetrad.d): t for t in test_tetrads(g, df)}
    # rows {a, d}, columns {b, c}: σab·σdc − σac·σdb = 0.56·0 − 0.48·0.56 once b and d share G
    off = tests[("a", "b", "c", "d")]
    assert abs(off.estimate + 0.48 * 0.56) < 4 * off.std_error
    assert tests[("a", "b", "c", "d")].p_value < 0.001
    assert "contradict" in tests[("a", "b", "c", "d")].sentence()


def test_tetrad_test_refuses_unusable_data():
    g = parse_graph("dag { F [latent] F -> a; F -> b; F -> c; F -> d }")
    with pytest.raises(DataError, match="no column 'd'"):
        test_tetrads(g, pd.DataFrame({"a": [1.0], "b": [1.0], "c": [1.0]}))
    with pytest.raises(DataError, match="not numeric"):
        test_tetrads(g, pd.DataFrame({v: ["x"] * 20 for v in "abcd"}))


def test_tetrad_kinds_filter_the_full_list_as_dagitty_defines_them():
    """DAGitty (jslib/graph/GraphAnalyzer.js, vanishingTetrads with a type): every node with
    exactly one parent; "within": one shared parent; "between": each side's parents are one
    node, different between the sides; "epistemic": one side has one parent, the other two."""
    g = parse_graph("dag { F [latent] G [latent] H [latent] F -> {a1 a2 a3 a4 a5}; "
                    "G -> {b1 b2 b3}; H -> c1; F -> G; G -> H; x -> a5 }")
    d = nx.DiGraph(sorted(g.edges))
    every = vanishing_tetrads(g)

    def parents(*vs):
        return set().union(*(d.pred[v] for v in vs))

    for kind in ("within", "between", "epistemic"):
        expected = []
        for t in every:
            if any(len(d.pred[v]) != 1 for v in (t.a, t.b, t.c, t.d)):
                continue
            left, right = parents(t.a, t.d), parents(t.b, t.c)
            keep = {"within": len(parents(t.a, t.b, t.c, t.d)) == 1,
                    "between": len(left) == len(right) == 1 and left != right,
                    "epistemic": sorted((len(left), len(right))) == [1, 2]}[kind]
            if keep:
                expected.append(t)
        assert list(vanishing_tetrads(g, kind)) == expected, kind
        assert expected, kind
    assert len(vanishing_tetrads(g, "within")) == 3    # a1..a4 (a5 has a 2nd parent): 3 splits
    with pytest.raises(QueryError, match="Unknown kind"):
        vanishing_tetrads(g, "among")


def test_tetrad_listing_stops_after_its_work_budget(monkeypatch):
    from app.analysis import tetrads

    g = parse_graph("dag { F [latent] F -> {a b c d e f} }")
    assert len(vanishing_tetrads(g)) == 3 * 15 and not vanishing_tetrads(g).truncated
    monkeypatch.setattr(tetrads, "MAX_QUADRUPLES", 4)
    cut = vanishing_tetrads(g)
    assert cut.truncated and len(cut) == 3 * 4 and "first 4 sets" in cut.note


def test_a_bidirected_coefficient_is_the_covariance_it_adds():
    """DAGitty (simulateSEM): a <-> b with coefficient c is a <- L -> b with √|c| and ±√|c|, so
    with unit noise cov(a, b) = c, negative c included."""
    g = parse_graph("dag { a <-> b; b -> c }")
    s = implied_covariance(g, {("a", "b"): -0.3, ("b", "c"): 0.5}, standardized=False)
    assert s.loc["a", "b"] == pytest.approx(-0.3)
    assert s.loc["a", "c"] == pytest.approx(-0.15)
    assert s.loc["a", "a"] == pytest.approx(1.3)
