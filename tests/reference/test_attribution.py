"""Attribution (app.attribution) against simulated truth, brute force and DoWhy GCM.

Sources: Budhathoki, Janzing, Blöbaum & Ng (AISTATS 2021), "Why did the distribution change?"
(the set function v(S) = D(P_old(Y), P_S(Y)) and its Shapley values); Budhathoki, Blöbaum,
Kasiviswanathan & Janzing (ICML 2022), "Causal structure-based root cause analysis of
outliers" (the IT score −log P(τ(Y) ≥ τ(y)) and its noise-based Shapley split); Shapley (1953),
"A value for n-person games" (the formula and efficiency); DoWhy 0.14's
`gcm.distribution_change` as an independent implementation.
"""
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from app import settings
from app.attribution import anomaly_attribution, distribution_change, outlier_scores
from app.attribution.shapley import shapley
from app.graph import CausalGraph

# A → B → Y ← C, D → C : five nodes, all upstream of Y
GRAPH = CausalGraph.from_edges([("A", "B"), ("B", "Y"), ("C", "Y"), ("D", "C")])
NODES = ("A", "B", "C", "D", "Y")


def linear_data(n: int, rng: np.random.Generator, change: str | None = None) -> pd.DataFrame:
    """The linear-Gaussian SCM; `change` gets a new mechanism (another intercept and slope)."""
    def k(node, old, new):
        return new if change == node else old
    a = k("A", 0.0, 3.0) + rng.normal(0, 1, n)
    b = k("B", 0.0, 1.0) + k("B", 0.8, 1.6) * a + rng.normal(0, 1, n)
    d = k("D", 0.0, 1.5) + rng.normal(0, 1, n)
    c = k("C", 0.0, 1.5) + 0.7 * d + rng.normal(0, 1, n)
    y = k("Y", 0.0, 1.5) + 0.6 * b + 0.9 * c + rng.normal(0, 1, n)
    return pd.DataFrame({"A": a, "B": b, "C": c, "D": d, "Y": y})


def discrete_data(n: int, rng: np.random.Generator, change: str | None = None) -> pd.DataFrame:
    """Binary nodes; `change` gets another probability table."""
    def bern(p):
        return (rng.random(n) < p).astype(int)
    a = bern(0.95 if change == "A" else 0.05)
    b = bern(np.where(a == 1, 0.9, 0.1) if change != "B" else np.where(a == 1, 0.1, 0.9))
    d = bern(0.8 if change == "D" else 0.4)
    c = bern(np.where(d == 1, 0.7, 0.3) if change != "C" else np.where(d == 1, 0.95, 0.9))
    p_y = 0.1 + 0.4 * b + 0.4 * c
    y = bern(p_y if change != "Y" else 0.9 - 0.6 * b * c)
    return pd.DataFrame({"A": a, "B": b, "C": c, "D": d, "Y": y})


def concentration(result, node: str) -> float:
    """|φ_node| / Σ|φ|: the share of all attribution mass the node gets."""
    mass = sum(abs(p.value) for p in result.parts)
    return abs(next(p.value for p in result.parts if p.node == node)) / mass


@pytest.mark.parametrize("changed", ["A", "C", "Y"])
def test_a_changed_linear_mechanism_gets_at_least_80_percent_over_20_seeds(changed):
    # The paper's simulation design (Sec. 5.1): change one node's mechanism, attribute Y's change.
    for seed in range(20):
        rng = np.random.default_rng(seed)
        res = distribution_change(GRAPH, "Y", linear_data(1000, rng), linear_data(1000, rng, changed))
        assert res.parts[0].node == changed, seed
        assert concentration(res, changed) >= 0.8, (seed, res.parts)


@pytest.mark.parametrize("changed,measure", [("A", "mean"), ("C", "kl"), ("Y", "kl")])
def test_a_changed_table_gets_at_least_80_percent_over_20_seeds(changed, measure):
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        res = distribution_change(GRAPH, "Y", discrete_data(3000, rng),
                                  discrete_data(3000, rng, changed), measure=measure)
        assert res.kind == "discrete"
        assert concentration(res, changed) >= 0.8, (seed, res.parts)


def test_shapley_efficiency_exact_and_sampled(monkeypatch):
    rng = np.random.default_rng(7)
    old, new = linear_data(800, rng), linear_data(800, rng, "C")
    for measure in ("mean", "kl"):
        exact = distribution_change(GRAPH, "Y", old, new, measure=measure)
        assert sum(p.value for p in exact.parts) == pytest.approx(exact.total, abs=1e-10)
        assert "exact" in exact.method
    monkeypatch.setattr(settings, "ATTRIBUTION_EXACT_NODES", 2)
    sampled = distribution_change(GRAPH, "Y", old, new, permutations=300, seed=3)
    assert "300 random orders (seed 3)" in sampled.method
    assert sum(p.value for p in sampled.parts) == pytest.approx(sampled.total, abs=1e-10)
    # sampled values stay within 5 standard errors of the exact ones (Castro et al. 2009)
    exact = {p.node: p.value for p in distribution_change(GRAPH, "Y", old, new).parts}
    for p in sampled.parts:
        assert abs(p.value - exact[p.node]) <= 5 * p.std_error + 1e-12


def test_total_change_of_the_mean_is_the_sample_difference_for_linear_fits():
    # Least squares with an intercept passes through the means, so the fitted SCM reproduces
    # every sample mean: v(all) = mean_new(Y) − mean_old(Y) exactly.
    rng = np.random.default_rng(11)
    old, new = linear_data(500, rng), linear_data(700, rng, "B")
    res = distribution_change(GRAPH, "Y", old, new)
    assert res.total == pytest.approx(new["Y"].mean() - old["Y"].mean(), abs=1e-10)
    assert (res.before, res.after) == pytest.approx((old["Y"].mean(), new["Y"].mean()), abs=1e-10)


def _brute_force_marginal(tables: dict, y: str) -> dict:
    """P(Y) by enumerating every joint state (independent of the tensor engine)."""
    out: dict = {}
    for combo in itertools.product([0, 1], repeat=len(NODES)):
        x = dict(zip(NODES, combo, strict=True))
        p = 1.0
        for v in NODES:
            p *= tables[v](x)
        out[x[y]] = out.get(x[y], 0.0) + p
    return out


def _counted(df: pd.DataFrame):
    """MLE tables of the graph, as functions of a full assignment (by counting rows)."""
    def table(v):
        ps = GRAPH.parents(v)
        def p(x):
            rows = df
            for q in ps:
                rows = rows[rows[q] == x[q]]
            return float((rows[v] == x[v]).mean())
        return p
    return {v: table(v) for v in NODES}


def test_discrete_value_function_equals_brute_force_enumeration():
    rng = np.random.default_rng(5)
    old, new = discrete_data(2000, rng), discrete_data(2000, rng, "C")
    res = distribution_change(GRAPH, "Y", old, new)
    p_old = _brute_force_marginal(_counted(old), "Y")
    p_new = _brute_force_marginal(_counted(new), "Y")
    assert res.before == pytest.approx(p_old[1], abs=1e-12)
    assert res.total == pytest.approx(p_new[1] - p_old[1], abs=1e-12)
    # the divergence of the fully replaced model: KL(P_old(Y) ‖ P_new(Y))
    kl = distribution_change(GRAPH, "Y", old, new, measure="kl")
    assert kl.total == pytest.approx(sum(p_old[k] * math.log(p_old[k] / p_new[k]) for k in (0, 1)),
                                     abs=1e-12)


def test_exact_shapley_on_textbook_games():
    # Three-player majority game: any two win; by symmetry each gets 1/3 (Shapley 1953).
    res = shapley(lambda m: float(m.bit_count() >= 2), 3, exact_up_to=12, permutations=2)
    assert res.values == pytest.approx((1 / 3,) * 3)
    # Glove game, player 0 holds the only left glove, 1 and 2 right gloves: (2/3, 1/6, 1/6).
    glove = shapley(lambda m: float(bool(m & 1) and bool(m & 6)), 3, exact_up_to=12, permutations=2)
    assert glove.values == pytest.approx((2 / 3, 1 / 6, 1 / 6))


@pytest.mark.parametrize("changed", ["A", "C", "Y"])
def test_equals_dowhy_gcm_distribution_change_on_the_same_data(changed):
    """DoWhy fits the same mechanisms (least squares, empirical noise) and samples each mixed
    model; its v(S) has Monte Carlo error with sd ≤ sd(Y)/√N per coalition. A Shapley value
    combines coalitions with weights whose squares sum to at most 2 (plus the shared draw of
    the old model), so its sd is at most √3·sd(Y)/√N: the tolerance is 5 of those."""
    from app.attribution.reference import dowhy_distribution_change

    rng = np.random.default_rng(42)
    old, new = linear_data(1000, rng), linear_data(1000, rng, changed)
    ours = {p.node: p.value for p in distribution_change(GRAPH, "Y", old, new).parts}
    n = 10_000
    ref = dowhy_distribution_change(GRAPH, "Y", old, new, num_samples=n, seed=1)
    sd = max(old["Y"].std(), new["Y"].std())
    tol = 5 * math.sqrt(3) * sd / math.sqrt(n)
    assert set(ref.values) == set(ours)
    for node, value in ours.items():
        assert ref.values[node] == pytest.approx(value, abs=tol), node
    assert max(ref.values, key=lambda k: abs(ref.values[k])) == changed


def _with_root_outlier(seed: int, n: int = 500, row: int = 17, size: float = 8.0) -> pd.DataFrame:
    """Linear SCM data where row `row` has an outlier noise in the root A (size sds), and the
    descendants recomputed from it (the noise enters, not the value)."""
    rng = np.random.default_rng(seed)
    u = {v: rng.normal(0, 1, n) for v in NODES}
    u["A"][row] += size
    a = u["A"]
    b = 1.5 * a + u["B"]
    d = u["D"]
    c = 0.7 * d + u["C"]
    y = 1.2 * b + 0.5 * c + u["Y"]
    return pd.DataFrame({"A": a, "B": b, "C": c, "D": d, "Y": y})


def test_an_outlier_noise_in_a_root_is_attributed_mostly_to_it_over_20_seeds():
    for seed in range(20):
        df = _with_root_outlier(seed)
        res = anomaly_attribution(GRAPH, "Y", df, 17)
        assert res.parts[0].node == "A", (seed, res.parts)
        # the other noises of the row are ordinary draws and may push either way: "mostly" is
        # the largest part and at least 60% of the score (the smallest over these seeds: 70%)
        assert res.parts[0].share >= 0.6, (seed, res.parts)
        # efficiency: the parts add up to the IT score
        assert sum(p.value for p in res.parts) == pytest.approx(res.score, abs=1e-9)


def test_outlier_score_is_the_gaussian_tail_and_the_injected_row_is_the_most_anomalous():
    df = _with_root_outlier(3, size=8.0)
    scores = outlier_scores(GRAPH, "Y", df)
    assert scores.idxmax() == 17
    res = anomaly_attribution(GRAPH, "Y", df, 17)
    # IT score of a Gaussian: −log P(|Y − μ| ≥ |y − μ|) = −log(2 Φ(−|z|))
    z = abs(res.value - res.expected) / res.sd
    assert res.score == pytest.approx(-math.log(2 * norm.cdf(-z)), rel=1e-9)
    assert scores[17] == pytest.approx(res.score, rel=1e-9)
    # the fitted SCM's marginal of Y: mean = sample mean (least squares through the means)
    assert res.expected == pytest.approx(df["Y"].mean(), abs=1e-9)
