"""Data page (AppTest): every sample loads, uploads good and bad, type overrides, discretisation."""
from __future__ import annotations

import pytest

from app.samples import SAMPLE_NAMES, list_samples, load_sample
from tests.ui.conftest import assert_no_exception, open_page, shown

PAGE = "pages/data.py"


def workspace(at):
    return at.session_state["cc_history"].present


def errors(at) -> str:
    return shown(" ".join(e.value for e in at.error))




def test_every_sample_loads_from_the_picker_with_its_graph():
    at = open_page(PAGE, sample="kidney_stones")
    assert_no_exception(at)
    titles = {s.name: s for s in list_samples()}
    for name in SAMPLE_NAMES:
        at.selectbox(key="data_sample").set_value(name)
        at.button(key="data_load_sample").click()
        at.run()
        assert_no_exception(at)
        assert not at.error, errors(at)
        ws = workspace(at)
        assert ws.dataset.kind == "sample" and ws.dataset.name == name
        assert ws.dataset.rows == titles[name].rows
        assert shown(at.subheader[0].value).startswith(f"{name} · {titles[name].rows:,} rows")
        assert ws.graph == load_sample(name).graph


def test_empty_workspace_shows_a_helpful_empty_state():
    at = open_page(PAGE, sample=None)
    assert_no_exception(at)
    assert any("No table loaded" in i.value for i in at.info)


def test_sample_readme_is_shown_in_an_expander():
    at = open_page(PAGE, sample="kidney_stones")
    assert any("Simpson's paradox" in m.value for m in at.markdown)


def test_bad_upload_shows_a_friendly_error_and_keeps_data_and_graph(upload):
    at = open_page(PAGE, sample="kidney_stones")
    before = workspace(at)
    upload(b"a,b,c\n1,2,3\n4,5,6,7\n", "ragged.csv")
    at.run()
    assert_no_exception(at)
    assert "Line 3" in errors(at) and "4 values" in errors(at)
    assert workspace(at) == before


@pytest.mark.parametrize("data, needle", [
    (b"", "empty"), (b"a,b\n", "no data rows"), (b"x\n1\n2\n", "only one column"),
    (b"a,a\n1,2\n", "appears twice"), (bytes(range(256)) * 20, "not look like a text table"),
])
def test_each_bad_upload_is_explained(upload, data, needle):
    at = open_page(PAGE, sample="kidney_stones")
    before = workspace(at)
    upload(data, "bad.csv")
    at.run()
    assert_no_exception(at)
    assert needle in errors(at)
    assert workspace(at) == before


def test_good_upload_replaces_the_data_keeps_the_graph_and_reports_the_encoding(upload):
    at = open_page(PAGE, sample="kidney_stones")
    graph = workspace(at).graph
    upload("town;temp\nZürich;3,5\nMünchen;4,0\nGenève;5,5\n".encode("cp1252"), "towns.csv")
    at.run()
    assert_no_exception(at)
    ws = workspace(at)
    assert ws.dataset.kind == "upload" and ws.dataset.name == "towns.csv"
    assert ws.graph == graph
    notes = shown(" ".join(i.value for i in at.info))
    assert "Windows-1252" in notes and "decimal commas" in notes


def test_same_upload_is_not_reloaded_on_rerun(upload):
    at = open_page(PAGE, sample="kidney_stones")
    upload(b"a,b\n1,2\n3,4\n", "t.csv")
    at.run()
    steps = len(at.session_state["cc_history"].past)
    at.run()
    assert len(at.session_state["cc_history"].past) == steps


def test_wide_upload_caps_the_chart_grid_with_a_note(upload):
    header = ",".join(f"v{i}" for i in range(40))
    rows = "\n".join(",".join(str((r * 7 + i) % 5) for i in range(40)) for r in range(30))
    upload(f"{header}\n{rows}\n".encode(), "wide.csv")
    at = open_page(PAGE, sample="kidney_stones")
    assert_no_exception(at)
    assert any("first 30 of 40 columns" in c.value for c in at.caption)


def test_valid_type_override_is_applied_as_an_undo_step():
    at = open_page(PAGE, sample="kidney_stones")
    at.selectbox(key="data_type_column").set_value("recovery")
    at.run()
    at.selectbox(key="data_type_value_recovery").set_value("categorical")
    at.button(key="data_type_apply").click()
    at.run()
    assert_no_exception(at)
    assert workspace(at).var_types["recovery"] == "categorical"


def test_invalid_type_override_is_refused_with_a_clear_message():
    at = open_page(PAGE, sample="kidney_stones")
    before = workspace(at)
    at.selectbox(key="data_type_column").set_value("treatment")
    at.run()
    at.selectbox(key="data_type_value_treatment").set_value("continuous")
    at.button(key="data_type_apply").click()
    at.run()
    assert_no_exception(at)
    assert "'treatment' cannot be continuous" in errors(at)
    assert workspace(at) == before


def test_discretisation_preview_shows_the_chosen_edges():
    at = open_page(PAGE, sample="nhefs")
    at.selectbox(key="data_disc_column").set_value("age")
    at.radio(key="data_disc_method").set_value("equal_width")
    at.slider(key="data_disc_bins").set_value(4)
    at.run()
    assert_no_exception(at)
    edges = next(m.value for m in at.markdown if m.value.startswith("Bin edges"))
    # nhefs ages run from 25 to 74: equal-width edges 25, 37.25, 49.5, 61.75, 74
    assert edges.startswith("Bin edges: `25`, `37.25`, `49.5`, `61.75`, `74`")


def test_kidney_stones_has_nothing_to_discretise():
    at = open_page(PAGE, sample="kidney_stones")
    assert any("no continuous variable" in c.value for c in at.caption)


def test_new_data_with_an_old_graph_is_said_and_a_graph_of_its_columns_is_offered(upload):
    # issue 17 item 7: uploading a table kept the kidney-stones graph with no word
    at = open_page("pages/data.py")
    upload(b"any,got,age\n0,1,20\n1,1,30\n1,0,40\n0,0,50\n", "mine.csv")
    at.run()
    warned = " ".join(str(w.value) for w in at.warning)
    assert "not columns of this data" in warned
    at.button(key="data_from_columns").click().run()
    g = at.session_state["cc_history"].present.graph
    assert set(g.nodes) == {"any", "got", "age"} and not g.edges
    at.switch_page("pages/graph.py").run()
    assert_no_exception(at)
    assert not [w for w in at.warning if "not columns" in str(w.value)]
