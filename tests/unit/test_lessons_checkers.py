"""Answer checkers: any correct answer passes (every valid adjustment set, every front-door
set), typed numbers are read the way students write them, and wrong answers get the feedback
written for that mistake."""
from __future__ import annotations

from itertools import chain, combinations

import numpy as np
import pytest

from app import parse_graph
from app.analysis import adjustment_sets, frontdoor_sets
from app.exercises.answers import AnswerFormatError, parse_number
from app.exercises.checkers import (
    NO_DEPENDENT,
    NO_SET,
    YES_INDEPENDENT,
    adjustment_exercise,
    choice_exercise,
    frontdoor_exercise,
    independence_exercise,
    instrument_exercise,
    is_frontdoor_set,
    number_exercise,
    paths_exercise,
)
from app.exercises.generator import random_dag
from app.io.dagitty import write_dagitty

CLASSIC = parse_graph("dag { Z1 -> X; Z1 -> Z3; Z2 -> Z3; Z2 -> Y; Z3 -> X; Z3 -> Y; X -> W; W -> Y }")
FRONT_DOOR = parse_graph("dag { smoking -> tar -> cancer; smoking <-> cancer }")


def subsets(items):
    items = sorted(items)
    return [frozenset(c) for c in chain.from_iterable(combinations(items, k)
                                                      for k in range(len(items) + 1))]


# ---- reading numbers ------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("0.83", 0.83), (" 83% ", 0.83), ("3/4", 0.75), ("-1,5", -1.5), ("= 1.9", 1.9),
    ("−2", -2.0), (".5", 0.5), ("1e-2", 0.01), (7, 7.0), ("+3", 3.0)])
def test_numbers_are_read_as_students_write_them(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "1..2", "nan", "inf", "2,5.3", None, True])
def test_unreadable_numbers_get_an_example_of_the_format(text):
    with pytest.raises(AnswerFormatError):
        parse_number(text)


def test_unreadable_input_is_not_counted_as_an_answer():
    ex = number_exercise("n", "2 + 2?", 4)
    fb = ex.grade("four")
    assert not fb.correct and not fb.understood and "0.83" in fb.message
    assert not ex.grade(None).understood
    choice = choice_exercise("c", "Pick", ["a", "b"], "a")
    assert "Pick one" in choice.grade(None).message and not choice.grade(None).understood
    assert not choice.grade("z").understood


# ---- numbers -----------------------------------------------------------------------------------
def test_number_tolerance_accepts_two_decimals_and_rejects_more():
    ex = number_exercise("n", "?", 0.8325, tol=0.005, unit="probability")
    assert ex.grade("0.83").correct and ex.grade("0.8325").correct and ex.grade("83.25%").correct
    assert ex.grade("83.25").correct                       # a percentage without the sign
    assert not ex.grade("0.82").correct
    assert "Close" in ex.grade("0.82").message
    assert "between 0 and 1" in ex.grade("250").message


def test_known_wrong_answers_get_their_own_feedback_and_sign_errors_are_named():
    ex = number_exercise("n", "?", 3.5, wrong=[(0.5, "only the direct arrow"), (3.5, "never")])
    assert ex.grade("0.5").message == "only the direct arrow"
    assert ex.grade("3.5").correct                          # a 'wrong' equal to the answer is ignored
    assert "wrong sign" in ex.grade("-3.5").message
    assert "Try again" in ex.grade("10").message


# ---- adjustment sets: every valid set passes ----------------------------------------------------
def test_every_valid_adjustment_set_of_the_classic_graph_passes_and_nothing_else():
    # Worked by hand from the back-door criterion: {Z1,Z3}, {Z2,Z3}, {Z1,Z2,Z3} (W is a mediator).
    ex = adjustment_exercise("a", CLASSIC, "X", "Y")
    valid = {frozenset({"Z1", "Z3"}), frozenset({"Z2", "Z3"}), frozenset({"Z1", "Z2", "Z3"})}
    for s in subsets(["Z1", "Z2", "Z3", "W"]):
        assert ex.check(s).correct == (s in valid), s


def test_a_collider_in_the_set_is_explained_with_the_path_it_opens():
    ex = adjustment_exercise("a", CLASSIC, "X", "Y")
    fb = ex.check(frozenset({"Z3"}))
    assert not fb.correct
    assert any("X ← Z1 → Z3 ← Z2 → Y" in r and "collider" in r for r in fb.reasons)
    fb = ex.check(frozenset({"Z1", "Z3", "W"}))
    assert any("mediator" in r for r in fb.reasons)


def test_lesson_traps_add_their_own_words():
    ex = adjustment_exercise("a", CLASSIC, "X", "Y", traps={"Z3": "Z3 is also a collider!"})
    assert "Z3 is also a collider!" in ex.check(frozenset({"Z3"})).reasons


def test_no_valid_set_is_right_only_when_none_exists():
    assert adjustment_exercise("a", FRONT_DOOR, "smoking", "cancer").check(frozenset({NO_SET})).correct
    ex = adjustment_exercise("a", CLASSIC, "X", "Y")
    assert not ex.check(frozenset({NO_SET})).correct
    assert "pick one" in ex.check(frozenset({NO_SET, "Z1"})).message


def test_a_valid_but_larger_set_passes_and_the_smaller_one_is_mentioned():
    fb = adjustment_exercise("a", CLASSIC, "X", "Y").check(frozenset({"Z1", "Z2", "Z3"}))
    assert fb.correct and "smaller set also works" in fb.message


# ---- paths and independence ------------------------------------------------------------------
def test_paths_exercise_wants_exactly_the_open_paths():
    g = parse_graph("dag { A -> B -> C; A -> D <- C; D -> E }")
    ex = paths_exercise("p", g, "A", "C", ["E"])
    # given E: A → B → C open (chain, B not in Z); A → D ← C open (E is D's descendant).
    assert ex.answer == frozenset({"A → B → C", "A → D ← C"})
    assert ex.check(ex.answer).correct
    fb = ex.check(frozenset({"A → B → C"}))
    assert not fb.correct and "1 open path is not marked" in fb.message and fb.reasons
    ex0 = paths_exercise("p", g, "A", "C", ["B"])
    assert ex0.answer == frozenset() and ex0.check(frozenset()).correct
    assert "2 paths you marked as open are blocked" not in ex0.check(frozenset({"A → D ← C"})).message


def test_independence_follows_d_separation_and_names_an_open_path():
    g = parse_graph("dag { talent -> admitted <- study }")
    assert independence_exercise("i", g, "talent", "study").answer == YES_INDEPENDENT
    ex = independence_exercise("i", g, "talent", "study", ["admitted"])
    assert ex.answer == NO_DEPENDENT
    fb = ex.check(YES_INDEPENDENT)
    assert not fb.correct and "talent → admitted ← study" in fb.reasons[0]


# ---- instruments and front door -----------------------------------------------------------------
def test_instrument_exercise_accepts_the_instrument_and_explains_a_confounder():
    g = parse_graph("dag { Z -> X -> Y; C -> X; C -> Y; X <-> Y }")
    ex = instrument_exercise("iv", g, "X", "Y")
    assert ex.check("Z").correct
    fb = ex.check("C")
    assert not fb.correct and any("confounder" in r for r in fb.reasons)


def test_front_door_set_of_the_smoking_graph_is_tar_only():
    ex = frontdoor_exercise("f", FRONT_DOOR, "smoking", "cancer")
    assert ex.answer == frozenset({"tar"}) and ex.check(frozenset({"tar"})).correct
    assert not ex.check(frozenset()).correct


def test_front_door_check_names_a_confounded_mediator():
    g = parse_graph("dag { X -> M -> Y; X <-> Y; M <-> Y }")
    ok, reasons = is_frontdoor_set(g, "X", "Y", ["M"])
    assert not ok and any("from M to Y stays open" in r for r in reasons)


@pytest.mark.parametrize("seed", range(40))
def test_front_door_check_agrees_with_the_engines_minimal_sets(seed):
    # app.analysis.frontdoor_sets lists minimal sets (checked node by node, as pgmpy); every one
    # must pass Pearl's set-level definition, and every passing set must contain a minimal one.
    # A front-door-shaped question: x → … → y with the direct arrow removed and a hidden
    # common cause x ↔ y added (half the time also a hidden cause of x and a mediator).
    rng = np.random.default_rng(seed)
    g = random_dag(rng, 3 + seed % 3)
    order = g.topological_order()
    x = order[0]
    y = [n for n in order if n in g.descendants(x)][-1]
    if g.has_edge(x, y):
        g = g.remove_edge(x, y)
    g = g.add_bidirected(x, y)
    middle = [n for n in g.descendants(x) if n != y and y in g.descendants(n)]
    if middle and seed % 2:
        g = g.add_bidirected(x, middle[0])
    nodes = list(g.nodes)
    minimal = [frozenset(s) for s in frontdoor_sets(g, x, y)]
    for m in minimal:
        assert is_frontdoor_set(g, x, y, m)[0], (write_dagitty(g), x, y, m)
    for s in subsets([n for n in nodes if n not in (x, y)])[1:]:
        if is_frontdoor_set(g, x, y, s)[0]:
            assert any(m <= s for m in minimal), (write_dagitty(g), x, y, s)


def test_adjustment_checker_agrees_with_brute_force_on_random_graphs():
    # For each random graph and pair, the sets the checker accepts are exactly the sets listed
    # by app.analysis.adjustment_sets(kind="all").
    for seed in range(15):
        rng = np.random.default_rng(seed)
        g = random_dag(rng, 3)
        x, y = g.topological_order()[0], g.topological_order()[-1]
        ex = adjustment_exercise("a", g, x, y)
        valid = {frozenset(s) for s in adjustment_sets(g, x, y, "all")}
        for s in subsets([n for n in g.nodes if n not in (x, y)]):
            assert ex.check(s).correct == (s in valid)
