"""AppTest for the Time series page: empty state, a run on the bundled series, adopt, bad input."""
from __future__ import annotations

from tests.ui.conftest import assert_no_exception, open_page

PAGE = "pages/timeseries.py"


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def test_page_opens_on_the_simulated_series_with_a_prompt_to_run():
    at = open_page(PAGE)
    assert_no_exception(at)
    assert at.selectbox(key="ts_sample").value == "ts_simulated"
    assert any("Find links" in i.value for i in at.info)


def test_run_draws_graphs_and_table_and_adopt_replaces_the_workspace_graph():
    at = open_page(PAGE)
    _button(at, "ts_run").click()
    at.run()
    assert_no_exception(at)
    assert any("found" in s.value and "links" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert {"cause", "effect", "lag", "p_value"} <= set(table.columns)
    # the nine linear links of the sample are in the table (sample_data/ts_simulated/links.csv)
    found = set(zip(table["cause"], table["effect"], table["lag"]))
    assert ("nutrients", "algae", 2) in found and ("zooplankton", "fish", 2) in found
    _button(at, "ts_adopt").click()
    at.run()
    assert_no_exception(at)
    g = at.session_state["cc_history"].present.graph
    assert ("algae", "zooplankton") in g.edges and ("nutrients", "algae") in g.edges
    assert "temperature" in g.nodes and "fish" in g.nodes


def test_loaded_table_without_enough_numeric_columns_shows_a_clear_error():
    at = open_page(PAGE, sample="kidney_stones")
    at.radio(key="ts_source").set_value("The loaded table").run()
    _button(at, "ts_run").click()
    at.run()
    assert_no_exception(at)
    assert at.error and "two" in at.error[0].value


def test_macro_sample_opens_with_its_suggested_method_and_runs_pcmci_plus():
    at = open_page(PAGE)
    at.selectbox(key="ts_sample").set_value("ts_macro").run()
    k = "sample_ts_macro"
    assert at.radio(key=f"ts_method_{k}").value == "pcmci+"
    assert at.number_input(key=f"ts_lag_{k}").value == 4
    _button(at, "ts_run").click()
    at.run()
    assert_no_exception(at)
    links = at.dataframe[0].value
    # the accounting identity shows up as same-time links into GDP growth (see the README)
    same_time = links[links["lag"] == 0]
    assert {"consumption_growth", "investment_growth"} <= set(
        same_time.loc[same_time["effect"] == "gdp_growth", "cause"])


def test_bootstrap_run_adds_frequencies_and_a_filter():
    at = open_page(PAGE)
    k = "sample_ts_simulated"
    at.radio(key=f"ts_method_{k}").set_value("granger")
    at.number_input(key=f"ts_boot_{k}").set_value(5)
    at.run()
    _button(at, "ts_run").click()
    at.run()
    assert_no_exception(at)
    assert at.slider(key="ts_min_freq").value == 0.5
    table = at.dataframe[0].value
    assert "frequency" in table.columns and table["frequency"].between(0.5, 1.0).all()
    at.slider(key="ts_min_freq").set_value(1.0).run()
    assert_no_exception(at)
    assert (at.dataframe[0].value["frequency"] == 1.0).all()
