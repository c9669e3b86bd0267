"""Small helpers shared by the classroom views."""
import string
import time

import streamlit as st

from app import classroom as cr

LIB_COOKIE = "cc_library"


def esc(text) -> str:
    """User text (names, prompts, titles) shown as plain text inside markdown."""
    return "".join("\\" + c if c in string.punctuation else c for c in str(text))


def remember_cookie(name: str, value: str) -> None:
    """Keep `value` in a first-party cookie so a refresh or a server restart finds it again.
    Values are our own codes (Crockford letters, digits, dashes): nothing to escape."""
    assert all(c in cr.CODE_ALPHABET + "-" for c in value)
    st.html(f"<script>document.cookie = '{name}={value}; path=/; max-age=31536000; "
            "SameSite=Strict';</script>", unsafe_allow_javascript=True)


def when(ts: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts))
