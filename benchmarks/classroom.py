"""Classroom write load: 40 simulated students each submit 10 answers as fast as they can.

For SQLite (synchronous=FULL, what the app uses) and PostgreSQL (a throwaway server on
loopback, fsync on, started here when the binaries exist): answers per second, latency from
submit to stored (p50/p95/max: submit_answer returns after the commit), and the count of
answers lost or doubled (must be 0). Baselines in the same process: the same 400 answers sent
one after another by a single thread, SQLite with synchronous=NORMAL (what FULL costs), and
each database with the other write mode (group commit on for SQLite, off for PostgreSQL).

Run: .venv/bin/python benchmarks/classroom.py   (about a minute)
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

from sqlalchemy import func, select  # noqa: E402

from app import parse_graph  # noqa: E402
from app.classroom import make_question  # noqa: E402
from app.store import (  # noqa: E402
    Store,
    create_class,
    join_class,
    post_question,
    question_results,
    submit_answer,
)
from app.store.schema import answers, questions  # noqa: E402

STUDENTS = 40
ANSWERS_EACH = 10
GRAPH = parse_graph("dag { stone_size -> treatment; stone_size -> recovery; "
                    "treatment -> recovery; age -> recovery }")


def prepare(store: Store) -> tuple[str, str, list[int], list[str]]:
    """A class with 10 open questions and 40 joined students."""
    c = create_class("Benchmark", store=store)
    q = make_question("adjustment_set", GRAPH, {"exposure": "treatment", "outcome": "recovery"})
    qids = [post_question(c.code, c.teacher_key, q, store=store).id for _ in range(ANSWERS_EACH)]
    with store.write() as conn:
        conn.execute(questions.update().where(questions.c.id.in_(qids)).values(status="open"))
    tokens = [join_class(c.code, f"Student {i}", session_id=uuid.uuid4().hex,
                         store=store).token for i in range(STUDENTS)]
    return c.code, c.teacher_key, qids, tokens


def run(store: Store, threads: int) -> dict:
    """Every student answers every question; `threads` students at a time."""
    code, key, qids, tokens = prepare(store)
    latencies: list[float] = []
    lock = threading.Lock()
    acked: list[str] = []

    def student(token: str) -> None:
        for n, qid in enumerate(qids):
            sub = uuid.uuid4().hex
            t0 = time.perf_counter()
            submit_answer(token, qid, ["stone_size"] if n % 3 else [], sub, store=store)
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                acked.append(sub)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(student, tokens))
    wall = time.perf_counter() - t0
    with store.read() as conn:
        stored = set(conn.execute(select(answers.c.submission_key)
                                  .where(answers.c.question_id.in_(qids))).scalars())
        rows = conn.execute(select(func.count()).select_from(answers)
                            .where(answers.c.question_id.in_(qids))).scalar()
    counted = sum(question_results(code, key, qid, store=store).total for qid in qids)
    lat = sorted(latencies)
    return {
        "answers": len(acked), "seconds": wall, "answers_per_s": len(acked) / wall,
        "p50_ms": 1000 * statistics.median(lat), "p95_ms": 1000 * lat[int(0.95 * len(lat)) - 1],
        "max_ms": 1000 * lat[-1],
        "lost": len(set(acked) - stored), "doubled": rows - len(stored),
        "counted_per_question_ok": counted == STUDENTS * len(qids),
    }


def show(name: str, r: dict) -> None:
    print(f"{name:<40} {r['answers_per_s']:8.0f} ans/s  p50 {r['p50_ms']:6.1f} ms  "
          f"p95 {r['p95_ms']:6.1f} ms  max {r['max_ms']:7.1f} ms  lost {r['lost']}  "
          f"doubled {r['doubled']}  counts ok {r['counted_per_question_ok']}")


def main() -> None:
    results: dict[str, dict] = {}
    print(f"{STUDENTS} students x {ANSWERS_EACH} answers = {STUDENTS * ANSWERS_EACH} "
          "submissions per run\n")
    with tempfile.TemporaryDirectory() as tmp:
        for label, sync, threads, batch in [
                ("sqlite FULL, 40 threads", "FULL", STUDENTS, None),
                ("sqlite FULL, 40 threads, no batching", "FULL", STUDENTS, False),
                ("sqlite FULL, 1 thread", "FULL", 1, None),
                ("sqlite NORMAL, 40 threads", "NORMAL", STUDENTS, None)]:
            store = Store(f"sqlite:///{tmp}/{len(results)}.sqlite3", synchronous=sync,
                          batch_writes=batch)
            try:
                results[label] = run(store, threads)
            finally:
                store.close()
            show(label, results[label])
    try:
        from tests.support.pgserver import PostgresUnavailable, TempPostgres

        with TempPostgres(fsync=True) as pg:
            for label, threads, batch in [("postgresql, 40 threads", STUDENTS, None),
                                          ("postgresql, 40 threads, batched", STUDENTS, True),
                                          ("postgresql, 1 thread", 1, None)]:
                store = Store(pg.fresh_database(), batch_writes=batch)
                try:
                    results[label] = run(store, threads)
                finally:
                    store.close()
                show(label, results[label])
    except PostgresUnavailable as err:
        print(f"postgresql: skipped ({err})")

    def ratio(a: str, b: str, key: str = "answers_per_s") -> str:
        if a in results and b in results:
            return f"{results[a][key] / results[b][key]:.2f}x"
        return "n/a"

    print("\nratios (same process), throughput:")
    for a, b in [("sqlite FULL, 40 threads", "sqlite FULL, 40 threads, no batching"),
                 ("sqlite FULL, 40 threads", "sqlite FULL, 1 thread"),
                 ("sqlite FULL, 40 threads", "sqlite NORMAL, 40 threads"),
                 ("postgresql, 40 threads", "postgresql, 40 threads, batched"),
                 ("postgresql, 40 threads", "postgresql, 1 thread"),
                 ("postgresql, 40 threads", "sqlite FULL, 40 threads")]:
        print(f"  {a}  vs  {b}: {ratio(a, b)}")
    bad = [k for k, r in results.items() if r["lost"] or r["doubled"]
           or not r["counted_per_question_ok"]]
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "classroom.json").write_text(json.dumps(results, indent=1))
    if bad:
        print("FAILED: answers lost or doubled in", bad)
        sys.exit(1)
    print("\n0 answers lost, 0 counted twice in every run.")


if __name__ == "__main__":
    main()
