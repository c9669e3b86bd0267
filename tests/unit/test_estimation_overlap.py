"""Overlap (positivity) diagnostics and the overlap options of estimate_effect, checked against
simulations whose true propensity scores are known (reference: the simulated ground truth;
overlap weights: Li, Morgan & Zaslavsky 2018, JASA 113:390, whose estimand is
Σ e(1−e) τ(x) / Σ e(1−e); Kish's effective sample size (Σw)²/Σw², Kish 1965)."""
import numpy as np
import pandas as pd
import pytest

import app
from app.errors import EstimationError
from app.estimation import estimate_effect, overlap_diagnostics
from app.estimation.estimators import ipw_sandwich_se
from app.estimation.logit import NewtonLogit
from app.estimation.overlap import auc, kish_ess
from app.graph import CausalGraph

CONF = CausalGraph.from_edges([("Z", "T"), ("Z", "Y"), ("T", "Y")],
                              roles={"T": ["exposure"], "Y": ["outcome"]})


def simulate(n, slope, seed=0):
    """T ~ Bernoulli(expit(slope·Z)); Y = (1 + Z)·T + Z + noise, so τ(z) = 1 + z."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    e = 1 / (1 + np.exp(-slope * z))
    t = rng.binomial(1, e)
    y = (1 + z) * t + z + rng.normal(size=n)
    return pd.DataFrame({"Z": z, "T": t, "Y": y}), e


def test_diagnostics_match_the_true_propensity_scores():
    df, e = simulate(40_000, 2.5)
    r = overlap_diagnostics(df, "T", ["Z"])
    true_outside = np.mean((e < 0.05) | (e > 0.95))
    assert r.share_outside == pytest.approx(true_outside, abs=0.01)
    assert np.corrcoef(r.scores, e)[0, 1] > 0.999
    t = df["T"].to_numpy()
    w = np.where(t == 1, 1 / e, 1 / (1 - e))
    assert r.ess == pytest.approx(kish_ess(w), rel=0.15)
    assert r.ess_by_group["treated"] == pytest.approx(kish_ess(w[t == 1]), rel=0.15)
    assert r.n_by_group == {"treated": int(t.sum()), "control": int(len(t) - t.sum())}
    assert not r.ok and "Weak overlap" in r.message and r.determining == ()
    assert r.problems and all(p in r.message for p in r.problems)


def test_good_overlap_is_ok_and_bounds_are_settable():
    df, e = simulate(5000, 0.5)
    r = overlap_diagnostics(df, "T", ["Z"])
    assert r.ok and r.share_outside == 0 and r.bounds == (0.05, 0.95)
    assert "overlap well" in r.message
    wide = overlap_diagnostics(df, "T", ["Z"], bounds=(0.45, 0.55))
    assert wide.share_outside == pytest.approx(np.mean((e < 0.45) | (e > 0.55)), abs=0.03)
    assert not wide.ok


def test_a_near_copy_of_the_treatment_is_named_as_determining_it():
    df, _ = simulate(3000, 0.5)
    rng = np.random.default_rng(1)
    df["C"] = np.where(rng.random(len(df)) < 0.02, 1 - df["T"], df["T"])
    r = overlap_diagnostics(df, "T", ["Z", "C"])
    assert r.determining == ("C",) and not r.ok and "instrument" in r.message


def test_nothing_to_adjust_for_is_ok():
    df, _ = simulate(500, 1.0)
    r = overlap_diagnostics(df, "T", [])
    n1, n0 = r.n_by_group["treated"], r.n_by_group["control"]
    # constant score p = n1/n: weights n/n1 and n/n0, so ESS = (2n)² / (n²/n1 + n²/n0)
    assert r.ok and r.share_outside == 0 and r.ess == pytest.approx(4 / (1 / n1 + 1 / n0))
    assert r.ess_by_group == {"treated": pytest.approx(n1), "control": pytest.approx(n0)}


def test_auc_against_a_hand_count():
    # pairs (treated score > control score): 1 vs 0 (3 > 1, 3 > 2) and 2 half (2 = 2): 2.5 of 4
    assert auc(np.array([3.0, 2.0, 1.0, 2.0]), np.array([1, 1, 0, 0])) == pytest.approx(0.625 + 0.25)


@pytest.mark.parametrize("bounds", [(0.9, 0.1), (-0.1, 0.5), ("a", "b")])
def test_bad_bounds_are_refused(bounds):
    df, _ = simulate(200, 1.0)
    with pytest.raises(EstimationError, match="bounds"):
        overlap_diagnostics(df, "T", ["Z"], bounds=bounds)


def test_continuous_treatment_is_refused_with_a_reason():
    df, _ = simulate(200, 1.0)
    with pytest.raises(EstimationError, match="two values"):
        overlap_diagnostics(df.assign(T=df["Z"] * 3 + 1), "T", ["Z"])


def test_public_api_exposes_it():
    assert app.overlap_diagnostics is overlap_diagnostics


def test_estimators_that_rely_on_overlap_warn_when_it_fails():
    df, _ = simulate(3000, 4.0)
    for method in ("ps_weighting", "ps_stratification"):
        est = estimate_effect(df, CONF, method=method, n_bootstrap=20)
        assert est.overlap is not None and not est.overlap.ok
        assert any("Weak overlap" in w for w in est.warnings)
    lin = estimate_effect(df, CONF, method="linear_regression")     # extrapolates instead
    assert lin.overlap is None and not any("Weak overlap" in w for w in lin.warnings)
    fine = estimate_effect(simulate(3000, 0.5)[0], CONF, method="ps_weighting")
    assert fine.overlap.ok and fine.warnings == ()


def test_overlap_weights_estimate_the_overlap_population_effect():
    df, e = simulate(20_000, 2.0, seed=3)
    z = df["Z"].to_numpy()
    truth_ato = np.sum(e * (1 - e) * (1 + z)) / np.sum(e * (1 - e))
    est = estimate_effect(df, CONF, method="ps_weighting", overlap="weights")
    assert est.ci_low < truth_ato < est.ci_high
    assert abs(est.value - truth_ato) < 0.05
    assert "overlap population" in " ".join(est.notes)


def test_overlap_weights_sandwich_matches_the_monte_carlo_spread():
    values, ses = [], []
    for seed in range(200):
        df, _ = simulate(1500, 1.5, seed=100 + seed)
        x, t, y = df[["Z"]].to_numpy(), df["T"].to_numpy(float), df["Y"].to_numpy()
        p = NewtonLogit().fit(x, t).predict_proba(x)[:, 1]
        w1, w0 = t * (1 - p), (1 - t) * p
        values.append(np.sum(w1 * y) / w1.sum() - np.sum(w0 * y) / w0.sum())
        ses.append(ipw_sandwich_se(NewtonLogit._design(x), t, y, p, scheme="overlap"))
    assert np.mean(ses) == pytest.approx(np.std(values, ddof=1), rel=0.15)


def test_trimming_drops_the_units_outside_the_bounds():
    df, _ = simulate(4000, 3.0)
    diag = overlap_diagnostics(df, "T", ["Z"], bounds=(0.1, 0.9))
    est = estimate_effect(df, CONF, method="ps_weighting", overlap="trim", overlap_bounds=(0.1, 0.9))
    dropped = int(round(diag.share_outside * diag.n))
    assert est.n_rows == len(df) - dropped
    assert any(f"Trimmed: {dropped} of {len(df)}" in n for n in est.notes)
    assert not any("Weak overlap" in w for w in est.warnings)


def test_overlap_options_that_do_not_apply_are_refused():
    df, _ = simulate(500, 1.0)
    with pytest.raises(EstimationError, match="Unknown overlap option"):
        estimate_effect(df, CONF, method="ps_weighting", overlap="magic")
    with pytest.raises(EstimationError, match="form of propensity-score weighting"):
        estimate_effect(df, CONF, method="linear_regression", overlap="weights")
    with pytest.raises(EstimationError, match="two values"):
        estimate_effect(df.assign(T=df["Z"] + df["Y"]), CONF, method="linear_regression",
                        overlap="trim")
