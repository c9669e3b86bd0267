"""Classroom exercises: answer keys from textbook graphs, checked against pgmpy and by hand."""
from __future__ import annotations

import itertools
import random
import warnings

import pytest

from app import parse_graph
from app.classroom import NO_SET, Question, check_answer, make_question, summarise
from app.errors import ClassroomError
from app.exercises.answers import parse_number
from app.graph import CausalGraph

# Pearl (2009), Causality, 2nd ed., Fig. 3.4: {X3, X4} and {X4, X5} meet the back-door
# criterion for (Xi, Xj); {X4} alone does not (it opens Xi <- X3 <- X1 -> X4 <- X2 -> X5 -> Xj).
PEARL_3_4 = parse_graph("dag { X1 -> X3; X1 -> X4; X2 -> X4; X2 -> X5; X3 -> Xi; X4 -> Xi; "
                        "X4 -> Xj; X5 -> Xj; Xi -> X6 -> Xj }")
# Greenland, Pearl & Robins (1999) M-bias: adjusting for nothing is right, for M is wrong.
M_BIAS = parse_graph("dag { U1 [latent]; U2 [latent]; U1 -> X; U1 -> M; U2 -> M; U2 -> Y; "
                     "X -> Y }")
# Pearl (1995) front-door graph: the latent confounder leaves no valid adjustment set.
FRONT_DOOR = parse_graph("dag { smoking -> tar -> cancer; smoking <-> cancer }")
KIDNEY = parse_graph("dag { stone_size -> treatment; stone_size -> recovery; "
                     "treatment -> recovery }")


def is_adjustment_set(g, x, y, z) -> bool:
    from app.analysis import check_adjustment_set

    return check_adjustment_set(g, x, y, sorted(z)).valid


def minimal_adjustment_sets(g, x, y) -> list[frozenset]:
    return [frozenset(s) for s in make_question("adjustment_set", g, {
        "exposure": x, "outcome": y}).solution["minimal"]]


def _adjust(g, x, y):
    return make_question("adjustment_set", g, {"exposure": x, "outcome": y})


def test_pearl_fig_3_4_minimal_sets_and_the_insufficient_x4():
    q = _adjust(PEARL_3_4, "Xi", "Xj")
    # Worked by hand: X4 must be in (Xi <- X4 -> Xj); then the path through X1 and X2 needs
    # one of X1, X2, X3, X5 — four minimal sets, two of them the book's.
    assert {frozenset(s) for s in q.solution["minimal"]} == {
        frozenset({"X3", "X4"}), frozenset({"X4", "X5"}), frozenset({"X1", "X4"}),
        frozenset({"X2", "X4"})}
    assert check_answer(q, ["X3", "X4"]).correct
    assert check_answer(q, ["X4", "X5"]).correct
    wrong = check_answer(q, ["X4"])
    assert not wrong.correct
    assert "X1" in wrong.feedback and "X2" in wrong.feedback   # the path it leaves open
    assert not check_answer(q, ["X3", "X4", "X6"]).correct       # X6 is a mediator


def test_m_bias_empty_set_is_valid_and_adjusting_for_m_opens_the_path():
    q = _adjust(M_BIAS, "X", "Y")
    assert q.solution == {"exists": True, "minimal": [[]]}
    assert check_answer(q, []).correct
    wrong = check_answer(q, ["M"])
    assert not wrong.correct
    assert "X ← U1 → M ← U2 → Y" in wrong.feedback and "collider" in wrong.feedback
    assert q.choices() == ["M"]                  # latent U1, U2 are not offered
    with pytest.raises(ClassroomError, match="not one of the choices"):
        check_answer(q, ["U1"])                  # and cannot be adjusted for


def test_front_door_graph_has_no_valid_adjustment_set():
    q = _adjust(FRONT_DOOR, "smoking", "cancer")
    assert q.solution["exists"] is False
    assert check_answer(q, NO_SET).correct
    assert not check_answer(q, []).correct
    assert not check_answer(q, ["tar"]).correct   # tar is the mediator
    assert "No set of measured variables" in q.solution_text()


def test_kidney_stones_needs_stone_size_and_none_exists_is_wrong_there():
    q = _adjust(KIDNEY, "treatment", "recovery")
    assert q.solution["minimal"] == [["stone_size"]]
    assert check_answer(q, ["stone_size"]).correct
    none = check_answer(q, NO_SET)
    assert not none.correct and "A valid set does exist" in none.feedback


def test_adjustment_criterion_accepts_a_harmless_descendant_that_back_door_forbids():
    # Shpitser et al. (2010): W is caused by X but lies on no causal path to Y, so {W} is a
    # valid adjustment set though it fails the back-door criterion's "no descendant" clause.
    g = parse_graph("dag { X -> Y; X -> W }")
    assert is_adjustment_set(g, "X", "Y", {"W"})
    mediator = parse_graph("dag { Z -> X; Z -> Y; X -> M -> Y }")
    assert not is_adjustment_set(mediator, "X", "Y", {"Z", "M"})
    assert "mediator" in check_answer(_adjust(mediator, "X", "Y"), ["Z", "M"]).feedback


def _random_dag(rng: random.Random, n: int, p: float) -> CausalGraph:
    names = [f"V{i}" for i in range(n)]
    edges = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n) if rng.random() < p]
    return CausalGraph.from_edges(edges, nodes=names)


def _regression_is_unbiased(g: CausalGraph, x: str, y: str, z: tuple, rng) -> bool:
    """Population OLS of y on (x, z) in a linear SEM with random weights recovers the total
    effect exactly iff z is a valid adjustment set (generic parameters): a numeric reference
    that shares no code with the graph criterion."""
    import numpy as np

    idx = {n: i for i, n in enumerate(g.nodes)}
    b = np.zeros((len(idx), len(idx)))
    for a, c in g.edges:
        b[idx[c], idx[a]] = rng.choice([-1, 1]) * rng.uniform(0.5, 1.5)
    mix = np.linalg.inv(np.eye(len(idx)) - b)          # V = mix @ noise
    cov = mix @ mix.T
    cols = [idx[x], *(idx[v] for v in z)]
    beta = np.linalg.solve(cov[np.ix_(cols, cols)], cov[cols, idx[y]])
    return abs(beta[0] - mix[idx[y], idx[x]]) < 1e-9


def test_adjustment_check_agrees_with_linear_sem_regression_on_every_subset():
    rng = random.Random(12)
    checked = valid = 0
    for _ in range(12):
        g = _random_dag(rng, 6, 0.45)
        for x, y in itertools.permutations(g.nodes, 2):
            others = [n for n in g.nodes if n not in (x, y)]
            for k in range(len(others) + 1):
                for z in itertools.combinations(others, k):
                    ours = is_adjustment_set(g, x, y, set(z))
                    assert ours == _regression_is_unbiased(g, x, y, z, rng), (g.edges, x, y, z)
                    checked += 1
                    valid += ours
    assert checked > 5000 and 0 < valid < checked


def test_adjustment_check_agrees_with_pgmpy_back_door_for_non_descendants():
    # pgmpy 1.1.2's is_valid_adjustment_set only tests d-separation in the proper back-door
    # graph (it accepts a mediator), so it is a reference for that part alone; for sets with
    # no descendant of X the back-door criterion is equivalent and pgmpy checks it fully.
    from pgmpy.base import DAG
    from pgmpy.inference import CausalInference

    rng = random.Random(7)
    checked = 0
    for _ in range(5):
        g = _random_dag(rng, 6, 0.4)
        if not g.edges:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ci = CausalInference(DAG(list(g.edges)))
        dag_nodes = {n for e in g.edges for n in e}
        for x, y in itertools.permutations(sorted(dag_nodes), 2):
            others = [n for n in sorted(dag_nodes) if n not in (x, y)]
            for k in range(len(others) + 1):
                for z in itertools.combinations(others, k):
                    ours = is_adjustment_set(g, x, y, set(z))
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        if ours:
                            assert ci.is_valid_adjustment_set([x], [y], list(z))
                        if not set(z) & g.descendants(x):
                            assert ours == ci.is_valid_backdoor_adjustment_set(x, y, list(z))
                            checked += 1
    assert checked > 150


def test_minimal_sets_are_valid_and_minimal_on_random_dags():
    rng = random.Random(3)
    for _ in range(20):
        g = _random_dag(rng, 7, 0.35)
        for x, y in itertools.permutations(g.nodes[:4], 2):
            for s in minimal_adjustment_sets(g, x, y):
                assert is_adjustment_set(g, x, y, s)
                assert not any(is_adjustment_set(g, x, y, s - {v}) for v in s)


def test_independence_questions_follow_d_separation():
    # Collider: X -> C <- Y. Independent marginally, dependent given C (Pearl 2009, §1.2.3).
    g = parse_graph("dag { X -> C; Y -> C; C -> D }")
    marg = make_question("independence", g, {"x": "X", "y": "Y", "given": []})
    assert marg.solution["independent"] is True
    assert check_answer(marg, "independent").correct
    on_descendant = make_question("independence", g, {"x": "X", "y": "Y", "given": ["D"]})
    assert on_descendant.solution == {"independent": False, "open_path": "X → C ← Y"}
    wrong = check_answer(on_descendant, "independent")
    assert not wrong.correct and "X → C ← Y" in wrong.feedback
    # A bidirected edge is a latent common cause: still dependent given the mediator.
    fd = make_question("independence", FRONT_DOOR, {"x": "smoking", "y": "cancer",
                                                    "given": ["tar"]})
    assert fd.solution["open_path"] == "smoking ↔ cancer"


def test_independence_agrees_with_pgmpy_d_connection_on_random_dags():
    from pgmpy.base import DAG

    rng = random.Random(5)
    for _ in range(15):
        g = _random_dag(rng, 6, 0.4)
        if not g.edges:
            continue
        dag = DAG(list(g.edges))
        for x, y in itertools.combinations([n for n in g.nodes if n in dag], 2):
            rest = [n for n in dag.nodes if n not in (x, y)]
            z = rng.sample(rest, rng.randint(0, min(2, len(rest))))
            q = make_question("independence", g, {"x": x, "y": y, "given": z})
            assert q.solution["independent"] == (not dag.is_dconnected(x, y, z))


def test_effect_sign_is_zero_without_a_directed_path():
    g = parse_graph("dag { Z -> X; Z -> Y }")
    with pytest.raises(ClassroomError, match="no directed path"):
        make_question("effect_sign", g, {"exposure": "X", "outcome": "Y", "sign": "+"})
    q = make_question("effect_sign", g, {"exposure": "X", "outcome": "Y", "sign": "0"})
    assert check_answer(q, "0").correct
    wrong = check_answer(q, "+")
    assert not wrong.correct and "no directed path" in wrong.feedback
    q2 = make_question("effect_sign", KIDNEY, {"exposure": "treatment", "outcome": "recovery",
                                               "sign": "-"})
    assert check_answer(q2, "−").correct and check_answer(q2, "-").label == "decreases (−)"


def test_numeric_questions_use_the_tolerance_and_read_student_formats():
    # Kidney stones, P(recovery=1 | do(treatment=A)) = 0.8325 by back-door adjustment on
    # Charig et al. (1986) counts: 0.93·(357/700) + 0.73·(343/700) = 0.8325 (Pearl, Primer §3.2).
    q = make_question("do_query", KIDNEY, {"target": "recovery", "target_value": "1",
                                           "do": {"treatment": "A"}, "value": 0.8325,
                                           "tolerance": 0.005})
    assert q.prompt == "What is P(recovery = 1 | do(treatment = A))?"
    assert check_answer(q, 0.83).correct
    assert check_answer(q, "0,834").correct
    assert check_answer(q, "83.3%").correct
    wrong = check_answer(q, 0.78)
    assert not wrong.correct and wrong.label == "0.780" and "Not this number" in wrong.feedback
    # a probability typed as a percentage is right, and shows in the tally as a probability
    assert check_answer(q, "83.25").correct and check_answer(q, "83.25").label == "0.833"
    cf = make_question("counterfactual", KIDNEY, {
        "target": "recovery", "target_value": "1", "do": {"treatment": "B"},
        "factual": {"treatment": "A", "recovery": "0"}, "value": 0.4, "tolerance": 0.05})
    assert "We observed treatment = A, recovery = 0" in cf.prompt
    assert check_answer(cf, 0.44).correct and not check_answer(cf, 0.46).correct
    with pytest.raises(ClassroomError):
        check_answer(cf, "lots")
    assert parse_number("1e-2") == 0.01


@pytest.mark.parametrize("kind,params,message", [
    ("adjustment_set", {"exposure": "X", "outcome": "X"}, "different"),
    ("adjustment_set", {"exposure": "nope", "outcome": "Y"}, "Choose the exposure"),
    ("independence", {"x": "X", "y": "Y", "given": ["X"]}, "must not contain"),
    ("do_query", {"target": "Y", "do": {"Y": "1"}, "value": 1}, "cannot also be"),
    ("do_query", {"target": "Y", "do": {"X": "1"}, "value": float("nan")}, "finite"),
    ("wizardry", {}, "Unknown kind"),
])
def test_bad_question_parameters_get_a_clear_message(kind, params, message):
    g = parse_graph("dag { Z -> X -> Y; Z -> Y }")
    with pytest.raises(ClassroomError, match=message):
        make_question(kind, g, params)


def test_question_survives_a_json_round_trip():
    q = make_question("counterfactual", KIDNEY, {
        "target": "recovery", "do": {"treatment": "B"}, "factual": {"treatment": "A"},
        "value": 0.5, "note": "Use the fitted model."})
    assert Question.from_json(q.to_json()) == q


def test_summary_counts_share_and_common_wrong_answers():
    s = summarise([("{Z}", True), ("{Z}", True), ("∅", False, "open path"), ("∅", False),
                   ("{Z, M}", False), ("{M}", False)])
    assert (s.total, s.correct) == (6, 2)
    assert s.correct_share == pytest.approx(1 / 3)
    assert [a.label for a in s.distribution] == ["{Z}", "∅", "{M}", "{Z, M}"]
    assert s.common_wrong[0].label == "∅" and s.common_wrong[0].count == 2
    assert s.common_wrong[0].feedback == "open path"
    assert summarise([]).correct_share is None


def _kidney_table():
    import pandas as pd

    # Charig et al. (1986): A small 81/87, A large 192/263, B small 234/270, B large 55/80.
    rows = []
    for t, size, rec, n in [("A", "small", 1, 81), ("A", "small", 0, 6), ("A", "large", 1, 192),
                            ("A", "large", 0, 71), ("B", "small", 1, 234), ("B", "small", 0, 36),
                            ("B", "large", 1, 55), ("B", "large", 0, 25)]:
        rows += [{"treatment": t, "stone_size": size, "recovery": rec}] * n
    return pd.DataFrame(rows)


def test_model_value_fills_the_answer_key_from_the_data():
    from app.classroom import model_value
    from app.models import fit_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = fit_model(KIDNEY, _kidney_table())
    do_a = {"target": "recovery", "target_value": "1", "do": {"treatment": "A"}}
    # Back-door adjustment by hand: (81/87)(357/700) + (192/263)(343/700) = 0.83255
    assert model_value("do_query", do_a, model) == pytest.approx(
        81 / 87 * 357 / 700 + 192 / 263 * 343 / 700, abs=1e-9)
    do_b = {**do_a, "do": {"treatment": "B"}}
    # (234/270)(357/700) + (55/80)(343/700) = 0.77888
    assert model_value("do_query", do_b, model) == pytest.approx(
        234 / 270 * 357 / 700 + 55 / 80 * 343 / 700, abs=1e-9)
    # Monotonicity with A better than B in both strata: a patient who did not recover on A
    # would not have recovered on B (probability 0).
    cf = {**do_b, "factual": {"treatment": "A", "recovery": "0"}}
    assert model_value("counterfactual", cf, model) == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ClassroomError, match="probability of one value"):
        model_value("do_query", {**do_a, "target_value": None}, model)
