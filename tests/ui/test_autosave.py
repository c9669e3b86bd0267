"""Autosave: a new session of the same browser (refresh, server restart) gets its work back."""
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP, assert_no_exception

KEY = "test-browser-key-0123456789abcdef"


def _session() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["cc_session_key"] = KEY   # what the browser's cookie would carry
    return at


def test_refresh_restores_the_edited_graph():
    first = _session()
    first.run()   # start on the entry page: AppTest resets the pages flag per test app
    first.switch_page("pages/graph.py")
    first.run()
    assert_no_exception(first)
    first.text_area(key="graph_text").set_value("dag { Rain -> Wet ; Sprinkler -> Wet }").run()
    first.run()   # the autosave runs at the start of each run, after callbacks
    edited = first.session_state["cc_history"].present.graph
    assert edited.edges == {("Rain", "Wet"), ("Sprinkler", "Wet")}

    second = _session()
    second.run()
    assert_no_exception(second)
    restored = second.session_state["cc_history"].present
    assert restored.graph == edited
    assert restored.dataset is not None and restored.dataset.name == "kidney_stones"
