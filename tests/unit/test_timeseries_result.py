"""Result views: summary graph stays a DAG (feedback and unknown directions reported apart),
the lagged graph's layout, link scores, the heat map, and the bundled series samples."""
from __future__ import annotations

import numpy as np
import pytest

from app.errors import DataError
from app.timeseries import (
    TimeSeriesLink,
    TimeSeriesResult,
    lag_name,
    link_scores,
    list_series_samples,
    load_series_sample,
)
from app.timeseries.samples import SAMPLE_DIR


def _result(links, variables=("x", "y", "z"), max_lag=2, frequencies=None) -> TimeSeriesResult:
    n = len(variables)
    strengths = np.zeros((n, n, max_lag + 1))
    p = np.full((n, n, max_lag + 1), 0.5)
    for lk in links:
        i, j = variables.index(lk.source), variables.index(lk.target)
        strengths[i, j, lk.lag] = lk.strength
        p[i, j, lk.lag] = lk.p_value
    return TimeSeriesResult(variables=tuple(variables), links=tuple(links), method="pcmci+",
                            test="parcorr", max_lag=max_lag, alpha=0.05, n_steps=500,
                            time_column="t", strengths=strengths, p_values=p,
                            frequencies=frequencies)


def test_feedback_loop_keeps_the_stronger_direction_and_reports_the_other():
    res = _result([TimeSeriesLink("x", "y", 1, 0.5, 0.001), TimeSeriesLink("y", "x", 2, -0.2, 0.01),
                   TimeSeriesLink("x", "x", 1, 0.7, 0.001)])
    s = res.summary()
    assert s.graph.edges == {("x", "y")}
    assert s.feedback == (("y", "x"),)
    assert s.autodependent == ("x",)
    assert "Feedback" in str(s)


def test_summary_graph_is_laid_out_on_a_circle_so_no_edge_crosses_a_node():
    res = _result([TimeSeriesLink("x", "y", 1, 0.5, 0.001)], variables=("a", "b", "c", "x", "y", "z"))
    pos = res.summary_graph().positions
    radii = {round(float(np.hypot(*p))) for p in pos.values()}
    assert len(pos) == 6 and len(radii) == 1          # all on one circle
    assert pos["a"][0] == 0 and pos["a"][1] < 0         # the first variable at the top


def test_three_way_cycle_drops_only_the_weakest_edge():
    res = _result([TimeSeriesLink("x", "y", 1, 0.6, 0.001), TimeSeriesLink("y", "z", 1, 0.5, 0.001),
                   TimeSeriesLink("z", "x", 1, 0.1, 0.04)])
    s = res.summary()
    assert s.graph.edges == {("x", "y"), ("y", "z")} and s.feedback == (("z", "x"),)


def test_same_time_links_of_unknown_direction_are_reported_separately():
    res = _result([TimeSeriesLink("x", "z", 0, 0.3, 0.001, kind="unoriented"),
                   TimeSeriesLink("x", "y", 0, 0.3, 0.001, kind="contemporaneous")])
    s = res.summary()
    assert s.graph.edges == {("x", "y")} and s.unoriented == (("x", "z"),)
    lagged = res.lagged_graph()
    assert lagged.edge_styles == {("x (t)", "z (t)"): "undirected"}
    assert ("x (t)", "y (t)") in lagged.graph.edges


def test_lagged_graph_has_one_column_per_lag_with_the_present_on_the_right():
    res = _result([TimeSeriesLink("x", "y", 2, 0.4, 0.001)])
    lg = res.lagged_graph()
    assert lag_name("x", 2) == "x (t-2)" and lag_name("y", 0) == "y (t)"
    assert len(lg.graph.nodes) == 3 * 3
    pos = lg.graph.positions
    assert pos["x (t-2)"][0] < pos["x (t-1)"][0] < pos["x (t)"][0]
    assert pos["x (t)"][1] < pos["y (t)"][1] < pos["z (t)"][1]
    assert lg.graph.edges == {("x (t-2)", "y (t)")}
    assert lg.edge_labels == {("x (t-2)", "y (t)"): "+0.40"}
    # repeated: the same link also from t-... into earlier slices where it fits (only t here)
    rep = res.lagged_graph(repeat=True)
    assert rep.graph.edges == {("x (t-2)", "y (t)")}
    res3 = _result([TimeSeriesLink("x", "y", 1, 0.4, 0.001)])
    assert res3.lagged_graph(repeat=True).graph.edges == {("x (t-1)", "y (t)"),
                                                          ("x (t-2)", "y (t-1)")}


def test_frequency_filter_drops_fragile_links_from_every_view():
    freq = np.zeros((3, 3, 3))
    freq[0, 1, 1], freq[1, 2, 1] = 0.9, 0.3
    res = _result([TimeSeriesLink("x", "y", 1, 0.4, 0.001, frequency=0.9),
                   TimeSeriesLink("y", "z", 1, 0.1, 0.04, frequency=0.3)], frequencies=freq)
    assert res.summary_graph(0.5).edges == {("x", "y")}
    assert res.summary_graph().edges == {("x", "y"), ("y", "z")}
    assert list(res.table(0.5)["link"]) == ["x (t-1) → y (t)"]
    assert "frequency" in res.table().columns


def test_link_scores_count_hits_misses_and_extras():
    truth = {("a", "b", 1), ("b", "c", 2), ("a", "a", 1)}
    found = {("a", "b", 1), ("b", "c", 1), ("a", "a", 1), ("c", "a", 3)}
    s = link_scores(found, truth)
    # 2 of 4 found are true, 2 of 3 true are found: F1 = 2·0.5·0.667/(1.167) = 0.571
    assert (s["precision"], s["recall"]) == (0.5, pytest.approx(2 / 3))
    assert s["f1"] == pytest.approx(4 / 7)


def test_heat_map_has_a_row_per_tested_pair_and_marks_found_links():
    from app.charts.timeseries import lag_heatmap

    res = _result([TimeSeriesLink("x", "y", 1, 0.4, 0.001)])
    spec = lag_heatmap(res).to_dict()
    rows = next(iter(spec["datasets"].values()))
    # 3 × 3 pairs × lags 1–2, plus same-time pairs once each (x–y, x–z, y–z)
    assert len(rows) == 9 * 2 + 3
    found = [r for r in rows if r["found"] == "yes"]
    assert [(r["edge"], r["lag"]) for r in found] == [("x → y", 1)]


def test_series_samples_list_and_load_with_truth_where_known():
    names = [s["name"] for s in list_series_samples()]
    assert names == ["ts_simulated", "ts_macro"]
    sim = load_series_sample("ts_simulated")
    assert sim.data.shape == (1000, 6) and sim.time_column == "week" and sim.truth_known
    assert len(sim.links) == 10 and ("temperature", "fish", 1) in sim.links
    assert sim.graph.edges == {(a, b) for a, b, _ in sim.links if a != b}
    macro = load_series_sample("ts_macro")
    assert macro.data.shape == (202, 7) and macro.graph is None and not macro.truth_known
    assert macro.settings == {"method": "pcmci+", "max_lag": 4}
    assert "public domain" in macro.readme
    with pytest.raises(DataError):
        load_series_sample("nope")


@pytest.mark.parametrize("name", ["ts_simulated", "ts_macro"])
def test_sample_build_scripts_reproduce_the_shipped_files_byte_for_byte(name, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"build_{name}", SAMPLE_DIR / name / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    for f in tmp_path.iterdir():
        assert f.read_bytes() == (SAMPLE_DIR / name / f.name).read_bytes(), f.name


def test_series_chart_reads_date_text_as_time_and_row_order_as_steps():
    from app.charts.timeseries import series_chart

    df = load_series_sample("ts_simulated").data
    spec = series_chart(df, "week", ["algae", "fish"]).to_dict()
    assert spec["spec"]["encoding"]["x"]["type"] == "temporal"
    assert len(next(iter(spec["datasets"].values()))) == 2 * 1000
    assert series_chart(df, "(row order)", ["fish"]).to_dict()["spec"]["encoding"]["x"][
        "type"] == "quantitative"
