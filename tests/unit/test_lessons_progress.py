"""Session progress: exercises solved (first try or not), hints and reveals, lesson status,
practice score and streak, and the rows of the progress download."""
from app.lessons.progress import Progress


def test_first_correct_answer_solves_and_first_try_is_only_without_help():
    p = Progress()
    p.attempt("l1", "a", False)
    rec = p.attempt("l1", "a", True)
    assert rec.solved and not rec.solved_first_try and rec.attempts == 2
    assert p.attempt("l1", "b", True).solved_first_try
    p.hint("l1", "c")
    assert not p.attempt("l1", "c", True).solved_first_try
    p.reveal("l1", "d")
    assert not p.attempt("l1", "d", True).solved_first_try


def test_a_later_wrong_answer_does_not_unsolve():
    p = Progress()
    p.attempt("l1", "a", True)
    assert p.attempt("l1", "a", False).solved


def test_lesson_status_uses_the_registered_exercises():
    p = Progress()
    assert p.lesson_status("l1") == "new"
    p.register("l1", ["a", "b"])
    p.attempt("l1", "a", True)
    assert p.lesson_status("l1") == "started" and p.solved("l1", ["a", "b"]) == 1
    p.attempt("l1", "b", True)
    assert p.lesson_status("l1") == "done"
    p.reveal("l2", "x")
    assert p.lesson_status("l2") == "started"


def test_practice_score_streak_and_seen_questions():
    p = Progress()
    for ok in (True, True, False, True):
        p.practice_answer("association", ok, fingerprint=f"f{ok}")
    p.practice_answer("counterfactual", True)
    assert (p.practice_answered, p.practice_correct) == (5, 4)
    assert p.streak == 2 and p.best_streak == 2
    assert p.has_seen("fTrue") and not p.has_seen("other")


def test_progress_rows_name_lessons_and_practice():
    p = Progress()
    p.attempt("01_x", "a", True)
    p.practice_answer("intervention", False)
    rows = p.rows({"01_x": "Lesson X"})
    assert rows[0]["lesson"] == "Lesson X" and rows[0]["status"] == "solved"
    assert rows[1]["lesson"] == "Practice" and rows[1]["status"] == "0 correct"
