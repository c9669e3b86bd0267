"""Exact mediation in a fitted model (app.models.mediation) against independent references:
the worked example of Pearl, Glymour & Jewell (2016), *Causal Inference in Statistics: A
Primer*, §4.5.2 (the same numbers as Pearl 2012, "The Mediation Formula"); brute-force
enumeration of discrete structural equations (the counterfactual definitions of Pearl 2001,
"Direct and indirect effects"); the product of coefficients of a linear SCM; and refusals when
the graph does not identify the natural effects (Avin, Shpitser & Pearl 2005)."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from app import parse_graph
from app.errors import ModelError
from app.graph import CausalGraph
from app.models import LinearSCM, do_query, fit_model, model_from_scm
from app.models.mediation import default_mediators, model_mediation


def tables_model(edges, states, prob):
    """A discrete model whose CPTs come from prob(v, parent values as a dict) -> [P(state)...]."""
    g = CausalGraph.from_edges(edges, nodes=list(states))
    cpts = {}
    for v in states:
        ps = g.parents(v)
        cols = [prob(v, dict(zip(ps, combo)))
                for combo in itertools.product(*(states[p] for p in ps))]
        cpts[v] = np.array(cols, dtype=float).T
    return fit_model(g, cpts=cpts, states=states)


# ---- 1. Primer §4.5.2, Tables 4.6–4.7 -------------------------------------------------------------
def test_primer_homework_example_gives_0_32_0_035_and_0_46():
    # E(Y | T, H): T=0,H=0: 0.2; T=0,H=1: 0.3; T=1,H=0: 0.4; T=1,H=1: 0.8.
    # E(H | T=0) = 0.4, E(H | T=1) = 0.75. Primer: NDE = 0.32, NIE = 0.035, TE = 0.46,
    # NDE/TE = 0.696, NIE/TE = 0.076 (T randomised, so P(T) does not matter).
    y = {(0, 0): 0.2, (0, 1): 0.3, (1, 0): 0.4, (1, 1): 0.8}
    h = {0: 0.4, 1: 0.75}

    def prob(v, pa):
        p1 = {"T": 0.5, "H": h.get(pa.get("T")), "Y": y.get((pa.get("T"), pa.get("H")))}[v]
        return [1 - p1, p1]

    model = tables_model([("T", "H"), ("H", "Y"), ("T", "Y")],
                         {"T": [0, 1], "H": [0, 1], "Y": [0, 1]}, prob)
    r = model_mediation(model, "T", "Y", ["H"], 1, 0)
    assert r.nde == pytest.approx(0.32, abs=1e-12)
    assert r.nie == pytest.approx(0.035, abs=1e-12)
    assert r.total == pytest.approx(0.46, abs=1e-12)
    assert f"{r.nde / r.total:.3f}" == "0.696" and f"{r.nie / r.total:.3f}" == "0.076"
    # TE = NDE − NIE_r (Pearl 2001, eq. 6) while TE ≠ NDE + NIE here (interaction)
    assert r.total == pytest.approx(r.nde - r.nie_reverse, abs=1e-12)
    assert not r.additive and r.interaction == pytest.approx(0.46 - 0.32 - 0.035, abs=1e-12)
    # CDE at H = 0 and H = 1: 0.4 − 0.2 and 0.8 − 0.3
    assert r.cde_at == {"H": 0} and r.cde == pytest.approx(0.2, abs=1e-12)
    assert r.cde_table.set_index("H")["CDE"].to_dict() == pytest.approx({0: 0.2, 1: 0.5})
    assert "32.0 points" in r.sentences()["nde"]
    # the chart's parts (direct, indirect, interaction) add up to the total
    from app.charts.estimation import mediation_chart, mediation_table

    table = mediation_table(r).set_index("part")["value"]
    assert list(table.index) == ["total", "direct", "indirect", "interaction"]
    assert table["direct"] + table["indirect"] + table["interaction"] == pytest.approx(0.46)
    assert "exact" in str(mediation_chart(r).to_dict())


# ---- 2. Brute-force counterfactuals from structural equations ---------------------------------------
# Each variable is f(parents, U) with its own U uniform on {0, …, 9}; counterfactuals
# Y_{x1, M_{x0}} are computed unit by unit over all 10^k values of the U's.
U = range(10)


def scm_confounded_mediator():
    """W confounds X, M and Y; X → M (ternary) → Y, X → Y, with an X–M–W interaction in Y."""
    f = {
        "W": lambda pa, u: int(u < 4),
        "X": lambda pa, u: int(u < 3 + 4 * pa["W"]),
        "M": lambda pa, u: min(2, int(u < 2 + 5 * pa["X"]) + int(u < 1 + 6 * pa["W"])),
        "Y": lambda pa, u: int(u < 1 + 2 * pa["M"] + pa["X"]
                               + 4 * pa["X"] * (pa["M"] > 0) * pa["W"] + pa["W"] - pa["M"] * pa["W"]),
    }
    parents = {"W": [], "X": ["W"], "M": ["X", "W"], "Y": ["M", "X", "W"]}
    states = {"W": [0, 1], "X": [0, 1], "M": [0, 1, 2], "Y": [0, 1]}
    return f, parents, states


def scm_two_mediators():
    """X → M1 → M2 → Y, M1 → Y, X → Y, Z → M2 and Z → Y (Z pre-treatment, not caused by X)."""
    f = {
        "Z": lambda pa, u: int(u < 5),
        "X": lambda pa, u: int(u < 4),
        "M1": lambda pa, u: int(u < 2 + 6 * pa["X"]),
        "M2": lambda pa, u: int(u < 1 + 4 * pa["M1"] + 3 * pa["Z"]),
        "Y": lambda pa, u: int(u < 1 + 3 * pa["M2"] * pa["X"] + 2 * pa["M1"] + 2 * pa["Z"]),
    }
    parents = {"Z": [], "X": [], "M1": ["X"], "M2": ["M1", "Z"], "Y": ["M2", "M1", "X", "Z"]}
    states = {"Z": [0, 1], "X": [0, 1], "M1": [0, 1], "M2": [0, 1], "Y": [0, 1]}
    return f, parents, states


def solve(f, parents, order, u, do):
    """One unit's values under an intervention `do` (values or callables of the unit)."""
    v = {}
    for n in order:
        v[n] = do[n] if n in do else f[n]({p: v[p] for p in parents[n]}, u[n])
    return v


def brute_force(f, parents, x, y, ms, x1, x0):
    """Means of Y_{x1}, Y_{x0}, Y_{x1, M_{x0}} and Y_{x0, M_{x1}} over every unit (all U
    values): TE = Y_{x1} − Y_{x0}, NDE = Y_{x1, M_{x0}} − Y_{x0}, NIE = Y_{x0, M_{x1}} − Y_{x0}."""
    order = list(parents)
    totals = np.zeros(4)
    units = 0
    for us in itertools.product(U, repeat=len(order)):
        u = dict(zip(order, us))
        m0 = {m: solve(f, parents, order, u, {x: x0})[m] for m in ms}
        m1 = {m: solve(f, parents, order, u, {x: x1})[m] for m in ms}
        totals += [solve(f, parents, order, u, {x: x1})[y],       # Y_{x1}
                   solve(f, parents, order, u, {x: x0})[y],       # Y_{x0} = Y_{x0, M_{x0}}
                   solve(f, parents, order, u, {x: x1, **m0})[y],  # Y_{x1, M_{x0}}
                   solve(f, parents, order, u, {x: x0, **m1})[y]]  # Y_{x0, M_{x1}}
        units += 1
    return totals / units


def model_of_scm(f, parents, states):
    def prob(v, pa):
        counts = np.zeros(len(states[v]))
        for u in U:
            counts[states[v].index(f[v](pa, u))] += 1
        return counts / len(U)

    return tables_model([(p, v) for v, ps in parents.items() for p in ps], states, prob)


def test_formula_equals_counterfactual_definition_with_a_mediator_outcome_confounder():
    f, parents, states = scm_confounded_mediator()
    y1, y0, y1m0, y0m1 = brute_force(f, parents, "X", "Y", ["M"], 1, 0)
    te, nde, nie = y1 - y0, y1m0 - y0, y0m1 - y0
    r = model_mediation(model_of_scm(f, parents, states), "X", "Y", ["M"], 1, 0)
    assert r.covariates == ("W",)          # W confounds M and Y: the formula conditions on it
    assert r.total == pytest.approx(te, abs=1e-12)
    assert r.nde == pytest.approx(nde, abs=1e-12)
    assert r.nie == pytest.approx(nie, abs=1e-12)
    assert r.total == pytest.approx(r.nde - r.nie_reverse, abs=1e-12)
    # the formula without W is wrong here, so conditioning on W is what makes it right
    model = model_of_scm(f, parents, states)
    p_m0 = do_query(model, "M", {"X": 0}).distributions["M"]
    naive = sum(p * (do_query(model, "Y", {"X": 1, "M": m}).probability("Y", 1)
                     - do_query(model, "Y", {"X": 0, "M": m}).probability("Y", 1))
                for m, p in p_m0.items())
    assert abs(naive - nde) > 0.005


def test_formula_equals_counterfactual_definition_with_two_mediators():
    f, parents, states = scm_two_mediators()
    model = model_of_scm(f, parents, states)
    assert default_mediators(model.graph, "X", "Y") == ["M1", "M2"]
    y1, y0, y1m0, y0m1 = brute_force(f, parents, "X", "Y", ["M1", "M2"], 1, 0)
    r = model_mediation(model, "X", "Y", ["M1", "M2"], 1, 0)
    assert (r.total, r.nde, r.nie) == pytest.approx((y1 - y0, y1m0 - y0, y0m1 - y0), abs=1e-12)
    # reverse direction, the natural effects of 1 → 0: NDE = Y_{x0, M_{x1}} − Y_{x1},
    # NIE = Y_{x1, M_{x0}} − Y_{x1}
    te_r, nde_r, nie_r = y0 - y1, y0m1 - y1, y1m0 - y1
    rr = model_mediation(model, "X", "Y", ["M1", "M2"], 0, 1)
    assert (rr.total, rr.nde, rr.nie) == pytest.approx((te_r, nde_r, nie_r), abs=1e-12)
    assert r.nie_reverse == pytest.approx(nie_r, abs=1e-12)


# ---- 3. Refusals -------------------------------------------------------------------------------
def test_treatment_induced_confounder_is_refused_with_the_reason():
    # X → L → M → Y with L → Y: L is a mediator–outcome confounder caused by X, so the natural
    # effects through M alone are not identified (Avin, Shpitser & Pearl 2005).
    def prob(v, pa):
        p1 = 0.2 + 0.5 * sum(pa.values()) / max(1, len(pa))
        return [1 - p1, p1]

    states = {v: [0, 1] for v in ("X", "L", "M", "Y")}
    model = tables_model([("X", "L"), ("L", "M"), ("M", "Y"), ("L", "Y"), ("X", "M"),
                          ("X", "Y")], states, prob)
    with pytest.raises(ModelError, match="treatment-induced mediator–outcome confounder"):
        model_mediation(model, "X", "Y", ["M"], 1, 0)
    # choosing L and M together splits the effect at both and is identified
    r = model_mediation(model, "X", "Y", ["L", "M"], 1, 0)
    assert r.total == pytest.approx(r.nde - r.nie_reverse, abs=1e-12)


def test_hidden_mediator_outcome_confounding_is_refused():
    g = parse_graph("dag { X -> M -> Y; X -> Y; M <-> Y }")
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.integers(0, 2, size=(400, 3)), columns=["X", "M", "Y"])
    model = fit_model(g, df, kind="discrete")
    with pytest.raises(ModelError, match="back-door path from the mediator M to Y"):
        model_mediation(model, "X", "Y", ["M"], 1, 0)


def test_a_variable_off_the_causal_paths_is_not_a_mediator():
    def prob(v, pa):
        return [0.5, 0.5]

    model = tables_model([("X", "Y"), ("X", "S")], {v: [0, 1] for v in "XYS"}, prob)
    with pytest.raises(ModelError, match="not on a directed path"):
        model_mediation(model, "X", "Y", ["S"], 1, 0)


# ---- 4. Linear: the product of coefficients ----------------------------------------------------
def test_linear_model_gives_the_product_of_coefficients():
    # motivation → training → skill → output, training → output, motivation → output (lesson 3):
    # NIE = 2 × 1.5 = 3 per hour, NDE = CDE = 0.5, TE = 3.5 (Baron & Kenny 1986; Pearl 2001).
    parents = {"motivation": [], "training": ["motivation"], "skill": ["training"],
               "output": ["skill", "training", "motivation"]}
    coef = {"motivation": {}, "training": {"motivation": 1.0}, "skill": {"training": 2.0},
            "output": {"skill": 1.5, "training": 0.5, "motivation": 2.0}}
    scm = LinearSCM.from_equations(parents, coef, order=list(parents))
    model = model_from_scm(scm)
    r = model_mediation(model, "training", "output", ["skill"], 3, 1)     # two hours more
    assert r.nie == pytest.approx(2 * 2.0 * 1.5, abs=1e-9)
    assert r.nde == pytest.approx(2 * 0.5, abs=1e-9) and r.cde == pytest.approx(r.nde, abs=1e-9)
    assert r.total == pytest.approx(7.0, abs=1e-9) and r.additive
    assert r.outcome_state is None and "+6" in r.sentences()["nie"]
    # the Estimate page's product-of-coefficients estimator on data from the same SCM agrees
    from app.estimation.mediation import mediation_effects

    est = mediation_effects(scm.sample(20000, seed=1), model.graph, "training", "output",
                            ["skill"], treatment_value=3, control_value=1, n_bootstrap=50)
    assert est.nie_ci[0] < r.nie < est.nie_ci[1]
    assert est.nde_ci[0] < r.nde < est.nde_ci[1]


def test_too_many_mediator_combinations_are_refused_before_any_query():
    # 11 binary mediators: 2^11 = 2048 combinations > MAX_MEDIATOR_CELLS (1024)
    ms = [f"M{i}" for i in range(11)]
    edges = [("X", "M0"), *[(a, b) for a, b in zip(ms, ms[1:])], ("M10", "Y"), ("X", "Y")]

    def prob(v, pa):
        return [0.5, 0.5]

    model = tables_model(edges, {v: [0, 1] for v in ["X", *ms, "Y"]}, prob)
    with pytest.raises(ModelError, match="2,048 value combinations"):
        model_mediation(model, "X", "Y", ms, 1, 0)


def test_hidden_confounding_of_treatment_and_covariate_goes_through_identification():
    # U (unmeasured) → X and U → Z; Z → M, Z → Y; X → M → Y, X → Y. The natural effects are
    # identified given Z (VanderWeele 2015, §2.2 conditions): the model fitted without U (so
    # with X ↔ Z and do-queries by the ID algorithm) must give the full model's answer, itself
    # checked against brute-force counterfactuals above. The data are the full model's exact
    # observed distribution as counts (rounding error below 5e-5).
    from app.models import observe_query

    p1 = {"U": lambda pa: 0.5, "X": lambda pa: 0.2 + 0.6 * pa["U"],
          "Z": lambda pa: 0.3 + 0.5 * pa["U"], "M": lambda pa: 0.1 + 0.5 * pa["X"] + 0.3 * pa["Z"],
          "Y": lambda pa: 0.1 + 0.2 * pa["X"] + 0.3 * pa["M"] * pa["Z"] + 0.3 * pa["M"] * pa["X"]}
    edges = [("U", "X"), ("U", "Z"), ("Z", "M"), ("Z", "Y"), ("X", "M"), ("M", "Y"), ("X", "Y")]
    full = tables_model(edges, {v: [0, 1] for v in p1},
                        lambda v, pa: [1 - p1[v](pa), p1[v](pa)])
    truth = model_mediation(full, "X", "Y", ["M"], 1, 0)
    observed = ["Z", "X", "M", "Y"]
    joint = observe_query(full, observed).joint
    counts = np.round(joint.to_numpy() * 200_000).astype(int)
    rows = np.repeat(np.array(list(joint.index)), counts, axis=0)
    df = pd.DataFrame(rows, columns=observed)
    g = parse_graph("dag { X <-> Z; Z -> M; Z -> Y; X -> M; M -> Y; X -> Y }")
    model = fit_model(g, df, kind="discrete")
    assert model.confounded
    r = model_mediation(model, "X", "Y", ["M"], 1, 0)
    assert r.covariates == ("Z",) == truth.covariates
    assert (r.total, r.nde, r.nie) == pytest.approx((truth.total, truth.nde, truth.nie), abs=5e-5)
    assert abs(truth.nde) > 0.05 and abs(truth.nie) > 0.05
