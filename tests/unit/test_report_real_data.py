"""The report on real data nobody here wrote: Thornton (2008)'s randomised HIV-results incentive
experiment (`causaldata.thornton_hiv`). A user's graph that leaves columns out is analysed, not
refused; a variable that decides the treatment never enters the adjustment set.

Reference: Thornton, R. L. (2008), "The Demand for, and Impact of, Learning HIV Status",
American Economic Review 98(5): receiving any incentive raised the share who learned their
result by about 0.45 (the complete-case difference in means, since `any` was randomised).
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from app.estimation.overlap import deciding_variables as treatment_determiners
from app.graph import CausalGraph
from app.io import parse_graph
from app.report import make_report, render_markdown

causaldata = pytest.importorskip("causaldata")
FAST = {"bootstrap": 10, "seed": 0, "refutation_simulations": 10}


@functools.cache
def thornton() -> pd.DataFrame:
    return causaldata.thornton_hiv.load_pandas().data


def complete_case_difference(df: pd.DataFrame) -> float:
    cc = df[["any", "got"]].dropna()
    return float(cc.loc[cc["any"] == 1, "got"].mean() - cc.loc[cc["any"] == 0, "got"].mean())


def test_reference_difference_is_thorntons_045():
    assert complete_case_difference(thornton()) == pytest.approx(0.45, abs=0.01)


def test_a_graph_that_leaves_columns_out_is_analysed_with_the_rule_shown():
    g = parse_graph("dag { any -> got; age -> got }")
    assert "villnum" not in g.nodes and "tinc" not in g.nodes
    r = make_report(thornton(), "any", "got", graph=g, **FAST)
    assert r.effect_estimates, "the report must estimate the effect"
    rule = next(x for x in r.merge_rules if x.name == "Columns outside your graph")
    assert rule.applied and "villnum" in rule.outcome and "tinc" in rule.outcome
    assert set(r.final_graph.nodes) == {"any", "got", "age"}   # nothing forced into your graph
    primary = next(e for e in r.estimates if e.primary)
    assert abs(primary.value - complete_case_difference(thornton())) < 0.03
    assert "Columns outside your graph" in render_markdown(r)


def test_discovery_only_report_never_adjusts_for_the_variable_deciding_the_treatment():
    r = make_report(thornton(), "any", "got", **FAST)
    primary = next(e for e in r.estimates if e.primary)
    assert "tinc" not in primary.adjustment_set
    ref = complete_case_difference(thornton())
    assert primary.ci_low <= ref <= primary.ci_high
    assert primary.value == pytest.approx(0.45, abs=0.02)
    rule = next(x for x in r.estimator_rules if x.name == "Overlap (positivity)")
    assert rule.applied and "tinc" in rule.outcome


def test_determiners_found_on_simulated_data_and_only_there():
    # ground truth by construction: d decides t exactly; z only shifts its probability
    rng = np.random.default_rng(1)
    n = 2000
    dose = rng.choice([0.0, 0.5, 1.0, 2.0], n)
    z = rng.normal(size=n)
    t = (dose > 0).astype(int)
    t2 = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    df = pd.DataFrame({"dose": dose, "z": z, "t": t, "t2": t2, "y": rng.normal(size=n)})
    assert set(treatment_determiners(df, "t", ["dose", "z", "y"])) == {"dose"}
    assert treatment_determiners(df, "t2", ["dose", "z", "y"]) == {}
    # a numeric treatment that is a step function of one variable
    df["level"] = df["dose"] * 3 + 1
    assert set(treatment_determiners(df, "level", ["dose", "z"])) == {"dose"}


def test_graph_node_without_data_column_and_column_without_node_both_work():
    g = CausalGraph.from_edges([("U", "any"), ("U", "got"), ("any", "got")])
    r = make_report(thornton(), "any", "got", graph=g, **FAST)
    assert "U" in r.final_graph.latents


def _overlap_data(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    # simulated truth: W decides most of the treatment; V (a noisy copy of W) does not
    rng = np.random.default_rng(seed)
    w = rng.normal(size=n)
    v = w + 1.5 * rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-6 * w))).astype(int)
    y = 1.0 * t + 2.0 * v + rng.normal(size=n)
    return pd.DataFrame({"V": v, "W": w, "T": t, "Y": y})


def test_a_set_that_overlaps_is_preferred_to_one_that_does_not():
    from app.report.result import ReportSettings
    from app.report.rules import overlap_choice

    s = ReportSettings(treatment="T", outcome="Y")
    chosen, diag, rule = overlap_choice(_overlap_data(), s, ("W",), (("W",), ("V",)))
    assert chosen == ("V",) and diag.ok
    assert rule.applied and "{W} overlaps poorly" in rule.outcome and "used {V}" in rule.outcome


def test_poor_overlap_changes_the_verdict():
    df = _overlap_data()
    g = parse_graph("dag { W -> T; W -> Y; T -> Y }")      # the only valid set is {W}
    r = make_report(df.drop(columns="V"), "T", "Y", graph=g, add_learned=False, **FAST)
    check = next(c for c in r.checks if c.name == "Overlap (positivity)")
    assert check.status == "warn"
    assert r.verdict.startswith("Not reliable"), r.verdict
