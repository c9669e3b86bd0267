"""The exercise generator: valid questions on every rung and level, answers the checker
accepts, perturbed answers it rejects, and never the same exercise twice in a row."""
from __future__ import annotations

import re

import pytest

from app.errors import LessonError
from app.exercises.checkers import NO_SET
from app.exercises.generator import (
    KIND_RUNG,
    LEVELS,
    RUNG_KINDS,
    drill,
    generate,
    nonsense_names,
    random_dag,
)

SEEDS = range(200)


def perturbed(ex):
    """A wrong answer derived from the stored one, wrong by construction."""
    if ex.kind == "number":
        return ex.answer + 1.0
    if ex.kind == "choice":
        return next(o for o in ex.options if o != ex.answer)
    if ex.id == "adjustment":
        # the stored set is minimal (or NO_SET, and then adjusting for nothing is biased):
        # dropping an element leaves a set that is not valid
        if ex.answer == frozenset({NO_SET}):
            return frozenset()
        return ex.answer - {sorted(ex.answer)[0]}
    first = ex.options[0]   # open paths: toggling one path changes the set
    return ex.answer - {first} if first in ex.answer else ex.answer | {first}


@pytest.fixture(scope="module")
def exercises():
    return [generate(s, 1 + s % 5) for s in SEEDS]


def test_two_hundred_seeds_give_answers_the_checker_accepts(exercises):
    for s, ex in zip(SEEDS, exercises):
        verdict = ex.check(ex.answer)
        assert verdict.correct, (s, ex.id, ex.prompt, verdict)


def test_two_hundred_seeds_reject_a_perturbed_answer(exercises):
    for s, ex in zip(SEEDS, exercises):
        verdict = ex.check(perturbed(ex))
        assert not verdict.correct, (s, ex.id, ex.prompt, ex.answer)
        assert verdict.message


def test_consecutive_seeds_never_give_the_same_exercise():
    for level in LEVELS:
        prints = [generate(s, level).fingerprint for s in range(60)]
        assert all(a != b for a, b in zip(prints, prints[1:]))


def test_the_same_seed_gives_the_same_exercise():
    a, b = generate(42, 3), generate(42, 3)
    assert a.fingerprint == b.fingerprint and a.answer == b.answer


def test_every_kind_appears_and_all_three_rungs_are_covered(exercises):
    kinds = {ex.id for ex in exercises}
    assert kinds == set(KIND_RUNG)
    assert {ex.rung for ex in exercises} == set(RUNG_KINDS)


@pytest.mark.parametrize("rung", list(RUNG_KINDS))
def test_asking_for_a_rung_gives_only_that_rung(rung):
    for s in range(15):
        ex = generate(s, 1 + s % 5, rung=rung)
        assert ex.rung == rung and ex.id in RUNG_KINDS[rung]


@pytest.mark.parametrize("kind", list(KIND_RUNG))
def test_every_kind_can_be_asked_for_from_level_two(kind):
    for level in (2, 3, 5):
        ex = generate(7, level, kind=kind)
        assert ex.id == kind and ex.check(ex.answer).correct


def test_difficulty_grows_from_three_variable_shapes_to_dense_graphs():
    import numpy as np

    shapes = set()
    for s in range(30):
        g = random_dag(np.random.default_rng(s), 1)
        assert len(g.nodes) == 3 and len(g.edges) == 2
        most_in = max(len(g.parents(n)) for n in g.nodes)
        most_out = max(len(g.children(n)) for n in g.nodes)
        shapes.add("collider" if most_in == 2 else "fork" if most_out == 2 else "chain")
    assert shapes == {"chain", "fork", "collider"}
    sizes = {lv: [len(random_dag(np.random.default_rng(s), lv).edges) for s in range(20)]
             for lv in LEVELS}
    assert [len(random_dag(np.random.default_rng(0), lv).nodes) for lv in LEVELS] == [3, 4, 5, 6, 8]
    means = [sum(v) / len(v) for v in sizes.values()]
    assert means == sorted(means) and means[-1] > 10


def test_generated_graphs_are_connected():
    import networkx as nx
    import numpy as np

    for s in range(50):
        g = random_dag(np.random.default_rng(s), 2 + s % 4)
        assert nx.is_weakly_connected(g.to_networkx())


def test_nonsense_names_are_distinct_plain_words():
    import numpy as np

    rng = np.random.default_rng(0)
    for _ in range(50):
        names = nonsense_names(rng, 8)
        assert len(set(names)) == 8
        assert all(re.fullmatch(r"[A-Z][a-z]{2,8}", n) for n in names)


def test_linear_exercises_show_their_coefficients_on_the_arrows():
    ex = generate(3, 3, kind="total_effect")
    assert ex.edge_labels and set(ex.edge_labels) == set(ex.graph.edges)


def test_counterfactual_prompt_shows_the_unit_and_the_equations():
    ex = generate(11, 3, kind="counterfactual")
    assert "| " in ex.prompt and "U_" in ex.prompt and "Had **" in ex.prompt


def test_total_effect_feedback_names_the_usual_composition_mistakes():
    import numpy as np

    from app import CausalGraph
    from app.exercises.generator import total_effect_question
    from app.models import LinearSCM

    # X → M → Y (2 × 1.5) and X → Y (0.5): total 3.5 (worked by hand).
    g = CausalGraph.from_edges([("X", "M"), ("M", "Y"), ("X", "Y")])
    scm = LinearSCM.from_equations({"X": [], "M": ["X"], "Y": ["M", "X"]},
                                   {"X": {}, "M": {"X": 2.0}, "Y": {"M": 1.5, "X": 0.5}},
                                   order=["X", "M", "Y"])
    ex = total_effect_question(np.random.default_rng(0), g, scm, difficulty=3)
    assert ex.answer == 3.5 and ex.check(3.5).correct
    assert "only the direct arrow" in ex.check(0.5).message
    assert "one path" in ex.check(3.0).message
    assert "multiply" in ex.check(4.0).message


def test_drill_gives_both_questions_on_one_graph():
    g, (paths, indep) = drill(5, 3)
    assert paths.graph == g == indep.graph
    assert paths.id == "paths" and indep.id == "independent"


def test_bad_difficulty_rung_or_kind_is_a_lesson_error():
    with pytest.raises(LessonError):
        generate(1, 9)
    with pytest.raises(LessonError, match="Unknown rung"):
        generate(1, 2, rung="seeing")
    with pytest.raises(LessonError, match="Unknown kind"):
        generate(1, 2, kind="nope")
