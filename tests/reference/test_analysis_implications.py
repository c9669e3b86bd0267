"""Implied independencies against DAGitty, test statistics against scipy/statsmodels, and
simulated data with known truth (a correct graph passes, a graph missing an edge is caught)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from app import parse_graph
from app.analysis import implied_independencies, test_implications
from app.errors import QueryError

# DAGitty's test suite (test/test-graphs.js "commentator1", testable-implications.js):
# A, B, C latent; listMinimalImplications gives exactly these ten lines.
COMMENTATOR1 = parse_graph("""dag { A [latent]; B [latent]; C [latent];
    A -> W2; A -> W1; B -> W1; B -> X; C -> Y; C -> W2; V -> Z1; V -> Z2;
    W1 -> Z1; W2 -> Z2; X -> Y; Z1 -> X; Z2 -> Y }""")
DAGITTY_COMMENTATOR1 = """X _||_ V | W1, Z1
X _||_ Z2 | V, W2
X _||_ Z2 | W1, W2, Z1
Y _||_ V | W1, W2, Z1, Z2
V _||_ W1
V _||_ W2
W1 _||_ Z2 | W2
W2 _||_ Z1 | W1
Z1 _||_ Z2 | V, W2
Z1 _||_ Z2 | V, W1"""


def _as_statements(listing) -> set[tuple[frozenset, frozenset]]:
    return {(frozenset((i.a, i.b)), frozenset(i.given)) for i in listing}


def test_minimal_implications_match_dagitty_commentator_example():
    expected = set()
    for line in DAGITTY_COMMENTATOR1.splitlines():
        pair, _, cond = line.partition(" | ")
        a, b = pair.split(" _||_ ")
        expected.add((frozenset((a, b)), frozenset(c for c in cond.split(", ") if c)))
    assert _as_statements(implied_independencies(COMMENTATOR1)) == expected


# ---- statistics against scipy / statsmodels ------------------------------------------------

def _discrete_frame(seed: int, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 3, n)
    a = (rng.random(n) < 0.2 + 0.25 * z).astype(int)
    b = (rng.random(n) < 0.3 + 0.2 * z + 0.15 * a).astype(int)  # b depends on a: violated
    return pd.DataFrame({"A": a, "B": b, "Z": z})


def test_g_test_equals_scipy_log_likelihood_ratio_summed_over_strata():
    df = _discrete_frame(1)
    g = parse_graph("dag { Z -> A; Z -> B }")          # implies A ⊥ B | Z
    (res,) = test_implications(g, df).results
    g_sum, dof = 0.0, 0
    for _, part in df.groupby("Z"):
        table = pd.crosstab(part["A"], part["B"]).to_numpy()
        stat, _, d, _ = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
        g_sum, dof = g_sum + stat, dof + d
    assert res.test == "G-test"
    assert res.statistic == pytest.approx(g_sum, rel=1e-10)
    assert res.dof == dof
    assert res.p_value == pytest.approx(stats.chi2.sf(g_sum, dof), rel=1e-8)
    assert res.rejected


def test_pearson_chi_square_equals_scipy():
    df = _discrete_frame(2)
    g = parse_graph("dag { A; B }")                      # implies A ⊥ B
    (res,) = test_implications(g, df, discrete_test="chi2").results
    stat, p, dof, _ = stats.chi2_contingency(pd.crosstab(df["A"], df["B"]).to_numpy(),
                                             correction=False)
    assert (res.statistic, res.dof) == (pytest.approx(stat, rel=1e-10), dof)
    assert res.p_value == pytest.approx(p, rel=1e-8)


def test_fisher_z_uses_the_partial_correlation_of_regression_residuals():
    rng = np.random.default_rng(3)
    n = 800
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    a = z1 + 0.5 * z2 + rng.normal(size=n)
    b = 0.8 * z1 - z2 + 0.15 * a + rng.normal(size=n)
    df = pd.DataFrame({"A": a, "B": b, "Z1": z1, "Z2": z2})
    g = parse_graph("dag { Z1 -> A; Z2 -> A; Z1 -> B; Z2 -> B; Z1 -> Z2 }")
    (res,) = test_implications(g, df).results
    design = np.column_stack([np.ones(n), z1, z2])
    ra = a - design @ np.linalg.lstsq(design, a, rcond=None)[0]
    rb = b - design @ np.linalg.lstsq(design, b, rcond=None)[0]
    r = np.corrcoef(ra, rb)[0, 1]
    z = np.arctanh(r) * np.sqrt(n - 2 - 3)
    assert res.test == "Fisher z"
    assert res.effect == pytest.approx(r, abs=1e-10)
    assert res.statistic == pytest.approx(z, rel=1e-8)
    assert res.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-6)


def test_mixed_pair_uses_a_regression_f_test_equal_to_statsmodels():
    import statsmodels.formula.api as smf
    rng = np.random.default_rng(4)
    n = 600
    z = rng.normal(size=n)
    c = rng.integers(0, 3, n)                                  # discrete
    y = 0.7 * z + 0.3 * c + rng.normal(size=n)                 # continuous, depends on c
    df = pd.DataFrame({"K": c, "Y": y, "Z": z})
    g = parse_graph("dag { Z -> Y; K }")                       # implies K ⊥ Y and K ⊥ Z
    report = test_implications(g, df)
    res = next(r for r in report if {r.independence.a, r.independence.b} == {"K", "Y"})
    full = smf.ols("Y ~ C(K)", df).fit()
    base = smf.ols("Y ~ 1", df).fit()
    f, p, dof = full.compare_f_test(base)
    assert res.test == "F-test (linear regression)"
    assert (res.statistic, res.dof) == (pytest.approx(f, rel=1e-8), dof)
    assert res.p_value == pytest.approx(p, rel=1e-6)


# ---- simulated data with known truth ---------------------------------------------------------

TRUE_GRAPH = parse_graph("""dag { A -> C; B -> C; C -> D; A -> E; D -> F; E -> F; B -> G;
                                  G -> H; D -> H }""")


def _simulate_linear(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    v = {}
    for node in TRUE_GRAPH.topological_order():
        parents = TRUE_GRAPH.parents(node)
        v[node] = sum(0.8 * v[p] for p in parents) + rng.normal(size=n)
    return pd.DataFrame(v)


def test_data_from_the_true_graph_reject_almost_nothing():
    df = _simulate_linear(3000, seed=10)
    report = test_implications(TRUE_GRAPH, df)
    m = len(report)
    assert m >= 20
    # at α = 5%, about 5% of true independencies are rejected by chance; allow sampling noise
    assert report.n_rejected <= max(2, int(0.12 * m))
    assert report.consistent and not report.violated
    assert "agree" in report.verdict or "No clear evidence" in report.verdict


def test_graph_missing_an_edge_has_that_dependence_flagged():
    df = _simulate_linear(3000, seed=11)
    wrong = TRUE_GRAPH.remove_edge("C", "D")        # the data still have C -> D
    report = test_implications(wrong, df)
    flagged = {frozenset(t.pair) for t in report.violated}
    assert frozenset({"C", "D"}) in flagged
    assert not report.consistent and "contradict" in report.verdict


def test_discrete_data_missing_edge_is_flagged_with_the_g_test():
    # Binary chain A -> B -> C plus A -> C; the graph without A -> C claims A ⊥ C | B.
    rng = np.random.default_rng(12)
    n = 4000
    a = rng.random(n) < 0.5
    b = rng.random(n) < np.where(a, 0.7, 0.3)
    c = rng.random(n) < 0.2 + 0.3 * b + 0.3 * a
    df = pd.DataFrame({"A": a.astype(int), "B": b.astype(int), "C": c.astype(int)})
    right = test_implications(parse_graph("dag { A -> B -> C; A -> C }"), df)
    assert len(right) == 0 and "no testable" in right.verdict
    wrong = test_implications(parse_graph("dag { A -> B -> C }"), df)
    (res,) = wrong.results
    assert res.test == "G-test" and res.p_value < 1e-10 and not wrong.consistent


def test_all_pairs_lists_every_separating_set_as_brute_force_networkx():
    """kind="all_pairs" (DAGitty's impliedConditionalIndependencies type "all.pairs": every
    subset of the other variables tried with dseparated) against networkx's is_d_separator on
    random DAGs with latent nodes; its minimal sets are the "minimal" listing's."""
    import itertools
    import random

    import networkx as nx

    from app import CausalGraph
    from tests.reference.test_analysis_cpdag import random_dag

    rng = random.Random(1327)
    listed = 0
    for _ in range(40):
        d = random_dag(rng, rng.randint(3, 7), 0.4)
        names = sorted(d.nodes)
        latent = set(rng.sample(names, rng.randint(0, 1)))
        g = CausalGraph.from_edges(sorted(d.edges), nodes=names,
                                   roles={n: {"latent"} for n in latent})
        obs = [n for n in names if n not in latent]
        expected = set()
        for a, b in itertools.combinations(obs, 2):
            rest = [n for n in obs if n not in (a, b)]
            for k in range(len(rest) + 1):
                for z in itertools.combinations(rest, k):
                    if nx.is_d_separator(d, {a}, {b}, set(z)):
                        expected.add((frozenset((a, b)), frozenset(z)))
        got = implied_independencies(g, "all_pairs")
        assert _as_statements(got) == expected
        assert len(got) == len(expected)          # each statement once
        minimal = {(p, z) for p, z in expected
                   if not any(p == q and w < z for q, w in expected)}
        assert _as_statements(implied_independencies(g)) == minimal
        listed += len(got)
    assert listed > 100


def test_all_pairs_on_dagittys_example_and_its_size_limit():
    """r/R/dagitty.R: dag{ x -> m -> y } implies one independence; with m latent, none."""
    assert [str(i) for i in implied_independencies(parse_graph("dag { x -> m -> y }"),
                                                   "all_pairs")] == ["x ⊥ y | m"]
    assert implied_independencies(parse_graph("dag { x -> m -> y; m [latent] }"),
                                  "all_pairs") == []
    big = parse_graph("dag { " + " ".join(f"v{i} -> v{i + 1};" for i in range(20)) + " }")
    with pytest.raises(QueryError, match="too large"):
        implied_independencies(big, "all_pairs")


def test_basis_set_is_the_local_markov_property_and_holds_in_the_dag():
    """DAGitty's listBasisImplications: per node v with non-descendants other than its parents,
    v ⊥ (non-descendants − parents) | parents. Checked by its definition with networkx
    (descendants, joint d-separation), and against kind="local", which splits it into pairs."""
    import random

    import networkx as nx

    from app import CausalGraph
    from app.analysis import basis_set
    from tests.reference.test_analysis_cpdag import random_dag

    rng = random.Random(1996)
    lines = 0
    for _ in range(40):
        d = random_dag(rng, rng.randint(2, 8), 0.4)
        g = CausalGraph.from_edges(sorted(d.edges), nodes=sorted(d.nodes))
        basis = basis_set(g)
        expected = {}
        for v in d.nodes:
            others = set(d.nodes) - nx.descendants(d, v) - {v} - set(d.pred[v])
            if others:
                expected[v] = (others, set(d.pred[v]))
        assert {b.v: (set(b.others), set(b.given)) for b in basis} == expected
        for b in basis:
            assert nx.is_d_separator(d, {b.v}, set(b.others), set(b.given))
        pairs = {(frozenset((b.v, w)), frozenset(b.given)) for b in basis for w in b.others}
        assert _as_statements(implied_independencies(g, "local")) == pairs
        lines += len(basis)
    assert lines > 60
    assert str(basis_set(parse_graph("dag { x -> m -> y }"))[-1]) == "y ⊥ x | m"
    with pytest.raises(QueryError, match="basis set"):
        basis_set(parse_graph("dag { x -> m -> y; m [latent] }"))


def test_single_ci_test_agrees_with_scipy_and_with_the_graph_wide_tests():
    """ci_test (DAGitty's ciTest): the partial correlation's Fisher z against scipy's Pearson
    correlation of regression residuals, and the same numbers test_implications reports."""
    from app.analysis import ci_test

    rng = np.random.default_rng(3)
    n = 800
    z = rng.normal(size=n)
    x = 0.7 * z + rng.normal(size=n)
    y = -0.5 * z + 0.3 * x + rng.normal(size=n)
    w = 0.6 * y + rng.normal(size=n)
    df = pd.DataFrame({"z": z, "x": x, "y": y, "w": w})
    t = ci_test(df, "x", "w", ["y"])
    rx = x - np.polyval(np.polyfit(y, x, 1), y)
    rw = w - np.polyval(np.polyfit(y, w, 1), y)
    r = stats.pearsonr(rx, rw)[0]
    assert t.test == "Fisher z" and t.effect == pytest.approx(r, abs=1e-9)
    assert not t.rejected
    assert ci_test(df, "x", "w").rejected                  # marginally dependent
    g = parse_graph("dag { z -> x; z -> y; x -> y; y -> w }")
    report = {(tt.independence.a, tt.independence.b, tt.independence.given): tt
              for tt in test_implications(g, df)}
    for (a, b, given), tt in report.items():
        single = ci_test(df, a, b, sorted(given))
        assert (single.statistic, single.p_value) == (tt.statistic, tt.p_value)
    with pytest.raises(QueryError, match="overlap"):
        ci_test(df, "x", "x")
    from app.errors import DataError
    with pytest.raises(DataError, match="no column 'q'"):
        ci_test(df, "x", "q")
