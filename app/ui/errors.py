"""One place that turns every error into what the user sees: a friendly message, never a traceback."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from app.errors import CausalCanvasError
from app.markup import md

log = logging.getLogger("causal_canvas")


def show_error(err: BaseException, *, where=None) -> None:
    """Render an exception as st.error with a title, message and hint (no traceback).

    Messages are built from input (names, file contents), so every part is shown literally."""
    target = where or st
    if isinstance(err, CausalCanvasError):
        target.error(f"**{md(err.title)}.** {md(err.user_message())}", icon=":material/error:")
    else:
        log.exception("unexpected error", exc_info=err)
        target.error("**Unexpected problem.** Causal Canvas could not finish this step "
                     f"({md(type(err).__name__)}). Your graph and data are unchanged; try another "
                     "setting, and please report it if it happens again.", icon=":material/error:")


@contextmanager
def guard(*, where=None) -> Iterator[None]:
    """Run a block; any error becomes a friendly message and the workspace stays as it was.

    Streamlit's own control flow (st.stop, st.rerun) derives from BaseException and passes.
    """
    try:
        yield
    except Exception as err:  # noqa: BLE001 - this is the one place errors are turned into messages
        show_error(err, where=where)
