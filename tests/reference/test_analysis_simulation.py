"""Binary data from a graph (DAGitty's simulateLogistic) against statsmodels' logistic regression.

Reference: r/R/simulation.R, simulateLogistic — variables coded −1/+1, a root is +1 with
probability logistic(eps), any other node has log-odds eps + Σ b·parent. With the parents
observed, statsmodels' Logit of a node on its parents (as 0/1 outcome) recovers eps and the b's;
the independences the graph implies hold (a chi-square test does not reject them).
"""
from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.stats import chi2_contingency

from app import parse_graph
from app.analysis import simulate_logistic
from app.errors import QueryError

G = parse_graph("dag { z -> x; z -> y; x -> y; u -> z; a <-> y }")
COEF = {("z", "x"): 0.8, ("z", "y"): -0.5, ("x", "y"): 1.2, ("u", "z"): 0.6}


def test_logistic_coefficients_are_recovered():
    df = simulate_logistic(G, 200_000, COEF | {("a", "y"): 0.0}, seed=4, base=0.3)
    assert set(np.unique(df.to_numpy())) == {-1, 1}
    assert list(df.columns) == ["z", "x", "y", "u", "a"]
    fit = sm.Logit((df["y"] == 1).astype(int), sm.add_constant(df[["x", "z"]])).fit(disp=0)
    assert fit.params["const"] == pytest.approx(0.3, abs=0.03)
    assert fit.params["x"] == pytest.approx(1.2, abs=0.03)
    assert fit.params["z"] == pytest.approx(-0.5, abs=0.03)
    root = (df["u"] == 1).mean()
    assert root == pytest.approx(1 / (1 + np.exp(-0.3)), abs=0.005)


def test_implied_independence_holds_and_the_latent_link_shows():
    df = simulate_logistic(G, 100_000, COEF | {("a", "y"): 1.5}, seed=9)
    # u ⊥ x | z: within each stratum of z, no association
    for _, part in df.groupby("z"):
        assert chi2_contingency(np.array(
            [[((part.u == i) & (part.x == j)).sum() for j in (-1, 1)] for i in (-1, 1)]
        ))[1] > 0.001
    # a <-> y (a hidden binary common cause with √1.5 on each side): a and y are associated
    assert abs(np.corrcoef(df.a, df.y)[0, 1]) > 0.05


def test_same_seed_same_rows_and_limits():
    assert simulate_logistic(G, 50, seed=1).equals(simulate_logistic(G, 50, seed=1))
    with pytest.raises(QueryError, match="rows"):
        simulate_logistic(G, 0)
    with pytest.raises(QueryError):
        simulate_logistic(parse_graph("pdag { a -- b }"), 10)
