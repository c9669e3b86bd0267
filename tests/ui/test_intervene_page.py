"""Intervene page (AppTest): seeing vs doing on samples, the ID path, refusals, table edits,
a hand-built model without data, and every sample opening without a traceback."""
from __future__ import annotations

import pandas as pd
import pytest

from app.graph import CausalGraph
from app.samples import list_samples
from tests.ui.conftest import assert_no_exception, open_page

PAGE = "pages/intervene.py"


def text(at) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def errors(at) -> str:
    return " ".join(e.value for e in at.error)


def radio(at, name: str):
    """The Model expander's radio `name` (its key carries a tag of the stored options)."""
    found = [r for r in at.radio if str(r.key).startswith(f"{name}:")]
    assert len(found) == 1, [r.key for r in at.radio]
    return found[0]


def test_kidney_first_view_shows_the_reversal():
    at = open_page(PAGE, sample="kidney_stones")
    assert_no_exception(at)
    assert not at.error, errors(at)
    body = text(at)
    # default do(treatment = B): P(recovery=1 | do(B)) = 0.7789 versus 289/350 = 82.6% seen
    assert "77.9%" in body and "82.6%" in body
    assert "opposite" in body and "confounding reverses the picture" in body
    assert at.metric[0].label == "Causal risk difference"
    assert at.metric[0].value == "-5.4 points"


def test_choosing_treatment_a_gives_the_backdoor_number():
    at = open_page(PAGE, sample="kidney_stones")
    gk = at.session_state["cc_history"].present.graph.structure_hash()
    at.selectbox(key=f"iv_dv:{gk}:treatment").set_value("A").run()
    assert_no_exception(at)
    assert "83.3%" in text(at)     # 0.8325 from the back-door formula


def test_front_door_sample_is_answered_by_identification():
    at = open_page(PAGE, sample="smoking_tar_cancer")
    assert_no_exception(at)
    assert not at.error, errors(at)
    body = text(at)
    assert "ID algorithm" in body and "48.5%" in body
    assert any("Hidden common causes" in c.value for c in at.caption)


def test_non_identifiable_effect_is_explained_not_crashed():
    at = open_page(PAGE, sample="college_proximity")
    assert_no_exception(at)
    assert "not identifiable" in errors(at)
    assert len(at.error) == 1


def test_evidence_and_several_targets():
    at = open_page(PAGE, sample="asia")
    gk = at.session_state["cc_history"].present.graph.structure_hash()
    at.multiselect(key=f"iv_t:{gk}").set_value(["dysp", "xray"]).run()
    at.multiselect(key=f"iv_e:{gk}").set_value(["bronc"]).run()
    assert_no_exception(at)
    assert not at.error, errors(at)
    assert "bronc" in text(at)


def test_impossible_evidence_is_a_friendly_error():
    at = open_page(PAGE, sample="asia")
    gk = at.session_state["cc_history"].present.graph.structure_hash()
    # in asia, either = yes exactly when tub or lung is yes: either=no with lung=yes is impossible
    at.multiselect(key=f"iv_e:{gk}").set_value(["lung", "either"]).run()
    at.selectbox(key=f"iv_ev:{gk}:lung").set_value("yes").run()
    at.selectbox(key=f"iv_ev:{gk}:either").set_value("no").run()
    assert_no_exception(at)
    assert "probability zero" in errors(at)


def test_linear_model_on_lalonde():
    at = open_page(PAGE, sample="lalonde_nsw")
    radio(at, "iv_kind").set_value("linear").run()
    assert_no_exception(at)
    assert not at.error, errors(at)
    assert "average" in text(at) and "Gaussian algebra" in text(at)
    # the sweep's green band is said in words (QA round 3: it was in neither legend nor caption)
    assert "The green band is one standard deviation either side" in text(at)


def test_bayesian_estimator_changes_the_source():
    at = open_page(PAGE, sample="kidney_stones")
    radio(at, "iv_est").set_value("bayes").run()
    assert_no_exception(at)
    assert not at.error, errors(at)


def test_edited_table_changes_the_answer():
    at = open_page(PAGE, sample="kidney_stones")
    table = pd.DataFrame({"stone_size": ["large", "large", "small", "small"],
                          "treatment": ["A", "B", "A", "B"],
                          "P(recovery=0)": [0.5, 0.5, 0.5, 0.5],
                          "P(recovery=1)": [0.5, 0.5, 0.5, 0.5]})
    hist = at.session_state["cc_history"]
    hist.push(hist.present.with_cpt_edits({"recovery": table}), "edit")
    at.run()
    assert_no_exception(at)
    assert "50.0%" in text(at)
    assert any("edited by hand" in c.value for c in at.caption)


def test_hand_built_model_without_data():
    at = open_page(PAGE, sample=None)
    hist = at.session_state["cc_history"]
    g = CausalGraph.from_edges([("Z", "X"), ("X", "Y"), ("Z", "Y")],
                               roles={"X": {"exposure"}, "Y": {"outcome"}})
    hist.push(hist.present.with_graph(g), "draw")
    at.run()
    assert_no_exception(at)
    assert not at.error, errors(at)
    assert any("build the model by hand" in i.value for i in at.info)
    # every table starts uniform: P(Y=1 | do(X=1)) = 50%
    assert "50.0%" in text(at)


def test_empty_graph_shows_the_empty_state():
    at = open_page(PAGE, sample=None)
    assert_no_exception(at)
    assert at.info, "expected the empty-state message"


@pytest.mark.parametrize("sample", [s.name for s in list_samples()])
def test_every_sample_opens(sample):
    at = open_page(PAGE, sample=sample)
    assert_no_exception(at)


def test_published_network_of_a_sample_can_replace_the_fit():
    at = open_page(PAGE, sample="asia")
    radio(at, "iv_tables").set_value("bif").run()
    assert_no_exception(at)
    assert not at.error, errors(at)
    # asia.bif: P(lung = yes | smoke = yes) = 0.1 — do(smoke = yes) on lung in the true model
    gk = at.session_state["cc_history"].present.graph.structure_hash()
    at.multiselect(key=f"iv_t:{gk}").set_value(["lung"]).run()
    assert "P(lung = yes) would be **10.0%**" in text(at)


def test_model_options_are_an_undoable_workspace_step():
    at = open_page(PAGE, sample="lalonde_nsw")
    radio(at, "iv_kind").set_value("linear").run()
    hist = at.session_state["cc_history"]
    assert hist.present.model_options().kind == "linear"
    assert hist.undo_label() == "change the model options"
    hist.undo()
    at.run()
    assert_no_exception(at)
    assert radio(at, "iv_kind").value == "auto"          # the widget follows the workspace
    assert at.session_state["cc_history"].present.model_options().kind == "auto"
    assert "Gaussian algebra" not in text(at)


def test_applied_table_edit_is_in_the_workspace_and_undone_by_undo():
    at = open_page(PAGE, sample="kidney_stones")
    hist = at.session_state["cc_history"]     # (AppTest cannot type into a data editor)
    model_table = pd.DataFrame({"stone_size": ["large", "large", "small", "small"],
                                "treatment": ["A", "B", "A", "B"],
                                "P(recovery=0)": [0.1, 0.1, 0.1, 0.1],
                                "P(recovery=1)": [0.9, 0.9, 0.9, 0.9]})
    hist.push(hist.present.with_cpt_edits({"recovery": model_table}), "edit the table of recovery")
    at.run()
    assert "90.0%" in text(at)
    at.button(key="iv_reset").click().run()
    assert_no_exception(at)
    assert at.session_state["cc_history"].present.cpt_edits() == {}
    assert "90.0%" not in text(at)
    at.session_state["cc_history"].undo()
    at.run()
    assert "90.0%" in text(at)
