"""No answer lost or counted twice when a whole class submits in the same second (threads
against SQLite and against a real PostgreSQL server)."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from app import parse_graph
from app.classroom import make_question
from app.errors import ClassroomError
from app.store import (
    create_class,
    join_class,
    post_question,
    question_results,
    roster,
    submit_answer,
)
from app.store.schema import answers
from tests.unit._store_support import BACKENDS, make_store

CLASS_SIZE = 40
GRAPH = parse_graph("dag { Z -> X; Z -> Y; X -> Y }")


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    s = make_store(request.param, tmp_path)
    yield s
    s.close()


def _run_together(n: int, work) -> tuple[list, list]:
    """Run work(i) in n threads released by one barrier; (results by i, errors)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def run(i):
        try:
            barrier.wait(30)
            results[i] = work(i)
        except Exception as err:  # noqa: BLE001 - asserted by the caller
            errors.append((i, err))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results, errors


def test_forty_students_submitting_in_the_same_second_are_each_counted_once(store):
    c = create_class("Burst", store=store)
    q = post_question(c.code, c.teacher_key, make_question(
        "adjustment_set", GRAPH, {"exposure": "X", "outcome": "Y"}), store=store)
    seats = [join_class(c.code, f"S{i}", session_id=uuid.uuid4().hex, store=store)
             for i in range(CLASS_SIZE)]
    keys = [uuid.uuid4().hex for _ in seats]

    def submit(i):
        started = time.time()
        answer = ["Z"] if i % 4 else []             # 30 right, 10 wrong
        first = submit_answer(seats[i].token, q.id, answer, keys[i], store=store)
        retry = submit_answer(seats[i].token, q.id, answer, keys[i], store=store)
        return started, first, retry

    results, errors = _run_together(CLASS_SIZE, submit)
    assert not errors, errors[:3]
    starts = [r[0] for r in results]
    assert max(starts) - min(starts) < 1.0            # all inside the same second
    firsts = [r[1] for r in results]
    assert not any(f.duplicate for f in firsts)
    assert len({f.answer_id for f in firsts}) == CLASS_SIZE
    assert all(r[2].duplicate and r[2].answer_id == r[1].answer_id for r in results)
    with store.read() as conn:
        stored = conn.execute(select(func.count()).select_from(answers)
                              .where(answers.c.question_id == q.id)).scalar()
    assert stored == CLASS_SIZE
    res = question_results(c.code, c.teacher_key, q.id, store=store)
    assert (res.total, res.correct) == (CLASS_SIZE, 30)


def test_retries_racing_each_other_store_one_answer(store):
    c = create_class("Retry race", store=store)
    q = post_question(c.code, c.teacher_key, make_question(
        "adjustment_set", GRAPH, {"exposure": "X", "outcome": "Y"}), store=store)
    seat = join_class(c.code, "Flaky wifi", session_id=uuid.uuid4().hex, store=store)
    key = uuid.uuid4().hex
    results, errors = _run_together(
        12, lambda i: submit_answer(seat.token, q.id, ["Z"], key, store=store))
    assert not errors, errors[:3]
    assert len({r.answer_id for r in results}) == 1
    assert sum(not r.duplicate for r in results) == 1
    assert question_results(c.code, c.teacher_key, q.id, store=store).total == 1


def test_a_class_joining_at_once_gets_forty_seats_and_one_name_wins_once(store):
    c = create_class("Join rush", store=store)
    seats, errors = _run_together(CLASS_SIZE, lambda i: join_class(
        c.code, f"Pupil {i}", session_id=uuid.uuid4().hex, ip="10.1.1.1", store=store))
    assert not errors, errors[:3]
    assert sorted(roster(c.code, c.teacher_key, store=store)) == sorted(s.name for s in seats)
    same, errors = _run_together(8, lambda i: join_class(
        c.code, "Sam", session_id=uuid.uuid4().hex, store=store))
    assert len([s for s in same if s]) == 1
    assert len(errors) == 7 and all(isinstance(e, ClassroomError) for _, e in errors)


@pytest.mark.parametrize("backend", BACKENDS)
def test_group_commit_isolates_failures_and_acknowledges_only_after_commit(backend, tmp_path):
    from sqlalchemy import text

    from app.errors import CausalCanvasError, StoreError
    from app.store.schema import rate_limits

    def insert(name):
        def work(conn):
            conn.execute(rate_limits.insert().values(bucket=name, tokens=1.0, updated_at=0.0))
            return name
        return work

    def fails(conn):
        conn.execute(rate_limits.insert().values(bucket="partial", tokens=1.0, updated_at=0.0))
        raise ClassroomError("this one is refused")

    store = make_store(backend, tmp_path, batch_writes=True)   # on PostgreSQL too
    request_close = store.close
    jobs = [insert(f"b{i}") if i % 5 else fails for i in range(20)]
    results, errors = _run_together(len(jobs), lambda i: store.batched_write(jobs[i]))
    assert sorted(i for i, _ in errors) == [0, 5, 10, 15]
    assert all(isinstance(e, ClassroomError) for _, e in errors)
    with store.read() as conn:
        names = set(conn.execute(select(rate_limits.c.bucket)).scalars())
    assert names == {f"b{i}" for i in range(20) if i % 5}      # the failing ones left nothing
    assert "partial" not in names
    # a statement error inside one item is that item's StoreError, not everybody's
    with pytest.raises(StoreError):
        store.batched_write(lambda conn: conn.execute(text("SELECT * FROM no_such_table")))
    assert store.batched_write(insert("after")) == "after"
    with pytest.raises(CausalCanvasError):
        store.batched_write(insert("after"))                     # duplicate primary key
    request_close()
