"""The Analyse page in Streamlit's AppTest: every section renders on real samples."""
from __future__ import annotations

from tests.ui.conftest import assert_no_exception, open_page, shown


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.success] + \
            [e.value for e in at.error] + [e.value for e in at.warning] + [c.value for c in at.caption]
    return shown("\n".join(str(p) for p in parts))


def test_kidney_stones_shows_backdoor_adjustment_and_paths():
    at = open_page("pages/analyse.py", sample="kidney_stones")
    assert_no_exception(at)
    text = _text(at)
    assert "d-connected" in text
    assert "- {stone_size}" in text
    assert "identifiable, by back-door adjustment" in text
    assert any(r"stone\_size" in lx.value for lx in at.get("latex"))
    # the empty set is not a valid adjustment set: the check says which path stays open, in
    # amber (nothing is chosen yet: a starting point, not an error; QA round 3)
    assert any("treatment ← stone_size → recovery stays open" in shown(e.value) for e in at.warning)
    assert not any("stays open" in shown(e.value) for e in at.error)


def test_conditioning_on_the_confounder_blocks_the_back_door_path():
    at = open_page("pages/analyse.py", sample="kidney_stones")
    z = next(m for m in at.multiselect if m.label == "Condition on Z")
    z.set_value(["stone_size"]).run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    row = table[table["path"] == "treatment ← stone_size → recovery"].iloc[0]
    assert "blocked" in row["status"] and "non-collider in Z" in row["why"]
    mine = next(m for m in at.multiselect if m.label == "Adjust for")
    mine.set_value(["stone_size"]).run()
    assert any(s.value.startswith("Valid") for s in at.success)


def test_front_door_sample_is_identified_through_tar():
    at = open_page("pages/analyse.py", sample="smoking_tar_cancer")
    assert_no_exception(at)
    text = _text(at)
    assert "No set of measured variables removes the confounding" in text
    assert "front-door adjustment" in text
    assert any("tar" in lx.value for lx in at.get("latex"))


def test_implications_on_asia_data_are_tested_with_a_verdict():
    at = open_page("pages/analyse.py", sample="asia")
    assert_no_exception(at)
    verdicts = [s.value for s in at.success] + [e.value for e in at.error]
    assert any("implied independencies" in v for v in verdicts)
    tables = [d.value for d in at.dataframe]
    assert any("implication" in t.columns and len(t) > 5 for t in tables)


def test_roles_selector_switches_the_highlighted_role():
    at = open_page("pages/analyse.py", sample="m_bias")
    assert_no_exception(at)
    role = next(s for s in at.selectbox if s.label == "Show on the graph")
    assert any(o.startswith("collider") for o in role.options)
    role.set_value("collider").run()
    assert_no_exception(at)
    assert any(c.value.startswith("Collider") for c in at.caption)


def test_empty_graph_shows_the_empty_state():
    at = open_page("pages/analyse.py", sample=None)
    assert_no_exception(at)
    assert any("causal graph" in i.value for i in at.info)
