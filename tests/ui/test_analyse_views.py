"""The Analyse page's equivalence class, blanket/moral/ancestral views and path colouring
(AppTest, real app on bundled samples)."""
from __future__ import annotations

from tests.ui.conftest import assert_no_exception, open_page, shown


def _all_text(at) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.success] + \
            [e.value for e in at.error] + [e.value for e in at.warning] + \
            [c.value for c in at.caption] + [i.value for i in at.info]
    return shown("\n".join(str(p) for p in parts))


def test_equivalence_class_of_kidney_stones_lists_all_six_members():
    # a complete graph on 3 nodes: 3! = 6 members, all drawn on one page
    at = open_page("pages/analyse.py", sample="kidney_stones")
    assert_no_exception(at)
    text = _all_text(at)
    assert "6 graphs share this graph's skeleton and v-structures" in text
    assert "cannot be told apart from observational data" in text
    assert "Members 1–6 of 6" in text
    assert "Member 1 — your graph" in text


def test_equivalence_class_of_a_graph_with_a_latent_link_is_refused_with_its_type():
    at = open_page("pages/analyse.py", sample="smoking_tar_cancer")
    assert_no_exception(at)
    assert any("<->" in shown(e.value) and "ADMG" in shown(e.value) for e in at.error)


def test_m_bias_class_leaves_only_the_u1_x_edge_undecided():
    # v-structures U1 -> M <- U2 and U2 -> Y <- X fix every arrow but U1 - X: 2 members
    at = open_page("pages/analyse.py", sample="m_bias")
    assert_no_exception(at)
    text = _all_text(at)
    assert "2 graphs share" in text and "1 edge(s) can point either way" in text
    assert "Member 2: 1 arrow(s) reversed" in text


def test_blanket_moral_and_ancestral_views_switch_and_explain():
    at = open_page("pages/analyse.py", sample="m_bias")
    view = next(r for r in at.radio if r.label == "View")
    nodes = next(m for m in at.multiselect if m.label == "For the nodes")
    nodes.set_value(["M"]).run()
    assert_no_exception(at)
    text = _all_text(at)
    assert "Given its Markov blanket — parents {U1, U2} — {M} is independent" in text
    assert "is latent" in text
    view.set_value("moral").run()
    assert_no_exception(at)
    text = _all_text(at)
    # parents X and U2 of the common child Y are married: one new link
    assert "Moralising the ancestors of {X, Y} joins every two parents of a common child (1 new link(s)" in text
    view.set_value("ancestral").run()
    assert_no_exception(at)
    assert "{X, Y} and their 2 ancestor(s): the 1 node(s) that cannot cause them" in _all_text(at)


def test_path_colouring_toggle_colours_causal_and_biasing_paths():
    at = open_page("pages/analyse.py", sample="kidney_stones")
    toggle = next(t for t in at.toggle if t.label.startswith("Colour every causal"))
    toggle.set_value(True).run()
    assert_no_exception(at)
    text = _all_text(at)
    assert "1 open causal path(s) (green) carry the effect" in text
    assert "1 open non-causal path(s) (red) carry bias" in text
    z = next(m for m in at.multiselect if m.label == "Condition on Z")
    z.set_value(["stone_size"]).run()
    assert "no open path carries bias" in _all_text(at)
