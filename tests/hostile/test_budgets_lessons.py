"""Lessons: YAML without aliases, bounded format widths, one bad lesson never hides the others,
and checker code that exits, loops or eats memory becomes a clear LessonError (issue 23)."""
from __future__ import annotations

import time

import pytest

from app import settings
from app.errors import LessonError
from app.lessons import build_lesson, list_lessons
from app.lessons import loader as loader_mod
from app.lessons.loader import ENV_VAR, parse_front_matter, render
from tests.hostile import bombs

CHECKER = """
from app.lessons.checkers import number_exercise


def exercises(ctx):
    {body}
    return [number_exercise("n", "How many?", 3.0)]
"""


def write(root, slug="09_hostile", front="title: T\nsummary: S", body="Text.\n",
          checker_body="pass", checker=None):
    d = root / slug
    d.mkdir(parents=True)
    (d / "lesson.md").write_text(bombs.lesson(front, body), encoding="utf-8")
    (d / "checker.py").write_text(checker or CHECKER.format(body=checker_body), encoding="utf-8")
    return d


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    return tmp_path


def listed(slug):
    return {i.slug: i for i in list_lessons()}[slug]


def builtin_ok():
    infos = [i for i in list_lessons() if i.number <= 8]
    return len(infos) == 8 and all(i.error is None for i in infos)


# ---- YAML -----------------------------------------------------------------------------------
def test_yaml_aliases_are_refused():
    with pytest.raises(LessonError, match="aliases"):
        parse_front_matter(bombs.lesson("x: &a T\ntitle: *a\nsummary: S"))


def test_the_billion_laughs_alias_bomb_is_refused_at_once():
    text = bombs.lesson(bombs.yaml_alias_bomb() + "summary: S")
    assert len(text) < 3_000                          # issue 23: a 3 KB YAML alias bomb
    start = time.perf_counter()
    with pytest.raises(LessonError, match="aliases"):
        parse_front_matter(text)
    assert time.perf_counter() - start < 1.0


def test_deep_nesting_is_refused():
    with pytest.raises(LessonError, match="nest more than"):
        parse_front_matter(bombs.lesson("title: T\nsummary: S\ngoals: " + "[" * 500 + "]" * 500))


def test_a_wrong_type_message_stays_short():
    with pytest.raises(LessonError) as err:
        parse_front_matter(bombs.lesson("title: [" + ", ".join(["x" * 50] * 1000) + "]\nsummary: S"))
    assert len(err.value.message) < 300


# ---- minutes ----------------------------------------------------------------------------------
def test_a_5000_digit_minutes_breaks_only_its_own_lesson(root):
    write(root, front="title: T\nsummary: S\nminutes: " + "9" * 5000)
    info = listed("09_hostile")
    assert info.error and "cannot be read" in info.error and len(info.error) < 400
    assert builtin_ok()


@pytest.mark.parametrize("minutes", ["0", "-5", "601", "9" * 40])
def test_minutes_out_of_range_are_refused(minutes):
    with pytest.raises(LessonError, match="'minutes' must be between 1 and 600"):
        parse_front_matter(bombs.lesson(f"title: T\nsummary: S\nminutes: {minutes}"))


# ---- format specs -----------------------------------------------------------------------------
@pytest.mark.parametrize("spec", [">300000", ">3000000000", ".5000f", "0>99999", ",.900f",
                                  ">" + "9" * 5000])
def test_format_widths_and_precisions_are_bounded(spec):
    start = time.perf_counter()
    with pytest.raises(LessonError, match="widths and precisions go up to"):
        render("{{x:" + spec + "}}", {"x": 1.5}, "lesson.md")
    assert time.perf_counter() - start < 0.5


def test_ordinary_format_specs_still_work():
    assert render("{{x:.2f}} {{x:>8}} {{x:.1%}} {{n:,d}}", {"x": 0.5, "n": 12345},
                  "w") == "0.50      0.5 50.0% 12,345"


def test_a_huge_width_in_a_lesson_body_errors_that_lesson_only(root):
    write(root, body="Value {{x:>3000000000}}.\n",
          checker=CHECKER.format(body="pass") + "\n\ndef facts(ctx):\n    return {'x': 1}\n")
    with pytest.raises(LessonError, match="widths and precisions"):
        build_lesson("09_hostile")
    assert builtin_ok()


# ---- checker code -----------------------------------------------------------------------------
@pytest.mark.parametrize("body", ["import sys; sys.exit(3)", "raise SystemExit",
                                  "raise KeyboardInterrupt"])
def test_a_checker_that_tries_to_stop_the_program_is_a_lesson_error(root, body):
    write(root, checker_body=body)
    with pytest.raises(LessonError, match="tried to stop the program"):
        build_lesson("09_hostile")
    assert builtin_ok()


@pytest.mark.parametrize("body", ["import sys; sys.exit(3)", "raise KeyboardInterrupt"])
def test_the_in_process_guard_catches_exits_too(root, monkeypatch, body):
    monkeypatch.setattr(loader_mod, "SANDBOXED", True)     # no child process: run here
    write(root, checker_body=body)
    with pytest.raises(LessonError, match="tried to stop the program"):
        build_lesson("09_hostile")


def test_sys_exit_while_importing_the_checker_is_a_listed_error(root):
    write(root, checker="import sys\nsys.exit(0)\n")
    assert "tried to stop the program" in listed("09_hostile").error
    assert builtin_ok()


def test_an_endless_checker_stops_at_the_time_limit(root, monkeypatch):
    monkeypatch.setattr(settings, "CHECKER_TIMEOUT_S", 1.0)
    write(root, checker_body="while True:\n        pass")
    start = time.perf_counter()
    with pytest.raises(LessonError, match="took longer than 1 s"):
        build_lesson("09_hostile")
    assert time.perf_counter() - start < 30


def test_a_checker_that_eats_memory_stops_at_the_memory_limit(root, monkeypatch):
    monkeypatch.setattr(settings, "CHECKER_MEMORY_BYTES", 300 * 2**20)
    write(root, checker_body="x = bytearray(2 * 1024 ** 3)")
    with pytest.raises(LessonError, match="ran out of memory|more than 300 MB"):
        build_lesson("09_hostile")


def test_os_exit_in_a_checker_is_reported(root):
    write(root, checker_body="import os; os._exit(7)")
    with pytest.raises(LessonError, match="exit code 7"):
        build_lesson("09_hostile")


def test_answers_are_graded_by_declared_formats_only(root):
    checker = """
from app.lessons.checkers import number_exercise, Feedback
import dataclasses


def exercises(ctx):
    ex = number_exercise("n", "How many?", 3.0)
    return [dataclasses.replace(ex, check=lambda a: Feedback(True, "ok"))]
"""
    write(root, checker=checker)
    with pytest.raises(LessonError, match="grades answers with its own code"):
        build_lesson("09_hostile")


def test_a_good_added_lesson_builds_after_its_trial_run(root):
    write(root, body="Hello.\n")
    run = build_lesson("09_hostile")
    assert [e.id for e in run.exercises] == ["n"]
    assert run.exercises[0].grade("3").correct


def test_a_failed_trial_is_remembered_until_the_files_change(root, monkeypatch):
    from app.lessons import sandbox

    monkeypatch.setattr(settings, "CHECKER_TIMEOUT_S", 1.0)
    trials = []
    real = sandbox.probe
    monkeypatch.setattr(sandbox, "probe", lambda *a, **k: trials.append(a) or real(*a, **k))
    d = write(root, checker_body="while True:\n        pass")
    for _ in range(4):
        assert listed("09_hostile").error is None       # importing the checker is fine
        with pytest.raises(LessonError, match="took longer"):
            build_lesson("09_hostile")
    assert len(trials) == 2                              # one import trial, one build trial
    time.sleep(0.01)
    (d / "checker.py").write_text(CHECKER.format(body="pass"), encoding="utf-8")
    assert [e.id for e in build_lesson("09_hostile").exercises] == ["n"]
    assert len(trials) == 4                              # the edited files were tried again


def test_the_trial_does_not_run_the_page_script_that_asked_for_it(root, tmp_path, monkeypatch):
    """Under Streamlit, __main__ is the page script being run; a multiprocessing child would
    import (run) it first. The trial must start clean."""
    import sys
    import types

    marker = tmp_path / "page_ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(page)
    fake_main.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    write(root)
    assert [e.id for e in build_lesson("09_hostile").exercises] == ["n"]
    assert not marker.exists()
