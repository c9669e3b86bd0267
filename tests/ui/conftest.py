"""AppTest helpers: open any page of the real app (navigation, sidebar and all) on a sample."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")


def open_page(page: str | None = None, sample: str | None = "kidney_stones",
              timeout: float = 120, query: dict | None = None) -> AppTest:
    """Run the app once (on `sample`, or empty with sample=None), then switch to `page`."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["cc_start_sample"] = sample or ""
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def shown(markdown) -> str:
    """What a Markdown source displays: names and messages reach it escaped (app.markup.md),
    so `stone\\_size` in the source is `stone_size` on the screen (and URL prefixes carry an
    invisible word joiner)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(markdown)).replace("\u2060", "")


def assert_no_exception(at: AppTest) -> None:
    """No uncaught exception and no traceback element on the page."""
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def app_on():
    return open_page
