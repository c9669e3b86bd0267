"""Subgroup counts are the rows actually used (issue 17 item 8): on Thornton (2008)'s data,
'selected' + 'not selected' used to add up to all 4,820 rows while the estimate used 2,834."""
from __future__ import annotations

import numpy as np
import pytest

from app.estimation import estimate_effect, subgroup_effects
from app.graph import CausalGraph

causaldata = pytest.importorskip("causaldata")


def test_selected_and_rest_add_up_to_the_rows_the_estimate_uses():
    df = causaldata.thornton_hiv.load_pandas().data
    g = CausalGraph.from_edges([("any", "got"), ("age", "got"), ("age", "any")])
    overall = estimate_effect(df, g, "any", "got", "linear_regression", adjustment_set=["age"],
                              ci=False)
    complete = df[["any", "got", "age"]].dropna()
    assert overall.n_rows == len(complete)                      # 2,834 of 4,820
    mask = (df["age"] < 30).to_numpy()
    sub = subgroup_effects(df, g, mask_or_column=mask, overall=overall, ci=False)
    n = dict(zip(sub.table["group"], sub.table["n"]))
    assert n["selected"] + n["not selected"] == overall.n_rows
    assert n["selected"] == int((complete["age"] < 30).sum())
    assert any("in no group" in note for note in sub.notes)
    by_age = subgroup_effects(df, g, mask_or_column="villnum", bins=3, overall=overall, ci=False)
    assert by_age.table["n"].sum() <= overall.n_rows
    assert np.all(by_age.table["n"] == by_age.table["n_treated"] + by_age.table["n_control"])
