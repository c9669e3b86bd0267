"""Learn page (AppTest): in every lesson a right answer is accepted and a wrong one gets the
feedback written for it; practice, hints, "show me", presenter mode, share links and broken
lesson files behave as a teacher expects."""
from __future__ import annotations

import textwrap

import pytest

from app.exercises.checkers import NO_SET
from app.exercises.generator import drill, generate
from app.lessons.loader import ENV_VAR
from app.workspace import decode_share, encode_share
from tests.ui.conftest import assert_no_exception, open_page, shown

PAGE = "pages/learn.py"


def key(slug: str, ex_id: str, seed: int = 0, level: int = 2) -> str:
    return f"learn_{slug}_{seed}_{level}_{ex_id}"


def answer(at, k: str, value) -> None:
    if isinstance(value, (set, frozenset, list, tuple)):
        at.multiselect(key=f"{k}_in").set_value(sorted(value))
    elif _has(at.radio, f"{k}_in"):
        at.radio(key=f"{k}_in").set_value(value)
    else:
        at.text_input(key=f"{k}_in").input(str(value))
    at.button(key=f"{k}_check").click().run()
    assert_no_exception(at)


def _has(seq, k: str) -> bool:
    return any(getattr(w, "key", None) == k for w in seq)


def errors(at) -> str:
    return shown("\n".join(e.value for e in at.error))


def successes(at) -> str:
    return shown("\n".join(e.value for e in at.success))


def lesson(slug: str, sample: str | None = "kidney_stones"):
    at = open_page(PAGE, sample=sample)
    if slug != "01_confounding_simpson":
        at.selectbox(key="learn_lesson").set_value(slug).run()
    assert_no_exception(at)
    return at


# ---- the eight lessons -------------------------------------------------------------------------
def test_lesson_1_prediction_reveals_the_table_and_adjusting_is_checked():
    at = lesson("01_confounding_simpson")
    assert not any("Simpson's paradox" in shown(m.value) for m in at.markdown)
    answer(at, key("01_confounding_simpson", "predict"), "B does better for small stones and for large stones")
    assert "almost everyone predicts" in shown("\n".join(i.value for i in at.info))
    assert any("Simpson's paradox" in shown(m.value) for m in at.markdown)   # the After text appears
    k = key("01_confounding_simpson", "adjusted")
    answer(at, k, "0.78")
    assert "P(recovery | A)" in errors(at) and "large stones" in errors(at)
    answer(at, k, "0.8325")
    assert "Correct: 0.8325" in successes(at)
    assert any("0.7789" in shown(m.value) for m in at.markdown)


def test_lesson_1_adjustment_set_is_checked_by_the_engine():
    at = lesson("01_confounding_simpson")
    k = key("01_confounding_simpson", "adjuster")
    answer(at, k, set())
    assert "treatment ← stone_size → recovery" in errors(at)
    answer(at, k, {"stone_size"})
    assert "Valid" in successes(at)


def test_lesson_2_adjusting_for_the_collider_is_explained():
    at = lesson("02_colliders_selection")
    k = key("02_colliders_selection", "adjust")
    answer(at, k, {"admitted"})
    assert "collider" in errors(at) and "-0.55" in errors(at)
    answer(at, k, set())
    assert "Valid" in successes(at)


def test_lesson_3_total_effect_and_the_mediator_trap():
    at = lesson("03_mediation")
    k = key("03_mediation", "total")
    answer(at, k, "0.5")
    assert "only the direct arrow" in errors(at)
    answer(at, k, "3.5")
    assert "Correct: 3.5" in successes(at)
    k = key("03_mediation", "adjust")
    answer(at, k, {"motivation", "skill"})
    assert "mediator" in errors(at)


def test_lesson_3_natural_direct_effect_from_the_mediation_formula():
    # Primer §4.5.2: NDE 0.32; 0.2 is the controlled direct effect at skill = no
    at = lesson("03_mediation")
    k = key("03_mediation", "natural_direct")
    answer(at, k, "0.2")
    assert "controlled" in errors(at)
    answer(at, k, "0.32")
    assert "Correct" in successes(at)
    assert any("**0.035**" in shown(m.value) for m in at.markdown)     # the After text


def test_lesson_4_drill_checks_open_paths_and_new_exercise_changes_the_graph():
    at = lesson("04_dseparation_drill")
    _, (paths, indep) = drill(0, 2)
    k = key("04_dseparation_drill", "paths")
    first = paths.options[0]
    wrong = paths.answer - {first} if first in paths.answer else paths.answer | {first}
    answer(at, k, wrong)
    assert "Not quite" in errors(at)
    answer(at, k, paths.answer)
    assert "Correct" in successes(at)
    wrong_choice = next(o for o in indep.options if o != indep.answer)
    answer(at, key("04_dseparation_drill", "independent"), wrong_choice)
    assert errors(at)
    at.button(key="learn_new").click().run()
    assert_no_exception(at)
    _, (paths1, _) = drill(1, 2)
    assert paths1.fingerprint != paths.fingerprint
    assert _has(at.multiselect, key("04_dseparation_drill", "paths", seed=1) + "_in")
    links = [c.value for c in at.code if "?g=" in c.value]
    extra = decode_share(links[-1].split("g=")[1]).extra
    assert extra == {"lesson": "04_dseparation_drill", "seed": "1", "level": "2"}


def test_lesson_5_any_valid_set_is_accepted_and_m_bias_is_named():
    at = lesson("05_backdoor_adjustment")
    k = key("05_backdoor_adjustment", "classic")
    answer(at, k, {"Z3"})
    assert "X ← Z1 → Z3 ← Z2 → Y" in errors(at)
    answer(at, k, {"Z2", "Z3"})           # not the first listed set: still right
    assert "Valid" in successes(at)
    answer(at, key("05_backdoor_adjustment", "mbias"), {"M"})
    assert "M-bias trap" in errors(at)


def test_lesson_6_back_door_fails_and_the_front_door_number_is_checked():
    at = lesson("06_front_door")
    k = key("06_front_door", "backdoor")
    answer(at, k, {"tar"})
    assert "mediator" in errors(at)
    answer(at, k, {NO_SET})
    assert "Right" in successes(at)
    k = key("06_front_door", "effect")
    answer(at, k, "0.67")
    assert "seeing, not doing" in errors(at)
    answer(at, k, "0.485")
    assert "Correct" in successes(at)


def test_lesson_7_instrument_and_wald_estimate():
    at = lesson("07_instruments")
    k = key("07_instruments", "instrument")
    answer(at, k, "black")
    assert "not an instrument" in errors(at)
    answer(at, k, "nearc4")
    assert "Yes" in successes(at)
    k = key("07_instruments", "wald")
    answer(at, k, "0.154")
    assert "effect of living near a college" in errors(at)
    answer(at, k, "0.186")
    assert "Correct" in successes(at)


def test_lesson_8_unit_counterfactual_is_not_the_population_answer():
    at = lesson("08_seeing_doing_counterfactual")
    k = key("08_seeing_doing_counterfactual", "unit")
    answer(at, k, "0.8")
    assert "population average" in errors(at)
    answer(at, k, "1.9")
    assert "Correct: 1.9" in successes(at)


# ---- help, practice, classroom -------------------------------------------------------------------
def test_hint_and_show_me_reveal_step_by_step():
    at = lesson("01_confounding_simpson")
    k = key("01_confounding_simpson", "adjusted")
    at.button(key=f"{k}_hint").click().run()
    assert any("stone size from the table" in shown(c.value) for c in at.caption)
    at.button(key=f"{k}_show").click().run()
    assert_no_exception(at)
    assert any("**Answer:** 0.8325" in shown(m.value) for m in at.markdown)
    assert at.button(key=f"{k}_show").disabled


def test_unreadable_number_gets_a_format_example_and_is_not_counted():
    at = lesson("03_mediation")
    answer(at, key("03_mediation", "total"), "three and a half")
    assert "Could not read" in errors(at)
    progress = at.session_state["cc_pages"]["learn_progress"]
    assert progress.record("03_mediation", "total").attempts == 0


def test_progress_is_kept_and_shown():
    at = lesson("08_seeing_doing_counterfactual")
    for ex_id, value in (("doing", "0.8"), ("seeing", "Larger"), ("unit", "1.9")):
        answer(at, key("08_seeing_doing_counterfactual", ex_id), value)
    assert any("1 of 9 lessons done" in shown(c.value) and "✓ 8" in shown(c.value) for c in at.caption)


def test_practice_scores_the_first_answer_and_new_exercise_moves_on():
    at = lesson("practice")
    seed = at.session_state["cc_pages"]["learn_seeds"]["practice"]
    ex = generate(seed, 2, None)
    k = f"learn_practice_{seed}_2_any"
    answer(at, k, ex.answer if ex.kind != "number" else f"{ex.answer:.4f}")
    assert successes(at)
    answer(at, k, ex.answer if ex.kind != "number" else f"{ex.answer:.4f}")
    progress = at.session_state["cc_pages"]["learn_progress"]
    assert (progress.practice_answered, progress.practice_correct) == (1, 1)
    at.button(key="learn_new").click().run()
    assert at.session_state["cc_pages"]["learn_seeds"]["practice"] == seed + 1
    at.selectbox(key="learn_rung").set_value("counterfactual").run()
    assert_no_exception(at)
    assert any("Counterfactual" in shown(c.value) for c in at.caption)


def test_presenter_mode_hides_teacher_notes():
    """(The shell's styling and its Leave button are outside the page AppTest sees after
    switch_page: tests/e2e/test_presenter.py checks them in Chromium.)"""
    at = lesson("01_confounding_simpson")
    assert any(e.label == "Teacher notes" for e in at.expander)
    at.button(key="learn_presenter").click().run()
    assert at.session_state["cc_presenter"] is True
    assert not any(e.label == "Teacher notes" for e in at.expander)
    at.session_state["cc_presenter"] = False
    at.run()
    assert any(e.label == "Teacher notes" for e in at.expander)


def test_share_link_opens_the_lesson_with_its_sample():
    token = encode_share(__import__("app").load_sample("smoking_tar_cancer").graph,
                         sample="smoking_tar_cancer", page="learn", extra={"lesson": "06_front_door"})
    at = open_page(PAGE, sample="kidney_stones", query={"g": token})
    assert_no_exception(at)
    assert at.selectbox(key="learn_lesson").value == "06_front_door"
    assert at.session_state["cc_history"].present.dataset.name == "smoking_tar_cancer"


def test_share_link_opens_the_same_generated_exercise():
    g, (paths, _) = drill(7, 3)
    token = encode_share(g, page="learn", extra={"lesson": "04_dseparation_drill", "seed": "7",
                                                 "level": "3"})
    at = open_page(PAGE, query={"g": token})
    k = key("04_dseparation_drill", "paths", seed=7, level=3)
    assert at.multiselect(key=f"{k}_in").options == list(paths.options)


def test_share_link_to_a_lesson_not_installed_here_says_so():
    token = encode_share(drill(1, 2)[0], page="learn", extra={"lesson": "42_unknown"})
    at = open_page(PAGE, query={"g": token})
    assert_no_exception(at)
    assert any("not installed here" in shown(w.value) for w in at.warning)
    assert at.selectbox(key="learn_lesson").value == "01_confounding_simpson"


# ---- broken lesson files -----------------------------------------------------------------------
@pytest.fixture
def broken_lessons(tmp_path, monkeypatch):
    md = "---\ntitle: Broken\nsummary: s\n---\ntext\n"
    for slug, checker in (("20_syntax_error", "def exercises(ctx):\n    return [\n"),
                          ("21_crashes", "def exercises(ctx):\n    return [1 / 0]\n")):
        d = tmp_path / slug
        d.mkdir()
        (d / "lesson.md").write_text(md)
        (d / "checker.py").write_text(textwrap.dedent(checker))
    monkeypatch.setenv(ENV_VAR, str(tmp_path))


def test_a_lesson_with_a_syntax_error_shows_a_clear_message(broken_lessons):
    at = lesson("20_syntax_error")
    assert "checker.py line" in errors(at) and "20_syntax_error" in errors(at)
    at.selectbox(key="learn_lesson").set_value("02_colliders_selection").run()
    assert_no_exception(at)
    assert not errors(at)


def test_a_lesson_whose_checker_crashes_shows_where(broken_lessons):
    at = lesson("21_crashes")
    assert "exercises() failed (checker.py line 2): ZeroDivisionError" in errors(at)
    assert any("other lessons still work" in shown(c.value) for c in at.caption)

