"""A representative subset of tests/corpus through the real pages (AppTest).

Bad graph text typed into the Graph page and tampered share links opened with ?g=… must give a
friendly error, never a traceback, and leave the workspace graph exactly as it was.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from app.graph import CausalGraph
from tests.ui.conftest import assert_no_exception, open_page

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

BAD_GRAPH_TEXTS = [
    "cycle_three.txt", "self_loop.txt", "unbalanced_open.txt", "deep_nesting.txt",
    "json_nested_deep.json", "json_huge_int.json", "very_long_name.txt", "dot_broken.dot",
    "bif_truncated.bif", "null_bytes.txt",
]
BAD_LINKS = [
    "truncated.txt", "one_char_flipped.txt", "zip_bomb.txt", "cyclic_graph.txt",
    "deep_nested_json.txt", "unknown_sample.txt",
]


def _graph(at):
    return at.session_state["cc_history"].present.graph


@pytest.mark.parametrize("name", BAD_GRAPH_TEXTS)
def test_bad_graph_text_on_graph_page_keeps_workspace(name):
    at = open_page("pages/graph.py")
    before = _graph(at)
    text = (CORPUS / "graphs" / name).read_text(encoding="utf-8")
    at.text_area(key="graph_text").set_value(text).run()
    assert_no_exception(at)
    assert _graph(at) == before
    assert at.error and all(e.value.strip() for e in at.error), "a refusal must say why"
    assert not any("Traceback" in e.value for e in at.error)


def test_hostile_html_names_are_kept_as_plain_names():
    at = open_page("pages/graph.py")
    text = (CORPUS / "graphs" / "html_names.txt").read_text(encoding="utf-8")
    at.text_area(key="graph_text").set_value(text).run()
    assert_no_exception(at)
    assert "<img src=x onerror=alert(1)>" in _graph(at).nodes


@pytest.mark.parametrize("name", BAD_LINKS)
def test_tampered_share_link_opened_fresh_shows_error_not_traceback(name):
    token = (CORPUS / "links" / name).read_text(encoding="utf-8")
    at = open_page(None, query={"g": token})
    assert_no_exception(at)
    # the link decides what opens (no start sample), so a bad one leaves the empty workspace
    assert _graph(at) == CausalGraph()
    assert at.session_state["cc_history"].present.dataset is None
    assert at.error and all(e.value.strip() for e in at.error)



@pytest.mark.parametrize("page, kind, key, bad, default", [
    ("pages/counterfactual.py", "number_input", "cf_row", 10**9, 0),      # row past the end
    ("pages/counterfactual.py", "number_input", "cf_row", -5, 0),
    ("pages/estimate.py", "slider", "est_nboot", 10**7, 100),            # a bootstrap DoS
])
def test_out_of_range_widget_value_from_a_hostile_client_is_not_used(page, kind, key, bad, default):
    """A tampered client can send any widget value over the websocket; the bounded widgets
    (min/max set on the page) fall back to their default instead of indexing past the data
    or starting millions of resamples."""
    at = open_page(page)
    getattr(at, kind)(key=key).set_value(bad).run()
    assert_no_exception(at)
    assert getattr(at, kind)(key=key).value == default
