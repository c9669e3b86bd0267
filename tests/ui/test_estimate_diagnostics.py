"""Estimate page results panel: E-value, overlap and instrument diagnostics beside the numbers."""
from tests.ui.conftest import assert_no_exception, open_page, shown

PAGE = "pages/estimate.py"


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_kidney_stones_show_evalue_and_overlap_with_sentences():
    at = open_page(PAGE, sample="kidney_stones", timeout=300)
    assert_no_exception(at)
    assert any("E-value" in m.value for m in at.markdown)
    assert any("hidden confounder would need" in c.value for c in at.caption)
    assert any("Overlap" in m.value for m in at.markdown)
    ess = _metric(at, "Effective sample size")
    assert ess.endswith("of 700")                       # 700 patients (Charig et al. 1986)
    assert any("equally weighted units" in c.value for c in at.caption)


def test_college_proximity_shows_instrument_diagnostics():
    at = open_page(PAGE, sample="college_proximity", timeout=300)
    assert_no_exception(at)
    assert float(_metric(at, "First-stage F")) == 15.8   # Card (1995) data; Mixtape ch. 7: 15.767
    assert " to " in _metric(at, "Anderson–Rubin 95% interval")
    assert any("whether it is valid cannot be tested" in c.value for c in at.caption)


def test_picking_a_mediator_that_cannot_be_split_says_why():
    # smoking ↔ cancer: the hidden confounder leaves the direct effect unidentified
    at = open_page(PAGE, sample="smoking_tar_cancer", timeout=300)
    assert_no_exception(at)
    box = next(m for m in at.multiselect if m.label == "Mediators to split the effect at")
    assert box.options == ["tar"]
    box.set_value(["tar"]).run(timeout=300)
    assert_no_exception(at)
    assert any("back-door path from smoking to cancer" in shown(e.value) for e in at.error)


def test_realistic_card_graph_estimates_through_the_conditional_instrument():
    # issue 19: with south, smsa and black → nearc4, nearc4 is an instrument only given them
    import app
    from app.workspace import encode_share

    g = app.load_sample("college_proximity").graph
    for a in ("south", "smsa", "black"):
        g = g.add_edge(a, "nearc4")
    at = open_page(PAGE, query={"g": encode_share(g, sample="college_proximity")}, timeout=300)
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert float(_metric(at, "Instrumental variable (Wald / 2SLS)")) == 0.124   # Card; Mixtape ch. 7
    assert any("given {black, smsa, south}" in m.value.replace("\\", "") for m in at.markdown)


def _walk(node):
    """Every element of the page in the order drawn (blocks flattened)."""
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)


def test_evalue_sits_beside_the_sensitivity_plot_with_its_sentence():
    # issue 19 item 4: one section, the Cinelli–Hazlett plot and the checked estimate's E-value
    import app

    at = open_page(PAGE, sample="kidney_stones", timeout=300)
    assert_no_exception(at)
    s = app.load_sample("kidney_stones")
    est = app.estimate_effect(s.data, s.graph, method="ps_weighting")
    assert _metric(at, "E-value") == f"{est.evalue.point:.2f}"   # VanderWeele & Ding 2017
    order = [getattr(e, "value", None) if e.type == "markdown" else
             getattr(e, "label", None) if e.type == "metric" else e.type for e in _walk(at.main)]
    head = next(i for i, v in enumerate(order)
                if isinstance(v, str) and v.startswith("**Sensitivity to a hidden confounder**"))
    section = order[head:head + 12]
    assert any("vega_lite_chart" in str(v) for v in section) and "E-value" in section, section
    assert any(f"E-value {est.evalue.point:.2f}: to explain this estimate away" in shown(c.value)
               for c in at.caption)


def test_an_instrument_estimate_gets_an_evalue_and_says_why_no_plot():
    at = open_page(PAGE, sample="college_proximity", timeout=300)
    assert_no_exception(at)
    assert float(_metric(at, "E-value")) >= 1.0
    assert any("sensitivity plot (Cinelli & Hazlett 2020) is for adjustment" in shown(c.value)
               for c in at.caption)


def test_overlap_options_change_the_estimate_its_ess_and_say_what_was_done():
    # issue 19 item 3: bounds settable, trimming or overlap weights for propensity estimators
    import app
    from app.numbers import fmt

    s = app.load_sample("kidney_stones")
    at = open_page(PAGE, sample="kidney_stones", timeout=300)
    ipw = _metric(at, "Propensity-score weighting (IPW)")
    at.radio(key="est_overlap").set_value("weights").run(timeout=300)
    assert_no_exception(at)
    ow = app.estimate_effect(s.data, s.graph, method="ps_weighting", overlap="weights")
    assert _metric(at, "Propensity-score weighting (IPW)") == fmt(ow.value) != ipw
    assert _metric(at, "Effective sample size") == f"{ow.overlap.choice.ess:,.0f} of 700"
    assert any("Overlap weights: all 700 units are kept" in shown(c.value) for c in at.caption)
    # trimming: NHEFS (Hernán & Robins ch. 12), continuous covariates, so the bounds bite
    s = app.load_sample("nhefs")
    at = open_page(PAGE, sample="nhefs", timeout=300)
    at.radio(key="est_overlap").set_value("trim")
    at.slider(key="est_bounds").set_value((0.15, 0.6)).run(timeout=300)
    assert_no_exception(at)
    tr = app.estimate_effect(s.data, s.graph, method="ps_weighting", overlap="trim",
                             overlap_bounds=(0.15, 0.6))
    assert tr.overlap.choice.n_dropped > 100
    assert _metric(at, "Propensity-score weighting (IPW)") == fmt(tr.value)
    assert _metric(at, "Effective sample size") == f"{tr.overlap.choice.ess:,.0f} of 1,566"
    assert any(f"Trimmed: {tr.overlap.choice.n_dropped:,} of 1,566 units" in shown(c.value)
               and "[0.15, 0.6]" in shown(c.value) for c in at.caption)
    assert _metric(at, "Outside the bounds") == f"{tr.overlap.share_outside:.1%}"


def _two_instruments_panel():
    import numpy as np
    import pandas as pd

    from app.estimation import estimate_effect
    from app.graph import CausalGraph
    from app.ui.views.estimate import show_iv_diagnostics

    rng = np.random.default_rng(1)
    n = 2000
    z0, z1, u = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    x = 0.5 * z0 + 0.5 * z1 + u + rng.normal(size=n)
    y = x + 0.5 * z1 + u + rng.normal(size=n)        # Z1 also acts directly: invalid
    g = CausalGraph.from_edges([("Z0", "X"), ("Z1", "X"), ("X", "Y")], bidirected=[("X", "Y")])
    show_iv_diagnostics(estimate_effect(pd.DataFrame({"Z0": z0, "Z1": z1, "X": x, "Y": y}), g,
                                        "X", "Y", method="iv"))


def test_two_instruments_show_the_hansen_j_test_with_a_sentence():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_two_instruments_panel, default_timeout=120).run()
    assert_no_exception(at)
    assert float(_metric(at, "Over-identification (Hansen J) p-value")) < 0.001
    assert any("instruments point to different effects" in c.value for c in at.caption)


def test_a_cpdag_shows_the_possible_effects_over_the_class():
    # issue 18 item 4: kidney stones' graph is complete, so its CPDAG has every edge undecided;
    # IDA's orientations: treatment's parents {}, {stone_size}, {recovery}, {recovery, stone_size}
    import app
    from app.estimation.ida import ida
    from app.graph import CausalGraph
    from app.workspace import encode_share

    s = app.load_sample("kidney_stones")
    g = CausalGraph.from_edges([], nodes=s.graph.nodes, roles=s.graph.roles, kind="pdag",
                               undirected=[tuple(e) for e in s.graph.edges])
    at = open_page(PAGE, query={"g": encode_share(g, sample="kidney_stones")}, timeout=300)
    assert_no_exception(at)
    assert any("Possible effects over the equivalence class" in h.value for h in at.subheader)
    assert _metric(at, "Possible effects") == "4"
    r = ida(s.data, g, "treatment", "recovery",
            treatment_value=at.selectbox(key="est_tv:treatment").value,
            control_value=at.selectbox(key="est_cv:treatment:" + at.selectbox(
                key="est_tv:treatment").value).value)
    assert any(shown(m.value) == r.sentence for m in at.markdown)
    assert "cannot tell even the sign" in r.sentence      # Simpson's paradox, now as IDA sees it
    assert any("vega_lite" in str(getattr(e, "type", "")) for e in _walk(at.main))


def test_a_pag_says_ida_for_hidden_variables_is_not_built():
    import app
    from app.graph import CausalGraph
    from app.workspace import encode_share

    s = app.load_sample("kidney_stones")
    g = CausalGraph.from_edges([("stone_size", "recovery"), ("treatment", "recovery")],
                               nodes=s.graph.nodes, roles=s.graph.roles, kind="pag",
                               circle=[("stone_size", "@-@", "treatment")])
    at = open_page(PAGE, query={"g": encode_share(g, sample="kidney_stones")}, timeout=300)
    assert_no_exception(at)
    assert any("LV-IDA" in shown(i.value) and "not built" in shown(i.value) for i in at.info)
