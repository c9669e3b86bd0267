"""Kill one replica mid-class: students reconnect through HAProxy, get their work back, and no
classroom answer is lost or doubled while the teacher's live view keeps counting.

    .venv/bin/python deploy/failover_check.py [--students 60] [--replicas 3] [--port 8500]
                                              [--kill other|teacher]

Starts deploy/scale_out.py's deployment (PostgreSQL, N replicas, HAProxy; loopback only). Every
browser is a websocket client speaking Streamlit's protocol (benchmarks/_st_client.py) that keeps
its cookies as a browser does (`cc_session`, the balancer's `CC_REPLICA`, and what the app's
cookie scripts set: the classroom seat `cc_seat`).

1. A teacher opens the Classroom page through the balancer, creates a class and posts a question
   (which adjustment set?); the live view (the page's 2-s `run_every` fragment) is polled every
   2 s for the whole run, as the browser's timer does.
2. Each student opens the app, the Graph page, adds a variable of their own (S<i>, autosaved),
   opens the Classroom page, joins with the code and sends answer A.
3. Every student changes to answer B at a random moment of a 4-s window; half-way through it the
   victim replica is killed (SIGKILL, no clean shutdown): `--kill other` kills a replica that
   is not the teacher's, `--kill teacher` the teacher's own.
4. Students of the other replicas carry on on their open connection (workspace untouched, never
   restored). The victim's students lose their connection, reconnect through the balancer with
   their cookies and must find their own variable restored (and nobody else's), their seat, and
   their answer: B if it was stored before the kill, else A; a student whose click got no
   answer presses the button again (sent again, or acknowledged without a copy). Then
   everyone changes back to A (which a session counter of attempts used to lose on a new
   replica). A teacher on the victim reconnects and reopens the class with its code and key.
5. Checks, in PostgreSQL directly: each student's stored answers are exactly A, B, A (none
   lost, none stored twice); and the teacher's live view ends at "N of N" with the database's
   distribution and never counts down.

Prints p50/p95 per action, errors, recovery times; exit status 1 on any error. Bounded: every
request has a timeout, reconnecting has a deadline, and the whole class has one.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import re
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))

from _st_client import StreamlitClient, choices, click, component_event, text_value  # noqa: E402
from scale_out import StartError, deployment  # noqa: E402

from app.markup import as_shown  # noqa: E402

STEP_TIMEOUT = 120.0
RECONNECT_DEADLINE = 120.0
CLASS_DEADLINE = 1200.0       # the whole run
POLL_EVERY = 2.0              # the teacher's live view (app/ui/views/classroom/teacher.live_results)
WINDOW = 4.0                  # answer B is sent within this window; the kill is half-way
STEPS = ("open app", "open Graph page", "canvas: add a variable", "open Classroom page",
         "join the class", "answer A (before the kill)", "answer B (kill window)",
         "rerun after the kill (kept)", "reconnect: workspace restored",
         "reconnect: Classroom page", "answer B again (moved)", "answer A again (after the kill)",
         "teacher: live view poll")
ANSWERS = {"stone_size": ["stone_size"], "none": []}
LABELS = {"stone_size": "{stone_size}", "none": "∅ (adjust for nothing)"}
SHOWN_ANSWER = re.compile(r"Your answer: \*\*(.+?)\*\* \(sent")
COUNT = re.compile(r"^Answers: (\d+) of (\d+)$")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


class Browser:
    """One browser: a protocol client that keeps its cookies across reconnects."""

    def __init__(self, base: str, name: str, errors: list[str], times: dict[str, list[float]]):
        self.base, self.name, self.errors, self.times = base, name, errors, times
        self.client = StreamlitClient(base, {"cc_session": secrets.token_urlsafe(24)})
        self.replica = self.replica_at_start = "?"
        self.run_ = None
        self.steps: set[str] = set()      # the actions that succeeded

    async def connect(self) -> None:
        await self.client.open()
        self.replica = self.replica_at_start = self.client.set_cookies.get("CC_REPLICA", "?")

    async def reconnect(self, t_kill: float, killed: str) -> float | None:
        """A new connection through the balancer with this browser's cookies (the balancer's
        CC_REPLICA still names the dead replica: HAProxy must send it elsewhere)."""
        cookies = dict(self.client.cookies, CC_REPLICA=self.replica)
        await self.client.close()
        while time.monotonic() - t_kill < RECONNECT_DEADLINE:
            self.client = StreamlitClient(self.base, cookies)
            try:
                await self.client.open()
                await self.client.run(timeout=STEP_TIMEOUT)        # lands on Home
            except Exception:  # noqa: BLE001 - the balancer may still route to the dead one
                await self.client.close()
                await asyncio.sleep(0.5)
                continue
            self.replica = self.client.set_cookies.get("CC_REPLICA", "?")
            if self.replica == killed:
                self.errors.append(f"{self.name}: reconnected to the killed replica")
            return time.monotonic() - t_kill
        self.errors.append(f"{self.name}: no reconnect within {RECONNECT_DEADLINE:.0f} s")
        return None

    async def step(self, name: str, expect: str = "", quiet: bool = False, **ask):
        """One run; its time counted under `name`. None (and an error unless quiet) if it
        failed or the page did not show `expect`."""
        try:
            run = await self.client.run(timeout=STEP_TIMEOUT, **ask)
        except Exception as err:  # noqa: BLE001 - counted and reported
            if not quiet:
                self.errors.append(f"{self.name}: {name}: {type(err).__name__}: {err}"[:200])
            return None
        if run.exceptions or (expect and not run.has(expect)):
            self.errors.append(f"{self.name} ({self.replica}): {name}: " + (
                run.exceptions[0][:150] if run.exceptions else f"page did not show {expect!r}"))
            return None
        self.times[name].append(run.seconds)
        self.steps.add(name)
        self.run_ = run
        return run


class Teacher(Browser):
    """Creates the class, posts the question and watches the live view."""

    def __init__(self, base, errors, times):
        super().__init__(base, "teacher", errors, times)
        self.code = self.key = ""
        self.counts: list[tuple[float, int, int]] = []   # (time, answers, students)
        self.distribution = ""
        self.recovered: float | None = None
        self.longest_gap = 0.0

    async def start(self) -> bool:
        await self.connect()
        for name, ask in (("open app", {}), ("open Classroom page", {"page": "classroom"})):
            if not await self.step(name, **ask):
                return False
        run = await self.step("teacher: create class", "Create class", widgets=[
            choices(self.client.widgets["cr_mode"], ["Teacher"])])
        run = run and await self.step("teacher: create class", "Join code", widgets=[
            click(run.labels["Create class"])])
        if not run:
            return False
        self.code = next(t for t in run.texts if t.startswith("Join code: ")).split(": ")[1]
        self.key = re.search(r"teacher key: `([A-Z0-9-]+)`", " ".join(run.texts)).group(1)
        return bool(await self.step("teacher: post question", "Question 1 is open",
                                    widgets=[click(self.client.widgets["cr_post"])]))

    async def poll(self) -> bool:
        fragment = self.client.fragments.get(POLL_EVERY)
        run = await self.step("teacher: live view poll", "Answers", quiet=True,
                              fragment=fragment)
        if run is None:
            return False
        for text in run.texts:
            if m := COUNT.match(text):
                self.counts.append((time.monotonic(), int(m.group(1)), int(m.group(2))))
            elif text.startswith("Answers so far: "):
                self.distribution = as_shown(text)[len("Answers so far: "):]
        return True

    async def reopen(self, t_kill: float, killed: str) -> bool:
        """After its replica died: reconnect and reopen the class with its code and key."""
        if await self.reconnect(t_kill, killed) is None:
            return False
        run = await self.step("teacher: reopen", page="classroom")
        run = run and await self.step("teacher: reopen", "Reopen", widgets=[
            choices(self.client.widgets["cr_mode"], ["Teacher"])])
        run = run and await self.step("teacher: reopen", "Answers", widgets=[
            text_value(run.labels["Class code"], self.code),
            text_value(run.labels["Teacher key"], self.key), click(run.labels["Reopen"])])
        return bool(run)

    async def watch(self, stop: asyncio.Event, kill: dict) -> None:
        """Poll the live view every 2 s until `stop`; after a kill of its own replica, reopen."""
        last_ok = time.monotonic()
        while not stop.is_set():
            t0 = time.monotonic()
            if await self.poll():
                if "t" in kill and self.recovered is None and self.replica != kill["name"] \
                        and self.counts[-1][0] > kill["t"]:
                    self.recovered = time.monotonic() - kill["t"]
                self.longest_gap = max(self.longest_gap, time.monotonic() - last_ok)
                last_ok = time.monotonic()
            elif "t" in kill and self.replica == kill["name"]:
                if not await self.reopen(kill["t"], kill["name"]):
                    self.errors.append("teacher: could not reopen the class after the kill")
                    return
                continue
            else:
                self.errors.append("teacher: a live-view poll failed")
            try:
                await asyncio.wait_for(stop.wait(), max(0.0, POLL_EVERY - (time.monotonic() - t0)))
            except TimeoutError:
                pass


class Student(Browser):
    def __init__(self, base: str, i: int, errors, times):
        super().__init__(base, f"s{i}", errors, times)
        self.i, self.mine = i, f"S{i}"
        self.a, self.b = ("stone_size", "none") if i % 2 == 0 else ("none", "stone_size")
        self.meant: list[str] = []          # labels this student meant to store, in order
        self.qid = 0
        self.interrupted = False
        self.stored_before_kill = False     # an interrupted answer B was in the database
        self.recovered: float | None = None
        self.answered_again: float | None = None

    def _check_mine(self, run, step: str) -> bool:
        text = run.values.get("Graph text", "")
        others = sorted(set(re.findall(r"\bS\d+\b", text)) - {self.mine})
        if self.mine not in text or others:
            self.errors.append(f"{self.name} ({self.replica}): {step}: graph text has "
                               f"{others or 'not ' + self.mine}")
            return False
        return True

    def shown_answer(self) -> str | None:
        """My answer as the page last showed it (a submit redraws the page: the last counts)."""
        shown = [m.group(1) for t in self.run_.texts if (m := SHOWN_ANSWER.search(as_shown(t)))]
        return shown[-1] if shown else None

    async def answer(self, step: str, which: str, quiet: bool = False) -> bool:
        """Choose `which` and press the form's button; the page must then show it as mine."""
        labels = self.run_.labels
        button = labels.get("Change my answer") or labels.get("Send my answer")
        self.meant.append(LABELS[which])
        run = await self.step(step, quiet=quiet, widgets=[
            choices(labels["Adjust for"], ANSWERS[which]), click(button)])
        if run is None:
            return False
        if self.shown_answer() != LABELS[which]:
            self.errors.append(f"{self.name} ({self.replica}): {step}: page shows "
                               f"{self.shown_answer()!r} as my answer, not {LABELS[which]!r}")
        return True

    async def before(self, delay: float, code: str = "") -> bool:
        """Graph page and a variable of my own (autosaved), then join and answer A."""
        await asyncio.sleep(delay)
        try:
            await self.connect()
        except Exception as err:  # noqa: BLE001
            self.errors.append(f"{self.name}: connect: {type(err).__name__}: {err}"[:200])
            return False
        if not await self.step("open app", "kidney_stones"):
            return False
        if not await self.step("open Graph page", "3 nodes", page="graph"):
            return False
        event = {"nonce": f"fo{self.i}", "events": [
            {"seq": 1, "type": "add_node", "name": self.mine, "x": 10.0, "y": 10.0}]}
        run = await self.step("canvas: add a variable", "4 nodes", widgets=[
            component_event(self.client.widgets["dag_editor"], "edit", event)])
        if run is None or not self._check_mine(run, "add a variable"):
            return False
        run = await self.step("open Classroom page", "Join a class", page="classroom")
        if not code or run is None:
            return run is not None
        run = await self.step("join the class", f"You are **{self.mine}**", widgets=[
            text_value(run.labels["Class code"], code),
            text_value(run.labels["Your display name"], self.mine), click(run.labels["Join"])])
        if run is None:
            return False
        self.qid = int(next(k for k in run.widgets if k.startswith("cr_set_"))[7:])
        return await self.answer("answer A (before the kill)", self.a)

    async def change(self, delay: float, killed: str) -> None:
        """Answer B at a random moment of the kill window."""
        await asyncio.sleep(delay)
        if not await self.answer("answer B (kill window)", self.b,
                                 quiet=self.replica == killed):
            self.interrupted = True

    async def after(self, killed: str, t_kill: float) -> None:
        if self.replica != killed:
            # the session lives on in its replica's memory: the Graph page still shows my 4
            # nodes and nothing was restored
            run = await self.step("rerun after the kill (kept)", "4 nodes", page="graph")
            if run is not None and run.has("Welcome back"):
                self.errors.append(f"{self.name} ({self.replica}): restored although its "
                                   "replica kept running")
            if not await self.step("reconnect: Classroom page", page="classroom"):
                return
        else:
            if await self.reconnect(t_kill, killed) is None:
                return
            run = await self.step("reconnect: workspace restored", page="graph")
            if run is None or not self._check_mine(run, "restored after reconnect"):
                return
            self.recovered = time.monotonic() - t_kill
            run = await self.step("reconnect: Classroom page", f"You are **{self.mine}**",
                                  page="classroom")
            if run is None:
                return
            shown = self.shown_answer()
            if shown not in (LABELS[self.a], LABELS[self.b]):
                self.errors.append(f"{self.name}: after reconnect my answer shows {shown!r}")
                return
            self.stored_before_kill = shown == LABELS[self.b]
            if self.interrupted:
                # unsure whether B went through, the student presses the button again: sent
                # again if it did not, acknowledged without a second copy if it did
                self.meant.pop()
                if not await self.answer("answer B again (moved)", self.b):
                    return
        if await self.answer("answer A again (after the kill)", self.a) \
                and self.replica != killed:
            self.answered_again = time.monotonic() - t_kill


async def run_class(base: str, n: int, ramp: float, replicas: list, kill_which: str):
    errors: list[str] = []
    times: dict[str, list[float]] = {k: [] for k in STEPS}
    for i in range(len(replicas)):   # one warm-up per replica: first-run imports, not counted
        warm = Student(base, 10_000 + i, errors, {k: [] for k in STEPS})
        await warm.before(0)
        await warm.client.close()
    teacher = Teacher(base, errors, times)
    times.update({"teacher: create class": [], "teacher: post question": [],
                  "teacher: reopen": []})
    if not await teacher.start():
        return teacher, [], errors, times, ""
    victim = next(r for r in replicas if (r.name == teacher.replica) == (kill_which == "teacher"))
    stop, kill = asyncio.Event(), {}
    watcher = asyncio.create_task(teacher.watch(stop, kill))
    students = [Student(base, i, errors, times) for i in range(n)]
    ok = await asyncio.gather(*(s.before(i * ramp / max(n, 1), teacher.code)
                                for i, s in enumerate(students)))
    live = [s for s, good in zip(students, ok) if good]

    async def kill_half_way() -> None:
        await asyncio.sleep(WINDOW / 2)
        kill["name"] = victim.name
        kill["t"] = time.monotonic()
        victim.kill()

    rng = random.Random(22)
    await asyncio.gather(kill_half_way(), *(s.change(rng.uniform(0, WINDOW), victim.name)
                                            for s in live))
    await asyncio.gather(*(s.after(victim.name, kill["t"]) for s in live))
    # the live view must reach everyone who answered; a few more polls at most
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
            teacher.counts and teacher.counts[-1][0] > time.monotonic() - 3
            and teacher.counts[-1][1] == len(live)):
        await asyncio.sleep(1)
    await asyncio.sleep(POLL_EVERY + 0.5)
    stop.set()
    await watcher
    for b in [teacher, *students]:
        await b.client.close()
    return teacher, students, errors, times, victim.name


def check_database(db_url: str, students: list[Student], teacher: Teacher,
                   errors: list[str]) -> tuple[int, int, str]:
    """Every student's stored answers, read from PostgreSQL, against what they meant to send;
    the teacher's last count and distribution against the database's."""
    from sqlalchemy import func, select

    from app.store import Store
    from app.store.schema import answers
    from app.store.schema import students as seats

    qids = {s.qid for s in students if s.qid}
    if len(qids) != 1:
        errors.append(f"students saw {len(qids)} different questions")
        return 0, 0, ""
    store = Store(db_url)
    try:
        with store.read() as conn:
            rows = conn.execute(select(seats.c.display_name, answers.c.label)
                                .join(seats, seats.c.id == answers.c.student_id)
                                .where(answers.c.question_id == qids.pop())
                                .order_by(answers.c.id)).all()
            joined = conn.execute(select(func.count()).select_from(seats)).scalar()
    finally:
        store.close()
    stored: dict[str, list[str]] = {}
    for name, label in rows:
        stored.setdefault(name, []).append(label)
    lost = doubled = 0
    for s in students:
        got = stored.get(s.mine, [])
        if got == s.meant:
            continue
        if len(got) > len(s.meant):
            doubled += 1
        else:
            lost += 1
        errors.append(f"{s.name} ({s.replica}): meant {s.meant}, database has {got}")
    latest = Counter(labels[-1] for labels in stored.values())
    want = "; ".join(f"{label} × {k}" for label, k in sorted(latest.items(),
                                                             key=lambda x: (-x[1], x[0])))
    last = teacher.counts[-1][1:] if teacher.counts else None
    if last != (len(stored), joined):
        errors.append(f"teacher's live view ends at {last}, database: {len(stored)} answered "
                      f"of {joined}")
    if sorted(teacher.distribution.split("; ")) != sorted(want.split("; ")):
        errors.append(f"teacher's live view shows {teacher.distribution!r}, database {want!r}")
    counts = [c[1] for c in teacher.counts]
    if any(b < a for a, b in zip(counts, counts[1:])):
        errors.append("the teacher's live view counted down")
    return lost, doubled, want


def report(args, teacher, students, errors, times, killed, lost, doubled, want) -> None:
    spread = Counter(s.replica_at_start for s in students)
    moved = [s for s in students if s.replica_at_start == killed]
    rec = [s.recovered for s in moved if s.recovered is not None]
    again = [s.answered_again for s in moved if s.answered_again is not None]
    print(f"{args.students} students + 1 teacher, {args.replicas} replicas behind HAProxy "
          f"({', '.join(f'{k}: {v}' for k, v in sorted(spread.items()))}); teacher on "
          f"{teacher.replica_at_start}; {killed} killed mid-class (--kill {args.kill})")
    print(f"{'action':<34} {'n':>4} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for k, v in times.items():
        if v:
            print(f"{k:<34} {len(v):>4} {pct(v, .5):7.2f} {pct(v, .95):7.2f} {max(v):7.2f}")
    print(f"moved students restored: {len(rec)}/{len(moved)}; recovery (kill -> restored "
          f"workspace shown) p50 {pct(rec, .5):.2f} s, p95 {pct(rec, .95):.2f} s, "
          f"max {max(rec, default=float('nan')):.2f} s; kill -> answer accepted on the new "
          f"replica p50 {pct(again, .5):.2f} s, p95 {pct(again, .95):.2f} s")
    cut = [s for s in moved if s.interrupted]
    print(f"answer B interrupted by the kill: {len(cut)} of {len(moved)} moved students; "
          f"after reconnecting, {sum(s.stored_before_kill for s in cut)} of them found it "
          f"stored already, all {len(cut)} pressed the button again")
    if args.kill == "teacher":
        print(f"teacher: reopened the class on {teacher.replica}; live view counting again "
              f"{teacher.recovered if teacher.recovered is None else round(teacher.recovered, 2)}"
              " s after the kill")
    last = teacher.counts[-1][1:] if teacher.counts else ("?", "?")
    print(f"teacher's live view: {len(teacher.counts)} polls, longest gap between two counts "
          f"{teacher.longest_gap:.1f} s, last 'Answers: {last[0]} of {last[1]}', distribution "
          f"{teacher.distribution!r} (database: {want!r})")
    print(f"answers in PostgreSQL: lost {lost}, doubled {doubled} "
          f"(each student: A, B, A exactly)")
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:20]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=60)
    ap.add_argument("--replicas", type=int, default=3)
    ap.add_argument("--ramp", type=float, default=10.0, help="seconds over which students arrive")
    ap.add_argument("--port", type=int, default=8500)
    ap.add_argument("--kill", choices=("other", "teacher"), default="other",
                    help="kill a replica without the teacher, or the teacher's own")
    args = ap.parse_args()
    if args.replicas < 2:
        ap.error("a failover needs at least 2 replicas")
    try:
        with deployment(args.replicas, args.port) as d:
            teacher, students, errors, times, killed = asyncio.run(asyncio.wait_for(
                run_class(d.url, args.students, args.ramp, d.replicas, args.kill),
                CLASS_DEADLINE))
            lost, doubled, want = check_database(d.db_url, students, teacher, errors)
    except StartError as err:
        print(err, file=sys.stderr)
        return 1
    report(args, teacher, students, errors, times, killed, lost, doubled, want)
    moved = [s for s in students if s.replica_at_start == killed]
    return 1 if errors or any(s.recovered is None for s in moved) else 0


if __name__ == "__main__":
    sys.exit(main())
