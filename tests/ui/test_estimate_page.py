"""Estimate page (AppTest): first view, refutations, estimator choice, errors and empty state."""
import pytest

from tests.ui.conftest import assert_no_exception, open_page

PAGE = "pages/estimate.py"


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture(scope="module")
def kidney():
    return open_page(PAGE, sample="kidney_stones", timeout=300)


def test_first_view_shows_simpsons_paradox_on_kidney_stones(kidney):
    at = kidney
    assert_no_exception(at)
    assert not at.error
    assert float(_metric(at, "Naive difference")) > 0
    assert float(_metric(at, "Propensity-score weighting (IPW)")) < 0
    assert any("Simpson" in m.value for m in at.markdown)
    assert at.latex and r"\sum" in at.latex[0].value
    assert any("hidden confounder" in m.value for m in at.markdown)   # sensitivity explanation


def test_running_all_refutations_gives_verdicts(kidney):
    at = kidney
    at.slider(key="est_nsims").set_value(10).run()
    at.button(key="est_ref_all").click().run()
    assert_no_exception(at)
    verdicts = [m.value for m in (*at.success, *at.warning)]
    for label in ("Placebo treatment", "Random common cause", "Data subset", "Unobserved common cause"):
        assert any(label in v for v in verdicts), label


def test_ticking_a_bootstrap_estimator_adds_its_estimate(kidney):
    at = kidney
    at.slider(key="est_nboot").set_value(20).run()
    at.checkbox(key="est_m:ps_stratification").check().run()
    assert_no_exception(at)
    assert float(_metric(at, "Propensity-score stratification")) < 0


def test_an_impossible_choice_keeps_the_last_results(kidney):
    at = kidney
    outcome = next(s for s in at.selectbox if s.label == "Outcome")
    outcome.set_value("stone_size").run()       # treatment does not cause stone size
    assert_no_exception(at)
    assert any("no directed path" in e.value for e in at.error)
    assert any("last results that worked" in c.value for c in at.caption)
    assert float(_metric(at, "Naive difference")) > 0


def test_instrumental_variable_sample_estimates_the_return_to_schooling():
    at = open_page(PAGE, sample="college_proximity", timeout=300)
    assert_no_exception(at)
    assert 0.08 < float(_metric(at, "Instrumental variable (Wald / 2SLS)")) < 0.18


def test_without_data_the_page_offers_a_sample():
    at = open_page(PAGE, sample=None, timeout=120)
    assert_no_exception(at)
    assert any("load a sample" in i.value.lower() for i in at.info)
