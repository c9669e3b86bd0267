"""Probabilities of causation: Tian & Pearl (2000) bounds by hand, and containment of the truth.

Bounds (Tian & Pearl 2000, Annals of Mathematics and AI 28:287–313, Theorems 2–3), with
observational P(x,y) and experimental P(y_x):
  max{0, P(y_x) − P(y_x'), P(y) − P(y_x'), P(y_x) − P(y)} ≤ PNS ≤
      min{P(y_x), P(y'_x'), P(x,y) + P(x',y'), P(y_x) − P(y_x') + P(x,y') + P(x',y)}
  max{0, [P(y) − P(y_x')] / P(x,y)} ≤ PN ≤ min{1, [P(y'_x') − P(x',y')] / P(x,y)}
  max{0, [P(y_x) − P(y)] / P(x',y')} ≤ PS ≤ min{1, [P(y_x) − P(x,y)] / P(x',y')}
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.graph import CausalGraph
from app.models import causation_bounds, counterfactual, fit_model

# Pearl (2009), Causality 2nd ed., §9.3.4 (the drug-and-death lawsuit; also Pearl 2015,
# "Causes of effects and effects of causes", Table 1): experimental deaths 16/1000 treated,
# 14/1000 controls; non-experimental deaths 2/1000 among those who chose the drug, 28/1000
# among those who did not.
LAWSUIT_OBS = {(1, 1): 2, (1, 0): 998, (0, 1): 28, (0, 0): 972}
LAWSUIT_EXP = {1: 16 / 1000, 0: 14 / 1000}


def test_lawsuit_bounds_match_the_hand_computation():
    b = causation_bounds(LAWSUIT_OBS, LAWSUIT_EXP, exposure="drug", outcome="death")
    # P(x,y)=0.001, P(x,y')=0.499, P(x',y)=0.014, P(x',y')=0.486, P(y)=0.015,
    # P(y_x)=0.016, P(y_x')=0.014 — worked by hand:
    # PNS ∈ [max(0, .002, .001, .001), min(.016, .986, .487, .515)] = [0.002, 0.016]
    # PN  ∈ [max(0, .001/.001), min(1, (.986 − .486)/.001)] = [1, 1]  (Pearl: "PN = 1")
    # PS  ∈ [(.016 − .015)/.486, (.016 − .001)/.486] = [0.0020576, 0.0308642]
    assert (b.pns.lower, b.pns.upper) == pytest.approx((0.002, 0.016), abs=1e-12)
    assert (b.pn.lower, b.pn.upper) == pytest.approx((1.0, 1.0), abs=1e-9)
    assert (b.ps.lower, b.ps.upper) == pytest.approx((0.001 / 0.486, 0.015 / 0.486), abs=1e-12)
    # monotone point values: PNS = .016 − .014, PN = (.015 − .014)/.001, PS = (.016 − .015)/.486
    assert b.monotonicity_compatible
    assert b.monotone_pns == pytest.approx(0.002)
    assert b.monotone_pn == pytest.approx(1.0)
    assert b.monotone_ps == pytest.approx(0.001 / 0.486)


def test_tables_with_counts_give_the_same_bounds_as_probabilities():
    obs = pd.DataFrame([{"drug": x, "death": y, "count": n} for (x, y), n in LAWSUIT_OBS.items()])
    exp = pd.DataFrame([{"drug": 1, "death": 1, "count": 16}, {"drug": 1, "death": 0, "count": 984},
                        {"drug": 0, "death": 1, "count": 14}, {"drug": 0, "death": 0, "count": 986}])
    a = causation_bounds(obs, exp, exposure="drug", outcome="death")
    b = causation_bounds(LAWSUIT_OBS, LAWSUIT_EXP, exposure="drug", outcome="death")
    assert a.pns == b.pns and a.pn == b.pn and a.ps == b.ps


def test_data_that_contradict_monotonicity_are_flagged():
    # P(y) = 0.5 but P(y_x) = 0.3 < P(y): some units must be harmed, no monotone model fits.
    obs = {(1, 1): 0.25, (1, 0): 0.25, (0, 1): 0.25, (0, 0): 0.25}
    b = causation_bounds(obs, {1: 0.3, 0: 0.6}, exposure="x", outcome="y")
    assert not b.monotonicity_compatible and b.monotone_pn is None
    assert any("Monotonicity is contradicted" in c for c in b.checks)


def test_observational_and_experimental_data_that_no_model_fits_are_flagged():
    # Consistency requires P(y_x) ≥ P(x, y); here 0.1 < 0.4.
    obs = {(1, 1): 0.4, (1, 0): 0.1, (0, 1): 0.1, (0, 0): 0.4}
    b = causation_bounds(obs, {1: 0.1, 0: 0.5}, exposure="x", outcome="y")
    assert any("contradict each other" in c for c in b.checks)


# ---- containment of the truth in a simulated population ----------------------------------------
# Units have a response type (Y_0, Y_1) and an exposure X that may depend on the type
# (confounding). Everything below is computed exactly from the population.
TYPES = [(0, 0), (0, 1), (1, 0), (1, 1)]    # (Y_{x'}, Y_x): never, helped, harmed, always


def _population_truth(weights: np.ndarray):
    p = weights.reshape(2, 4) / weights.sum()          # p[x, type]
    obs = {(x, y): float(sum(p[x, t] for t, ty in enumerate(TYPES) if ty[x] == y))
           for x in (0, 1) for y in (0, 1)}
    p_type = p.sum(axis=0)
    exp = {x: float(sum(p_type[t] for t, ty in enumerate(TYPES) if ty[x] == 1)) for x in (0, 1)}
    helped = TYPES.index((0, 1))
    truth = {"PNS": float(p_type[helped]),
             "PN": float(p[1, helped] / obs[(1, 1)]) if obs[(1, 1)] > 0 else None,
             "PS": float(p[0, helped] / obs[(0, 0)]) if obs[(0, 0)] > 0 else None}
    return obs, exp, truth


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=8, max_size=8))
def test_bounds_always_contain_the_true_probabilities_of_causation(w):
    obs, exp, truth = _population_truth(np.array(w))
    b = causation_bounds(obs, exp, exposure="x", outcome="y")
    assert b.pns.contains(truth["PNS"], tol=1e-9)
    assert b.pn.contains(truth["PN"], tol=1e-9)
    assert b.ps.contains(truth["PS"], tol=1e-9)
    assert not any("contradict each other" in c for c in b.checks)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=8, max_size=8))
def test_monotone_values_are_exact_when_nobody_is_harmed(w):
    w = np.array(w)
    w[[2, 6]] = 0.0                                     # no "harmed" units: monotonicity holds
    obs, exp, truth = _population_truth(w)
    b = causation_bounds(obs, exp, exposure="x", outcome="y")
    assert b.monotonicity_compatible
    assert b.monotone_pns == pytest.approx(truth["PNS"], abs=1e-9)
    assert b.monotone_pn == pytest.approx(truth["PN"], abs=1e-9)
    assert b.monotone_ps == pytest.approx(truth["PS"], abs=1e-9)


def test_monotone_twin_network_reproduces_the_monotone_pn_of_a_confounded_model():
    # Z confounds X and Y; X raises P(Y=1) in both strata, so the monotone SCM satisfies
    # monotonicity and its unit counterfactual must equal Tian–Pearl's identified
    # PN = [P(y) − P(y_x')] / P(x, y), with P(y_x') from the model's do-query.
    g = CausalGraph.from_edges([("Z", "X"), ("Z", "Y"), ("X", "Y")])
    tables = {"Z": np.array([[0.6], [0.4]]), "X": np.array([[0.8, 0.3], [0.2, 0.7]]),
              "Y": np.array([[0.9, 0.5, 0.6, 0.2], [0.1, 0.5, 0.4, 0.8]])}   # columns (X, Z)
    model = fit_model(g, cpts=tables, states={"Z": [0, 1], "X": [0, 1], "Y": [0, 1]})
    bounds = causation_bounds(model, exposure="X", outcome="Y")
    pn = counterfactual(model, "Y", factual={"X": 1, "Y": 1}, do={"X": 0}).probability("Y", 0)
    assert pn == pytest.approx(bounds.monotone_pn, abs=1e-12)
    ps = counterfactual(model, "Y", factual={"X": 0, "Y": 0}, do={"X": 1}).probability("Y", 1)
    assert ps == pytest.approx(bounds.monotone_ps, abs=1e-12)
    assert bounds.pn.contains(pn) and bounds.ps.contains(ps)
