"""Conditional instrumental variables, weak-instrument and over-identification diagnostics.

References:
- Card D (1995), "Using geographic variation in college proximity to estimate the return to
  schooling" (the data in sample_data/college_proximity). Cunningham S (2021), *Causal
  Inference: The Mixtape*, ch. 7 "Instrumental Variables", runs the same 2SLS (lwage on educ,
  instrument nearc4, controls exper, black, south, married, smsa) and reports 0.124 with a
  first-stage F of 15.767. Our number is checked against statsmodels' IV2SLS to 1e-8.
- HC1 2SLS covariance: Wooldridge (2010), *Econometric Analysis of Cross Section and Panel
  Data*, 2nd ed., §5.2.4 (robust variance of the 2SLS estimator), with the n/(n−k) scaling,
  computed here from statsmodels' IV2SLS residuals.
- Anderson & Rubin (1949): the AR set is every b whose regression of y − b·x on instruments and
  controls has an insignificant instrument F-test; checked by inverting statsmodels OLS F-tests
  on a grid.
- Sargan (1958) / Wooldridge (2010) §6.3.3: n·R² of the 2SLS residuals on all exogenous
  variables, χ²(#instruments − 1).
- Hansen (1982) J: Hayashi (2000), *Econometrics*, §3.6 (Proposition 3.6) and Wooldridge (2010)
  §8.5.2: Ŝ = (1/n) Σ û_i² z_i z_i' from the 2SLS residuals, the two-step efficient GMM
  estimate β̂ = (S_xz' Ŝ⁻¹ S_xz)⁻¹ S_xz' Ŝ⁻¹ s_zy, and J = n·g(β̂)' Ŝ⁻¹ g(β̂), written out
  here in plain numpy on the uncentred design (ours partials out the intercept).
"""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.sandbox.regression.gmm import IV2SLS

import app
from app.errors import EstimationError
from app.estimation import estimate_effect, identify_estimand
from app.estimation.estimators import iv_fit
from app.estimation.pipeline import _iv_controls
from app.graph import CausalGraph

CARD_CONTROLS = ["black", "exper", "married", "smsa", "south"]


@pytest.fixture(scope="module")
def card():
    s = app.load_sample("college_proximity")
    g = s.graph
    for a in ("south", "smsa", "black"):     # the realistic graph of issue 19
        g = g.add_edge(a, "nearc4")
    return s.data, g


def statsmodels_2sls(d: pd.DataFrame, y: str, x: str, z: list[str], w: list[str]):
    exog = sm.add_constant(d[[x, *w]].astype(float))
    inst = sm.add_constant(d[[*z, *w]].astype(float))
    return IV2SLS(d[y].to_numpy(float), exog, inst).fit(), exog.to_numpy(), inst.to_numpy()


def hc1_se(res, exog, inst, y) -> float:
    n, k = exog.shape
    xhat = inst @ np.linalg.solve(inst.T @ inst, inst.T @ exog)
    u = y - exog @ np.asarray(res.params)
    bread = np.linalg.inv(xhat.T @ xhat)
    v = bread @ (xhat.T * u ** 2) @ xhat @ bread * n / (n - k)
    return float(np.sqrt(v[1, 1]))


def test_card_conditional_instrument_is_identified_and_matches_statsmodels(card):
    df, g = card
    assert [str(i) for i in app.instruments(g, "educ", "lwage")] == \
        ["nearc4 (given black, smsa, south)"]
    est = estimate_effect(df, g, "educ", "lwage", method="iv")
    assert "given {black, smsa, south}" in est.estimand_text
    assert r"\mid" in est.estimand_latex
    d = df.dropna()
    res, exog, inst = statsmodels_2sls(d, "lwage", "educ", ["nearc4"], CARD_CONTROLS)
    print(f"Card 2SLS: ours {est.value:.10f}, statsmodels {res.params['educ']:.10f}, "
          f"first-stage F {est.iv.first_stage_f:.3f}, HC1 se {est.se:.5f}")
    assert est.value == pytest.approx(res.params["educ"], abs=1e-8)
    assert est.value == pytest.approx(0.124, abs=5e-4)                # Mixtape, ch. 7
    assert est.iv.first_stage_f == pytest.approx(15.767, abs=1e-3)    # Mixtape, ch. 7
    assert est.se == pytest.approx(hc1_se(res, exog, inst, d["lwage"].to_numpy(float)), rel=1e-8)
    assert est.iv.sargan is None and not est.iv.weak


def test_card_with_only_the_conditioning_set_as_controls_matches_statsmodels(card):
    df, _ = card
    d = df.dropna(subset=["lwage", "educ", "nearc4", "black", "smsa", "south"])
    w = ["black", "smsa", "south"]
    fit = iv_fit(d["lwage"].to_numpy(float), d["educ"].to_numpy(float),
                 d[["nearc4"]].to_numpy(float), d[w].to_numpy(float))
    res, exog, inst = statsmodels_2sls(d, "lwage", "educ", ["nearc4"], w)
    assert fit.beta == pytest.approx(res.params["educ"], abs=1e-8)
    assert fit.se == pytest.approx(hc1_se(res, exog, inst, d["lwage"].to_numpy(float)), rel=1e-8)


def ar_by_grid(d, y, x, z, w, grid):
    """The AR set by brute force: statsmodels OLS F-test of the instruments at each b."""
    keep = []
    for b in grid:
        exog = sm.add_constant(d[[*z, *w]].astype(float))
        fit = sm.OLS(d[y].to_numpy(float) - b * d[x].to_numpy(float), exog).fit()
        r = np.zeros((len(z), exog.shape[1]))
        for i in range(len(z)):
            r[i, 1 + i] = 1
        keep.append(float(fit.f_test(r).pvalue) > 0.05)
    return np.asarray(keep)


def test_anderson_rubin_interval_matches_grid_inversion_on_card(card):
    df, _ = card
    d = df.dropna()
    fit = iv_fit(d["lwage"].to_numpy(float), d["educ"].to_numpy(float),
                 d[["nearc4"]].to_numpy(float), d[CARD_CONTROLS].to_numpy(float))
    assert fit.ar_kind == "bounded"
    lo, hi = fit.ar_ci
    grid = np.linspace(lo - 0.05, hi + 0.05, 201)
    inside = ar_by_grid(d, "lwage", "educ", ["nearc4"], CARD_CONTROLS, grid)
    step = grid[1] - grid[0]
    assert grid[inside].min() == pytest.approx(lo, abs=step)
    assert grid[inside].max() == pytest.approx(hi, abs=step)


def weak_iv_data(n=2000, strength=0.04, seed=5, direct=0.0, n_inst=1):
    rng = np.random.default_rng(seed)
    u = rng.normal(size=n)
    zs = rng.normal(size=(n, n_inst))
    w = rng.normal(size=n)
    x = strength * zs.sum(1) + 0.5 * w + u + rng.normal(size=n)
    y = 1.0 * x + direct * zs[:, -1] + 0.3 * w + 2 * u + rng.normal(size=n)
    d = pd.DataFrame({"Y": y, "X": x, "W": w})
    for i in range(n_inst):
        d[f"Z{i}"] = zs[:, i]
    return d


def test_weak_instrument_warns_beside_the_number_with_an_anderson_rubin_set():
    d = weak_iv_data()
    g = CausalGraph.from_edges([("Z0", "X"), ("X", "Y"), ("W", "X"), ("W", "Y")],
                               bidirected=[("X", "Y")])
    est = estimate_effect(d, g, "X", "Y", method="iv")
    assert est.iv.weak and est.iv.first_stage_f < 10
    warning = next(w for w in est.warnings if w.startswith("Weak instrument"))
    assert "Anderson–Rubin" in warning
    grid = np.linspace(-20, 20, 161)
    inside = ar_by_grid(d, "Y", "X", ["Z0"], ["W"], grid)
    fit = est.iv
    if fit.ar_kind == "two rays":
        lo, hi = fit.ar_ci
        assert not inside[(grid > lo + 0.3) & (grid < hi - 0.3)].any()
        assert inside[(grid < lo - 0.3) | (grid > hi + 0.3)].all()
    elif fit.ar_kind == "everything":
        assert inside.all()
    else:
        lo, hi = fit.ar_ci
        assert inside[(grid > lo + 0.3) & (grid < hi - 0.3)].all()


def test_sargan_statistic_matches_the_textbook_regression():
    d = weak_iv_data(strength=0.5, n_inst=3, direct=0.0)
    z = ["Z0", "Z1", "Z2"]
    fit = iv_fit(d["Y"].to_numpy(float), d["X"].to_numpy(float), d[z].to_numpy(float),
                 d[["W"]].to_numpy(float))
    res, exog, inst = statsmodels_2sls(d, "Y", "X", z, ["W"])
    u = d["Y"].to_numpy(float) - exog @ np.asarray(res.params)
    n_r2 = len(d) * sm.OLS(u, inst).fit().rsquared
    assert fit.sargan == pytest.approx(n_r2, rel=1e-8) and fit.sargan_df == 2
    assert fit.sargan_p > 0.01                                 # valid instruments here


def test_sargan_flags_an_instrument_with_a_direct_effect():
    d = weak_iv_data(strength=0.5, n_inst=2, direct=0.5)
    g = CausalGraph.from_edges([("Z0", "X"), ("Z1", "X"), ("X", "Y"), ("W", "X"), ("W", "Y")],
                               bidirected=[("X", "Y")])
    est = estimate_effect(d, g, "X", "Y", method="iv")
    assert est.instruments == ("Z0", "Z1")
    assert est.iv.sargan_p < 0.001 and est.iv.hansen_p < 0.001
    assert any("instruments disagree" in w and "Hansen J" in w for w in est.warnings)


def test_extra_controls_that_would_open_a_path_from_the_instrument_are_left_out():
    # Z ↔ P ↔ Y with P → X: P is a collider between Z and Y; controlling for it breaks Z
    g = CausalGraph.from_edges([("Z", "X"), ("X", "Y"), ("P", "X")],
                               bidirected=[("X", "Y"), ("Z", "P"), ("P", "Y")])
    est = identify_estimand(g, "X", "Y", ["Z", "X", "Y", "P"])
    assert est.instruments == ("Z",)
    assert _iv_controls(g, est, {"Z", "X", "Y", "P"}) == ()


def test_conditional_instrument_refused_when_its_conditioning_set_is_unmeasured(card):
    df, g = card
    with pytest.raises(EstimationError, match="cannot be identified"):
        estimate_effect(df.drop(columns="south"), g, "educ", "lwage", method="iv")


def textbook_hansen_j(d, y, x, z, w) -> float:
    res, exog, inst = statsmodels_2sls(d, y, x, z, w)
    yv = d[y].to_numpy(float)
    n = len(yv)
    u = yv - exog @ np.asarray(res.params)
    s_hat = (inst.T * u ** 2) @ inst / n
    s_xz, s_zy = inst.T @ exog / n, inst.T @ yv / n
    wm = np.linalg.inv(s_hat)
    b = np.linalg.solve(s_xz.T @ wm @ s_xz, s_xz.T @ wm @ s_zy)
    g = s_zy - s_xz @ b
    return float(n * g @ wm @ g)


@pytest.mark.parametrize("direct", [0.0, 0.5])
def test_hansen_j_matches_the_textbook_formula(direct):
    d = weak_iv_data(strength=0.5, n_inst=3, direct=direct)
    z = ["Z0", "Z1", "Z2"]
    fit = iv_fit(d["Y"].to_numpy(float), d["X"].to_numpy(float), d[z].to_numpy(float),
                 d[["W"]].to_numpy(float))
    assert fit.hansen_j == pytest.approx(textbook_hansen_j(d, "Y", "X", z, ["W"]), rel=1e-7)
    assert (fit.hansen_p > 0.01) if direct == 0 else (fit.hansen_p < 0.001)


def test_hansen_j_keeps_its_size_under_heteroskedasticity_where_sargan_does_not():
    # valid instruments, error variance growing with Z0: Sargan's homoskedastic statistic
    # over-rejects, Hansen's J rejects about 5% of the time (Hayashi 2000 §3.6 vs §3.8)
    rng = np.random.default_rng(0)
    sargan, hansen = [], []
    for _ in range(400):
        n = 500
        z, w, v = rng.normal(size=(n, 2)), rng.normal(size=n), rng.normal(size=n)
        x = z @ [1.0, 1.0] + 0.5 * w + v
        y = x + 0.3 * w + (0.3 * v + rng.normal(size=n)) * np.exp(z[:, 0])
        fit = iv_fit(y, x, z, w[:, None])
        sargan.append(fit.sargan_p < 0.05)
        hansen.append(fit.hansen_p < 0.05)
    assert np.mean(sargan) > 0.12
    assert 0.02 <= np.mean(hansen) <= 0.09


def test_one_instrument_has_no_over_identification_test(card):
    df, g = card
    est = estimate_effect(df, g, "educ", "lwage", method="iv")
    assert est.iv.hansen_j is None and est.iv.sargan is None
