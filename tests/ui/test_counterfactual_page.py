"""Counterfactual page (AppTest): a data row or typed facts, both assumptions, linear units,
hidden confounding, PN/PS/PNS from the model or from an uploaded experiment table."""
from __future__ import annotations

import io

import pandas as pd
import pytest
import streamlit as st

from app.models import ModelOptions
from app.samples import list_samples
from tests.ui.conftest import assert_no_exception, open_page, shown

PAGE = "pages/counterfactual.py"


def text(at) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def errors(at) -> str:
    return " ".join(e.value for e in at.error)


def gk(at) -> str:
    return at.session_state["cc_history"].present.graph.structure_hash()


def test_kidney_first_row_counterfactual_with_steps_and_assumption():
    at = open_page(PAGE, sample="kidney_stones")
    assert_no_exception(at)
    assert not at.error, errors(at)
    body = text(at)
    assert "Abduction" in body and "Action" in body and "Prediction" in body
    assert any("monotonicity" in i.value for i in at.info)
    # row 0 is treatment B, small stone, recovered; A is better in both strata, so under
    # monotonicity the unit would surely have recovered with A too
    assert "Had treatment been **A**, recovery would most likely have been **1** " \
           "(probability 100.0%)" in body


def test_the_independent_assumption_gives_a_different_answer():
    at = open_page(PAGE, sample="kidney_stones")
    at.radio(key="cf_assume").set_value("independent").run()
    assert_no_exception(at)
    # independent responses: P(recovery* = 1) = P(recovery = 1 | A, small) = 81/87 = 93.1%
    assert "93.1%" in text(at)
    assert any("independent response functions" in i.value for i in at.info)


def test_typed_facts():
    at = open_page(PAGE, sample="asia")
    at.radio(key="cf_mode").set_value("Type the facts").run()
    assert_no_exception(at)
    assert not at.error, errors(at)
    assert "Abduction" in text(at)


def test_impossible_typed_facts_are_a_friendly_error():
    at = open_page(PAGE, sample="asia")
    at.radio(key="cf_mode").set_value("Type the facts").run()
    at.multiselect(key=f"cf_fv:{gk(at)}").set_value(["lung", "either"]).run()
    at.selectbox(key=f"cf_f:{gk(at)}:lung").set_value("yes").run()
    at.selectbox(key=f"cf_f:{gk(at)}:either").set_value("no").run()
    assert_no_exception(at)
    assert "impossible" in errors(at)


def test_linear_unit_and_every_row_at_once():
    at = open_page(PAGE, sample="lalonde_nsw")
    hist = at.session_state["cc_history"]
    hist.push(hist.present.with_model_options(ModelOptions(kind="linear")), "linear")
    at.run()
    assert_no_exception(at)
    assert not at.error, errors(at)
    assert "would have been" in text(at)
    assert any(m.label == "Average difference over the rows" for m in at.metric)


def test_hidden_confounding_warns_and_still_bounds():
    at = open_page(PAGE, sample="smoking_tar_cancer")
    assert_no_exception(at)
    assert any("hidden common causes" in w.value for w in at.warning)
    assert "PN is between" in text(at)


def test_bounds_from_an_uploaded_experiment(monkeypatch):
    csv = b"treatment,recovery,count\nA,1,830\nA,0,170\nB,1,780\nB,0,220\n"
    original = st.file_uploader

    def fake(*args, **kwargs):
        if kwargs.get("key") == "pb_upload":
            return io.BytesIO(csv)
        return original(*args, **kwargs)

    monkeypatch.setattr(st, "file_uploader", fake)
    at = open_page(PAGE, sample="kidney_stones")
    at.radio(key="pb_src").set_value("an experiment table").run()
    assert_no_exception(at)
    assert not at.error, errors(at)
    assert "observational data and an experiment" in text(at)


@pytest.mark.parametrize("sample", [s.name for s in list_samples()])
def test_every_sample_opens(sample):
    at = open_page(PAGE, sample=sample)
    assert_no_exception(at)


def test_a_row_without_the_exposure_or_outcome_is_said_plainly(upload):
    # issue 17 item 10: a row with the exposure missing was used with no word
    from tests.ui.conftest import open_page as _open

    at = _open("pages/data.py", sample="kidney_stones")
    upload(b"stone_size,treatment,recovery\n"
           + b"small,,1\n" + b"small,A,1\nlarge,B,0\nlarge,A,1\nsmall,B,1\nlarge,B,1\n" * 20,
           "stones_with_gaps.csv")
    at.run()
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    warned = shown(" ".join(w.value for w in at.warning))
    assert "Row 0 has no value for treatment" in warned


def test_counterfactual_page_sees_the_intervene_pages_edits_through_the_workspace():
    """An edit made on Intervene reaches Counterfactual with no page-to-page hand-over. Row 0
    (small stone, treatment B, recovered) has probability P(small, B) · P(recovered | small, B)
    = 270/700 · 0.7 = 0.27 once the recovery table is edited to 0.7 everywhere (Charig et al.
    1986 counts: 270 of 700 patients had small stones and B)."""
    at = open_page(PAGE, sample="kidney_stones")
    before = text(at)
    at.switch_page("pages/intervene.py").run()
    hist = at.session_state["cc_history"]
    table = pd.DataFrame({"stone_size": ["large", "large", "small", "small"],
                          "treatment": ["A", "B", "A", "B"],
                          "P(recovery=0)": [0.3] * 4, "P(recovery=1)": [0.7] * 4})
    hist.push(hist.present.with_cpt_edits({"recovery": table}), "edit the table of recovery")
    at.run()
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    assert not at.error, errors(at)
    after = text(at).replace("\\", "")
    assert "probability 0.3343 under" in before.replace("\\", "")
    assert "probability 0.27 under" in after
    assert any("edited by hand" in c.value for c in at.caption)
