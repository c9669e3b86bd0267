"""The canvas callback survives Streamlit stopping it at any session-state access.

With fast reruns, Streamlit raises StopException inside a running callback at the next
st.session_state access once a newer run is requested. Issue 4's lost node was exactly that:
a batch was marked as seen, the callback was stopped after its first event, and the rest were
acknowledged but never applied. Here every access point in turn raises; the browser then resends
the same message (it does until acknowledged), and the graph must hold each edit exactly once.
"""
from __future__ import annotations

import pytest
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from app.editor import apply_events
from app.graph import CausalGraph
from app.ui import state
from components.dag_editor import _receive

KEY = "dag_editor"
BATCH = [{"seq": 1, "type": "add_node", "name": "A", "x": 0, "y": 0},
         {"seq": 2, "type": "add_node", "name": "B", "x": 100, "y": 0},
         {"seq": 3, "type": "add_node", "name": "C", "x": 200, "y": 0},
         {"seq": 4, "type": "undo"},
         {"seq": 5, "type": "add_edge", "source": "A", "target": "B"}]
EXPECTED = CausalGraph.from_edges([("A", "B")])   # C added then undone


class StoppingState(dict):
    """A session state whose `stop_at`-th access raises StopException, as Streamlit's does."""

    def __init__(self, stop_at: int | None):
        super().__init__()
        self.stop_at, self.calls = stop_at, 0

    def _tick(self):
        self.calls += 1
        if self.calls == self.stop_at:
            raise StopException()

    def __getitem__(self, k):
        self._tick()
        return super().__getitem__(k)

    def __setitem__(self, k, v):
        self._tick()
        super().__setitem__(k, v)

    def __contains__(self, k):
        self._tick()
        return super().__contains__(k)

    def get(self, k, default=None):
        self._tick()
        return super().get(k, default)

    def setdefault(self, k, default=None):
        self._tick()
        return super().setdefault(k, default)

    def pop(self, k, *default):
        self._tick()
        return super().pop(k, *default)


def page_callback(events):
    """What pages/graph.py passes as on_events."""
    return apply_events(state.history(), events)


def deliver(session: StoppingState) -> bool:
    """One delivery of the browser's message; False when Streamlit stopped the callback."""
    dict.__setitem__(session, KEY, {"edit": {"nonce": "page1", "events": [dict(e) for e in BATCH]}})
    try:
        _receive(KEY, page_callback)
    except StopException:
        return False
    return True


def test_the_stop_points_cover_the_whole_callback(monkeypatch):
    session = StoppingState(None)
    monkeypatch.setattr(st, "session_state", session)
    assert deliver(session)
    assert session.calls < 16     # the test below stops at each of them in turn


@pytest.mark.parametrize("stop_at", range(1, 16))
def test_a_stopped_callback_loses_and_doubles_nothing(monkeypatch, stop_at):
    session = StoppingState(stop_at)
    monkeypatch.setattr(st, "session_state", session)
    deliver(session)
    session.stop_at = None
    assert deliver(session)                                  # the browser's resend
    assert deliver(session)                                  # and a duplicate of it
    hist = state.history()
    assert hist.present.graph.nodes == EXPECTED.nodes
    assert hist.present.graph.edges == EXPECTED.edges
    assert [label for _, label in hist.past] == ["add node A", "add node B", "add edge A → B"]
    assert dict.__getitem__(session, f"{KEY}__inbox").seen == {"page1": 5}
