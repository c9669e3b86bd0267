"""Silence third-party warnings, progress bars and prints around library calls.

stdout/stderr and the warning filters are process-wide, so the redirection is reference-counted under a lock: several
sessions (threads) can be inside at once and the real streams come back when the last leaves.
"""
from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
import warnings
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_saved: tuple = ()
_LOGGERS = ("pgmpy", "causallearn", "lingam")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    global _depth, _saved
    with _lock:
        if _depth == 0:
            sink = io.StringIO()
            _saved = (sys.stdout, sys.stderr,
                      {n: logging.getLogger(n).level for n in _LOGGERS}, list(warnings.filters))
            warnings.simplefilter("ignore")
            sys.stdout = sink
            sys.stderr = sink
            for n in _LOGGERS:
                logging.getLogger(n).setLevel(logging.ERROR)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                out, err, levels, filters = _saved
                sys.stdout, sys.stderr = out, err
                warnings.filters[:] = filters
                getattr(warnings, "_filters_mutated", lambda: None)()
                for n, level in levels.items():
                    logging.getLogger(n).setLevel(level)
