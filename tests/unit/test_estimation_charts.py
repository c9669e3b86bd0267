"""Estimate-page charts: valid specs, small payloads, and selections turned into row masks."""
import json

import numpy as np
import pandas as pd
import pytest

from app.charts import estimation as ch
from app.estimation import estimate_effect, refute, sensitivity, subgroup_effects
from app.graph import CausalGraph

G = CausalGraph.from_edges([("Z", "T"), ("Z", "Y"), ("T", "Y")])


@pytest.fixture(scope="module")
def est():
    rng = np.random.default_rng(3)
    z = rng.normal(size=500)
    t = rng.binomial(1, 1 / (1 + np.exp(-2 * z)))
    df = pd.DataFrame({"Z": z, "T": t, "Y": -1.0 * t + 3 * z + rng.normal(size=500),
                       "C": rng.choice(["x", "y", "z"], 500)})
    return df, estimate_effect(df, G, "T", "Y", method="linear_regression")


def test_effects_chart_puts_naive_first_and_both_kinds_in_the_legend(est):
    df, e = est
    table = ch.effects_table([e])
    assert list(table["kind"]) == ["naive (unadjusted)", "adjusted (causal)"]
    assert table["value"].iloc[0] == pytest.approx(e.naive.value)
    assert np.sign(table["value"].iloc[0]) != np.sign(table["value"].iloc[1])   # Simpson here
    ch.effects_chart([e]).to_dict()


def test_all_charts_build_and_stay_small_on_many_rows(est):
    df, e = est
    big = pd.concat([df] * 200, ignore_index=True)       # 100,000 rows
    charts = [ch.sensitivity_chart(sensitivity(e)), ch.refutation_chart(refute(e, "placebo", n_simulations=10)),
              ch.cate_chart(subgroup_effects(df, G, "T", "Y", "Z", overall=e)),
              ch.covariate_chart(big, "Z", "T", treatment_label="1", control_label="0"),
              ch.covariate_chart(big, "C", "T"), ch.scatter_chart(big, "Z", "Y", "T"),
              ch.node_picker_chart(G, adjustment=("Z",), current="Z")]
    for c in charts:
        assert len(json.dumps(c.to_dict())) < 400_000


def test_interval_selection_becomes_a_range_mask(est):
    df, _ = est
    mask = ch.selection_mask(df, {"brush": {"Z": [1.0, -0.5]}})
    assert mask.sum() == ((df["Z"] >= -0.5) & (df["Z"] <= 1.0)).sum()
    two_d = ch.selection_mask(df, {"brush": {"Z": [0, 1], "Y": [0, 5]}})
    assert two_d.sum() == ((df["Z"].between(0, 1)) & (df["Y"].between(0, 5))).sum()


def test_point_selection_becomes_a_level_mask(est):
    df, _ = est
    mask = ch.selection_mask(df, {"brush": [{"C": "x"}, {"C": "z"}]})
    assert mask.sum() == df["C"].isin(["x", "z"]).sum()


def test_empty_or_foreign_selection_is_no_selection(est):
    df, _ = est
    assert ch.selection_mask(df, {}) is None
    assert ch.selection_mask(df, {"brush": {}}) is None
    assert ch.selection_mask(df, {"brush": {"nope": [0, 1]}}) is None


def test_clicked_node_is_read_from_the_selection():
    assert ch.picked_node({"node": [{"node": "Z"}]}) == "Z"
    assert ch.picked_node({"node": []}) is None and ch.picked_node(None) is None


def test_field_names_with_dots_are_escaped():
    df = pd.DataFrame({"a.b": np.arange(20.0), "T": [0, 1] * 10})
    spec = ch.covariate_chart(df, "a.b", "T").to_dict()
    assert spec["encoding"]["x"]["field"] == "a\\.b"


def test_propensity_chart_mirrors_the_groups_and_counts_every_unit(est):
    from app.estimation import overlap_diagnostics

    df, _ = est
    r = overlap_diagnostics(pd.concat([df] * 200, ignore_index=True), "T", ["Z"])
    table = ch.propensity_table(r)
    treated = table[table["count"] > 0]["units"].sum()
    control = -table[table["count"] < 0]["count"].sum()
    assert (treated, control) == (r.n_by_group["treated"], r.n_by_group["control"])
    spec = ch.propensity_chart(r).to_dict()
    assert len(json.dumps(spec)) < 30_000      # binned: 100,000 rows make a small spec


def test_mediation_chart_parts_add_up_to_the_total():
    from app.estimation import mediation_effects

    rng = np.random.default_rng(0)
    t = rng.normal(size=2000)
    m = 0.8 * t + rng.normal(size=2000)
    y = 0.5 * t + 1.5 * m + rng.normal(size=2000)
    g = CausalGraph.from_edges([("T", "M"), ("M", "Y"), ("T", "Y")])
    r = mediation_effects(pd.DataFrame({"T": t, "M": m, "Y": y}), g, "T", "Y", ["M"], n_bootstrap=20)
    table = ch.mediation_table(r).set_index("part")
    assert table.loc["direct", "value"] + table.loc["indirect", "value"] == \
        pytest.approx(table.loc["total", "value"])
    ch.mediation_chart(r).to_dict()


def test_node_map_draws_an_arrowhead_per_directed_edge_pointing_at_its_end():
    # issue 17 item 9: the Estimate page's mini-map had no arrowheads
    from app.charts.estimation import _map_edges

    g = CausalGraph.from_edges([("A", "B"), ("A", "C")]).with_positions(
        {"A": (0.0, 0.0), "B": (200.0, 0.0), "C": (0.0, 200.0)})
    pos = dict(g.positions)
    lines, heads = _map_edges(g, pos, [-40.0, 240.0], [-40.0, 240.0], 330, 200)
    assert len(lines) == 2 and len(heads) == 2 and heads["show"].all()
    angles = sorted(round(a) for a in heads["angle"])
    # A → B points right (90° clockwise from "up"); A → C points down: the map's y scale is
    # reversed, so a larger y is lower on the screen, as in the main drawing
    assert angles == [90, 180]
    # arrowheads stop short of the target's centre (outside its circle)
    b = heads.iloc[[i for i, a in enumerate(heads["angle"]) if round(a) == 90][0]]
    assert b["x"] < 200.0


def test_ida_chart_has_one_row_per_estimable_orientation_and_a_legend():
    from app.charts.ida import KINDS, ida_chart, ida_table
    from app.estimation.ida import ida

    rng = np.random.default_rng(0)
    z = rng.normal(size=400)
    x = z + rng.normal(size=400)
    df = pd.DataFrame({"Z": z, "X": x, "Y": x - 2 * z + rng.normal(size=400)})
    g = CausalGraph.from_edges([], nodes=["X", "Y", "Z"], kind="pdag",
                               undirected=[("X", "Z"), ("X", "Y"), ("Y", "Z")])
    r = ida(df, g, "X", "Y")
    table = ida_table(r)
    assert len(table) == len(r.effects) == 4
    assert sorted(table["kind"]) == sorted([KINDS[0]] * 2 + [KINDS[1]] * 2)
    spec = ida_chart(r).to_dict()
    assert "legend" in json.dumps(spec) and len(json.dumps(spec)) < 20_000


def test_a_many_valued_numeric_treatment_is_coloured_in_two_halves():
    """QA round: a continuous treatment got one colour (and legend entry) per distinct value."""
    from app.charts.estimation import covariate_chart, scatter_chart

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"hours": rng.normal(35, 5, 300), "age": rng.normal(40, 9, 300),
                       "pay": rng.normal(size=300)})
    for chart in (covariate_chart(df, "age", "hours"), scatter_chart(df, "age", "pay", "hours")):
        groups = set(pd.DataFrame(chart.to_dict()["datasets"].popitem()[1])["group"])
        assert len(groups) == 2 and all("median" in g for g in groups), groups
    few = pd.DataFrame({"t": [0, 1, 2] * 10, "age": range(30)})
    spec = covariate_chart(few, "age", "t").to_dict()
    assert set(pd.DataFrame(spec["datasets"].popitem()[1])["group"]) == {"0", "1", "2"}
