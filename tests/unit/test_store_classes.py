"""Classes in the database: teacher actions, student seats, answers, privacy and rate limits,
on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app import parse_graph
from app.classroom import NO_SET, access, make_question
from app.errors import ClassroomError
from app.store import (
    class_info,
    create_class,
    current_question,
    end_class,
    join_class,
    list_questions,
    my_answers,
    poll,
    post_question,
    question_results,
    resume_seat,
    revealed_results,
    roster,
    set_question_status,
    student_answers,
    submit_answer,
)
from app.store.schema import classes, students
from tests.unit._store_support import BACKENDS, make_store

GRAPH = parse_graph("dag { Z -> X; Z -> Y; X -> Y; X -> M }")


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    s = make_store(request.param, tmp_path_factory.mktemp(request.param))
    yield s
    s.close()


def _key() -> str:
    return uuid.uuid4().hex


def _class(store, n_students: int = 0):
    c = create_class("Causal inference, week 3", store=store)
    q = post_question(c.code, c.teacher_key, make_question(
        "adjustment_set", GRAPH, {"exposure": "X", "outcome": "Y"}), store=store)
    seats = [join_class(c.code, f"Student {i}", session_id=_key(), store=store)
             for i in range(n_students)]
    return c, q, seats


def test_teacher_creates_class_posts_and_reads_live_results(store):
    c, q, (ada, bo, cy) = _class(store, 3)
    info = class_info(c.code, c.teacher_key, store=store)
    assert (info.title, info.students, info.questions, info.ended) == (
        "Causal inference, week 3", 3, 1, False)
    submit_answer(ada.token, q.id, ["Z"], _key(), store=store)
    submit_answer(bo.token, q.id, [], _key(), store=store)
    submit_answer(cy.token, q.id, ["Z", "M"], _key(), store=store)
    # {Z, M} is valid here: M is caused by X but is on no causal path to Y (adjustment criterion)
    res = question_results(c.code, c.teacher_key, q.id, store=store)
    assert (res.total, res.correct) == (3, 2)
    assert res.common_wrong[0].label == "∅ (adjust for nothing)"
    assert "X ← Z → Y" in res.common_wrong[0].feedback
    who = student_answers(c.code, c.teacher_key, q.id, store=store)
    assert [(a.name, a.correct) for a in who] == [
        ("Student 0", True), ("Student 1", False), ("Student 2", True)]
    assert roster(c.code, c.teacher_key, store=store) == ["Student 0", "Student 1", "Student 2"]


def test_every_teacher_action_needs_the_right_key(store, monkeypatch):
    # 32 wrong keys for one class: above its guess limit (tested in test_classroom_limits.py)
    monkeypatch.setattr(access, "KEY_GUESSES_PER_CLASS", access.TokenBucket(100, 1))
    c, q, _ = _class(store)
    other = create_class("Other class", store=store)
    actions = [
        lambda k: class_info(c.code, k, store=store),
        lambda k: list_questions(c.code, k, store=store),
        lambda k: question_results(c.code, k, q.id, store=store),
        lambda k: student_answers(c.code, k, q.id, store=store),
        lambda k: set_question_status(c.code, k, q.id, "revealed", store=store),
        lambda k: post_question(c.code, k, make_question(
            "effect_sign", GRAPH, {"exposure": "X", "outcome": "Y", "sign": "+"}), store=store),
        lambda k: roster(c.code, k, store=store),
        lambda k: end_class(c.code, k, store=store),
    ]
    for act in actions:
        for wrong in (other.teacher_key, "", "AAAA-AAAA-AAAA-AAAA-AAAA", None):
            with pytest.raises(ClassroomError, match="code or the teacher key is wrong"):
                act(wrong)
    with pytest.raises(ClassroomError, match="not part of this class"):
        question_results(other.code, other.teacher_key, q.id, store=store)
    assert list_questions(c.code, c.teacher_key, store=store)[0].status == "open"


def test_only_a_hash_of_the_teacher_key_is_stored(store):
    c = create_class("Hash check", store=store)
    with store.read() as conn:
        row = conn.execute(select(classes).where(classes.c.code == c.code)).one()
    stored = " ".join(str(v) for v in row)
    assert c.teacher_key not in stored and c.teacher_key.replace("-", "") not in stored
    assert "teacher_key" not in repr(c) and c.teacher_key not in repr(c)


def test_students_see_no_solution_until_revealed_and_never_others_answers(store):
    c, q, (ada, bo) = _class(store, 2)
    submit_answer(ada.token, q.id, ["Z"], _key(), store=store)
    submit_answer(bo.token, q.id, [], _key(), store=store)
    view = current_question(ada.token, store=store)
    assert view.id == q.id and view.status == "open"
    assert view.question.solution == {} and view.summary is None
    assert view.my_answer.label == "{Z}" and view.my_answer.correct is None
    with pytest.raises(ClassroomError, match="once the teacher reveals"):
        revealed_results(ada.token, q.id, store=store)
    assert [a.label for a in my_answers(bo.token, store=store)] == ["∅ (adjust for nothing)"]
    set_question_status(c.code, c.teacher_key, q.id, "revealed", store=store)
    view = current_question(bo.token, store=store)
    assert view.question.solution["minimal"] == [["Z"]]
    assert (view.summary.total, view.summary.correct) == (2, 1)
    mine = my_answers(bo.token, store=store)[0]
    assert mine.correct is False and "X ← Z → Y" in mine.feedback
    assert revealed_results(ada.token, q.id, store=store).total == 2
    # a student of another class cannot read this class's results
    _, _, (stranger,) = _class(store, 1)
    with pytest.raises(ClassroomError, match="once the teacher reveals"):
        revealed_results(stranger.token, q.id, store=store)
    with pytest.raises(ClassroomError, match="not part of your class"):
        submit_answer(stranger.token, q.id, ["Z"], _key(), store=store)


def test_a_retried_submission_is_acknowledged_again_but_counted_once(store):
    c, q, (ada,) = _class(store, 1)
    key = _key()
    first = submit_answer(ada.token, q.id, ["Z"], key, store=store)
    again = submit_answer(ada.token, q.id, ["Z"], key, store=store)
    assert (again.answer_id, again.duplicate, first.duplicate) == (first.answer_id, True, False)
    set_question_status(c.code, c.teacher_key, q.id, "closed", store=store)
    late_retry = submit_answer(ada.token, q.id, ["Z"], key, store=store)   # ack survives close
    assert late_retry.duplicate and late_retry.answer_id == first.answer_id
    assert question_results(c.code, c.teacher_key, q.id, store=store).total == 1


def test_resending_the_answer_already_stored_is_not_counted_twice(store):
    """Regression (failover check, issue 22): a student whose replica died after their answer
    was committed but before the page said so sends it again from another replica, whose new
    session computes a new submission key. The answer they already have is acknowledged, not
    stored a second time (the teacher's 'changes' column and the rows stay honest)."""
    c, q, (ada,) = _class(store, 1)
    first = submit_answer(ada.token, q.id, ["Z"], _key(), store=store)
    again = submit_answer(ada.token, q.id, ["Z"], _key(), store=store)   # another key
    assert (again.duplicate, again.answer_id) == (True, first.answer_id)
    assert student_answers(c.code, c.teacher_key, q.id, store=store)[0].submissions == 1
    changed_back = [submit_answer(ada.token, q.id, a, _key(), store=store) for a in ([], ["Z"])]
    assert not any(r.duplicate for r in changed_back)        # A, B, A again: three answers
    assert student_answers(c.code, c.teacher_key, q.id, store=store)[0].submissions == 3
    mine = current_question(ada.token, store=store).my_answer
    assert (mine.label, mine.answer_id) == ("{Z}", changed_back[-1].answer_id)


def test_a_changed_answer_replaces_the_old_one_while_open(store):
    c, q, (ada,) = _class(store, 1)
    submit_answer(ada.token, q.id, [], _key(), store=store)
    submit_answer(ada.token, q.id, NO_SET, _key(), store=store)
    submit_answer(ada.token, q.id, ["Z"], _key(), store=store)
    res = question_results(c.code, c.teacher_key, q.id, store=store)
    assert (res.total, res.correct) == (1, 1)
    assert student_answers(c.code, c.teacher_key, q.id, store=store)[0].submissions == 3


def test_closed_questions_and_ended_classes_refuse_answers_and_joins(store):
    c, q, (ada,) = _class(store, 1)
    set_question_status(c.code, c.teacher_key, q.id, "closed", store=store)
    with pytest.raises(ClassroomError, match="closed"):
        submit_answer(ada.token, q.id, ["Z"], _key(), store=store)
    set_question_status(c.code, c.teacher_key, q.id, "open", store=store)
    submit_answer(ada.token, q.id, ["Z"], _key(), store=store)
    end_class(c.code, c.teacher_key, store=store)
    assert list_questions(c.code, c.teacher_key, store=store)[0].status == "closed"
    with pytest.raises(ClassroomError, match="closed"):
        submit_answer(ada.token, q.id, [], _key(), store=store)
    with pytest.raises(ClassroomError, match="no open class with this code"):
        join_class(c.code, "Late", session_id=_key(), store=store)
    with pytest.raises(ClassroomError, match="ended"):
        set_question_status(c.code, c.teacher_key, q.id, "open", store=store)


def test_opening_a_question_closes_the_previous_one_and_students_follow(store):
    c, q1, (ada,) = _class(store, 1)
    q2 = post_question(c.code, c.teacher_key, make_question(
        "independence", GRAPH, {"x": "Z", "y": "M", "given": ["X"]}), store=store)
    statuses = {i.id: i.status for i in list_questions(c.code, c.teacher_key, store=store)}
    assert statuses == {q1.id: "closed", q2.id: "open"}
    assert current_question(ada.token, store=store).id == q2.id
    assert poll(ada.token, store=store)[:2] == (q2.id, "open")
    set_question_status(c.code, c.teacher_key, q1.id, "revealed", store=store)
    assert poll(ada.token, store=store)[:2] == (q1.id, "revealed")
    draft = post_question(c.code, c.teacher_key, make_question(
        "effect_sign", GRAPH, {"exposure": "X", "outcome": "Y", "sign": "+"}), open_now=False,
        store=store)
    assert draft.status == "draft"
    assert current_question(ada.token, store=store).id == q1.id     # drafts stay hidden
    with pytest.raises(ClassroomError, match="closed"):
        submit_answer(ada.token, draft.id, "+", _key(), store=store)


def test_names_are_unique_per_class_and_validated(store):
    c, _, _ = _class(store)
    join_class(c.code, "Ada", session_id=_key(), store=store)
    with pytest.raises(ClassroomError, match="already called 'ADA'"):
        join_class(c.code, "ADA", session_id=_key(), store=store)
    with pytest.raises(ClassroomError, match="cannot contain"):
        join_class(c.code, "<b>x</b>", session_id=_key(), store=store)
    other, _, _ = _class(store)
    join_class(other.code, "Ada", session_id=_key(), store=store)       # another class: fine
    with store.read() as conn:
        names = conn.execute(select(students.c.display_name)).scalars().all()
    assert "<b>x</b>" not in names


def test_a_seat_token_resumes_the_seat_and_nothing_else_does(store):
    c, _, (ada,) = _class(store, 1)
    again = resume_seat(ada.token, store=store)
    assert (again.name, again.code) == ("Student 0", c.code)
    for bad in ("", "x" * 32, None):
        with pytest.raises(ClassroomError):
            resume_seat(bad, store=store)


def test_join_attempts_are_rate_limited_per_session(store):
    c, _, _ = _class(store)
    session, t = _key(), 1_000_000.0
    for i in range(10):      # JOIN_PER_SESSION: a burst of 10
        with pytest.raises(ClassroomError, match="no open class with this code"):
            join_class("ZZZZ-ZZZ" + str(i % 10), "Eve", session_id=session, store=store, now=t)
    with pytest.raises(ClassroomError, match="Too many attempts to join. Wait 12 s"):
        join_class(c.code, "Eve", session_id=session, store=store, now=t)
    # one token every 6 s, and the refused attempt doubled the wait (backoff)
    assert join_class(c.code, "Eve", session_id=session, store=store, now=t + 12.1).name == "Eve"


def test_failed_joins_are_rate_limited_per_ip_but_a_class_behind_one_ip_can_join(store):
    c, _, _ = _class(store)
    ip, t = f"10.0.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}", 2_000_000.0
    for i in range(40):      # forty students behind one school NAT, all succeed
        join_class(c.code, f"Kid {i}", session_id=_key(), ip=ip, store=store, now=t)
    for _ in range(30):      # JOIN_FAILURES_PER_IP: 30 failures, each from a fresh session
        with pytest.raises(ClassroomError, match="no open class with this code"):
            join_class("0000-0000", "Mallory", session_id=_key(), ip=ip, store=store, now=t)
    with pytest.raises(ClassroomError, match="Too many attempts"):
        join_class(c.code, "Kid 99", session_id=_key(), ip=ip, store=store, now=t + 1)
    assert join_class(c.code, "Kid 99", session_id=_key(), ip=ip, store=store,
                      now=t + 5.1).name == "Kid 99"


def test_malformed_answers_and_keys_are_refused_with_a_message(store):
    _, q, (ada,) = _class(store, 1)
    with pytest.raises(ClassroomError, match="not one of the choices"):
        submit_answer(ada.token, q.id, ["Nope"], _key(), store=store)
    with pytest.raises(ClassroomError, match="valid key"):
        submit_answer(ada.token, q.id, ["Z"], "k", store=store)
    with pytest.raises(ClassroomError, match="valid key"):
        submit_answer(ada.token, q.id, ["Z"], "x'; DROP TABLE answers; --", store=store)
    with pytest.raises(ClassroomError, match="Join the class"):
        submit_answer("", q.id, ["Z"], _key(), store=store)


def test_answer_changes_are_capped_per_question(store, monkeypatch):
    import app.store.classes as classes_mod

    monkeypatch.setattr(classes_mod, "MAX_SUBMISSIONS_PER_QUESTION", 3)
    _, q, (ada,) = _class(store, 1)
    for answer in (["Z"], [], ["Z"]):
        submit_answer(ada.token, q.id, answer, _key(), store=store)
    with pytest.raises(ClassroomError, match="last answer counts"):
        submit_answer(ada.token, q.id, [], _key(), store=store)
