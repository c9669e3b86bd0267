"""AppTest helpers: open any page of the real app (navigation, sidebar and all) on a sample."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app.markup import as_shown

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
    return as_shown(markdown)


def assert_no_exception(at: AppTest) -> None:
    """No uncaught exception and no traceback element on the page."""
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def app_on():
    return open_page


class FakeUpload(io.BytesIO):
    """Stands in for Streamlit's UploadedFile (AppTest cannot drive st.file_uploader)."""

    def __init__(self, data: bytes, name: str, file_id: str = "f1") -> None:
        super().__init__(data)
        self.name, self.file_id, self.size = name, file_id, len(data)


@pytest.fixture
def upload(monkeypatch):
    """Make the Data page's uploader return the given file (other uploaders unaffected)."""
    original = st.file_uploader
    chosen: dict[str, FakeUpload] = {}

    def fake(*args, **kwargs):
        if kwargs.get("key") == "data_upload" and "file" in chosen:
            return chosen["file"]
        return original(*args, **kwargs)

    monkeypatch.setattr(st, "file_uploader", fake)

    def set_file(data: bytes, name: str, file_id: str = "f1") -> None:
        chosen["file"] = FakeUpload(data, name, file_id)

    return set_file
