"""Learn page, lesson 9: the student picks an experiment on the class drawn; the engine's
ranking checks it, explains a wrong pick, and "show me" marks the best one."""
from app.lessons.loader import build_lesson
from tests.ui.conftest import assert_no_exception, open_page, shown
from tests.ui.test_learn_page import answer, errors, key, successes

SLUG = "09_next_experiment"


def test_lesson_9_pick_is_checked_by_the_ranking():
    at = open_page("pages/learn.py")
    at.selectbox(key="learn_lesson").set_value(SLUG).run()
    assert_no_exception(at)
    seed = at.session_state["cc_pages"]["learn_seeds"].get(SLUG, 0)
    run = build_lesson(SLUG, seed=seed, difficulty=3)
    pick, worst = run.exercises
    k = key(SLUG, "pick", seed=seed, level=3)
    wrong = next(o for o in pick.options if not pick.check(o).correct)
    answer(at, k, wrong)
    assert f"Intervening on {wrong} orients at least" in errors(at)
    answer(at, k, pick.answer)
    assert f"In the worst case {run.facts['best']} orients" in successes(at)
    # the After text shows the engine's ranking table
    assert any("intervene on" in list(df.value.columns) for df in at.dataframe)
    k = key(SLUG, "worst", seed=seed, level=3)
    answer(at, k, str(int(worst.answer)))
    progress = at.session_state["cc_pages"]["learn_progress"]
    assert progress.record(SLUG, "pick").solved and progress.record(SLUG, "worst").solved
    assert not progress.record(SLUG, "pick").solved_first_try
    text = shown(" ".join(str(m.value) for m in at.markdown))
    assert "Which experiment next?" in text or "equivalence class" in text
