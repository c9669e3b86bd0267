"""The report fits the propensity overlap once per adjustment set: the diagnostics its overlap
rule computed (app.report.rules.overlap_choice) are handed to every estimator that needs them
(estimate_effect's `overlap_diagnostic`), and the report reads the same as when each estimator
refits them (kidney stones, Charig et al. 1986: the plan runs regression, propensity-score
weighting and doubly robust ML on {stone_size})."""
from __future__ import annotations

from collections import Counter

import pytest

import app.estimation.overlap as overlap_mod
import app.estimation.pipeline as pipeline
from app.report import make_report, render_markdown
from app.samples import load_sample

FAST = {"bootstrap": 0, "seed": 0, "refutation_simulations": 0, "add_learned": False}


def _report():
    s = load_sample("kidney_stones")
    return make_report(s.to_dataset(), "treatment", "recovery", graph=s.graph, **FAST)


@pytest.fixture
def counted(monkeypatch):
    calls: Counter = Counter()
    real = overlap_mod.diagnose

    def counting(prep, adjustment, bounds=overlap_mod.DEFAULT_BOUNDS):
        calls[frozenset(adjustment)] += 1
        return real(prep, adjustment, bounds)

    monkeypatch.setattr(overlap_mod, "diagnose", counting)    # overlap_diagnostics (the plan)
    monkeypatch.setattr(pipeline, "diagnose", counting)       # estimate_effect
    return calls


def test_the_report_diagnoses_overlap_once_per_adjustment_set(counted, monkeypatch):
    r = _report()
    methods = [e.method for e in r.estimates if e is not None]
    assert {"ps_weighting", "ml"} <= set(methods)             # two estimators that need overlap
    assert counted == {frozenset({"stone_size"}): 1}
    once = render_markdown(r)
    # the same report when every estimator refits the overlap itself (the old behaviour)
    counted.clear()
    monkeypatch.setattr(pipeline, "_fits", lambda *a: False)
    again = _report()
    assert counted == {frozenset({"stone_size"}): 3}
    assert render_markdown(again) == once


def test_a_diagnostic_for_other_units_is_not_reused(counted):
    from app.estimation import estimate_effect, overlap_diagnostics

    s = load_sample("kidney_stones")
    df = s.data
    given = overlap_diagnostics(df, "treatment", ["stone_size"])
    e = estimate_effect(df, s.graph, "treatment", "recovery", "ps_weighting",
                        overlap_diagnostic=given)
    assert e.overlap is given and counted[frozenset({"stone_size"})] == 1
    fewer = overlap_diagnostics(df.iloc[:500], "treatment", ["stone_size"])   # other rows
    e2 = estimate_effect(df, s.graph, "treatment", "recovery", "ps_weighting",
                         overlap_diagnostic=fewer)
    assert e2.overlap is not fewer and e2.overlap.n == len(df)
    assert counted[frozenset({"stone_size"})] == 3
