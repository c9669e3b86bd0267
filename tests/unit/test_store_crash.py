"""Kill the server in the middle of a burst of answers, restart: every acknowledged answer is
there, none twice.

A writer subprocess plays the app server: 8 threads submit answers for 40 students and print
"ACK <key> <id>" only after submit_answer returned (the commit is done). The test kills it with
SIGKILL mid-burst (for PostgreSQL it first crashes the database server itself with an
immediate shutdown: no checkpoint, recovery by WAL replay), restarts, and checks.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from app import parse_graph
from app.classroom import make_question
from app.store import Store, create_class, join_class, post_question, submit_answer
from app.store.schema import answers
from tests.unit._store_support import require_postgres_binaries

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = 40
QUESTIONS = 3
PER_QUESTION = 15         # answers per student per question (under the 20 cap)
KILL_AFTER = 150          # acknowledged answers before the kill
GRAPH = parse_graph("dag { Z -> X; Z -> Y; X -> Y }")


def writer_main(url: str, plan_file: str) -> None:
    """The 'server': submit answers as fast as possible, acknowledging each committed one."""
    plan = json.loads(Path(plan_file).read_text())
    store = Store(url)
    lock = threading.Lock()

    def student(i: int) -> None:
        token = plan["tokens"][i]
        for n in range(PER_QUESTION):
            for qid in plan["questions"]:
                key = f"s{i:02d}q{qid:03d}n{n:02d}x"
                try:
                    receipt = submit_answer(token, qid, ["Z"] if n % 2 else [], key, store=store)
                except Exception as err:  # noqa: BLE001 - the database went away: keep trying
                    with lock:
                        print(f"ERR {key} {type(err).__name__}", flush=True)
                    time.sleep(0.05)
                    continue
                with lock:
                    print(f"ACK {key} {receipt.answer_id}", flush=True)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(student, range(STUDENTS)))
    print("DONE", flush=True)


def _prepare(url: str, tmp_path: Path) -> tuple[Path, dict]:
    store = Store(url)
    try:
        c = create_class("Crash drill", store=store)
        qids = []
        for _ in range(QUESTIONS):
            q = post_question(c.code, c.teacher_key, make_question(
                "adjustment_set", GRAPH, {"exposure": "X", "outcome": "Y"}), store=store)
            qids.append(q.id)
        # post_question opens the newest and closes the rest: reopen all three
        from app.store.schema import questions

        with store.write() as conn:
            conn.execute(questions.update().where(questions.c.id.in_(qids))
                         .values(status="open"))
        tokens = [join_class(c.code, f"Student {i}", session_id=uuid.uuid4().hex,
                             store=store).token for i in range(STUDENTS)]
    finally:
        store.close()
    plan = {"tokens": tokens, "questions": qids}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path, plan


def _start_writer(url: str, plan_path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = ("from tests.unit.test_store_crash import writer_main; "
            f"writer_main({url!r}, {str(plan_path)!r})")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _acks_until(proc: subprocess.Popen, n: int, timeout: float = 120) -> list[str]:
    lines, deadline = [], time.time() + timeout
    while sum(line.startswith("ACK") for line in lines) < n:
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"the writer did not acknowledge {n} answers: "
                        f"{lines[-5:]} {proc.stderr.read()[-2000:]}")
        line = proc.stdout.readline()
        if line:
            lines.append(line.strip())
    return lines


def _kill(proc: subprocess.Popen, lines: list[str]) -> dict[str, int]:
    assert proc.poll() is None, "the writer finished before the kill: not a mid-burst test"
    os.kill(proc.pid, signal.SIGKILL)
    lines += [line.strip() for line in proc.stdout.read().splitlines()]
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    assert "DONE" not in lines
    acks = {}
    for line in lines:
        if line.startswith("ACK"):
            _, key, aid = line.split()
            acks[key] = int(aid)
    return acks


def _check_all_acknowledged_are_stored_once(url: str, plan: dict, acks: dict[str, int]) -> None:
    store = Store(url)                       # a restarted app: migrations check, then read
    try:
        with store.read() as conn:
            rows = conn.execute(select(answers.c.submission_key, answers.c.id)).all()
        stored = {r.submission_key: r.id for r in rows}
        assert len(stored) == len(rows)      # no submission twice
        missing = {k for k in acks if k not in stored}
        assert not missing, f"{len(missing)} acknowledged answers lost, e.g. {sorted(missing)[:3]}"
        assert all(stored[k] == aid for k, aid in acks.items())
        # After the restart, the students' browsers retry what they sent: nothing doubles.
        token_of = {f"s{i:02d}": t for i, t in enumerate(plan["tokens"])}
        for key in list(acks)[:60]:
            qid = int(key[4:7])
            r = submit_answer(token_of[key[:3]], qid, [], key, store=store)
            assert r.duplicate and r.answer_id == acks[key]
        with store.read() as conn:
            assert len(conn.execute(select(answers.c.id)).all()) == len(rows)
    finally:
        store.close()


def test_sqlite_keeps_every_acknowledged_answer_when_the_server_is_killed(tmp_path):
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    plan_path, plan = _prepare(url, tmp_path)
    proc = _start_writer(url, plan_path)
    lines = _acks_until(proc, KILL_AFTER)
    acks = _kill(proc, lines)
    assert len(acks) >= KILL_AFTER
    _check_all_acknowledged_are_stored_once(url, plan, acks)
    store = Store(url)
    try:
        with store.read() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        store.close()


@pytest.mark.slow
def test_postgres_keeps_every_acknowledged_answer_when_database_and_app_crash(tmp_path):
    require_postgres_binaries()
    from tests.support.pgserver import TempPostgres

    with TempPostgres(fsync=True) as pg:      # durability on, as in production
        url = pg.fresh_database()
        plan_path, plan = _prepare(url, tmp_path)
        proc = _start_writer(url, plan_path)
        lines = _acks_until(proc, KILL_AFTER)
        pg.crash()                            # the database server dies mid-burst
        time.sleep(0.3)
        acks = _kill(proc, lines)             # then the app server
        assert len(acks) >= KILL_AFTER
        pg.start()                            # recovery replays the WAL
        _check_all_acknowledged_are_stored_once(url, plan, acks)
