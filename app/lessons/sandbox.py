"""Try a lesson's checker code in a child process with a time and memory limit first.

Lessons added through CAUSAL_CANVAS_LESSONS carry Python (checker.py) that the server would
otherwise import and call in its own process: one endless loop or a 10 GB list there stalls every
user. So before the server runs such code for a given seed and difficulty, a fresh interpreter
(`python -m app.lessons.sandbox_child`, see there) loads and builds the lesson under `settings.CHECKER_TIMEOUT_S`
of wall time and `settings.CHECKER_MEMORY_BYTES` more address space. Only if the child
finishes cleanly does the server build the lesson itself. Answers are then graded by the app's
own checkers (see loader._declared_format), never by lesson code.

A fresh interpreter, not a multiprocessing child: under Streamlit, sys.modules["__main__"] is
the page script being run, and multiprocessing's spawn/forkserver children import the parent's
__main__ first, so they would run a page (and its lessons) before the trial even starts.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

from app import settings

IMPORT_TIMEOUT_S = 120.0   # the child's own imports (pandas, the app) before the clock starts
HINT = "Fix the lesson's checker.py; the other lessons still work."
_ROOT = Path(__file__).resolve().parents[2]


def limit_message(folder: str | Path, problem: str) -> str:
    """Why a lesson cannot be used, in words (the parent and the child say it alike)."""
    return f"Lesson '{Path(folder).name}' cannot be used: {problem}."


def _line(proc: subprocess.Popen, timeout: float) -> str | None:
    """The child's next output line, or None if none came within `timeout` seconds."""
    ready, _, _ = select.select([proc.stdout], [], [], max(timeout, 0.0))
    return proc.stdout.readline() if ready else None


def probe(folder: Path, seed: int = 0, difficulty: int | None = None, *, build: bool = True,
          timeout: float | None = None) -> tuple[str, str | None] | None:
    """None if the lesson loads (and builds) within the limits, else (message, hint)."""
    timeout = settings.CHECKER_TIMEOUT_S if timeout is None else timeout
    args = [sys.executable, "-m", "app.lessons.sandbox_child", str(folder), str(int(seed)),
            "" if difficulty is None else str(int(difficulty)), "1" if build else "0",
            str(int(settings.CHECKER_MEMORY_BYTES))]
    path = os.pathsep.join(filter(None, [str(_ROOT), settings.env(settings.ENV_PYTHONPATH)]))
    env = settings.child_environment(**{settings.ENV_PYTHONPATH: path})
    proc = subprocess.Popen(args, cwd=_ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        if _line(proc, IMPORT_TIMEOUT_S) != "ready\n":
            return limit_message(folder, "its checker could not be started"), HINT
        line = _line(proc, timeout)
        if line is None:
            return limit_message(folder, f"its checker took longer than {timeout:g} s"), HINT
        if not line:                                  # end of output: the child is gone
            proc.wait(timeout=5)
            return limit_message(folder, f"its checker ended the process that ran it (exit code "
                                  f"{proc.returncode}); it may have used too much memory"), HINT
        answer = json.loads(line)
        return None if answer is None else (answer[0], answer[1])
    except (ValueError, OSError):
        return limit_message(folder, "its checker's trial run could not be read"), HINT
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)
        proc.stdout.close()

