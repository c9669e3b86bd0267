"""Discrete unit counterfactuals against pyAgrum's counterfactual and Monte-Carlo replays.

pyagrum.causal.counterfactual (pyAgrum 3.3.1) implements Pearl's three steps by updating the
parentless nodes; on a model with explicit exogenous roots and deterministic equations whose
roots are pinned down by the observed unit, that is exact, so both must agree. The Monte-Carlo
truths simulate 10^5 units of a known SCM, change X, and replay the same noise.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.graph import CausalGraph
from app.models import counterfactual, fit_model

# ---- pyAgrum on an explicit-noise model ----------------------------------------------------------
# U1 → X, U3 → Z, U2 → Y; X → Z, X → Y, Z → Y; X = U1, Z = X xor U3, Y from a table of (X, Z, U2).
Y_TABLE = {  # (X, Z, U2) -> Y
    (0, 0, 0): 0, (0, 0, 1): 1, (0, 0, 2): 0, (0, 1, 0): 1, (0, 1, 1): 1, (0, 1, 2): 0,
    (1, 0, 0): 1, (1, 0, 1): 0, (1, 0, 2): 1, (1, 1, 0): 1, (1, 1, 1): 0, (1, 1, 2): 0,
}
PRIORS = {"U1": [0.4, 0.6], "U2": [0.5, 0.3, 0.2], "U3": [0.7, 0.3]}


def _explicit_noise_tables() -> tuple[CausalGraph, dict, dict]:
    g = CausalGraph.from_edges([("U1", "X"), ("U3", "Z"), ("U2", "Y"), ("X", "Z"), ("X", "Y"),
                                ("Z", "Y")])
    states = {"U1": [0, 1], "U2": [0, 1, 2], "U3": [0, 1], "X": [0, 1], "Z": [0, 1], "Y": [0, 1]}
    tables = {u: pd.DataFrame({f"P({u}={i})": [p] for i, p in enumerate(ps)})
              for u, ps in PRIORS.items()}
    tables["X"] = pd.DataFrame({"U1": [0, 1], "P(X=0)": [1.0, 0.0], "P(X=1)": [0.0, 1.0]})
    z_rows = [(u3, x, x ^ u3) for u3 in (0, 1) for x in (0, 1)]
    tables["Z"] = pd.DataFrame({"U3": [r[0] for r in z_rows], "X": [r[1] for r in z_rows],
                                "P(Z=0)": [1.0 - r[2] for r in z_rows],
                                "P(Z=1)": [float(r[2]) for r in z_rows]})
    y_rows = [(u2, x, z, Y_TABLE[(x, z, u2)]) for u2 in (0, 1, 2) for x in (0, 1) for z in (0, 1)]
    tables["Y"] = pd.DataFrame({"U2": [r[0] for r in y_rows], "X": [r[1] for r in y_rows],
                                "Z": [r[2] for r in y_rows],
                                "P(Y=0)": [1.0 - r[3] for r in y_rows],
                                "P(Y=1)": [float(r[3]) for r in y_rows]})
    return g, tables, states


def _pyagrum_copy(tables: dict, states: dict, graph: CausalGraph):
    import pyagrum as gum

    bn = gum.BayesNet("explicit")
    for v in graph.topological_order():
        bn.add(gum.LabelizedVariable(v, v, [str(s) for s in states[v]]))
    for a, b in sorted(graph.edges):
        bn.addArc(a, b)
    for v in graph.topological_order():
        parents = graph.parents(v)
        for _, row in tables[v].iterrows():
            key = {p: str(int(row[p])) for p in parents}
            bn.cpt(v)[key] = [float(row[f"P({v}={s})"]) for s in states[v]]
    return bn


@pytest.mark.parametrize("profile", [{"X": 1, "Z": 1, "Y": 0}, {"X": 1, "Z": 0, "Y": 1},
                                     {"X": 0, "Z": 0, "Y": 0}])
@pytest.mark.parametrize("assumption", ["monotone", "independent"])
def test_counterfactual_equals_pyagrum_on_explicit_noise_model(profile, assumption):
    import pyagrum.causal as csl

    g, tables, states = _explicit_noise_tables()
    model = fit_model(g, cpts=tables, states=states)
    flip = 1 - profile["X"]
    ours = counterfactual(model, "Y", factual=profile, do={"X": flip}, assumption=assumption)
    cm = csl.CausalModel(_pyagrum_copy(tables, states, g))
    ref = csl.counterfactual(cm, on="Y", whatif="X", profile={k: str(v) for k, v in profile.items()},
                             values={"X": str(flip)})
    ref = np.asarray(ref.tolist(), dtype=float).ravel()
    np.testing.assert_allclose(ours.distribution.to_numpy(), ref / ref.sum(), atol=1e-9)


def test_explicit_noise_counterfactual_by_hand():
    # Unit X=1, Z=1, Y=0: U1=1, U3=0 (Z = X xor U3), Y(1,1,U2)=0 → U2 ∈ {1, 2} with weights
    # 0.3 : 0.2. Had X been 0: Z* = 0 xor 0 = 0, Y* = Y(0,0,U2) = 1 if U2=1 else 0
    # → P(Y*=1) = 0.3 / 0.5 = 0.6 (worked by hand from the tables above).
    g, tables, states = _explicit_noise_tables()
    model = fit_model(g, cpts=tables, states=states)
    result = counterfactual(model, "Y", factual={"X": 1, "Z": 1, "Y": 0}, do={"X": 0})
    assert result.probability("Y", 1) == pytest.approx(0.6, abs=1e-12)


# ---- Monte-Carlo truth from a known SCM -----------------------------------------------------------
# Z → X, Z → Y, X → M (3 states), X → Y, M → Y. Each variable is drawn from its table.
RNG_TABLES = np.random.default_rng(2024)
SPEC = {
    "Z": ([], [0, 1], np.array([[0.55], [0.45]])),
    "X": (["Z"], [0, 1], np.array([[0.7, 0.25], [0.3, 0.75]])),
    "M": (["X"], ["lo", "mid", "hi"], np.array([[0.6, 0.1], [0.3, 0.3], [0.1, 0.6]])),
    "Y": (["M", "X", "Z"], [0, 1], None),
}
_p1 = RNG_TABLES.uniform(0.05, 0.95, size=12)
SPEC["Y"] = (["M", "X", "Z"], [0, 1], np.vstack([1 - _p1, _p1]))
ORDER = ["Z", "X", "M", "Y"]
N_UNITS = 100_000


def _model():
    g = CausalGraph.from_edges([(p, v) for v, (ps, _, _) in SPEC.items() for p in ps])
    return fit_model(g, cpts={v: vals for v, (_, _, vals) in SPEC.items()},
                     states={v: s for v, (_, s, _) in SPEC.items()})


def _config_index(v: str, values: dict) -> np.ndarray:
    parents = SPEC[v][0]
    idx = np.zeros(N_UNITS, dtype=np.int64)
    for p in parents:
        idx = idx * len(SPEC[p][1]) + values[p]
    return idx


def _simulate(noise: dict, do: dict | None, coupling: str) -> dict:
    """State codes of every variable for every unit, replaying the given noise."""
    do = do or {}
    values = {}
    for v in ORDER:
        if v in do:
            values[v] = np.full(N_UNITS, SPEC[v][1].index(do[v]))
            continue
        table = SPEC[v][2]
        idx = _config_index(v, values)
        cdf = np.cumsum(table, axis=0)[:, idx]                     # (k, units)
        u = noise[v] if coupling == "monotone" else noise[v][np.arange(N_UNITS), idx]
        values[v] = np.minimum((u[None, :] > cdf).sum(axis=0), len(SPEC[v][1]) - 1)
    return values


def _noise(coupling: str, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    if coupling == "monotone":       # one uniform per unit and variable, shared by both worlds
        return {v: rng.uniform(size=N_UNITS) for v in ORDER}
    # independent response functions: one uniform per unit, variable and parent configuration
    return {v: rng.uniform(size=(N_UNITS, SPEC[v][2].shape[1])) for v in ORDER}


@pytest.mark.parametrize("coupling", ["monotone", "independent"])
@pytest.mark.parametrize(("factual", "do", "target"), [
    ({"X": 1, "Y": 1}, {"X": 0}, "Y"),            # necessity-style question, M and Z unobserved
    ({"X": 0, "M": "lo", "Y": 0}, {"X": 1}, "Y"),
    ({"Y": 1}, {"M": "hi"}, "Y"),
    ({"X": 1, "Y": 0}, {"X": 0}, "M"),
])
def test_counterfactual_equals_monte_carlo_replay_of_the_noise(coupling, factual, do, target):
    noise = _noise(coupling, seed=99)
    fact = _simulate(noise, None, coupling)
    cf = _simulate(noise, do, coupling)
    keep = np.ones(N_UNITS, dtype=bool)
    for v, s in factual.items():
        keep &= fact[v] == SPEC[v][1].index(s)
    n = int(keep.sum())
    assert n > 2000
    states = SPEC[target][1]
    mc = np.bincount(cf[target][keep], minlength=len(states)) / n
    ours = counterfactual(_model(), target, factual=factual, do=do, assumption=coupling)
    exact = ours.distribution.to_numpy()
    se = np.sqrt(exact * (1 - exact) / n)
    assert np.all(np.abs(mc - exact) < 4.5 * se + 1e-9), (mc, exact, se)


def test_the_two_assumptions_give_different_answers():
    model = _model()
    a = counterfactual(model, "Y", {"X": 1, "Y": 1}, {"X": 0}, assumption="monotone")
    b = counterfactual(model, "Y", {"X": 1, "Y": 1}, {"X": 0}, assumption="independent")
    assert abs(a.probability("Y", 1) - b.probability("Y", 1)) > 0.02
