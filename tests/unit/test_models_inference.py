"""Query results, caching of mutilated models, effects, sweeps, the twin network and CPT tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.graph import CausalGraph
from app.models import (
    LinearSCM,
    causal_effect,
    counterfactual,
    cut_edges,
    discrete,
    do_query,
    fit_model,
    intervention_sweep,
    model_from_scm,
    observe_query,
    twin_network,
    uniform_table,
    with_cpt,
)
from app.models.cpt import table_from_values, values_from_table


@pytest.fixture(scope="module")
def chain():
    g = CausalGraph.from_edges([("Z", "X"), ("Z", "Y"), ("X", "Y")])
    tables = {"Z": np.array([[0.5], [0.5]]), "X": np.array([[0.8, 0.2], [0.2, 0.8]]),
              "Y": np.array([[0.9, 0.6, 0.5, 0.2], [0.1, 0.4, 0.5, 0.8]])}   # columns (X, Z)
    return fit_model(g, cpts=tables, states={"Z": [0, 1], "X": [0, 1], "Y": [0, 1]})


def test_repeated_do_queries_reuse_one_mutilated_model(chain):
    discrete.clear_cache()
    do_query(chain, "Y", {"X": 1})
    engine = discrete._engines[(chain.key, frozenset({"X"}))]
    for x in (0, 1, 0):
        do_query(chain, "Y", {"X": x}, {"Z": 1})
    assert discrete._engines[(chain.key, frozenset({"X"}))] is engine
    assert len(discrete._engines) == 1


def test_an_edited_table_gets_its_own_cache_entry(chain):
    before = do_query(chain, "Y", {"X": 1}).probability("Y", 1)
    table = chain.cpt("Y")
    table["P(Y=1)"] = 0.3
    table["P(Y=0)"] = 0.7
    edited = with_cpt(chain, "Y", table)
    assert do_query(edited, "Y", {"X": 1}).probability("Y", 1) == pytest.approx(0.3)
    assert do_query(chain, "Y", {"X": 1}).probability("Y", 1) == pytest.approx(before)


def test_query_result_reads_well(chain):
    r = do_query(chain, ["Y", "Z"], {"X": 1})
    assert r.label == "P(Y, Z | do(X=1))"
    assert r.joint.sum() == pytest.approx(1.0)
    # Z is upstream of X: do(X) leaves it alone
    assert r.distributions["Z"][1] == pytest.approx(0.5)
    assert "P(Y, Z | do(X=1))" in repr(r)
    frame = r.to_frame()
    assert set(frame["target"]) == {"Y", "Z"} and len(frame) == 4
    assert r.mean("Y") == pytest.approx(r.probability("Y", 1))
    assert "cut" in r.method


def test_seeing_and_doing_differ_under_confounding(chain):
    # P(Y=1 | do(X=1)) = 0.5·0.5 + 0.5·0.8 = 0.65 (back-door over Z, by hand)
    # P(Y=1 | X=1) = (0.5·0.2·0.5 + 0.5·0.8·0.8) / (0.5·0.2 + 0.5·0.8) = 0.37 / 0.5 = 0.74
    assert do_query(chain, "Y", {"X": 1}).probability("Y", 1) == pytest.approx(0.65)
    assert observe_query(chain, "Y", {"X": 1}).probability("Y", 1) == pytest.approx(0.74)


def test_causal_effect_sentence_explains_the_gap(chain):
    e = causal_effect(chain, "Y", "X", 1, 0)
    # do(X=0): 0.5·0.1 + 0.5·0.4 = 0.25 → risk difference 0.40; seeing: 0.74 − 0.16 = 0.58
    assert e.effect == pytest.approx(0.40) and e.association == pytest.approx(0.58)
    text = e.sentence()
    assert "raises the chance that Y = 1 by 40.0 percentage points" in text
    assert "confounding" in text


def test_intervention_sweep_covers_every_value(chain):
    sweep = intervention_sweep(chain, "Y", "X")
    assert list(sweep["X"]) == [0, 1]
    assert sweep["do"].tolist() == pytest.approx([0.25, 0.65])
    assert sweep["see"].tolist() == pytest.approx([0.16, 0.74])


def test_linear_sweep_and_effect():
    scm = LinearSCM.from_equations({"Z": [], "X": ["Z"], "Y": ["X", "Z"]},
                                   {"Z": {}, "X": {"Z": 1.0}, "Y": {"X": 2.0, "Z": 3.0}})
    model = model_from_scm(scm)
    e = causal_effect(model, "Y", "X", 1.0, 0.0)
    # total effect 2; association: E[Y | X] slope = 2 + 3·Cov(Z, X)/Var(X) = 2 + 3·1/2 = 3.5
    assert e.effect == pytest.approx(2.0) and e.association == pytest.approx(3.5)
    assert e.measure == "average causal effect"
    sweep = intervention_sweep(model, "Y", "X")
    assert len(sweep) == 21
    assert np.allclose(np.diff(sweep["do"]) / np.diff(sweep["X"]), 2.0)
    r = do_query(model, "Y", {"X": 1.0})
    assert r.means["Y"] == pytest.approx(2.0)
    # Var(Y | do(X)) = 3²·1 + 1 = 10
    assert r.stds["Y"] == pytest.approx(np.sqrt(10))
    assert r.samples("Y", n=20000).std() == pytest.approx(np.sqrt(10), rel=0.03)


def test_linear_conditional_query_with_evidence():
    scm = LinearSCM.from_equations({"X": [], "M": ["X"], "Y": ["M"]},
                                   {"X": {}, "M": {"X": 1.0}, "Y": {"M": 1.0}})
    model = model_from_scm(scm)
    # E[X | Y = 2]: Cov(X, Y) = 1, Var(Y) = 3 → 2/3 (Gaussian conditioning by hand)
    r = observe_query(model, "X", {"Y": 2.0})
    assert r.means["X"] == pytest.approx(2 / 3)
    assert r.stds["X"] == pytest.approx(np.sqrt(1 - 1 / 3))


def test_cut_edges_are_the_arrows_into_the_do_targets():
    g = CausalGraph.from_edges([("Z", "X"), ("W", "X"), ("X", "Y"), ("Z", "Y")])
    assert cut_edges(g, ["X"]) == [("W", "X"), ("Z", "X")]
    h = CausalGraph.from_edges([("X", "M"), ("M", "Y")], bidirected=[("X", "Y")])
    assert cut_edges(h, ["X"]) == [("X", "Y")] and cut_edges(h, ["M"]) == [("X", "M")]


def test_twin_network_copies_only_what_the_action_changes():
    g = CausalGraph.from_edges([("Z", "X"), ("Z", "Y"), ("X", "M"), ("M", "Y")])
    twin, star = twin_network(g, ["X"])
    assert star == {"X": "X*", "M": "M*", "Y": "Y*"}
    assert ("U_M", "M") in twin.edges and ("U_M", "M*") in twin.edges
    assert ("X*", "M*") in twin.edges and ("Z", "Y*") in twin.edges
    assert not any(b == "X*" for _, b in twin.edges)
    assert "latent" in twin.roles["U_Y"] and "exposure" in twin.roles["X*"]


def test_twin_network_names_never_collide():
    g = CausalGraph.from_edges([("X", "Y"), ("Y*", "Y")])
    twin, star = twin_network(g, ["X"])
    assert star["Y"] == "Y**" and len(set(twin.nodes)) == len(twin.nodes)


def test_counterfactual_result_explains_itself(chain):
    r = counterfactual(chain, "Y", {"X": 1, "Y": 1}, {"X": 0})
    assert r.label == "Y* had X=0, given X=1, Y=1"
    assert r.steps[0].startswith("Abduction")
    assert "monotonicity" in r.assumption_text
    assert r.factual_distributions["Y"][1] == 1.0
    assert r.unchanged == ("Z",)
    assert r.evidence_probability == pytest.approx(0.37)


def test_cpt_table_round_trip_and_row_order_does_not_matter():
    states = {"A": ["lo", "hi"], "B": [0, 1, 2], "C": [0, 1]}
    values = np.random.default_rng(0).dirichlet([1, 1], size=6).T
    table = table_from_values("C", ["A", "B"], states, values)
    assert list(table.columns) == ["A", "B", "P(C=0)", "P(C=1)"]
    shuffled = table.sample(frac=1.0, random_state=1)
    np.testing.assert_allclose(values_from_table("C", ["A", "B"], states, shuffled), values)


def test_hand_built_model_from_uniform_tables():
    g = CausalGraph.from_edges([("X", "Y")])
    states = {"X": ["no", "yes"], "Y": ["no", "yes"]}
    tables = {"X": uniform_table("X", [], states), "Y": uniform_table("Y", ["X"], states)}
    tables["Y"].loc[1, ["P(Y=no)", "P(Y=yes)"]] = [0.1, 0.9]
    model = fit_model(g, cpts=tables)
    assert model.states["X"] == ("no", "yes")
    assert do_query(model, "Y", {"X": "yes"}).probability("Y", "yes") == pytest.approx(0.9)


def test_kidney_sample_sweep_defaults_to_recovery_yes():
    from app.samples import load_sample

    s = load_sample("kidney_stones")
    model = fit_model(s.graph, s.data)
    sweep = intervention_sweep(model, "recovery", "treatment")
    assert isinstance(sweep, pd.DataFrame) and sweep["do"].iloc[0] == pytest.approx(0.8325, abs=1e-4)


def test_build_model_by_hand_with_typed_states():
    from app.errors import ModelError
    from app.models import ModelOptions, build_model, parse_states

    assert parse_states("low, mid, high") == ("low", "mid", "high")
    assert parse_states(" 0,1 ") == (0, 1)
    with pytest.raises(ModelError, match="at least two different states"):
        parse_states("yes, yes")
    g = CausalGraph.from_edges([("X", "Y")])
    model = build_model(g, None, ModelOptions(hand_states={"X": ("a", "b", "c")}))
    assert model.states["X"] == ("a", "b", "c") and model.states["Y"] == (0, 1)
    assert model.cpt("X")["P(X=a)"].item() == pytest.approx(1 / 3)


def test_build_model_from_a_sample_bif():
    from app.models import ModelOptions, build_model, sample_bif_text
    from app.samples import load_sample
    from app.workspace import DatasetRef

    s = load_sample("asia")
    ref = DatasetRef(kind="sample", name="asia", fingerprint="x", rows=5000, columns=8)
    model = build_model(s.graph, s.data, ModelOptions(tables="bif"), bif_text=sample_bif_text(ref))
    assert model.source == "BIF file"
    # asia.bif: P(smoke = yes) = 0.5, P(lung = yes | smoke = yes) = 0.1
    assert do_query(model, "lung", {"smoke": "yes"}).probability("lung", "yes") == pytest.approx(0.1)


def test_discrete_sample_after_do_matches_the_exact_do_query(chain):
    """Forward sampling of the mutilated tables against the exact truncated factorisation
    (Pearl 2009, eq. 3.10): frequencies within 5 standard errors of P(Y | do(X=1))."""
    n = 200_000
    drawn = chain.sample(n, seed=7, do={"X": 1})
    assert (drawn["X"] == 1).all()
    p = do_query(chain, "Y", {"X": 1}).probability("Y", 1)
    se = (p * (1 - p) / n) ** 0.5
    assert abs((drawn["Y"] == 1).mean() - p) < 5 * se
    assert abs((drawn["Z"] == 1).mean() - 0.5) < 5 * (0.25 / n) ** 0.5


def test_linear_sample_after_do_has_the_total_effect_as_its_mean():
    """Y = 2·M + 0.5·X, M = 3·X: E[Y | do(X=1)] = 6.5 (Wright's path rule: 3·2 + 0.5)."""
    scm = LinearSCM.from_equations({"X": [], "M": ["X"], "Y": ["M", "X"]},
                                   {"M": {"X": 3.0}, "Y": {"M": 2.0, "X": 0.5}})
    drawn = model_from_scm(scm).sample(100_000, seed=3, do={"X": 1})
    assert list(drawn.columns) == ["X", "M", "Y"]
    assert drawn["Y"].mean() == pytest.approx(6.5, abs=5 * 5 ** 0.5 / 100_000 ** 0.5)


def test_sample_size_is_budgeted(chain):
    from app.errors import QueryError

    for n in (0, -1, 10**9, 2.5, True):
        with pytest.raises(QueryError):
            chain.sample(n)


def test_a_rounding_level_spread_is_not_shown_as_plus_minus():
    """QA round 3: with every noise recovered the Counterfactual page said "instead of 0.3498
    (± 2.2e-08)"; a spread that small beside the value is rounding, and a real one still shows."""
    from app.models.results import LinearCounterfactual

    def said(std):
        r = LinearCounterfactual(("Y",), {"X": 45.0}, {"X": 41}, "additive", "", (), (),
                                 CausalGraph(), {}, means={"Y": 0.6396}, stds={"Y": std},
                                 factual_means={"Y": 0.3498})
        return r.sentence("Y")

    assert said(2.2e-8).endswith("instead of 0.3498.")
    assert said(0.25).endswith("instead of 0.3498 (± 0.25).")


def test_counterfactual_equations_read_as_people_write_them():
    """QA round: the abduction-action-prediction steps printed "+ -0.0189·40.01"."""
    from app.models.linear import _signed_sum

    assert _signed_sum([(2.0, None), (-0.0189, 40.01), (0.5, -3.0), (-1.25, None)]) == \
        "2 − 0.0189·40.01 + 0.5·(−3) − 1.25"
    assert _signed_sum([(-1.5, 2.0)]) == "−1.5·2"
