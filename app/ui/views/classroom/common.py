"""Small helpers shared by the classroom views: escaping, cookies and the browser's id."""
import time

import streamlit as st

from app.classroom import access
from app.markup import md as esc  # noqa: F401 - user text inside Markdown, for the views

LIB_COOKIE = "cc_library"
SEAT_COOKIE = "cc_seat"
BROWSER_COOKIE = "cc_browser"


def remember_cookie(name: str, value: str, max_age: int = 31_536_000) -> None:
    """Keep `value` in a first-party cookie so a refresh or a server restart finds it again
    (max_age=0 forgets it). Values are our own codes (Crockford letters, digits, dashes):
    nothing to escape."""
    assert all(c in access.CODE_ALPHABET + "-" for c in value)
    st.html(f"<script>document.cookie = '{name}={value}; path=/; max-age={int(max_age)}; "
            "SameSite=Strict';</script>", unsafe_allow_javascript=True)


def cookie(name: str, length: int) -> str | None:
    """A cookie this app set (our alphabet, the right length), or None."""
    value = st.context.cookies.get(name)
    return value if access.is_own_code(value, length) else None


def browser_id() -> str:
    """This browser's id for the join allowance, kept in a cookie so a reload does not start a
    fresh allowance (server-wide limits cap a caller who drops the cookie)."""
    bid = st.session_state.get("cr_browser") or cookie(BROWSER_COOKIE, access.BROWSER_ID_LENGTH)
    if not bid:
        bid = access.new_browser_id()
    if st.session_state.get("cr_browser") != bid:
        st.session_state["cr_browser"] = bid
        remember_cookie(BROWSER_COOKIE, bid)
    return bid


def when(ts: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts))
