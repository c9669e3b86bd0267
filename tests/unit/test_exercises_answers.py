"""One answer, one verdict: Learn, Practice and the classroom read answers with the same
normaliser (app.exercises.answers) and check them with the same exercise.

Issue 21: Learn accepted '3/4', '−0.5' (Unicode minus) and '= 1.9' where the classroom refused
all three. Here the same 40 strings go to the same three questions posed by each of the three,
and every verdict (unreadable / wrong / right) must agree, and match the expected one.
"""
from __future__ import annotations

import pytest

from app.classroom import check_answer, make_question
from app.errors import ClassroomError
from app.exercises import checkers
from app.exercises.answers import AnswerFormatError, parse_number, parse_set
from app.exercises.generator import generate
from app.lessons import checkers as lesson_api  # what a lesson's checker.py imports

# Practice exercises (the generator, as the Practice tab calls it), chosen by seed:
NUMBER = generate(1, 2, kind="do_mean")          # E[Drurlo | do(Blaf = -1)] = -0.5
ADJUST = generate(0, 3, kind="adjustment")       # Boox -> Gark; {Troundle} is minimal
INDEP = generate(0, 3, kind="independence")      # Peem vs Troundle given {Gark, Pridix}

STRINGS = [
    # numbers
    "−0.5", "-0.5", "= −0.5", "= -0.5", "-1/2", "−1/2", "-0,5", "-50%", " - 0.50 ", "-.5",
    "3/4", "= 1.9", "−0.49", "-0.6", "0.5", "abc", "", "1/0", "1e-2",
    # sets of variables
    "{Troundle}", "Troundle", "troundle", "{Troundle, Pridix}", "Troundle,Pridix",
    "Troundle; Peem", "none", "nothing", "∅", "{}", "No valid set exists", "no valid set",
    "{Boox}", "Zorp",
    # independence
    "yes", "no", "independent", "not independent", "No: dependent (d-connected)",
    "d-connected", "maybe",
]
RIGHT = {
    "number": {"−0.5", "-0.5", "= −0.5", "= -0.5", "-1/2", "−1/2", "-0,5", "-50%", " - 0.50 ",
               "-.5"},
    "adjustment": {"{Troundle}", "Troundle", "troundle", "{Troundle, Pridix}",
                   "Troundle,Pridix", "Troundle; Peem"},
    "independence": {"no", "not independent", "No: dependent (d-connected)", "d-connected"},
}
READABLE = {
    "number": {s for s in STRINGS if s in RIGHT["number"]} | {"3/4", "= 1.9", "−0.49", "-0.6",
                                                               "0.5", "1e-2"},
    "adjustment": RIGHT["adjustment"] | {"none", "nothing", "∅", "{}", "No valid set exists",
                                         "no valid set"},
    "independence": RIGHT["independence"] | {"yes", "independent"},
}


def _learn(kind):
    if kind == "number":
        return lesson_api.number_exercise("learn", "E[Drurlo | do(Blaf = -1)]?", -0.5)
    x, y = ADJUST.params["x"], ADJUST.params["y"]
    if kind == "adjustment":
        return lesson_api.adjustment_exercise("learn", ADJUST.graph, x, y)
    p = INDEP.params
    return lesson_api.independence_exercise("learn", INDEP.graph, p["x"], p["y"], p["given"])


def _classroom(kind):
    if kind == "number":
        p = NUMBER.params
        return make_question("do_query", NUMBER.graph, {
            "target": p["y"], "do": {p["x"]: "-1"}, "value": NUMBER.answer,
            "tolerance": checkers.tolerance(NUMBER.answer)})
    if kind == "adjustment":
        return make_question("adjustment_set", ADJUST.graph, {
            "exposure": ADJUST.params["x"], "outcome": ADJUST.params["y"]})
    p = INDEP.params
    return make_question("independence", INDEP.graph, {"x": p["x"], "y": p["y"],
                                                      "given": list(p["given"])})


def _graded(exercise, text):
    fb = exercise.grade(text)
    return (fb.understood, fb.correct) if fb.understood else (False, None)


def _checked(question, text):
    try:
        return True, check_answer(question, text).correct
    except ClassroomError:
        return False, None


def test_the_practice_questions_are_the_ones_this_test_expects():
    assert len(STRINGS) == 40
    assert NUMBER.answer == pytest.approx(-0.5) and NUMBER.params["value"] == -1.0
    assert (ADJUST.params["x"], ADJUST.params["y"]) == ("Boox", "Gark")
    assert ADJUST.answer == frozenset({"Troundle"})
    assert INDEP.answer == checkers.NO_DEPENDENT


@pytest.mark.parametrize("kind,practice", [("number", NUMBER), ("adjustment", ADJUST),
                                           ("independence", INDEP)])
def test_learn_practice_and_classroom_give_the_same_verdict_on_40_answers(kind, practice):
    learn, classroom = _learn(kind), _classroom(kind)
    for text in STRINGS:
        verdicts = {"learn": _graded(learn, text), "practice": _graded(practice, text),
                    "classroom": _checked(classroom, text)}
        expected = ((True, text in RIGHT[kind]) if text in READABLE[kind] else (False, None))
        assert set(verdicts.values()) == {expected}, (kind, text, verdicts)


def test_the_classroom_stores_what_it_read_and_reads_it_back_the_same():
    q = _classroom("adjustment")
    typed = check_answer(q, "troundle, Pridix")
    assert typed.answer == {"set": ["Pridix", "Troundle"]} and typed.label == "{Pridix, Troundle}"
    assert check_answer(q, typed.answer) == typed
    none = check_answer(q, "no valid set")
    assert none.answer == {"none": True} and check_answer(q, none.answer) == none
    sign = make_question("effect_sign", ADJUST.graph, {"exposure": "Boox", "outcome": "Gark",
                                                       "sign": "-"})
    assert check_answer(sign, "−").answer == {"sign": "-"}
    assert check_answer(sign, "minus").correct and not check_answer(sign, "plus").correct


@pytest.mark.parametrize("text,value", [
    ("3/4", 0.75), ("−0.5", -0.5), ("= 1.9", 1.9), ("83%", 0.83), ("1,5", 1.5),
    ("−1/2", -0.5), ("≈ 2", 2.0), ("１２", 12.0), ("1e-2", 0.01), (7, 7.0),
])
def test_numbers_are_read_as_students_write_them(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "inf", "nan", "1e999", True, "3/", "--1"])
def test_unreadable_numbers_say_so(text):
    with pytest.raises(AnswerFormatError):
        parse_number(text)


def test_sets_are_read_from_lists_and_text():
    options = ("A", "B", "C d", checkers.NO_SET)
    assert parse_set("{A, B}", options) == parse_set("A,B", options) == {"A", "B"}
    assert parse_set(["A"], options) == parse_set("a", options) == {"A"}
    assert parse_set("none", options) == parse_set("{}", options) == parse_set([], options) \
        == frozenset()
    assert parse_set("C d", options) == {"C d"}
    assert parse_set("No valid set", options) == {checkers.NO_SET}
    with pytest.raises(AnswerFormatError, match="'E' is not one of the choices"):
        parse_set("A, E", options)
    with pytest.raises(AnswerFormatError):
        parse_set("", options)
