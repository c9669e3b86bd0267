"""Discover page, "Which experiment next?": the ranking on the learned CPDAG, and the PAG refusal.

Reference for the numbers: GES on the asia sample leaves two undirected edges; the ranking's own
values are checked against brute force over class members in tests/unit/test_experiments.py.
"""
from app.discovery.experiments import plan_experiments
from tests.ui.conftest import assert_no_exception, open_page, shown


def test_ranking_sentence_and_choice_on_the_learned_class():
    at = open_page("pages/discover.py", sample="asia")
    assert_no_exception(at)
    box = next(s for s in at.selectbox if s.key.startswith("disc_exp_target:"))
    said = shown(" ".join(str(i.value) for i in at.info))
    assert f"Intervening on {box.value} orients" in said and "undecided edges" in said
    # the sentence is the plan's own, for the top choice
    other = box.options[-1]
    box.select(other).run()
    assert_no_exception(at)
    said = shown(" ".join(str(i.value) for i in at.info))
    assert f"Intervening on {other} orients" in said


def test_pag_is_refused_in_words():
    at = open_page("pages/discover.py", sample="asia")
    at.selectbox(key="disc_method").select("fci").run()
    assert_no_exception(at)
    text = shown(" ".join(str(c.value) for c in at.caption))
    assert "for CPDAGs (PC, GES) only" in text
    assert not [s for s in at.selectbox if s.key.startswith("disc_exp_target:")]


def test_plan_sentence_matches_for_a_chain():
    from app.discovery.pdag import Pdag

    plan = plan_experiments(Pdag(list("abc"), set(), {frozenset("ab"), frozenset("bc")}))
    assert plan.sentence().startswith("Intervening on b orients 2 of the 2 undecided edges")


def test_regime_column_compares_the_classes_without_a_traceback():
    at = open_page("pages/discover.py", sample="kidney_stones")
    box = next(s for s in at.selectbox if s.key.startswith("disc_exp_regime:"))
    regime = box.options[1]          # options[0] is "— none —"
    box.select(regime).run()
    assert_no_exception(at)
    labels = [m.label for m in at.metric]
    assert "Undecided edges, observational rows" in labels
    said = shown(" ".join(str(i.value) for i in at.info))
    assert "Observational rows alone leave" in said and f"regime column {regime}" in said


def test_pairs_of_experiments_on_request():
    at = open_page("pages/discover.py", sample="asia")
    toggle = next(t for t in at.toggle if t.key.startswith("disc_exp_pairs:"))
    assert not any("Two experiments, on" in str(i.value) for i in at.info)   # not computed yet
    toggle.set_value(True).run()
    assert_no_exception(at)
    said = shown(" ".join(str(i.value) for i in at.info))
    assert "Two experiments, on" in said and "The best single experiment" in said
