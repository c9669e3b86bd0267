"""Overlap options of estimate_effect against independent computations on a simulation with
known propensity scores.

References: overlap weights, Li, Morgan & Zaslavsky (2018), JASA 113:390–400, eq. (4) and §3:
weights 1 − e (treated) and e (untreated); the weighted difference estimates the ATO,
Σ e(1−e) τ(x) / Σ e(1−e). Trimming: Crump, Hotz, Imbens & Mitnik (2009), Biometrika 96:187,
estimate on the units with e in [lo, hi]. Kish's effective sample size (Σw)²/Σw² (Kish 1965).
The propensity score of the reference side is statsmodels' Logit, not our Newton fit.
"""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from app.estimation import estimate_effect
from app.graph import CausalGraph

CONF = CausalGraph.from_edges([("Z", "T"), ("Z", "Y"), ("T", "Y")],
                              roles={"T": ["exposure"], "Y": ["outcome"]})


def simulate(n, slope, seed=0, shift=0.0):
    """T ~ Bernoulli(expit(shift + slope·Z)), Y = (1 + Z)·T + Z + noise: τ(z) = 1 + z, e known."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    e = 1 / (1 + np.exp(-(shift + slope * z)))
    t = rng.binomial(1, e)
    y = (1 + z) * t + z + rng.normal(size=n)
    return pd.DataFrame({"Z": z, "T": t, "Y": y}), e


def logit_scores(df):
    x = sm.add_constant(df[["Z"]].to_numpy())
    return sm.Logit(df["T"].to_numpy(), x).fit(disp=0, tol=1e-12, maxiter=200).predict(x)


def kish(w):
    return w.sum() ** 2 / (w ** 2).sum()


def test_overlap_weights_equal_the_direct_weighted_difference_and_target_the_ato():
    df, e_true = simulate(20_000, 2.0, seed=5, shift=1.5)   # e(1−e) peaks at Z = −0.75
    est = estimate_effect(df, CONF, method="ps_weighting", overlap="weights")
    p = logit_scores(df)
    t, y = df["T"].to_numpy(), df["Y"].to_numpy()
    w1, w0 = t * (1 - p), (1 - t) * p
    direct = np.sum(w1 * y) / w1.sum() - np.sum(w0 * y) / w0.sum()
    assert est.value == pytest.approx(direct, abs=1e-6)
    ato = np.sum(e_true * (1 - e_true) * (1 + df["Z"])) / np.sum(e_true * (1 - e_true))
    ate = np.mean(1 + df["Z"])
    assert est.ci_low < ato < est.ci_high
    assert abs(ato - ate) > 3 * (est.ci_high - est.ci_low) / 3.92   # the two targets differ here
    c = est.overlap.choice
    assert c.option == "weights" and c.n_dropped == 0 and c.n_used == len(df)
    assert c.ess_by_group["treated"] == pytest.approx(kish(w1[t == 1]), rel=1e-6)
    assert c.ess_by_group["control"] == pytest.approx(kish(w0[t == 0]), rel=1e-6)
    assert c.ess == pytest.approx(kish(w1 + w0), rel=1e-6)
    assert c.ess > est.overlap.ess          # bounded weights: worth more units than 1/e weights


@pytest.mark.parametrize("method", ["ps_weighting", "ps_stratification"])
def test_trimming_equals_the_estimator_on_the_trimmed_data(method):
    df, _ = simulate(5000, 3.0, seed=2)
    lo, hi = 0.1, 0.9
    p = logit_scores(df)
    keep = (p >= lo) & (p <= hi)
    assert 0.15 < 1 - keep.mean() < 0.6                 # the bounds bite
    trimmed = estimate_effect(df, CONF, method=method, overlap="trim", overlap_bounds=(lo, hi),
                              n_bootstrap=30)
    direct = estimate_effect(df[keep].reset_index(drop=True), CONF, method=method, n_bootstrap=30)
    assert trimmed.value == pytest.approx(direct.value, abs=1e-9)
    assert (trimmed.ci_low, trimmed.ci_high) == pytest.approx((direct.ci_low, direct.ci_high), abs=1e-9)
    assert trimmed.n_rows == int(keep.sum())
    c = trimmed.overlap.choice
    assert (c.option, c.n_used, c.n_dropped) == ("trim", int(keep.sum()), int((~keep).sum()))
    q = logit_scores(df[keep].reset_index(drop=True))
    t = df["T"].to_numpy()[keep]
    w = np.where(t == 1, 1 / q, 1 / (1 - q))
    assert c.ess == pytest.approx(kish(w), rel=1e-6)
    assert f"{int((~keep).sum()):,} of {len(df):,} units" in c.sentence
