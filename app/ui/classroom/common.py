"""Small helpers shared by the classroom views."""
import time

import streamlit as st

from app import classroom as cr
from app.markup import md as esc  # noqa: F401 - user text inside Markdown, for the views

LIB_COOKIE = "cc_library"


def remember_cookie(name: str, value: str) -> None:
    """Keep `value` in a first-party cookie so a refresh or a server restart finds it again.
    Values are our own codes (Crockford letters, digits, dashes): nothing to escape."""
    assert all(c in cr.CODE_ALPHABET + "-" for c in value)
    st.html(f"<script>document.cookie = '{name}={value}; path=/; max-age=31536000; "
            "SameSite=Strict';</script>", unsafe_allow_javascript=True)


def when(ts: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts))
