"""Where the effect flows: the total effect of X on Y split by directed path (app.models.flow).

References: Wright (1934), "The method of path coefficients", Ann. Math. Statist. 5:161–215, and
Pearl (2013), "Linear Models: A Useful 'Microscope' for Causal Analysis", J. Causal Inference
1(1):155–170, §2: in a linear SCM the total effect of X on Y is the sum, over the directed paths
from X to Y, of the products of the path coefficients (mediation: τ = c + a·b). The numbers in
the worked examples below are multiplied out by hand in the comments; the simulated test checks
the fitted path products against the true coefficients and the total against an independent
least-squares regression of Y on X and X's parents (the back-door adjustment).
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from app.errors import ModelError, QueryError
from app.graph import CausalGraph
from app.markup import md
from app.models import LinearSCM, fit_model, model_from_scm
from app.models.flow import MAX_PATHS, path_effects, unavailable_reason


def _model(parents, coefficients):
    return model_from_scm(LinearSCM.from_equations(parents, coefficients))


def test_pearl_2013_mediation_total_is_c_plus_ab():
    # Pearl (2013) §2: M = a·X, Y = c·X + b·M  ⇒  total effect τ = c + a·b = 1 + 2·3 = 7
    m = _model({"X": [], "M": ["X"], "Y": ["X", "M"]},
               {"X": {}, "M": {"X": 2.0}, "Y": {"X": 1.0, "M": 3.0}})
    r = path_effects(m, "X", "Y")
    assert r.total == pytest.approx(7.0)
    by_text = {p.text: p for p in r.paths}
    assert set(by_text) == {"X → Y", "X → M → Y"}
    assert by_text["X → M → Y"].effect == pytest.approx(6.0)
    assert by_text["X → M → Y"].coefficients == (2.0, 3.0)
    assert by_text["X → Y"].effect == pytest.approx(1.0) and by_text["X → Y"].direct
    assert r.paths[0].text == "X → M → Y"           # largest first
    assert r.share(by_text["X → M → Y"]) == pytest.approx(6 / 7)
    assert "+7" in r.summary() and "86% of the total" in r.sentence(by_text["X → M → Y"])


def test_wright_three_paths_worked_example():
    # Z = 0.5 X;  W = 0.3 X + 0.4 Z;  Y = 0.7 Z + 0.6 W.  Directed paths X → … → Y:
    #   X→Z→Y    0.5·0.7      = 0.35
    #   X→W→Y    0.3·0.6      = 0.18
    #   X→Z→W→Y  0.5·0.4·0.6  = 0.12      total = 0.65 (Wright 1934 path tracing)
    m = _model({"X": [], "Z": ["X"], "W": ["X", "Z"], "Y": ["Z", "W"]},
               {"X": {}, "Z": {"X": 0.5}, "W": {"X": 0.3, "Z": 0.4}, "Y": {"Z": 0.7, "W": 0.6}})
    r = path_effects(m, "X", "Y")
    assert [(p.text, round(p.effect, 10)) for p in r.paths] == [
        ("X → Z → Y", 0.35), ("X → W → Y", 0.18), ("X → Z → W → Y", 0.12)]
    assert r.total == pytest.approx(0.65)
    assert math.fsum(p.effect for p in r.paths) == pytest.approx(r.total, abs=1e-12)
    assert r.paths[2].edges == (("X", "Z"), ("Z", "W"), ("W", "Y"))
    # a confounder Z → X is not a directed path from X: only X's descendants carry its effect
    assert path_effects(m, "Z", "Y").total == pytest.approx(0.7 + 0.4 * 0.6)


def test_opposite_paths_that_cancel_get_no_shares():
    # X→M→Y = 1·1 = +1 and X→Y = −1: total 0, so shares of the total are meaningless
    m = _model({"X": [], "M": ["X"], "Y": ["X", "M"]},
               {"X": {}, "M": {"X": 1.0}, "Y": {"X": -1.0, "M": 1.0}})
    r = path_effects(m, "X", "Y")
    assert r.total == pytest.approx(0.0, abs=1e-12) and r.cancels
    assert all(r.share(p) is None for p in r.paths)
    assert "cancel" in r.summary()


def test_no_directed_path_gives_an_empty_split_and_says_so():
    # Y → X and Y → Z ← X: nothing flows from X to Y (X is Y's effect, not its cause)
    m = _model({"Y": [], "X": ["Y"], "Z": ["X", "Y"]},
               {"Y": {}, "X": {"Y": 0.8}, "Z": {"X": 0.5, "Y": 0.2}})
    r = path_effects(m, "X", "Y")
    assert r.paths == () and r.n_paths == 0 and r.total == 0.0
    assert "no directed path" in r.summary()


def test_simulated_sem_path_products_match_the_truth_and_the_regression_total():
    # Known equations; the fitted model's path products must recover the true products, and
    # their sum must equal the back-door regression coefficient of Y on X (adjusting C, X's parent).
    rng = np.random.default_rng(2013)
    n = 40_000
    C = rng.normal(size=n)
    X = 0.8 * C + rng.normal(size=n)
    M = 1.2 * X + rng.normal(size=n)
    N = -0.7 * X + 0.5 * M + rng.normal(size=n)
    Y = 0.4 * X + 0.9 * M + 1.5 * N + 0.6 * C + rng.normal(size=n)
    df = pd.DataFrame({"C": C, "X": X, "M": M, "N": N, "Y": Y})
    g = CausalGraph.from_edges([("C", "X"), ("X", "M"), ("X", "N"), ("M", "N"), ("X", "Y"),
                                ("M", "Y"), ("N", "Y"), ("C", "Y")])
    model = fit_model(g, df, kind="linear")
    r = path_effects(model, "X", "Y")
    truth = {"X → Y": 0.4, "X → M → Y": 1.2 * 0.9, "X → N → Y": -0.7 * 1.5,
             "X → M → N → Y": 1.2 * 0.5 * 1.5}
    got = {p.text: p.effect for p in r.paths}
    assert set(got) == set(truth)
    for k, v in truth.items():
        assert got[k] == pytest.approx(v, abs=0.05), k
    assert math.fsum(got.values()) == pytest.approx(r.total, abs=1e-10)
    design = np.column_stack([np.ones(n), X, C])
    beta = np.linalg.lstsq(design, Y, rcond=None)[0]
    assert r.total == pytest.approx(beta[1], abs=0.02)
    assert r.total == pytest.approx(sum(truth.values()), abs=0.05)


def test_many_paths_are_listed_up_to_the_cap_and_the_rest_summed():
    # complete DAG on 9 nodes in order: 2^7 = 128 directed paths from the first to the last
    names = [f"V{i}" for i in range(9)]
    parents = {v: names[:i] for i, v in enumerate(names)}
    coefs = {v: {p: 0.3 + 0.05 * j for j, p in enumerate(parents[v])} for v in names}
    r = path_effects(_model(parents, coefs), "V0", "V8")
    assert r.n_paths == 128 and len(r.paths) == MAX_PATHS and r.n_other == 128 - MAX_PATHS
    assert math.fsum(p.effect for p in r.paths) + r.other_effect == pytest.approx(r.total)
    brute = sum(math.prod(coefs[b][a] for a, b in zip(p[:-1], p[1:]))
                for k in range(8) for mid in itertools.combinations(names[1:8], k)
                for p in [("V0", *mid, "V8")])
    assert r.total == pytest.approx(brute)


def test_too_many_paths_are_refused_with_the_total():
    names = [f"V{i}" for i in range(18)]     # 2^16 = 65,536 paths
    parents = {v: names[:i] for i, v in enumerate(names)}
    coefs = {v: {p: 0.1 for p in parents[v]} for v in names}
    with pytest.raises(QueryError, match="65,536 directed paths"):
        path_effects(_model(parents, coefs), "V0", "V17")


def test_discrete_and_hidden_confounding_models_are_refused_with_the_reason():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"X": rng.integers(0, 2, 500), "Y": rng.integers(0, 2, 500)})
    discrete = fit_model(CausalGraph.from_edges([("X", "Y")]), df)
    with pytest.raises(ModelError, match="recanting witness"):
        path_effects(discrete, "X", "Y")
    cont = pd.DataFrame(rng.normal(size=(500, 3)), columns=["X", "M", "Y"])
    g = CausalGraph.from_edges([("X", "M"), ("M", "Y")]).add_bidirected("X", "Y")
    binned = fit_model(g, cont)           # auto: ↔ makes the model discrete (binned)
    assert binned.kind == "discrete"
    assert "hidden common causes" in unavailable_reason(binned)
    with pytest.raises(ModelError, match="↔"):
        path_effects(binned, "X", "Y")


def test_unknown_or_equal_variables_are_refused():
    m = _model({"X": [], "Y": ["X"]}, {"X": {}, "Y": {"X": 1.0}})
    with pytest.raises(QueryError):
        path_effects(m, "X", "nope")
    with pytest.raises(QueryError):
        path_effects(m, "X", "X")


def test_chart_has_a_bar_per_path_the_total_rule_and_a_click_selection():
    from app.charts.flow import PATH_PICK, flow_chart, flow_table, picked_path
    m = _model({"X": [], "M": ["X"], "Y": ["X", "M"]},
               {"X": {}, "M": {"X": 2.0}, "Y": {"X": -1.0, "M": 3.0}})
    r = path_effects(m, "X", "Y")
    table = flow_table(r)
    assert list(table["path"]) == ["X → M → Y", "X → Y"]
    assert list(table["sign"]) == ["raises", "lowers"]
    spec = flow_chart(r, current="X → Y").to_dict()
    assert spec["height"] >= 120
    params = spec.get("params", []) + [p for lay in spec["layer"] for p in lay.get("params", [])]
    assert [p["select"]["type"] for p in params if p["name"] == PATH_PICK] == ["point"]
    assert [{"effect": 5.0, "label": "total +5"}] in spec["datasets"].values()   # 6 − 1
    assert picked_path({PATH_PICK: [{"path": "X → Y"}]}) == "X → Y"
    assert picked_path({}) is None and picked_path(None) is None


def test_sentences_escape_hostile_names():
    # names reach Markdown (issue 23): an image link as a node name must not become an image
    img, tag = "![t](http://198.51.100.7/x.png)", "<img src=x>"
    m = _model({img: [], "M": [img], tag: [img, "M"]},
               {img: {}, "M": {img: 2.0}, tag: {img: 1.0, "M": 3.0}})
    r = path_effects(m, img, tag)
    for text in [r.summary(), *(r.sentence(p) for p in r.paths)]:
        assert img not in text and tag not in text
        assert md(img) in text and md(tag) in text


def test_the_sum_is_set_against_an_estimate_and_its_interval():
    # Pearl (2013) §2 example: τ = c + a·b = 7; a change of 2 units moves Y by 14
    m = _model({"X": [], "M": ["X"], "Y": ["X", "M"]},
               {"X": {}, "M": {"X": 2.0}, "Y": {"X": 1.0, "M": 3.0}})
    r = path_effects(m, "X", "Y")
    assert "lies inside the interval" in r.against("Linear regression", 7.1, 6.5, 7.5)
    assert "**+14** for 2 units" in r.against("Linear regression", 13.8, 13.0, 15.0, scale=2.0)
    outside = r.against("Linear regression", 5.0, 4.5, 5.5)
    assert "outside the interval" in outside and "not linear" in outside
    assert "no interval" in r.against("Linear regression", 7.0, None, None)


def test_long_path_labels_wrap_so_the_bars_keep_room_in_a_narrow_column():
    """QA round 3: at 1024 px the path labels (up to 360 px) took the whole column and the
    bars were cut off; a label now breaks before an arrow and the chart draws each line."""
    from app.charts.flow import LINE_CHARS, wrapped
    path = "hours_worked → stress → sleep_hours → health"
    lines = wrapped(path).split("\n")
    assert len(lines) == 2 and all(len(line) <= LINE_CHARS for line in lines)
    assert " ".join(lines) == path                  # nothing lost, only broken before an arrow
    assert wrapped("X → Y") == "X → Y"
    m = _model({"X": [], "M": ["X"], "Y": ["X", "M"]},
               {"X": {}, "M": {"X": 2.0}, "Y": {"X": -1.0, "M": 3.0}})
    spec = flow_chart_spec(path_effects(m, "X", "Y"))
    axis = spec["layer"][1]["encoding"]["y"]["axis"]
    assert axis["labelExpr"] == "split(datum.value, '\\n')" and axis["labelLimit"] <= 260
    assert len(spec["layer"][1]["encoding"]["x"]["title"]) == 3   # short title lines


def flow_chart_spec(result):
    from app.charts.flow import flow_chart
    return flow_chart(result).to_dict()
