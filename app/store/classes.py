"""Classes in the database: teacher actions (need the teacher key), student seats and answers.

Security model:
- A class has a public join code (8 characters, 40 bits) and a secret teacher key
  (20 characters, 100 bits) shown once; only a salted SHA-256 of the key is stored, compared in
  constant time. Wrong code and wrong key give the same message.
- Joining gives the student a random seat token (stored hashed). Everything a student sees
  goes through the token: their own answers, the open question without its solution, and the
  solution and class distribution only once the teacher reveals them.
- Guessing is throttled by attempt limits kept in the database (app.store.limits), counted
  atomically and independent of the client's IP address: every join attempt per browser, failed
  joins server-wide (checked before the code is looked up), joins per class, wrong teacher keys
  per class and server-wide (app.classroom.access has the numbers). An ended class and an
  unknown code get the same answer.

Reliability: a submission is one INSERT keyed by (student, submission key) with a unique
constraint, so a retried submission is acknowledged again but never counted twice. It is
acknowledged only after its transaction committed (SQLite synchronous=FULL, PostgreSQL
synchronous_commit=on); simultaneous submissions share one commit (Store.batched_write).
"""
from __future__ import annotations

import json
import math
import secrets
import time
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, func, select, update

from app.classroom import access
from app.classroom.access import (
    clean_display_name,
    clean_title,
    hash_key,
    new_join_code,
    new_seat_token,
    new_teacher_key,
    normalise_join_code,
    token_hash,
    verify_key,
)
from app.classroom.questions import Question, check_answer
from app.classroom.summary import Summary, summarise
from app.errors import ClassroomError
from app.store import limits, memo
from app.store.engine import Store, get_store
from app.store.schema import answers, classes, questions, students

STATUSES = ("draft", "open", "closed", "revealed")
MAX_STUDENTS = 500
MAX_QUESTIONS = 500
MAX_SUBMISSIONS_PER_QUESTION = 20


# ---- results -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewClass:
    """A class just created: the join code to show everyone, and the teacher key, shown once."""

    code: str
    title: str
    teacher_key: str = field(repr=False)


@dataclass(frozen=True)
class ClassInfo:
    code: str
    title: str
    created_at: float
    ended: bool
    students: int
    questions: int


@dataclass(frozen=True)
class QuestionInfo:
    """A posted question as the teacher sees it (with its solution)."""

    id: int
    number: int
    status: str
    question: Question
    updated_at: float

    @property
    def prompt(self) -> str:
        return self.question.prompt


@dataclass(frozen=True)
class Seat:
    """A student's place in a class; the token proves it (kept in the browser session)."""

    token: str = field(repr=False)
    name: str = ""
    code: str = ""
    title: str = ""


@dataclass(frozen=True)
class Receipt:
    """Acknowledgement of a stored answer; `duplicate` when this submission was already stored."""

    answer_id: int
    submitted_at: float
    label: str
    duplicate: bool = False


@dataclass(frozen=True)
class MyAnswer:
    """A student's latest answer to one question; the verdict only once the solution is shown."""

    question_id: int
    number: int
    prompt: str
    status: str
    label: str
    submitted_at: float
    correct: bool | None = None
    feedback: str = ""
    answer_id: int = 0      # the stored answer's id: a new one after every stored change


@dataclass(frozen=True)
class StudentQuestion:
    """The class's current question for a student (solution only when revealed)."""

    id: int
    number: int
    status: str
    question: Question
    my_answer: MyAnswer | None = None
    summary: Summary | None = None


@dataclass(frozen=True)
class StudentAnswer:
    """One student's latest answer, for the teacher."""

    name: str
    label: str
    correct: bool
    submitted_at: float
    submissions: int


# ---- helpers -------------------------------------------------------------------------------------
def _question(store: Store, qid: int, body: str) -> Question:
    """Parse a question body once per process (bodies never change after posting)."""
    key = (str(store.url), qid)
    q = memo.QUESTIONS.get(key)
    if q is None:
        q = Question.from_json(body)
        memo.QUESTIONS.put(key, q)
    return q


def _answer_target(store: Store, token: str, qid: int) -> tuple[int, Question]:
    """(student id, question) for a submission. Seats and questions never change class, so
    they are looked up once per process; only what can change (status) is read at write time."""
    if not isinstance(token, str) or not token:
        raise ClassroomError("Join the class first.")
    seat_key, q_key = (str(store.url), token_hash(token)), (str(store.url), qid)
    seat, class_of_q = memo.SEATS.get(seat_key), memo.QUESTION_CLASS.get(q_key)
    q = memo.QUESTIONS.get(q_key)
    if seat is None or class_of_q is None or q is None:
        with store.read() as conn:
            row = _seat(conn, token)
            seat = (row.id, row.class_id)
            qrow = conn.execute(select(questions.c.id, questions.c.class_id, questions.c.body)
                                .where(questions.c.id == qid)).first()
        if qrow is None:
            raise ClassroomError("That question is not part of your class.")
        q, class_of_q = _question(store, qrow.id, qrow.body), qrow.class_id
        memo.SEATS.put(seat_key, seat)
        memo.QUESTION_CLASS.put(q_key, class_of_q)
    if class_of_q != seat[1]:
        raise ClassroomError("That question is not part of your class.")
    return seat[0], q


def _denied() -> ClassroomError:
    return ClassroomError("The class code or the teacher key is wrong.",
                          hint="Use the code and key shown when the class was created.")


# compared against when the code is unknown, so a wrong code costs the same as a wrong key
_NO_SALT, _NO_HASH = "-", hash_key(new_teacher_key(), "-")


def _teacher(store: Store, code: str, teacher_key: str, now: float | None = None) -> int:
    """The id of the class whose teacher key this is, or ClassroomError.

    Wrong keys are throttled per class and server-wide before the key is checked (a key the
    process already accepted skips the limit, see app.store.memo); every wrong key is
    counted in the database.
    """
    try:
        code = normalise_join_code(code)
    except ClassroomError:
        raise _denied() from None
    now = time.time() if now is None else now
    with store.read() as conn:
        row = conn.execute(select(classes.c.id, classes.c.key_salt, classes.c.key_hash)
                           .where(classes.c.code == code)).first()
        scope = f"{store.url}|class:{row.id if row else 0}"
        if row is not None and (scope, str(teacher_key)) in memo.VERIFIED:
            return row.id
        buckets = {"key:guess": access.KEY_GUESSES}
        if row is not None:
            buckets[f"key:c:{row.id}"] = access.KEY_GUESSES_PER_CLASS
        wait = limits.peek(conn, buckets, now)
    good = wait is None and verify_key(teacher_key, row.key_salt if row else _NO_SALT,
                                       row.key_hash if row else _NO_HASH) and row is not None
    if good:
        memo.VERIFIED.add(scope, str(teacher_key))
        return row.id

    # a wrong key is counted everywhere; a refused attempt only where it deepens a backoff
    count = {b: p for b, p in buckets.items() if wait is None or p.backoff}

    def spend(conn: Connection) -> float | None:
        waits = [limits.spend(conn, store, b, p, now) for b, p in count.items()]
        return max((w for w in waits if w is not None), default=None)

    later = store.batched_write(spend) if count else None
    if wait is not None:
        raise _too_many(max(wait, later or 0.0), "open this class")
    raise _denied()


def _class_row(conn: Connection, class_id: int):
    return conn.execute(select(classes).where(classes.c.id == class_id)).one()


def _latest_answers(class_question_id: int):
    """Each student's latest answer to a question (the one that counts)."""
    latest = (select(func.max(answers.c.id)).where(answers.c.question_id == class_question_id)
              .group_by(answers.c.student_id))
    return answers.c.id.in_(latest)


def _summary(conn: Connection, store: Store, qrow) -> Summary:
    q = _question(store, qrow.id, qrow.body)
    rows = conn.execute(select(answers.c.label, answers.c.correct, answers.c.answer)
                        .where(_latest_answers(qrow.id))).all()
    feedback: dict[str, str] = {}
    for r in rows:
        if not r.correct and r.label not in feedback:
            feedback[r.label] = check_answer(q, json.loads(r.answer)).feedback
    return summarise((r.label, r.correct, feedback.get(r.label, "")) for r in rows)


def _too_many(wait: float, what: str = "join") -> ClassroomError:
    return ClassroomError(f"Too many attempts to {what}. Wait {max(1, math.ceil(wait))} s and "
                          "try again.", hint="Check the code (and key) with your teacher.")


# ---- teacher ---------------------------------------------------------------------------------------
def create_class(title: str, *, store: Store | None = None) -> NewClass:
    """Create a class; returns its join code and the teacher key (shown once, stored hashed)."""
    store = store or get_store()
    title = clean_title(title)
    key = new_teacher_key()
    salt = secrets.token_hex(16)
    now = time.time()
    for _ in range(20):
        code = new_join_code()
        with store.write() as conn:
            done = conn.execute(store.insert(classes).values(
                code=code, title=title, key_salt=salt, key_hash=hash_key(key, salt),
                created_at=now, ended=False).on_conflict_do_nothing(
                index_elements=["code"]).returning(classes.c.id)).scalar()
            limits.forget_idle(conn, now)
        if done is not None:
            memo.VERIFIED.add(f"{store.url}|class:{done}", key)   # its creator is signed in
            return NewClass(code=code, title=title, teacher_key=key)
    raise ClassroomError("Could not find a free class code; try again.")


def class_info(code: str, teacher_key: str, *, store: Store | None = None) -> ClassInfo:
    """The class's title and counts; also the way a teacher 'logs in' (checks the key)."""
    store = store or get_store()
    class_id = _teacher(store, code, teacher_key)
    with store.read() as conn:
        row = _class_row(conn, class_id)
        n_students = conn.execute(select(func.count()).select_from(students)
                                  .where(students.c.class_id == row.id)).scalar()
        n_questions = conn.execute(select(func.count()).select_from(questions)
                                   .where(questions.c.class_id == row.id)).scalar()
    return ClassInfo(row.code, row.title, row.created_at, bool(row.ended), n_students,
                     n_questions)


def end_class(code: str, teacher_key: str, *, store: Store | None = None) -> None:
    """Stop the class: no more joins or answers; everything stays readable."""
    store = store or get_store()
    now = time.time()
    class_id = _teacher(store, code, teacher_key)
    with store.write() as conn:
        row = _class_row(conn, class_id)
        conn.execute(update(classes).where(classes.c.id == row.id).values(ended=True))
        conn.execute(update(questions).where(questions.c.class_id == row.id,
                                             questions.c.status == "open")
                     .values(status="closed", updated_at=now))


def post_question(code: str, teacher_key: str, question: Question, *, open_now: bool = True,
                  store: Store | None = None) -> QuestionInfo:
    """Add a question to the class; when `open_now`, it opens (and any open one closes)."""
    store = store or get_store()
    if not isinstance(question, Question):
        raise ClassroomError("Build the question with app.classroom.make_question first.")
    body, now = question.to_json(), time.time()
    class_id = _teacher(store, code, teacher_key)
    with store.write() as conn:
        row = _class_row(conn, class_id)
        if row.ended:
            raise ClassroomError("This class has ended; create a new class to ask more.")
        number = (conn.execute(select(func.max(questions.c.number))
                               .where(questions.c.class_id == row.id)).scalar() or 0) + 1
        if number > MAX_QUESTIONS:
            raise ClassroomError(f"A class can hold {MAX_QUESTIONS} questions; start a new "
                                 "class.")
        status = "open" if open_now else "draft"
        if open_now:
            conn.execute(update(questions).where(questions.c.class_id == row.id,
                                                 questions.c.status == "open")
                         .values(status="closed", updated_at=now))
        qid = conn.execute(questions.insert().values(
            class_id=row.id, number=number, kind=question.kind, prompt=question.prompt[:1000],
            body=body, status=status, created_at=now, updated_at=now)
            .returning(questions.c.id)).scalar_one()
    return QuestionInfo(qid, number, status, question, now)


def set_question_status(code: str, teacher_key: str, question_id: int, status: str, *,
                        store: Store | None = None) -> None:
    """Open, close or reveal a question. Opening one closes any other open question;
    revealing also stops answers and shows the solution and class results to students."""
    store = store or get_store()
    if status not in ("open", "closed", "revealed"):
        raise ClassroomError("A question can be opened, closed or revealed.")
    now = time.time()
    class_id = _teacher(store, code, teacher_key)
    with store.write() as conn:
        row = _class_row(conn, class_id)
        if status == "open" and row.ended:
            raise ClassroomError("This class has ended; its questions cannot reopen.")
        q = conn.execute(select(questions.c.id).where(questions.c.id == int(question_id),
                                                      questions.c.class_id == row.id)).first()
        if q is None:
            raise ClassroomError("That question is not part of this class.")
        if status == "open":
            conn.execute(update(questions).where(questions.c.class_id == row.id,
                                                 questions.c.status == "open",
                                                 questions.c.id != q.id)
                         .values(status="closed", updated_at=now))
        conn.execute(update(questions).where(questions.c.id == q.id)
                     .values(status=status, updated_at=now))


def list_questions(code: str, teacher_key: str, *,
                   store: Store | None = None) -> list[QuestionInfo]:
    """Every question of the class, newest first."""
    store = store or get_store()
    class_id = _teacher(store, code, teacher_key)
    with store.read() as conn:
        row = _class_row(conn, class_id)
        rows = conn.execute(select(questions).where(questions.c.class_id == row.id)
                            .order_by(questions.c.number.desc())).all()
    return [QuestionInfo(r.id, r.number, r.status, _question(store, r.id, r.body), r.updated_at)
            for r in rows]


def _teacher_question(conn: Connection, class_id: int, question_id: int):
    qrow = conn.execute(select(questions).where(questions.c.id == int(question_id),
                                                questions.c.class_id == class_id)).first()
    if qrow is None:
        raise ClassroomError("That question is not part of this class.")
    return qrow


def question_results(code: str, teacher_key: str, question_id: int, *,
                     store: Store | None = None) -> Summary:
    """The live distribution of the class's latest answers (one per student)."""
    store = store or get_store()
    class_id = _teacher(store, code, teacher_key)
    with store.read() as conn:
        qrow = _teacher_question(conn, class_id, question_id)
        return _summary(conn, store, qrow)


def student_answers(code: str, teacher_key: str, question_id: int, *,
                    store: Store | None = None) -> list[StudentAnswer]:
    """Who answered what (latest answer per student), for the teacher only."""
    store = store or get_store()
    class_id = _teacher(store, code, teacher_key)
    with store.read() as conn:
        qrow = _teacher_question(conn, class_id, question_id)
        counts = (select(answers.c.student_id, func.count().label("n"))
                  .where(answers.c.question_id == qrow.id).group_by(answers.c.student_id)
                  .subquery())
        rows = conn.execute(
            select(students.c.display_name, answers.c.label, answers.c.correct,
                   answers.c.submitted_at, counts.c.n)
            .join(students, students.c.id == answers.c.student_id)
            .join(counts, counts.c.student_id == answers.c.student_id)
            .where(_latest_answers(qrow.id)).order_by(answers.c.submitted_at)).all()
    return [StudentAnswer(r.display_name, r.label, bool(r.correct), r.submitted_at, r.n)
            for r in rows]


def roster(code: str, teacher_key: str, *, store: Store | None = None) -> list[str]:
    """Display names of the students who joined, in joining order."""
    store = store or get_store()
    class_id = _teacher(store, code, teacher_key)
    with store.read() as conn:
        row = _class_row(conn, class_id)
        return list(conn.execute(select(students.c.display_name)
                                 .where(students.c.class_id == row.id)
                                 .order_by(students.c.id)).scalars())


# ---- students --------------------------------------------------------------------------------------
def _no_class() -> ClassroomError:
    """The one answer for an unknown code and for a class that has ended."""
    return ClassroomError("There is no open class with this code.",
                          hint="Check the code on your teacher's screen.")


def join_class(code: str, display_name: str, *, session_id: str, ip: str | None = None,
               store: Store | None = None, now: float | None = None) -> Seat:
    """Join with the class code and a display name (unique within the class).

    `session_id` names the browser (a cookie, so a reload keeps its allowance). In one
    transaction, with each bucket's row locked: the browser's allowance is spent; the
    server-wide (and, when known, the address's) allowance of failed joins is checked before the
    code is looked up and spent when it fails; an attempt that reaches a live class spends the
    class's allowance. Failed joins are counted even when the caller retries at once.
    """
    store = store or get_store()
    now = time.time() if now is None else now
    code = normalise_join_code(code)
    name, name_key = clean_display_name(display_name)
    token = new_seat_token()
    browser = "join:b:" + token_hash(str(session_id))[:40]
    guesses = {"join:guess": access.JOIN_GUESSES}
    if ip:
        guesses["join:ip:" + token_hash(str(ip))[:40]] = access.JOIN_FAILURES_PER_IP

    def attempt(conn: Connection) -> tuple[str, object]:
        # errors are returned, not raised: raising would roll back the spent tokens
        wait = limits.spend(conn, store, browser, access.JOIN_PER_BROWSER, now)
        if wait is not None:
            return "wait", wait
        levels = {b: limits.lock(conn, store, b, p, now) for b, p in guesses.items()}
        short = [p.wait_seconds(levels[b]) for b, p in guesses.items() if levels[b] + 1e-9 < 1]
        if short:
            return "wait", max(short)
        row = conn.execute(select(classes.c.id, classes.c.code, classes.c.title,
                                  classes.c.ended).where(classes.c.code == code)).first()
        if row is None or row.ended:
            for b in guesses:
                limits.save(conn, b, levels[b] - 1, now)
            return "none", None
        wait = limits.spend(conn, store, f"join:c:{row.id}", access.JOIN_PER_CLASS, now)
        if wait is not None:
            return "wait", wait
        count = conn.execute(select(func.count()).select_from(students)
                             .where(students.c.class_id == row.id)).scalar()
        if count >= MAX_STUDENTS:
            return "full", None
        sid = conn.execute(store.insert(students).values(
            class_id=row.id, display_name=name, name_key=name_key,
            token_hash=token_hash(token), joined_at=now)
            .on_conflict_do_nothing(index_elements=["class_id", "name_key"])
            .returning(students.c.id)).scalar()
        if sid is None:
            return "taken", None
        return "seat", Seat(token=token, name=name, code=row.code, title=row.title)

    outcome, value = store.batched_write(attempt)
    if outcome == "seat":
        return value
    if outcome == "wait":
        raise _too_many(value)
    if outcome == "full":
        raise ClassroomError(f"This class is full ({MAX_STUDENTS} students).")
    if outcome == "taken":
        raise ClassroomError(f"Someone in this class is already called '{name}'.",
                             hint="Add an initial or a number to your name.")
    raise _no_class()


def _seat(conn: Connection, token: str):
    if not isinstance(token, str) or not token:
        raise ClassroomError("Join the class first.")
    row = conn.execute(
        select(students.c.id, students.c.display_name, students.c.class_id, classes.c.code,
               classes.c.title, classes.c.ended)
        .join(classes, classes.c.id == students.c.class_id)
        .where(students.c.token_hash == token_hash(token))).first()
    if row is None:
        raise ClassroomError("Your seat in this class was not found.",
                             hint="Join again with the class code.")
    return row


def resume_seat(token: str, *, store: Store | None = None) -> Seat:
    """Find a student's seat again from the token kept in the browser (e.g. after a refresh)."""
    store = store or get_store()
    with store.read() as conn:
        row = _seat(conn, token)
    return Seat(token=token, name=row.display_name, code=row.code, title=row.title)


def _current(conn: Connection, class_id: int):
    """The question students see: the one whose state changed last (drafts excluded)."""
    return conn.execute(select(questions).where(questions.c.class_id == class_id,
                                                questions.c.status != "draft")
                        .order_by(questions.c.updated_at.desc(), questions.c.id.desc())
                        .limit(1)).first()


def poll(token: str, *, store: Store | None = None) -> tuple[int, str, float] | None:
    """(question id, status, last change) of the current question: a cheap change detector."""
    store = store or get_store()
    with store.read() as conn:
        seat = _seat(conn, token)
        row = conn.execute(select(questions.c.id, questions.c.status, questions.c.updated_at)
                           .where(questions.c.class_id == seat.class_id,
                                  questions.c.status != "draft")
                           .order_by(questions.c.updated_at.desc(), questions.c.id.desc())
                           .limit(1)).first()
    return None if row is None else (row.id, row.status, row.updated_at)


def _hidden(q: Question) -> Question:
    return Question(q.kind, q.graph, q.params, {}, q.prompt)


def _my_answer(conn, store, student_id: int, qrow) -> MyAnswer | None:
    a = conn.execute(select(answers).where(answers.c.question_id == qrow.id,
                                           answers.c.student_id == student_id)
                     .order_by(answers.c.id.desc()).limit(1)).first()
    if a is None:
        return None
    revealed = qrow.status == "revealed"
    feedback = ""
    if revealed and not a.correct:
        feedback = check_answer(_question(store, qrow.id, qrow.body),
                                json.loads(a.answer)).feedback
    return MyAnswer(qrow.id, qrow.number, qrow.prompt, qrow.status, a.label, a.submitted_at,
                    bool(a.correct) if revealed else None, feedback, a.id)


def current_question(token: str, *, store: Store | None = None) -> StudentQuestion | None:
    """The class's current question for this student, with their answer; the solution and the
    class results only once the teacher has revealed them."""
    store = store or get_store()
    with store.read() as conn:
        seat = _seat(conn, token)
        qrow = _current(conn, seat.class_id)
        if qrow is None:
            return None
        q = _question(store, qrow.id, qrow.body)
        revealed = qrow.status == "revealed"
        return StudentQuestion(qrow.id, qrow.number, qrow.status, q if revealed else _hidden(q),
                               _my_answer(conn, store, seat.id, qrow),
                               _summary(conn, store, qrow) if revealed else None)


def my_answers(token: str, *, store: Store | None = None) -> list[MyAnswer]:
    """The student's latest answer to each question they answered, newest question first."""
    store = store or get_store()
    with store.read() as conn:
        seat = _seat(conn, token)
        qrows = conn.execute(
            select(questions).where(questions.c.class_id == seat.class_id,
                                    questions.c.id.in_(select(answers.c.question_id)
                                                       .where(answers.c.student_id == seat.id)))
            .order_by(questions.c.number.desc())).all()
        return [m for m in (_my_answer(conn, store, seat.id, q) for q in qrows) if m]


def submit_answer(token: str, question_id: int, answer, submission_key: str, *,
                  store: Store | None = None) -> Receipt:
    """Store a student's answer; returns once it is committed.

    Idempotent: the same `submission_key` again (a retry) returns the first receipt with
    duplicate=True and changes nothing, and so does the answer the student already has (a
    resend after a lost acknowledgement, e.g. from another replica after a failover, whose
    session has a new key). A new answer replaces the student's answer while the question is
    open (the latest answer counts; every change is kept).
    """
    store = store or get_store()
    if not isinstance(submission_key, str) or not 8 <= len(submission_key) <= 64 \
            or not submission_key.replace("-", "").replace("_", "").isalnum():
        raise ClassroomError("The submission has no valid key; reload the page.")
    student_id, question = _answer_target(store, token, int(question_id))
    checked = check_answer(question, answer)
    payload = json.dumps(checked.answer, ensure_ascii=False, sort_keys=True)
    qid = int(question_id)
    mine = and_(answers.c.student_id == student_id, answers.c.submission_key == submission_key)

    def store_answer(conn: Connection) -> Receipt:
        done = conn.execute(select(answers.c.id, answers.c.submitted_at, answers.c.label)
                            .where(mine)).first()
        if done is not None:          # a retry of this very submission: its first receipt
            return Receipt(done.id, done.submitted_at, done.label, duplicate=True)
        latest = conn.execute(select(answers.c.id, answers.c.submitted_at, answers.c.label,
                                     answers.c.answer)
                              .where(answers.c.question_id == qid,
                                     answers.c.student_id == student_id)
                              .order_by(answers.c.id.desc()).limit(1)).first()
        if latest is not None and latest.answer == payload:
            return Receipt(latest.id, latest.submitted_at, latest.label, duplicate=True)
        n = (select(func.count()).select_from(answers)
             .where(answers.c.question_id == qid, answers.c.student_id == student_id)
             .scalar_subquery())
        now_state = conn.execute(
            select(questions.c.status, classes.c.ended, n.label("n"))
            .join(classes, classes.c.id == questions.c.class_id)
            .where(questions.c.id == qid)).one()
        accepting = now_state.status == "open" and not now_state.ended
        if accepting and now_state.n < MAX_SUBMISSIONS_PER_QUESTION:
            now = time.time()
            aid = conn.execute(store.insert(answers).values(
                question_id=qid, student_id=student_id, submission_key=submission_key,
                answer=payload, label=checked.label[:300], correct=checked.correct,
                submitted_at=now).on_conflict_do_nothing(
                index_elements=["student_id", "submission_key"]).returning(answers.c.id)).scalar()
            if aid is not None:
                return Receipt(aid, now, checked.label[:300])
        # not inserted: a retry of a stored submission is acknowledged again, unchanged
        done = conn.execute(select(answers.c.id, answers.c.submitted_at, answers.c.label)
                            .where(mine)).first()
        if done is not None:
            return Receipt(done.id, done.submitted_at, done.label, duplicate=True)
        if not accepting:
            raise ClassroomError("Answers to this question are closed.",
                                 hint="Wait for the teacher to open the next question.")
        raise ClassroomError("You have changed this answer many times; your last answer "
                             "counts.")

    return store.batched_write(store_answer)


def revealed_results(token: str, question_id: int, *, store: Store | None = None) -> Summary:
    """The class distribution for a student, only after the teacher revealed the question."""
    store = store or get_store()
    with store.read() as conn:
        seat = _seat(conn, token)
        qrow = conn.execute(select(questions).where(questions.c.id == int(question_id),
                                                    questions.c.class_id == seat.class_id)
                            ).first()
        if qrow is None or qrow.status != "revealed":
            raise ClassroomError("The class results are shown once the teacher reveals them.")
        return _summary(conn, store, qrow)
