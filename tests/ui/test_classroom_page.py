"""Classroom page in AppTest: a teacher and a student (two sessions, one database), and the
My workspaces tab."""
from __future__ import annotations

import pytest

from app import store
from tests.ui.conftest import assert_no_exception, open_page

PAGE = "pages/classroom.py"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("CAUSAL_CANVAS_DB_URL", raising=False)
    monkeypatch.setenv("CAUSAL_CANVAS_DATA_DIR", str(tmp_path))
    yield tmp_path
    store.close_stores()


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _text(at, label):
    return next(t for t in at.text_input if t.label == label)


def _teacher(sample="kidney_stones"):
    at = open_page(None, sample=sample)
    at.session_state["cr_mode"] = "Teacher"
    at.switch_page(PAGE)
    at.run()
    assert_no_exception(at)
    return at


def _all_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [str(m.value) for m in at.metric] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    parts += [e.value for e in at.error]
    return "\n".join(parts)


def _create_class_and_post(at):
    _button(at, "Create class").click().run()
    assert_no_exception(at)
    code = next(m.value for m in at.metric if m.label == "Join code")
    key_box = next(w.value for w in at.warning if "teacher key" in w.value)
    assert "shown only once" in key_box
    # the default question: an adjustment set for the sample's exposure and outcome
    _button(at, "Post and open").click().run()
    assert_no_exception(at)
    return code


def _student(code, name="Ada"):
    st_at = open_page(PAGE, sample=None)
    _text(st_at, "Class code").set_value(code.lower())
    _text(st_at, "Your display name").set_value(name)
    _button(st_at, "Join").click().run()
    assert_no_exception(st_at)
    return st_at


def test_teacher_posts_student_answers_teacher_sees_it_then_reveals():
    teacher = _teacher()
    code = _create_class_and_post(teacher)
    assert "To estimate the causal effect of treatment on recovery" in _all_text(teacher)
    assert "No answers yet" in _all_text(teacher)

    student = _student(code)
    text = _all_text(student)
    assert "You are **Ada**" in text and "Question 1" in text
    student.multiselect[0].set_value(["stone_size"])
    _button(student, "Send my answer").click().run()
    assert_no_exception(student)
    assert "Your answer: **\\{stone\\_size\\}**" in _all_text(student)
    assert "right" not in " ".join(m.value for m in student.markdown if "Your answer" in m.value)

    teacher.run()
    assert_no_exception(teacher)
    assert any(m.label == "Answers" and m.value == "1 of 1" for m in teacher.metric)
    assert "stone\\_size\\} × 1" in _all_text(teacher)
    _button(teacher, "Reveal solution").click().run()
    assert_no_exception(teacher)
    assert "Minimal valid adjustment sets" in _all_text(teacher)

    student.run()
    assert_no_exception(student)
    text = _all_text(student)
    assert "Your answer was **right**" in text and "1 of 1 right" in text


def _send(student, chosen):
    student.multiselect[0].set_value(chosen)
    next(b for b in student.button if b.label in ("Send my answer", "Change my answer")) \
        .click().run()
    assert_no_exception(student)


def test_an_answer_changed_back_after_a_reconnect_is_kept():
    """Regression (failover check, issue 22): a student answers {stone_size}, changes to the
    empty set, then their replica dies; on another replica (a new session with the same seat)
    they change back to {stone_size}. The submission key used to count attempts in the session,
    so the new session's first key equalled the very first answer's: the store took it for a
    retry and the change was lost (the teacher kept seeing the empty set)."""
    teacher = _teacher()
    code = _create_class_and_post(teacher)
    student = _student(code)
    _send(student, ["stone_size"])
    _send(student, [])
    moved = open_page(PAGE, sample=None)                 # the same browser on another replica
    moved.session_state["cr_seat"] = student.session_state["cr_seat"]
    moved.run()
    assert "Your answer: **∅" in _all_text(moved)
    _send(moved, ["stone_size"])
    assert "Your answer: **\\{stone\\_size\\}**" in _all_text(moved)
    teacher.run()
    assert "Answers so far: \\{stone\\_size\\} × 1" in _all_text(teacher)
    assert any(m.label == "Answers" and m.value == "1 of 1" for m in teacher.metric)


def test_the_seat_token_stays_out_of_the_url():
    teacher = _teacher()
    code = _create_class_and_post(teacher)
    student = _student(code)
    token = student.session_state["cr_seat"]
    assert "You are **Ada**" in _all_text(student)
    assert token not in str(dict(student.query_params)) and "seat" not in student.query_params
    # an old link that still carries a seat is cleaned up, and does not seat anyone
    other = open_page(None, sample=None)
    other.query_params["seat"] = token
    other.switch_page(PAGE)
    other.run()
    assert_no_exception(other)
    assert "seat" not in other.query_params and "You are **Ada**" not in _all_text(other)


def test_the_teacher_key_is_masked_after_it_was_shown_once():
    from app.ui.views.classroom.teacher import KEY_SHOWN_S, MASKED_KEY

    teacher = _teacher()
    _create_class_and_post(teacher)
    key = teacher.session_state["cr_new_key"]
    assert any(key in w.value for w in teacher.warning)
    teacher.session_state["cr_key_shown_at"] -= KEY_SHOWN_S + 1     # time passes
    teacher.run()
    assert_no_exception(teacher)
    assert key not in _all_text(teacher) and MASKED_KEY in _all_text(teacher)
    _button(teacher, "Show the key").click().run()
    assert key in _all_text(teacher)
    _button(teacher, "I have written it down").click().run()
    assert key not in _all_text(teacher) and MASKED_KEY not in _all_text(teacher)


def test_wrong_code_and_bad_name_get_messages_not_tracebacks():
    at = open_page(PAGE, sample=None)
    _text(at, "Class code").set_value("ZZZZ-ZZZZ")
    _text(at, "Your display name").set_value("Eve")
    _button(at, "Join").click().run()
    assert_no_exception(at)
    assert "no open class with this code" in _all_text(at)
    teacher = _teacher()
    code = _create_class_and_post(teacher)
    _text(at, "Class code").set_value(code)
    _text(at, "Your display name").set_value("<img src=x onerror=alert(1)>")
    _button(at, "Join").click().run()
    assert_no_exception(at)
    assert "cannot contain" in _all_text(at)


def test_teacher_without_a_graph_is_told_to_draw_one():
    at = _teacher(sample=None)
    _button(at, "Create class").click().run()
    assert_no_exception(at)
    assert "Draw or load a graph first" in _all_text(at)


def test_reopen_a_class_needs_the_right_key():
    teacher = _teacher()
    code = _create_class_and_post(teacher)
    other = _teacher()
    _text(other, "Class code").set_value(code)
    _text(other, "Teacher key").set_value("AAAA-AAAA-AAAA-AAAA-AAAA")
    _button(other, "Reopen").click().run()
    assert_no_exception(other)
    assert "code or the teacher key is wrong" in _all_text(other)


def test_save_a_workspace_then_open_it_from_the_library():
    from app import parse_graph

    at = open_page(PAGE, sample="kidney_stones")
    saved_graph = at.session_state["cc_history"].present.graph
    _text(at, "Save the current workspace as").set_value("Kidney week 1")
    _button(at, "Save").click().run()
    assert_no_exception(at)
    assert "Saved 'Kidney week 1'" in _all_text(at)
    assert at.selectbox(key="cr_ws_pick").options[0].startswith("Kidney week 1")
    history = at.session_state["cc_history"]
    history.push(history.present.with_graph(parse_graph("dag { A -> B }")), "edit")
    _button(at, "Open").click().run()
    assert_no_exception(at)
    history = at.session_state["cc_history"]
    assert history.present.graph == saved_graph
    # the sample is reloaded (one undo step); the saved graph equals the sample's here
    assert history.undo_label() in ("open Kidney week 1", "load sample kidney_stones")
    assert history.present.dataset.name == "kidney_stones"


def test_library_is_private_to_its_key():
    at = open_page(PAGE, sample="kidney_stones")
    _text(at, "Save the current workspace as").set_value("Mine")
    _button(at, "Save").click().run()
    other = open_page(PAGE, sample="kidney_stones")       # another browser: another library
    assert_no_exception(other)
    assert "Nothing saved yet" in _all_text(other)
    _text(other, "Use another library key").set_value("not-a-key")
    _button(other, "Switch library").click().run()
    assert_no_exception(other)
    assert "library key" in _all_text(other)
