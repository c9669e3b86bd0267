"""Try a lesson's checker code in a child process with a time and memory limit first.

Lessons added through CAUSAL_CANVAS_LESSONS carry Python (checker.py) that the server would
otherwise import and call in its own process: one endless loop or a 10 GB list there stalls every
user. So before the server runs such code for a given seed and difficulty, a child forked from
a clean forkserver (no inherited threads) loads and builds the lesson under
`settings.CHECKER_TIMEOUT_S` of wall time and `settings.CHECKER_MEMORY_BYTES` more address
space. Only if the child finishes cleanly does the server build the lesson itself. Answers are
then graded by the app's own checkers (see loader._declared_format), never by lesson code.
"""
from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from app import settings
from app.errors import CausalCanvasError

IMPORT_TIMEOUT_S = 120.0   # the child's own imports (pandas, the app) before the clock starts
_PRELOAD = ["app.lessons.loader", "app.lessons.checkers"]
HINT = "Fix the lesson's checker.py; the other lessons still work."


def _child(folder: str, seed: int, difficulty: int | None, build: bool, memory: int,
           conn) -> None:
    """In the child: load (and build) the lesson; send back None or (message, hint)."""
    import resource

    from app.lessons import loader

    loader.SANDBOXED = True
    try:
        with open("/proc/self/statm") as fh:
            used = int(fh.read().split()[0]) * resource.getpagesize()
        limit = used + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError):   # not Linux: the wall-time limit still holds
        pass
    conn.send("ready")
    try:
        path = Path(folder)
        lesson = loader._load(path, loader._signature(path))
        if build:
            lesson.build(seed, difficulty)
        conn.send(None)
    except MemoryError:
        conn.send((_limit(folder, f"its checker needed more than {memory // 2**20:,} MB of "
                                  "memory"), HINT))
    except CausalCanvasError as err:
        conn.send((err.message, err.hint))
    except BaseException as err:  # noqa: BLE001 - report anything, in words
        conn.send((_limit(folder, f"its checker failed ({type(err).__name__})"), HINT))
    finally:
        conn.close()


def _limit(folder: str | Path, problem: str) -> str:
    return f"Lesson '{Path(folder).name}' cannot be used: {problem}."


def probe(folder: Path, seed: int = 0, difficulty: int | None = None, *, build: bool = True,
          timeout: float | None = None) -> tuple[str, str | None] | None:
    """None if the lesson loads (and builds) within the limits, else (message, hint)."""
    timeout = settings.CHECKER_TIMEOUT_S if timeout is None else timeout
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(str(folder), int(seed), difficulty, build,
                                            int(settings.CHECKER_MEMORY_BYTES), child),
                       daemon=True, name=f"lesson-probe-{folder.name}")
    proc.start()
    child.close()
    try:
        if not parent.poll(IMPORT_TIMEOUT_S):
            return _limit(folder, "its checker could not be started"), HINT
        parent.recv()                               # "ready": the clock starts now
        if not parent.poll(timeout):
            return _limit(folder, f"its checker took longer than {timeout:g} s"), HINT
        return parent.recv()
    except EOFError:
        proc.join(1)
        return _limit(folder, f"its checker ended the process that ran it (exit code "
                              f"{proc.exitcode}); it may have used too much memory"), HINT
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
