"""Lesson content files: the nine built-in lessons load, and every kind of mistake in a
lesson's files becomes a LessonError naming the file (and line) instead of a broken page."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from app.errors import LessonError
from app.lessons import build_lesson, list_lessons, load_lesson
from app.lessons.loader import ENV_VAR, parse_front_matter, render, split_sections

GOOD_MD = """---
title: A test lesson
summary: Used by the tests.
graph: "dag { Z -> X; Z -> Y; X -> Y }"
---
The effect is {{effect:.2f}}.

{{exhibit:table}}

## Exercise: adjust
Pick a set.

## After: adjust
Well done.
"""
GOOD_CHECKER = """
from app.lessons.checkers import adjustment_exercise


def facts(ctx):
    return {"effect": 0.123}


def exhibits(ctx):
    import pandas as pd
    return {"table": pd.DataFrame({"a": [1]})}


def exercises(ctx):
    return [adjustment_exercise("adjust", ctx.graph, "X", "Y")]
"""


def write_lesson(root: Path, slug: str = "09_test_lesson", md: str = GOOD_MD,
                 checker: str | None = GOOD_CHECKER, teacher: str | None = "Say hello.") -> Path:
    d = root / slug
    d.mkdir(parents=True)
    (d / "lesson.md").write_text(textwrap.dedent(md), encoding="utf-8")
    if checker is not None:
        (d / "checker.py").write_text(textwrap.dedent(checker), encoding="utf-8")
    if teacher is not None:
        (d / "teacher.md").write_text(teacher, encoding="utf-8")
    return d


@pytest.fixture
def extra_root(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    return tmp_path


def error_of(slug: str) -> str:
    info = {i.slug: i for i in list_lessons()}[slug]
    assert info.error, "the broken lesson should be listed with an error"
    with pytest.raises(LessonError) as exc:
        build_lesson(slug)
    assert exc.value.user_message() == info.error or info.error in exc.value.user_message()
    return info.error


# ---- the built-in lessons ------------------------------------------------------------------
def test_nine_builtin_lessons_are_listed_in_order_without_errors(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    infos = list_lessons()
    assert [i.number for i in infos] == list(range(1, 10))
    assert all(i.error is None for i in infos), [i.error for i in infos if i.error]
    assert all(i.title and i.summary for i in infos)


@pytest.mark.parametrize("slug", [i.slug for i in list_lessons()])
def test_every_builtin_lesson_builds_and_its_answers_pass_its_checkers(slug):
    run = build_lesson(slug)
    assert run.exercises
    for ex in run.exercises:
        assert ex.check(ex.answer).correct, (slug, ex.id)
        assert ex.hints or ex.predict or ex.reveal is not None
        assert ex.reveal is not None, (slug, ex.id)
    for text in (run.intro, *run.sections.values(), *run.after.values()):
        assert all("{{" not in p for p in run.parts(text) if isinstance(p, str)), text
    assert load_lesson(slug).teacher_notes, "every built-in lesson has teacher notes"


def test_generated_lesson_changes_with_the_seed_and_keeps_it():
    a, b = build_lesson("04_dseparation_drill", seed=1), build_lesson("04_dseparation_drill", seed=2)
    assert a.graph != b.graph
    again = build_lesson("04_dseparation_drill", seed=1)
    assert again.graph == a.graph
    assert [e.fingerprint for e in again.exercises] == [e.fingerprint for e in a.exercises]


# ---- a teacher's lesson folder --------------------------------------------------------------
def test_a_lesson_in_the_teachers_folder_is_listed_and_built(extra_root):
    write_lesson(extra_root)
    infos = {i.slug: i for i in list_lessons()}
    assert infos["09_test_lesson"].error is None
    run = build_lesson("09_test_lesson")
    assert "The effect is 0.12." in run.intro
    parts = run.parts(run.intro)
    assert parts[0] == "The effect is 0.12." and parts[1].content.shape == (1, 1)
    assert run.sections["adjust"] == "Pick a set." and run.after["adjust"] == "Well done."
    assert load_lesson("09_test_lesson").teacher_notes == "Say hello."


def test_a_teachers_lesson_with_a_builtin_name_replaces_it(extra_root):
    write_lesson(extra_root, slug="01_confounding_simpson")
    assert load_lesson("01_confounding_simpson").title == "A test lesson"


def test_edited_lesson_files_are_read_again(extra_root):
    d = write_lesson(extra_root)
    assert load_lesson("09_test_lesson").title == "A test lesson"
    md = (d / "lesson.md").read_text().replace("A test lesson", "Renamed lesson")
    (d / "lesson.md").write_text(md + "\n")
    assert load_lesson("09_test_lesson").title == "Renamed lesson"


# ---- broken lessons: a clear message each ----------------------------------------------------
def test_missing_front_matter_says_how_to_start_the_file(extra_root):
    write_lesson(extra_root, md="# Just a heading\n")
    assert "must start with a front-matter block" in error_of("09_test_lesson")


def test_bad_yaml_names_the_line(extra_root):
    write_lesson(extra_root, md="---\ntitle: ok\nsummary: [unclosed\n---\nbody\n")
    msg = error_of("09_test_lesson")
    assert "line 3" in msg and "front matter is not valid" in msg


def test_unknown_front_matter_field_lists_the_allowed_ones(extra_root):
    write_lesson(extra_root, md="---\ntitle: t\nsummary: s\ntitel: typo\n---\nbody\n")
    msg = error_of("09_test_lesson")
    assert "unknown front-matter field 'titel'" in msg and "Allowed fields" in msg


def test_missing_title_is_reported(extra_root):
    write_lesson(extra_root, md="---\nsummary: s\n---\nbody\n")
    assert "needs a 'title' field" in error_of("09_test_lesson")


def test_unknown_sample_lists_the_samples(extra_root):
    write_lesson(extra_root, md="---\ntitle: t\nsummary: s\nsample: kidney_stone\n---\nbody\n")
    msg = error_of("09_test_lesson")
    assert "unknown sample 'kidney_stone'" in msg and "kidney_stones" in msg


def test_unreadable_graph_in_front_matter_is_reported(extra_root):
    write_lesson(extra_root, md='---\ntitle: t\nsummary: s\ngraph: "dag { X -> }"\n---\nb\n')
    assert "the graph in lesson.md cannot be read" in error_of("09_test_lesson")


def test_checker_syntax_error_names_the_line(extra_root):
    write_lesson(extra_root, checker="def exercises(ctx):\n    return [\n\nx = = 1\n")
    msg = error_of("09_test_lesson")
    assert "checker.py line" in msg


def test_missing_checker_is_reported(extra_root):
    write_lesson(extra_root, checker=None)
    assert "has no checker.py" in error_of("09_test_lesson")


def test_checker_without_exercises_function_is_reported(extra_root):
    write_lesson(extra_root, checker="X = 1\n")
    assert "no exercises(ctx) function" in error_of("09_test_lesson")


def test_exception_inside_the_checker_names_function_and_line(extra_root):
    checker = GOOD_CHECKER.replace('return [adjustment_exercise("adjust", ctx.graph, "X", "Y")]',
                                   'return [1 / 0]')
    write_lesson(extra_root, checker=checker)
    d = {i.slug: i for i in list_lessons()}
    assert d["09_test_lesson"].error is None      # importing works; running fails
    with pytest.raises(LessonError) as exc:
        build_lesson("09_test_lesson")
    msg = exc.value.user_message()
    assert "exercises() failed (checker.py line" in msg and "ZeroDivisionError" in msg


def test_engine_errors_inside_a_checker_keep_their_message(extra_root):
    checker = GOOD_CHECKER.replace('ctx.graph, "X", "Y"', 'ctx.graph, "X", "Nope"')
    write_lesson(extra_root, checker=checker)
    with pytest.raises(LessonError) as exc:
        build_lesson("09_test_lesson")
    assert "Nope" in exc.value.user_message()


def test_unknown_placeholder_lists_the_known_facts(extra_root):
    write_lesson(extra_root, md=GOOD_MD.replace("{{effect:.2f}}", "{{efect}}"))
    with pytest.raises(LessonError) as exc:
        build_lesson("09_test_lesson")
    assert "{{efect}}" in exc.value.message and "effect" in exc.value.hint


def test_unknown_exhibit_is_reported(extra_root):
    write_lesson(extra_root, md=GOOD_MD.replace("{{exhibit:table}}", "{{exhibit:tabel}}"))
    with pytest.raises(LessonError) as exc:
        build_lesson("09_test_lesson")
    assert "exhibits() gives no 'tabel'" in exc.value.message


def test_section_without_an_exercise_is_reported(extra_root):
    write_lesson(extra_root, md=GOOD_MD.replace("## After: adjust", "## After: adjsut"))
    with pytest.raises(LessonError) as exc:
        build_lesson("09_test_lesson")
    assert "'## After: adjsut'" in exc.value.message and "adjust" in exc.value.hint


def test_an_exercise_whose_answer_key_is_wrong_is_not_shown(extra_root):
    checker = GOOD_CHECKER.replace(
        'return [adjustment_exercise("adjust", ctx.graph, "X", "Y")]',
        'from app.lessons.checkers import number_exercise\n'
        '    ex = number_exercise("adjust", "2 + 2?", 4)\n'
        '    from dataclasses import replace\n'
        '    return [replace(ex, answer=5.0)]')
    write_lesson(extra_root, checker=checker)
    with pytest.raises(LessonError) as exc:
        build_lesson("09_test_lesson")
    assert "rejects its own answer (5)" in exc.value.message


def test_duplicate_exercise_ids_are_reported(extra_root):
    checker = GOOD_CHECKER.replace('return [adjustment_exercise("adjust", ctx.graph, "X", "Y")]',
                                   'e = adjustment_exercise("adjust", ctx.graph, "X", "Y")\n'
                                   '    return [e, e]')
    write_lesson(extra_root, checker=checker)
    with pytest.raises(LessonError) as exc:
        build_lesson("09_test_lesson")
    assert "used twice" in exc.value.message


def test_badly_named_folder_and_missing_root_are_listed_with_advice(tmp_path, monkeypatch):
    write_lesson(tmp_path, slug="My Lesson")
    monkeypatch.setenv(ENV_VAR, f"{tmp_path}:{tmp_path / 'nowhere'}")
    errors = [i.error for i in list_lessons() if i.error]
    assert any("needs a name like '09_my_lesson'" in e for e in errors)
    assert any("does not exist" in e for e in errors)
    assert sum(i.error is None for i in list_lessons()) == 9   # the built-in ones still work


def test_unknown_lesson_name_is_a_lesson_error():
    with pytest.raises(LessonError, match="no lesson called"):
        load_lesson("99_nothing")


# ---- the pieces ---------------------------------------------------------------------------
def test_render_formats_numbers_as_a_student_writes_them():
    facts = {"a": 0.8325462, "b": 3.0, "c": 5000, "p": 0.25}
    assert render("{{a:.4f}} {{b}} {{c:,}} {{p:.0%}} {{a}}", facts, "x") == "0.8325 3 5,000 25% 0.8325"
    with pytest.raises(LessonError, match="cannot format"):
        render("{{a:.4q}}", facts, "x")


def test_sections_split_at_exercise_and_after_headings_only():
    intro, sections, after = split_sections("Intro\n## A heading\ntext\n## Exercise: q1\nAsk\n"
                                            "## After: q1\nTell\n")
    assert intro == "Intro\n## A heading\ntext"
    assert sections == {"q1": "Ask"} and after == {"q1": "Tell"}
    with pytest.raises(LessonError, match="two"):
        split_sections("## Exercise: a\nx\n## Exercise: a\ny\n")


def test_front_matter_types_are_checked():
    with pytest.raises(LessonError, match="'minutes' must be int"):
        parse_front_matter("---\ntitle: t\nsummary: s\nminutes: soon\n---\n")
    with pytest.raises(LessonError, match="never closed"):
        parse_front_matter("---\ntitle: t\n")
