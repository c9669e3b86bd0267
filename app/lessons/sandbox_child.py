"""The child side of the lesson trial (app.lessons.sandbox): run as
`python -m app.lessons.sandbox_child FOLDER SEED DIFFICULTY BUILD MEMORY` in a fresh interpreter,
it loads (and builds) the lesson under a memory limit and prints "ready", then None or
[message, hint] as JSON.

A module of its own so that the parent side (imported by the loader) does not import the loader
back: the child needs the loader, the loader needs only the parent.
"""
from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from app.errors import CausalCanvasError
from app.lessons import checkers, loader  # noqa: F401 - imported before the clock starts
from app.lessons.sandbox import HINT, limit_message


def _child(folder: str, seed: int, difficulty: int | None, build: bool, memory: int) -> None:
    """In the child: load (and build) the lesson; print None or [message, hint] as JSON."""
    loader.SANDBOXED = True
    try:
        with open("/proc/self/statm") as fh:
            used = int(fh.read().split()[0]) * resource.getpagesize()
        limit = used + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError):   # not Linux: the wall-time limit still holds
        pass
    out = sys.stdout
    sys.stdout = sys.stderr          # lesson code that prints cannot garble the answer
    out.write("ready\n")
    out.flush()
    try:
        path = Path(folder)
        lesson = loader._load(path, loader._signature(path))
        if build:
            lesson.build(seed, difficulty)
        answer = None
    except MemoryError:
        answer = [limit_message(folder, f"its checker needed more than {memory // 2**20:,} MB of "
                                 "memory"), HINT]
    except CausalCanvasError as err:
        answer = [err.message, err.hint]
    except BaseException as err:  # noqa: BLE001 - report anything, in words
        answer = [limit_message(folder, f"its checker failed ({type(err).__name__})"), HINT]
    out.write(json.dumps(answer) + "\n")
    out.flush()


if __name__ == "__main__":
    _folder, _seed, _difficulty, _build, _memory = sys.argv[1:6]
    _child(_folder, int(_seed), int(_difficulty) if _difficulty else None, _build == "1",
           int(_memory))
