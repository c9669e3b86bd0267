"""AppTest: Home and Graph pages on every sample; graph text errors keep the workspace."""
import pytest

from app.graph import CausalGraph
from app.io.dagitty import write_dagitty
from app.samples import list_samples
from app.workspace import encode_share
from tests.ui.conftest import assert_no_exception, open_page, shown

SAMPLES = [s.name for s in list_samples()]


def current_graph(at) -> CausalGraph:
    return at.session_state["cc_history"].present.graph


def test_app_opens_on_a_sample_with_its_graph():
    at = open_page()
    assert_no_exception(at)
    assert len(current_graph(at).nodes) >= 3
    assert "kidney" in at.session_state["cc_history"].present.dataset.name


@pytest.mark.parametrize("sample", SAMPLES)
def test_home_and_graph_pages_run_on_every_sample(sample):
    at = open_page("pages/home.py", sample=sample)
    assert_no_exception(at)
    at.switch_page("pages/graph.py").run()
    assert_no_exception(at)
    assert at.text_area(key="graph_text").value.startswith("dag {")


def test_typing_a_graph_updates_the_workspace_and_undo_restores():
    at = open_page("pages/graph.py")
    before = current_graph(at)
    at.text_area(key="graph_text").set_value("dag { A [exposure] ; B [outcome] ; A -> B ; C -> A ; C -> B }").run()
    assert_no_exception(at)
    g = current_graph(at)
    assert g.edges == {("A", "B"), ("C", "A"), ("C", "B")} and g.exposures == {"A"}
    assert at.session_state["cc_history"].undo() == "edit graph text"
    at.run()
    assert current_graph(at) == before
    assert at.text_area(key="graph_text").value == write_dagitty(before)


@pytest.mark.parametrize("bad, message", [
    ("dag { A -> B -> C -> A }", "cycle"),
    ("dag { A -> [ }", "Line 1, column 12"),
    ('dag { "<script>alert(1)</script>" -> B -> "<script>alert(1)</script>" }', "cycle"),
])
def test_bad_graph_text_shows_error_and_keeps_workspace(bad, message):
    at = open_page("pages/graph.py")
    before = current_graph(at)
    at.text_area(key="graph_text").set_value(bad).run()
    assert_no_exception(at)
    assert any(message in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert current_graph(at) == before


def test_hostile_node_names_are_accepted_as_data():
    at = open_page("pages/graph.py")
    at.text_area(key="graph_text").set_value('dag { "<img src=x onerror=alert(1)>" -> Y }').run()
    assert_no_exception(at)
    assert "<img src=x onerror=alert(1)>" in current_graph(at).nodes


def test_share_link_opens_the_same_graph():
    g = CausalGraph.from_edges([("P", "Q"), ("Q", "R")]).set_role("P", "exposure")
    at = open_page("pages/graph.py", query={"g": encode_share(g)})
    assert_no_exception(at)
    assert current_graph(at) == g


def test_tampered_share_link_gives_message_and_keeps_sample():
    # first run only: AppTest drops the entry point's sidebar after a page switch
    at = open_page(None, query={"g": "1.garbage!!"})
    assert_no_exception(at)
    assert any("share link" in e.value.lower() for e in at.sidebar.error)
    assert len(current_graph(at).nodes) == 0  # nothing was half-loaded


def test_graph_text_is_shown_again_after_visiting_another_page():
    # issue 17 item 3: Home → Graph → Data → Graph left the box empty (Streamlit drops a widget's
    # state on a page where it is not drawn) while the canvas showed the graph
    at = open_page("pages/home.py")
    at.switch_page("pages/graph.py").run()
    shown = at.text_area(key="graph_text").value
    assert shown == write_dagitty(current_graph(at))
    at.switch_page("pages/data.py").run()
    assert_no_exception(at)
    at.switch_page("pages/graph.py").run()
    assert_no_exception(at)
    assert at.text_area(key="graph_text").value == write_dagitty(current_graph(at))
