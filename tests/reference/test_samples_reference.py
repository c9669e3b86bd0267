"""The sample data against their published sources and the known data-generating models."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import app


def test_kidney_stone_counts_are_exactly_charig_1986():
    # Charig CR et al. (1986) BMJ 292:879-882, Table II (as tabulated by Julious & Mullee 1994,
    # BMJ 309:1480): open surgery (A) small 81/87, large 192/263; PCNL (B) small 234/270,
    # large 55/80.
    df = app.load_sample("kidney_stones").data
    counts = df.groupby(["treatment", "stone_size"])["recovery"].agg(["sum", "count"])
    assert counts.loc[("A", "small")].tolist() == [81, 87]
    assert counts.loc[("A", "large")].tolist() == [192, 263]
    assert counts.loc[("B", "small")].tolist() == [234, 270]
    assert counts.loc[("B", "large")].tolist() == [55, 80]
    # Simpson's paradox: overall 273/350 (78%) for A against 289/350 (83%) for B
    overall = df.groupby("treatment")["recovery"].agg(["sum", "count"])
    assert overall.loc["A"].tolist() == [273, 350] and overall.loc["B"].tolist() == [289, 350]


def _exact_marginals(name: str) -> dict[str, dict[str, float]]:
    """P(X = state) for every node, by exact inference (pgmpy variable elimination) on the BIF."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.inference import VariableElimination

        model = app.io.read_bif_model(app.load_sample(name).bif_path.read_text())
        ve = VariableElimination(model)
        out = {}
        for node in model.nodes():
            factor = ve.query([node], show_progress=False)
            out[node] = dict(zip(factor.state_names[node], factor.values))
        return out


@pytest.mark.parametrize("name", ["asia", "sachs"])
def test_sampled_frequencies_match_the_bif_marginals(name):
    # Reference: exact marginals of the shipped BIF (pgmpy VariableElimination). With n = 5,000
    # independent rows each frequency is within 4 standard errors of its probability.
    df = app.load_sample(name).data
    n = len(df)
    for node, dist in _exact_marginals(name).items():
        freq = df[node].value_counts(normalize=True)
        for state, p in dist.items():
            se = math.sqrt(max(p * (1 - p), 1e-4) / n)
            assert abs(freq.get(state, 0.0) - p) < 4 * se + 1e-3, (node, state, freq.get(state), p)


def test_asia_smoking_marginal_is_one_half():
    # Lauritzen & Spiegelhalter (1988): P(smoke = yes) = 0.5 in the Asia network.
    df = app.load_sample("asia").data
    assert (df["smoke"] == "yes").mean() == pytest.approx(0.5, abs=4 * math.sqrt(0.25 / 5000))


def test_front_door_recovers_the_simulated_truth():
    # Truth from the simulation model in the sample README (worked by hand):
    # E_U P(cancer | tar, U) = 0.05 + 0.15 tar + 0.3, so P(cancer | do(s)) = 0.35 + 0.15 P(tar | s)
    # = 0.4925 for s = 1 and 0.3575 for s = 0.
    truth = {1: 0.35 + 0.15 * 0.95, 0: 0.35 + 0.15 * 0.05}
    assert truth == pytest.approx({1: 0.4925, 0: 0.3575})
    df = app.load_sample("smoking_tar_cancer").data
    p_s = df["smoking"].value_counts(normalize=True)
    p_t_given_s = df.groupby("smoking")["tar"].mean()
    p_c_given_ts = df.groupby(["tar", "smoking"])["cancer"].mean()

    def front_door(s: int) -> float:
        total = 0.0
        for t in (0, 1):
            p_t = p_t_given_s[s] if t else 1 - p_t_given_s[s]
            total += p_t * sum(p_c_given_ts[(t, x)] * p_s[x] for x in (0, 1))
        return total

    for s in (0, 1):
        assert front_door(s) == pytest.approx(truth[s], abs=0.03)
    naive = df.groupby("smoking")["cancer"].mean()
    assert naive[1] - naive[0] > 2.5 * (truth[1] - truth[0])   # confounding is visible


def test_collider_selection_creates_a_negative_association():
    # Truth: talent and study are independent N(0, 1) (README); selecting admitted = 1 on a
    # collider induces a clearly negative correlation.
    df = app.load_sample("collider_selection").data
    n = len(df)
    assert abs(df["talent"].corr(df["study"])) < 4 / math.sqrt(n)
    admitted = df[df["admitted"] == 1]
    assert admitted["talent"].corr(admitted["study"]) < -0.4
    assert 0.15 < df["admitted"].mean() < 0.35


def _ols(y: pd.Series, *xs: pd.Series) -> np.ndarray:
    design = np.column_stack([np.ones(len(y)), *xs])
    return np.linalg.lstsq(design, y.to_numpy(), rcond=None)[0]


def test_m_bias_unadjusted_is_unbiased_and_adjusting_for_m_is_biased():
    # Truth (README, worked by hand for the linear model): effect 1.0; regressing on X and M
    # converges to 1 - (1.5 * 2.25) / (2 * 5.5 - 2.25) = 0.6143. Standard errors here are
    # about 0.02, so 0.06 is a 3-SE tolerance.
    df = app.load_sample("m_bias").data
    assert _ols(df["Y"], df["X"])[1] == pytest.approx(1.0, abs=0.06)
    assert _ols(df["Y"], df["X"], df["M"])[1] == pytest.approx(1 - 3.375 / 8.75, abs=0.06)


def test_lalonde_experimental_difference_is_dehejia_wahba_1794():
    # Dehejia & Wahba (1999) JASA 94:1053, Table 3, NSW experimental estimate: $1,794.
    df = app.load_sample("lalonde_nsw").data
    means = df.groupby("treat")["re78"].mean()
    assert round(means[1] - means[0]) == 1794
    assert df["treat"].value_counts().to_dict() == {0: 260, 1: 185}


def test_nhefs_ip_weighted_effect_is_hernan_robins_3_4_kg():
    # Hernán & Robins, Causal Inference: What If, Program 12.2 / section 12.2: stabilised
    # IP weighting with their propensity model gives 3.4 kg (95% CI 2.4 to 4.5) on these
    # 1,566 complete cases; the unadjusted difference is 2.5 kg (section 12.1).
    import statsmodels.formula.api as smf

    df = app.load_sample("nhefs").data
    naive = df.groupby("qsmk")["wt82_71"].mean()
    assert round(naive[1] - naive[0], 1) == 2.5
    ps_formula = ("qsmk ~ C(sex) + C(race) + age + I(age**2) + C(education) + smokeintensity"
                  " + I(smokeintensity**2) + smokeyrs + I(smokeyrs**2) + C(exercise)"
                  " + C(active) + wt71 + I(wt71**2)")
    ps = smf.logit(ps_formula, df).fit(disp=0).predict(df)
    p1 = df["qsmk"].mean()
    w = np.where(df["qsmk"] == 1, p1 / ps, (1 - p1) / (1 - ps))
    est = smf.wls("wt82_71 ~ qsmk", df, weights=w).fit().params["qsmk"]
    assert round(est, 1) == 3.4


def test_card_sample_size_and_first_stage():
    # Card (1995): 3,010 men from the NLS Young Men cohort; growing up near a four-year college
    # raises schooling (positive first stage).
    df = app.load_sample("college_proximity").data
    assert len(df) == 3010
    means = df.groupby("nearc4")["educ"].mean()
    assert means[1] - means[0] > 0.5
