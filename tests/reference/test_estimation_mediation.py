"""Mediation from data against simulated linear SCMs with known coefficients: the natural direct
effect is the direct path coefficient and the natural indirect effect the product of the path
coefficients (Baron & Kenny 1986; VanderWeele 2015, *Explanation in Causal Inference*, §2.4).
Identification conditions as in VanderWeele 2015 §2.2; the treatment-induced confounder case
must be refused (Avin, Shpitser & Pearl 2005)."""
import numpy as np
import pandas as pd
import pytest

from app.errors import EstimationError
from app.estimation.mediation import check_mediation, mediation_effects
from app.graph import CausalGraph

# C confounds everything; T → M → Y with a = 0.8, b = 1.5; direct T → Y 0.5
G = CausalGraph.from_edges([("C", "T"), ("C", "M"), ("C", "Y"), ("T", "M"), ("M", "Y"),
                            ("T", "Y")])


def linear_scm(n=20_000, seed=0, binary_t=False):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=n)
    t = rng.binomial(1, 1 / (1 + np.exp(-c))) if binary_t else 0.7 * c + rng.normal(size=n)
    m = 0.8 * t + 0.6 * c + rng.normal(size=n)
    y = 0.5 * t + 1.5 * m - 1.0 * c + rng.normal(size=n)
    return pd.DataFrame({"C": c, "T": t, "M": m, "Y": y})


@pytest.mark.parametrize("binary_t", [False, True])
def test_linear_scm_recovers_the_path_coefficients(binary_t):
    r = mediation_effects(linear_scm(binary_t=binary_t), G, "T", "Y", ["M"], n_bootstrap=100)
    assert r.covariates == ("C",)
    assert r.nde == pytest.approx(0.5, abs=0.05)
    assert r.nie == pytest.approx(0.8 * 1.5, abs=0.06)
    assert r.nde_ci[0] < 0.5 < r.nde_ci[1] and r.nie_ci[0] < 1.2 < r.nie_ci[1]
    assert r.total == pytest.approx(r.nde + r.nie) and r.cde == r.nde
    assert r.share_mediated == pytest.approx(1.2 / 1.7, abs=0.03)
    assert "runs through M" in r.sentence


def test_two_parallel_mediators_add_their_products():
    rng = np.random.default_rng(1)
    n = 20_000
    t = rng.normal(size=n)
    m1 = 0.5 * t + rng.normal(size=n)
    m2 = -1.0 * t + rng.normal(size=n)
    y = 0.3 * t + 2.0 * m1 + 0.5 * m2 + rng.normal(size=n)
    g = CausalGraph.from_edges([("T", "M1"), ("T", "M2"), ("M1", "Y"), ("M2", "Y"), ("T", "Y")])
    r = mediation_effects(pd.DataFrame({"T": t, "M1": m1, "M2": m2, "Y": y}), g, "T", "Y",
                          ["M1", "M2"], n_bootstrap=50)
    assert r.nie == pytest.approx(0.5 * 2.0 - 1.0 * 0.5, abs=0.05)
    assert r.nde == pytest.approx(0.3, abs=0.04)


def test_treatment_induced_confounder_is_refused_with_the_reason():
    # T → L → M and L → Y: L confounds M → Y and is caused by T
    g = CausalGraph.from_edges([("T", "L"), ("L", "M"), ("L", "Y"), ("T", "M"), ("M", "Y"),
                                ("T", "Y")])
    rng = np.random.default_rng(2)
    n = 2000
    t = rng.normal(size=n)
    lv = t + rng.normal(size=n)
    m = t + lv + rng.normal(size=n)
    y = t + m + lv + rng.normal(size=n)
    df = pd.DataFrame({"T": t, "L": lv, "M": m, "Y": y})
    with pytest.raises(EstimationError, match="'L' is affected by T .* treatment-induced"):
        mediation_effects(df, g, "T", "Y", ["M"])
    ok = mediation_effects(df, g, "T", "Y", ["L", "M"], n_bootstrap=30)   # split at both
    assert ok.nde == pytest.approx(1.0, abs=0.1)


def test_unmeasured_mediator_outcome_confounder_is_refused():
    g = CausalGraph.from_edges([("T", "M"), ("M", "Y"), ("T", "Y")], bidirected=[("M", "Y")])
    check = check_mediation(g, "T", "Y", ["M"], ["T", "M", "Y"])
    assert not check.ok and "mediator M" in check.reason


def test_a_variable_off_the_causal_path_is_not_a_mediator():
    check = check_mediation(G, "T", "Y", ["C"], ["C", "T", "M", "Y"])
    assert not check.ok and "not on a directed path" in check.reason


def test_two_hundred_resamples_on_100k_rows_stay_under_ten_seconds():
    r = mediation_effects(linear_scm(100_000), G, "T", "Y", ["M"], n_bootstrap=200)
    print(f"mediation, 100k rows, 200 resamples: {r.seconds:.2f} s")
    assert r.seconds < 10


def expit(v):
    return 1 / (1 + np.exp(-v))


def p_y(t, m, c):
    return expit(-1.0 + 0.7 * t + 1.0 * m + 0.5 * t * m + 0.6 * c)


def test_binary_outcome_and_mediator_match_the_mediation_formula_truth():
    # ground truth: Pearl (2012), "The Mediation Formula", eqs. for NDE and NIE, evaluated on
    # the simulation's own probabilities (binary C, T, M, Y)
    rng = np.random.default_rng(11)
    n = 40_000
    c = rng.binomial(1, 0.4, n)
    t = rng.binomial(1, expit(-0.3 + 0.8 * c))
    m = rng.binomial(1, expit(-0.5 + 1.2 * t + 0.5 * c))
    y = rng.binomial(1, p_y(t, m, c))
    df = pd.DataFrame({"C": c, "T": t, "M": m, "Y": y})

    def p_m(m_val, t_val, c_val):
        p1 = expit(-0.5 + 1.2 * t_val + 0.5 * c_val)
        return p1 if m_val == 1 else 1 - p1

    nde = sum((0.4 if cv else 0.6) * (p_y(1, mv, cv) - p_y(0, mv, cv)) * p_m(mv, 0, cv)
              for cv in (0, 1) for mv in (0, 1))
    nie = sum((0.4 if cv else 0.6) * p_y(1, mv, cv) * (p_m(mv, 1, cv) - p_m(mv, 0, cv))
              for cv in (0, 1) for mv in (0, 1))
    r = mediation_effects(df, G, "T", "Y", ["M"], n_bootstrap=60)
    assert r.method == "mediation formula"
    assert r.nde == pytest.approx(nde, abs=0.02) and r.nde_ci[0] < nde < r.nde_ci[1]
    assert r.nie == pytest.approx(nie, abs=0.01) and r.nie_ci[0] < nie < r.nie_ci[1]


def test_binary_outcome_with_a_numeric_mediator_matches_monte_carlo_truth():
    rng = np.random.default_rng(12)
    n = 40_000
    c = rng.normal(size=n)
    t = rng.binomial(1, expit(0.5 * c))
    m = 0.5 + 0.8 * t + 0.3 * c + rng.normal(size=n)
    y = rng.binomial(1, p_y(t, m, c))
    df = pd.DataFrame({"C": c, "T": t, "M": m, "Y": y})
    # truth by Monte Carlo over the known distributions (independent of the quadrature)
    big = 400_000
    cs = rng.normal(size=big)
    m0 = 0.5 + 0.3 * cs + rng.normal(size=big)
    m1 = m0 + 0.8
    nde = np.mean(p_y(1, m0, cs) - p_y(0, m0, cs))
    nie = np.mean(p_y(1, m1, cs) - p_y(1, m0, cs))
    r = mediation_effects(df, G, "T", "Y", ["M"], n_bootstrap=60)
    assert r.nde == pytest.approx(nde, abs=0.02) and r.nde_ci[0] < nde < r.nde_ci[1]
    assert r.nie == pytest.approx(nie, abs=0.015) and r.nie_ci[0] < nie < r.nie_ci[1]


def test_binary_outcome_takes_one_mediator_at_a_time():
    rng = np.random.default_rng(3)
    n = 500
    t = rng.binomial(1, 0.5, n)
    df = pd.DataFrame({"T": t, "M1": t + rng.normal(size=n), "M2": t + rng.normal(size=n),
                       "Y": rng.binomial(1, 0.5, n)})
    g = CausalGraph.from_edges([("T", "M1"), ("T", "M2"), ("M1", "Y"), ("M2", "Y"), ("T", "Y")])
    with pytest.raises(EstimationError, match="one mediator at a time"):
        mediation_effects(df, g, "T", "Y", ["M1", "M2"])


def _binary_outcome_data(n, seed, binary_m):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(n, 2))
    t = rng.binomial(1, expit(0.5 * c[:, 0])).astype(float)
    m = 0.5 + 0.8 * t + 0.3 * c[:, 0] - 0.2 * c[:, 1] + rng.normal(size=n)
    if binary_m:
        m = (m > 0.8).astype(float)
    y = rng.binomial(1, p_y(t, m, c[:, 0] + 0.3 * c[:, 1])).astype(float)
    return t, m, c, y


@pytest.mark.parametrize("binary_m", [False, True])
def test_a_resample_as_counts_equals_the_resampled_rows(binary_m):
    # the bootstrap draws one resample as multinomial counts (Efron & Tibshirani 1993, §6.2):
    # weighting each row by its count must give what refitting on the copied rows gives
    from app.estimation.mediation import _formula_setup

    t, m, c, y = _binary_outcome_data(5000, 3, binary_m)
    args = (1.0, 0.0, binary_m, 0.0 if binary_m else float(m.mean()))
    effects = _formula_setup(t, m, c, y, *args)
    full = effects()
    rng = np.random.default_rng(4)
    for _ in range(3):
        idx = rng.integers(0, len(y), len(y))
        counts = np.bincount(idx, minlength=len(y))
        copied = _formula_setup(t[idx], m[idx], c[idx], y[idx], *args)()
        assert effects(counts) == pytest.approx(copied, abs=1e-8)
    assert effects() == pytest.approx(full, abs=1e-12)


def test_normal_expectation_matches_numerical_integration():
    # E[expit(a + s·Z)], Z ~ N(0, 1), by scipy's adaptive quadrature (an independent method),
    # across the scales where 16-node Gauss–Hermite (used before) was off by up to 7e-3
    from scipy import integrate, stats

    from app.estimation.mediation import _normal_logistic_mean

    rng = np.random.default_rng(0)
    for scale in (0.3, 1.0, 2.5, 5.0, 10.0):
        a = np.concatenate([rng.normal(0, 3, 3000), [-60.0, 60.0]])
        got = _normal_logistic_mean(a, scale)
        for i in rng.choice(len(a), 15, replace=False).tolist() + [len(a) - 2, len(a) - 1]:
            ai, si = a[i], scale
            want = integrate.quad(lambda z, ai=ai, si=si: expit(ai + si * z) * stats.norm.pdf(z),
                                  -12, 12, epsabs=1e-13, limit=200, points=[-ai / si])[0]
            assert got[i] == pytest.approx(want, abs=1e-7)


def test_proportion_mediated_interval_covers_the_known_share():
    # proportion mediated = NIE / total = a·b / (c' + a·b) = 1.2 / 1.7 (VanderWeele 2015 §2.4);
    # its interval is the percentile interval of the ratio over the same resamples
    r = mediation_effects(linear_scm(n=5000, seed=3), G, "T", "Y", ["M"], n_bootstrap=200, seed=1)
    lo, hi = r.share_ci
    assert lo < 1.2 / 1.7 < hi and hi - lo < 0.1
    assert r.share_ci_note == ""
    assert r.nie_ci[0] / r.total_ci[1] < lo and hi < r.nie_ci[1] / r.total_ci[0]   # not the naive ratio bounds


def test_no_share_interval_when_the_total_may_be_zero():
    # direct 1.2 against indirect 0.8 · (−1.5): the total effect is 0, its interval covers 0
    rng = np.random.default_rng(4)
    n = 2000
    c = rng.normal(size=n)
    t = 0.7 * c + rng.normal(size=n)
    m = 0.8 * t + 0.6 * c + rng.normal(size=n)
    y = 1.2 * t - 1.5 * m - 1.0 * c + rng.normal(size=n)
    r = mediation_effects(pd.DataFrame({"C": c, "T": t, "M": m, "Y": y}), G, "T", "Y", ["M"],
                          n_bootstrap=100)
    assert r.total_ci[0] < 0 < r.total_ci[1]
    assert r.share_ci is None and "includes 0" in r.share_ci_note
