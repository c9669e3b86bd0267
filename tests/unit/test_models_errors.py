"""Bad input to the model engine: clear ModelError/QueryError messages that say what to do."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.errors import CycleError, ModelError, QueryError
from app.graph import CausalGraph
from app.models import (
    LinearSCM,
    causation_bounds,
    counterfactual,
    do_query,
    fit_model,
    model_from_scm,
    observe_query,
    uniform_table,
    values_from_table,
)

KIDNEY = pd.DataFrame({
    "treatment": ["A", "A", "B", "B", "A", "B"] * 5,
    "stone_size": ["small", "large", "small", "large", "large", "small"] * 5,
    "recovery": [1, 0, 1, 1, 1, 0] * 5,
})
KIDNEY_GRAPH = CausalGraph.from_edges([("stone_size", "treatment"), ("stone_size", "recovery"),
                                       ("treatment", "recovery")])


@pytest.fixture(scope="module")
def kidney():
    return fit_model(KIDNEY_GRAPH, KIDNEY)


def test_unknown_variable_lists_the_valid_ones(kidney):
    with pytest.raises(QueryError, match="no target called 'recovred'") as err:
        do_query(kidney, "recovred", {"treatment": "A"})
    assert "recovery" in err.value.hint and "treatment" in err.value.hint


def test_wrong_case_suggests_the_name(kidney):
    with pytest.raises(QueryError, match="Did you mean 'recovery'"):
        do_query(kidney, "Recovery", {"treatment": "A"})


def test_unknown_state_lists_the_valid_ones(kidney):
    with pytest.raises(QueryError, match="'C' is not a value of 'treatment'") as err:
        do_query(kidney, "recovery", {"treatment": "C"})
    assert "A, B" in err.value.hint


def test_states_match_by_text(kidney):
    assert do_query(kidney, "treatment", {"stone_size": "small"}, {"recovery": "1"}).targets == \
        ("treatment",)


def test_do_on_the_target_itself_is_refused(kidney):
    with pytest.raises(QueryError, match="both the target and set by do"):
        do_query(kidney, "recovery", {"recovery": 1})


def test_target_in_the_evidence_is_refused(kidney):
    with pytest.raises(QueryError, match="both the target and observed"):
        observe_query(kidney, "recovery", {"recovery": 1})


def test_intervened_variable_in_the_evidence_is_refused(kidney):
    with pytest.raises(QueryError, match="both set by do"):
        do_query(kidney, "recovery", {"treatment": "A"}, {"treatment": "A"})


def test_no_targets_is_refused(kidney):
    with pytest.raises(QueryError, match="at least one target"):
        do_query(kidney, [], {"treatment": "A"})


def test_zero_probability_evidence_is_refused():
    df = pd.DataFrame({"X": [0, 0, 1, 1], "Y": [0, 0, 1, 1], "Z": [0, 1, 0, 1]})
    model = fit_model(CausalGraph.from_edges([("X", "Y"), ("Z", "Y")]), df)
    # X=0 always gives Y=0 in the data, so (X=0, Y=1) has probability zero
    with pytest.raises(QueryError, match="probability zero"):
        observe_query(model, "Z", {"X": 0, "Y": 1})
    with pytest.raises(QueryError, match="after the intervention"):
        do_query(model, "Z", {"X": 0}, {"Y": 1})


def test_a_do_value_never_seen_in_the_data_still_works():
    # the mutilated model gives X a uniform prior, so do(X=1) is fine even if P(X=1) is tiny
    df = pd.DataFrame({"X": [0] * 50 + [1], "Y": [0] * 25 + [1] * 25 + [1]})
    model = fit_model(CausalGraph.from_edges([("X", "Y")]), df)
    assert do_query(model, "Y", {"X": 1}).probability("Y", 1) == pytest.approx(1.0)


def test_cyclic_graph_cannot_reach_the_model():
    with pytest.raises(CycleError, match="A → B → A"):
        CausalGraph.from_edges([("A", "B"), ("B", "A")])


def test_graph_node_without_data_and_not_latent_is_named():
    g = CausalGraph.from_edges([("X", "Y"), ("Q", "Y")])
    with pytest.raises(ModelError, match="no column in the data: Q") as err:
        fit_model(g, pd.DataFrame({"X": [0, 1], "Y": [1, 0]}))
    assert "latent" in err.value.hint


def test_latent_node_with_causes_is_refused_with_what_to_do():
    g = CausalGraph.from_edges([("X", "U"), ("U", "Y")], roles={"U": {"latent"}})
    with pytest.raises(ModelError, match="unmeasured node 'U' has causes"):
        fit_model(g, pd.DataFrame({"X": [0, 1, 0], "Y": [1, 0, 1]}))


def test_counterfactual_with_hidden_confounding_needs_a_full_model():
    g = CausalGraph.from_edges([("X", "Y")], bidirected=[("X", "Y")])
    model = fit_model(g, pd.DataFrame({"X": [0, 1, 0, 1], "Y": [1, 0, 1, 1]}))
    with pytest.raises(QueryError, match="Counterfactuals need a full model") as err:
        counterfactual(model, "Y", {"X": 1, "Y": 1}, {"X": 0})
    assert "explicit node" in err.value.hint


def test_linear_model_with_hidden_confounding_is_refused():
    g = CausalGraph.from_edges([("X", "Y")], bidirected=[("X", "Y")])
    with pytest.raises(ModelError, match="linear model with hidden common causes"):
        fit_model(g, pd.DataFrame({"X": np.arange(20.0) / 3, "Y": np.arange(20.0)}),
                  kind="linear")


def test_cpt_rows_must_sum_to_one():
    states = {"X": [0, 1], "Y": [0, 1]}
    table = uniform_table("Y", ["X"], states)
    table.loc[1, "P(Y=1)"] = 0.7
    with pytest.raises(ModelError, match=r"row X=1 sums to 1.2, not 1"):
        values_from_table("Y", ["X"], states, table)


def test_cpt_with_a_missing_or_repeated_row_is_refused():
    states = {"X": [0, 1], "Y": [0, 1]}
    table = uniform_table("Y", ["X"], states)
    with pytest.raises(ModelError, match="needs one row for each"):
        values_from_table("Y", ["X"], states, table.iloc[:1])
    table.loc[1, "X"] = 0
    with pytest.raises(ModelError, match="repeated parent combination"):
        values_from_table("Y", ["X"], states, table)


def test_cpt_with_text_in_a_cell_is_refused():
    states = {"X": [0, 1], "Y": [0, 1]}
    table = uniform_table("Y", ["X"], states).astype({"P(Y=0)": object})
    table.loc[0, "P(Y=0)"] = "half"
    with pytest.raises(ModelError, match="non-numeric cell"):
        values_from_table("Y", ["X"], states, table)


def test_too_many_parents_states_the_table_size():
    parents = [f"P{i}" for i in range(20)]
    g = CausalGraph.from_edges([(p, "Y") for p in parents])
    df = pd.DataFrame({p: [0, 1] * 5 for p in [*parents, "Y"]})
    with pytest.raises(ModelError, match=r"20 parents.*1,048,576 parent combinations.*2,097,152 "
                                         r"numbers; the limit is 1,000,000"):
        fit_model(g, df)


def test_editor_refuses_tables_too_big_to_edit():
    states = {f"P{i}": [0, 1] for i in range(10)} | {"Y": [0, 1]}
    with pytest.raises(ModelError, match="1,024 parent combinations"):
        uniform_table("Y", [f"P{i}" for i in range(10)], states)


def test_missing_tables_are_named():
    with pytest.raises(ModelError, match="No probability table for: Y"):
        fit_model(CausalGraph.from_edges([("X", "Y")]),
                  cpts={"X": pd.DataFrame({"P(X=0)": [0.5], "P(X=1)": [0.5]})})


def test_numeric_array_of_the_wrong_size_explains_the_layout():
    with pytest.raises(ModelError, match="has 3 numbers; it needs 4"):
        fit_model(CausalGraph.from_edges([("X", "Y")]),
                  cpts={"X": [[0.5], [0.5]], "Y": [0.1, 0.9, 0.5]},
                  states={"X": [0, 1], "Y": [0, 1]})


def test_no_data_and_no_tables():
    with pytest.raises(ModelError, match="no data"):
        fit_model(CausalGraph.from_edges([("X", "Y")]))


def test_bad_options_are_named():
    with pytest.raises(ModelError, match="Unknown estimator"):
        fit_model(KIDNEY_GRAPH, KIDNEY, estimator="em")
    with pytest.raises(ModelError, match="Unknown prior"):
        fit_model(KIDNEY_GRAPH, KIDNEY, estimator="bayes", prior="dirichlet")
    with pytest.raises(ModelError, match="Unknown model kind"):
        fit_model(KIDNEY_GRAPH, KIDNEY, kind="neural")


def test_linear_model_needs_numbers():
    with pytest.raises(ModelError, match="stone_size, treatment are categorical"):
        fit_model(KIDNEY_GRAPH, KIDNEY, kind="linear")


def test_identifier_like_columns_are_refused():
    df = pd.DataFrame({"id": [f"p{i}" for i in range(80)], "Y": [0, 1] * 40})
    with pytest.raises(ModelError, match="80 different values"):
        fit_model(CausalGraph.from_edges([("id", "Y")]), df)


def test_linear_values_must_be_numbers():
    scm = LinearSCM.from_equations({"X": [], "Y": ["X"]}, {"X": {}, "Y": {"X": 1.0}})
    model = model_from_scm(scm)
    with pytest.raises(QueryError, match="not a number"):
        do_query(model, "Y", {"X": "high"})


def test_counterfactual_needs_an_action_and_a_different_target(kidney):
    with pytest.raises(QueryError, match="alternative action"):
        counterfactual(kidney, "recovery", {"treatment": "A"}, {})
    with pytest.raises(QueryError, match="both the target and the variable you change"):
        counterfactual(kidney, "recovery", {"treatment": "A"}, {"recovery": 0})


def test_impossible_facts_are_refused():
    df = pd.DataFrame({"X": [0, 0, 1, 1], "Y": [0, 0, 1, 1]})
    model = fit_model(CausalGraph.from_edges([("X", "Y")]), df)
    with pytest.raises(QueryError, match="impossible"):
        counterfactual(model, "Y", {"X": 0, "Y": 1}, {"X": 1})


def test_bounds_need_a_two_valued_exposure():
    obs = pd.DataFrame({"x": [0, 1, 2, 0], "y": [0, 1, 1, 0]})
    with pytest.raises(QueryError, match="takes 3 values"):
        causation_bounds(obs, exposure="x", outcome="y")


def test_bounds_need_discrete_models():
    scm = LinearSCM.from_equations({"X": [], "Y": ["X"]}, {"X": {}, "Y": {"X": 1.0}})
    with pytest.raises(QueryError, match="discrete model"):
        causation_bounds(model_from_scm(scm), exposure="X", outcome="Y")


def test_impossible_evidence_is_caught_even_when_it_is_d_separated_from_the_target():
    # B copies A, so (A=0, B=1) is impossible; C is unrelated. pgmpy 1.1.2's VariableElimination
    # prunes the evidence as irrelevant to C and answers P(C); conditioning on an impossible
    # event has no answer, so we refuse.
    g = CausalGraph.from_edges([("A", "B")], nodes=["A", "B", "C"])
    tables = {"A": [[0.5], [0.5]], "B": [[1.0, 0.0], [0.0, 1.0]], "C": [[0.3], [0.7]]}
    model = fit_model(g, cpts=tables, states={"A": [0, 1], "B": [0, 1], "C": [0, 1]})
    with pytest.raises(QueryError, match="probability zero"):
        observe_query(model, "C", {"A": 0, "B": 1})
