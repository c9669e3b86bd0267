"""Lesson 9 ("Which experiment next?"): its answer key is the engine's ranking, and that key
agrees with brute force over the members of the class drawn (the class enumerated from its
definition, Verma & Pearl 1990; what an experiment orients by Hauser & Bühlmann 2012, Thm 10;
the helpers are those of tests/unit/test_experiments.py)."""
import pytest

from app.lessons.loader import build_lesson
from tests.unit.test_experiments import _brute


def _dag_of(g):
    """One member of the class drawn (a consistent extension, Dor & Tarsi 1992): the brute
    force enumerates the whole class from it."""
    from app.discovery.pdag import Pdag, dag_extension

    return dag_extension(Pdag(list(g.nodes), set(g.edges), {frozenset(p) for p in g.undirected}))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("difficulty", [2, 3])
def test_answer_key_matches_brute_force(seed, difficulty):
    run = build_lesson("09_next_experiment", seed=seed, difficulty=difficulty)
    g = run.graph
    assert g.kind == "pdag" and len(g.undirected) >= 2
    want, members, n_undecided = _brute(list(g.nodes), _dag_of(g))
    pick, worst = run.exercises
    top = max(w for w, _, _ in want.values())
    best_targets = {v for v, (w, _, _) in want.items() if w == top}
    assert set(pick.options) == set(want)
    for option in pick.options:
        assert pick.check(option).correct == (option in best_targets), option
    assert pick.answer in best_targets
    counted = run.facts["counted"]        # the second exercise counts for another variable
    assert counted not in best_targets and f"**{counted}**" in worst.prompt
    assert worst.answer == want[counted][0] < top
    assert pick.answer not in worst.prompt.replace(counted, "")   # the first answer stays hidden
    assert run.facts["members"] == members and run.facts["n_undecided"] == n_undecided


def test_a_wrong_pick_is_told_its_worst_case():
    run = build_lesson("09_next_experiment", seed=0, difficulty=3)
    pick = run.exercises[0]
    wrong = next(o for o in pick.options if not pick.check(o).correct)
    said = pick.check(wrong).message
    assert f"Intervening on {wrong} orients at least" in said and pick.answer in said
