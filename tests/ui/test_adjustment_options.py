"""The Analyse page's adjustment options (app/ui/views/adjustment_options.py) in AppTest.

Expected sets: the kidney-stones graph is stone_size → treatment, stone_size → recovery,
treatment → recovery, so the total and the direct effect both need {stone_size} (back-door
and single-door criteria, Pearl 2009 Thm 3.3.2 and 5.3.1) and it is the canonical set.
"""
from __future__ import annotations

from tests.ui.conftest import assert_no_exception, open_page, shown


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + \
            [w.value for w in at.warning] + [e.value for e in at.error]
    return shown("\n".join(str(p) for p in parts))


def test_options_change_the_listed_sets_and_the_canonical_set_is_shown():
    at = open_page("pages/analyse.py", sample="kidney_stones")
    assert_no_exception(at)
    text = _texts(at)
    assert "Minimal sets for the total effect with these options:\n- {stone_size}" in text
    assert "Canonical adjustment set: {stone_size}" in text.replace("**", "")
    assert "whenever any valid set exists, this one works" in text

    exclude = next(m for m in at.multiselect if m.label == "Must exclude")
    exclude.set_value(["stone_size"]).run()
    assert_no_exception(at)
    text = _texts(at)
    assert "No set fits these options for the total effect." in text
    assert "No valid set leaves out {stone_size}" in text

    exclude = next(m for m in at.multiselect if m.label == "Must exclude")
    exclude.set_value([]).run()
    effect = next(r for r in at.radio if r.label == "Effect to estimate")
    effect.set_value("Direct effect").run()
    assert_no_exception(at)
    assert "Minimal sets for the direct effect with these options:\n- {stone_size}" in _texts(at)


def test_direct_effect_without_the_edge_is_refused_with_a_reason():
    at = open_page("pages/analyse.py", sample="smoking_tar_cancer")
    effect = next(r for r in at.radio if r.label == "Effect to estimate")
    effect.set_value("Direct effect").run()
    assert_no_exception(at)
    assert any("direct effect" in shown(e.value) and "no edge" in shown(e.value)
               for e in at.error)
