"""Textbook numbers: kidney stones (back-door), smoking–tar–cancer (front-door), and the linear
unit counterfactual of Pearl, Glymour & Jewell's Primer (2016), §4.2.3–4.2.4.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.graph import CausalGraph
from app.models import (
    LinearSCM,
    causal_effect,
    counterfactual,
    do_query,
    fit_model,
    model_from_scm,
    observe_query,
    unit_counterfactuals,
)

# Charig et al. (1986), BMJ 292:879 — recoveries / patients by treatment and stone size.
CHARIG = [("A", "small", 81, 87), ("A", "large", 192, 263),
          ("B", "small", 234, 270), ("B", "large", 55, 80)]


@pytest.fixture(scope="module")
def kidney():
    rows = []
    for t, s, r, n in CHARIG:
        rows += [(t, s, 1)] * r + [(t, s, 0)] * (n - r)
    df = pd.DataFrame(rows, columns=["treatment", "stone_size", "recovery"])
    g = CausalGraph.from_edges([("stone_size", "treatment"), ("stone_size", "recovery"),
                                ("treatment", "recovery")])
    return fit_model(g, df)


def test_kidney_stones_backdoor_reverses_the_naive_comparison(kidney):
    # Back-door by hand, P(small) = 357/700, P(large) = 343/700:
    # P(rec | do(A)) = 357/700 * 81/87 + 343/700 * 192/263 = 0.83255 (Pearl, Glymour & Jewell
    # 2016, Primer §3.2 quote 0.832); P(rec | do(B)) = 357/700 * 234/270 + 343/700 * 55/80 = 0.77888.
    do_a = do_query(kidney, "recovery", {"treatment": "A"}).probability("recovery", 1)
    do_b = do_query(kidney, "recovery", {"treatment": "B"}).probability("recovery", 1)
    assert do_a == pytest.approx(357 / 700 * 81 / 87 + 343 / 700 * 192 / 263, abs=1e-12)
    assert do_b == pytest.approx(357 / 700 * 234 / 270 + 343 / 700 * 55 / 80, abs=1e-12)
    assert round(do_a, 4) == 0.8325 and round(do_b, 4) == 0.7789
    # Naive: A 273/350 = 0.78, B 289/350 = 0.826 — B looks better until stone size is adjusted.
    see_a = observe_query(kidney, "recovery", {"treatment": "A"}).probability("recovery", 1)
    see_b = observe_query(kidney, "recovery", {"treatment": "B"}).probability("recovery", 1)
    assert see_a == pytest.approx(273 / 350) and see_b == pytest.approx(289 / 350)
    assert see_a < see_b and do_a > do_b


def test_kidney_stones_effect_sentence_names_the_reversal(kidney):
    effect = causal_effect(kidney, "recovery", "treatment", "A", "B")
    assert effect.effect == pytest.approx(0.83255 - 0.77888, abs=1e-4)
    assert effect.association == pytest.approx(273 / 350 - 289 / 350)
    assert "opposite" in effect.sentence()


def test_kidney_stones_sample_gives_the_same_numbers():
    from app.samples import load_sample

    sample = load_sample("kidney_stones")
    model = fit_model(sample.graph, sample.data)
    assert do_query(model, "recovery", {"treatment": "A"}).probability("recovery", 1) == \
        pytest.approx(0.832547, abs=1e-6)


# ---- front-door ---------------------------------------------------------------------------------
# An explicit latent U confounds smoking and cancer; tar mediates everything (front-door graph,
# Pearl 2009 Causality §3.3.2). The mutilated model with U is the truth; the front-door formula
# P(c | do(s)) = Σ_t P(t | s) Σ_s' P(c | t, s') P(s') uses only the observable joint.
P_U = np.array([0.6, 0.4])                                  # P(U = 0, 1)
P_S_U = np.array([[0.8, 0.3], [0.2, 0.7]])                  # P(smoking | U), columns U
P_T_S = np.array([[0.9, 0.15], [0.1, 0.85]])                # P(tar | smoking)
P_C_TU = np.array([[0.95, 0.7, 0.6, 0.3], [0.05, 0.3, 0.4, 0.7]])   # P(cancer | tar, U), U fastest


@pytest.fixture(scope="module")
def front_door_model():
    g = CausalGraph.from_edges([("U", "smoking"), ("U", "cancer"), ("smoking", "tar"),
                                ("tar", "cancer")], roles={"U": {"latent"}})
    cancer = pd.DataFrame({"tar": [0, 0, 1, 1], "U": [0, 1, 0, 1],
                           "P(cancer=0)": P_C_TU[0], "P(cancer=1)": P_C_TU[1]})
    tables = {"U": P_U[:, None], "smoking": P_S_U, "tar": P_T_S, "cancer": cancer}
    states = {v: [0, 1] for v in tables}
    return fit_model(g, cpts=tables, states=states)


def _observable_joint() -> np.ndarray:
    """P(s, t, c) summing out U by hand: Σ_u P(u) P(s|u) P(t|s) P(c|t,u)."""
    joint = np.zeros((2, 2, 2))
    for u in range(2):
        for s in range(2):
            for t in range(2):
                for c in range(2):
                    joint[s, t, c] += (P_U[u] * P_S_U[s, u] * P_T_S[t, s]
                                       * P_C_TU[c, t * 2 + u])
    return joint


def front_door(joint: np.ndarray, s: int) -> np.ndarray:
    p_s = joint.sum(axis=(1, 2))
    p_t_given_s = joint.sum(axis=2) / p_s[:, None]
    p_c_given_st = joint / joint.sum(axis=2, keepdims=True)
    return sum(p_t_given_s[s, t] * sum(p_c_given_st[s2, t] * p_s[s2] for s2 in range(2))
               for t in range(2))


def test_front_door_formula_on_observables_equals_the_do_query(front_door_model):
    joint = _observable_joint()
    for s in (0, 1):
        truth = do_query(front_door_model, "cancer", {"smoking": s}).distribution.to_numpy()
        np.testing.assert_allclose(truth, front_door(joint, s), atol=1e-12)
    # Worked by hand with the tables above: Σ_s' P(c=1 | t, s') P(s') = Σ_u P(c=1 | t, u) P(u)
    # = 0.15 (t=0), 0.52 (t=1); so P(cancer=1 | do(smoking=1)) = 0.15·0.15 + 0.85·0.52 = 0.4645
    # and P(cancer=1 | do(smoking=0)) = 0.9·0.15 + 0.1·0.52 = 0.187, while the confounded
    # P(cancer=1 | smoking=1) = 0.15·0.225 + 0.85·0.61 = 0.55225 (P(U=1 | smoking=1) = 0.7).
    assert front_door(joint, 1)[1] == pytest.approx(0.4645, abs=1e-12)
    assert front_door(joint, 0)[1] == pytest.approx(0.187, abs=1e-12)
    seen = observe_query(front_door_model, "cancer", {"smoking": 1}).probability("cancer", 1)
    assert seen == pytest.approx(0.55225, abs=1e-12)


# ---- linear SCM: Primer §4.2.3–4.2.4 -------------------------------------------------------------
# Encouragement design: X = U_X, H = a X + U_H, Y = b X + c H + U_Y with a = 0.5, b = 0.7, c = 0.4.
# Joe: X = 0.5, H = 1, Y = 1.5. Abduction: U_X = 0.5, U_H = 1 − 0.25 = 0.75,
# U_Y = 1.5 − 0.35 − 0.4 = 0.75. Had Joe doubled his homework (H = 2):
# Y_{H=2} = 0.7·0.5 + 0.4·2 + 0.75 = 1.90 (the book's answer).
@pytest.fixture(scope="module")
def primer():
    scm = LinearSCM.from_equations({"X": [], "H": ["X"], "Y": ["X", "H"]},
                                   {"X": {}, "H": {"X": 0.5}, "Y": {"X": 0.7, "H": 0.4}})
    return model_from_scm(scm)


def test_primer_unit_counterfactual_is_1_90(primer):
    result = counterfactual(primer, "Y", factual={"X": 0.5, "H": 1, "Y": 1.5}, do={"H": 2})
    assert result.means["Y"] == pytest.approx(1.90, abs=1e-12)
    assert result.stds["Y"] == pytest.approx(0.0, abs=1e-7)
    assert "U_H = 1 − 0.25 = 0.75" in result.steps[0]
    assert "U_Y = 1.5 − 0.75 = 0.75" in result.steps[0]


def test_primer_counterfactual_with_homework_unobserved(primer):
    # Only X = 0.5 and Y = 1.5 seen (unit noise variances): 0.4·U_H + U_Y = 1.5 − 0.9·0.5 = 1.05,
    # so E[U_Y | ·] = 1.05 / (0.16 + 1) = 0.905172 and Var = 1 − 1/1.16 (worked by hand);
    # Y_{H=2} = 0.35 + 0.8 + 0.905172 = 2.055172.
    result = counterfactual(primer, "Y", factual={"X": 0.5, "Y": 1.5}, do={"H": 2})
    assert result.means["Y"] == pytest.approx(2.055172, abs=1e-6)
    assert result.stds["Y"] == pytest.approx(np.sqrt(1 - 1 / 1.16), abs=1e-9)


def test_vectorised_unit_counterfactuals_replay_the_simulated_noise(primer):
    rng = np.random.default_rng(0)
    u = rng.normal(size=(1000, 3))
    x = u[:, 0]
    h = 0.5 * x + u[:, 1]
    y = 0.7 * x + 0.4 * h + u[:, 2]
    rows = pd.DataFrame({"X": x, "H": h, "Y": y})
    out = unit_counterfactuals(primer, rows, {"H": 2.0})
    np.testing.assert_allclose(out["Y"], 0.7 * x + 0.4 * 2.0 + u[:, 2], atol=1e-12)
    np.testing.assert_allclose(out["X"], x, atol=1e-12)
