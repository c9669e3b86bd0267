"""The protocol client of the load and failover checks (benchmarks/_st_client.py) plays the
browser's part for the app's cookie scripts: what app.ui.views.classroom.common.remember_cookie writes
is what the client reads back (a student's seat must survive a reconnect in the failover check,
as it does in a browser). Reference: the app's own script text."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from _st_client import COOKIE_SCRIPT  # noqa: E402


def test_the_client_reads_the_cookie_scripts_the_app_writes(monkeypatch):
    from app.ui.views.classroom import common

    written: list[str] = []
    monkeypatch.setattr(common.st, "html", lambda body, **kw: written.append(body))
    common.remember_cookie(common.SEAT_COOKIE, "ABCD-0123", max_age=600)
    common.remember_cookie(common.SEAT_COOKIE, "", max_age=0)
    assert COOKIE_SCRIPT.findall(written[0]) == [("cc_seat", "ABCD-0123", "600")]
    assert COOKIE_SCRIPT.findall(written[1]) == [("cc_seat", "", "0")]
