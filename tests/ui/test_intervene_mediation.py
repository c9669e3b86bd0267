"""Intervene page, direct and indirect effects (AppTest): the Primer's worked example entered
as hand-written tables (Pearl, Glymour & Jewell 2016, §4.5.2: NDE 0.32, NIE 0.035, TE 0.46),
a treatment-induced confounder refused with its reason, and a sample with mediators."""
from __future__ import annotations

import numpy as np

from app.graph import CausalGraph
from app.models import fit_model
from tests.ui.conftest import assert_no_exception, open_page

PAGE = "pages/intervene.py"


def shown(at) -> str:
    return " ".join(m.value for m in at.markdown).replace("\\", "")


def metrics(at) -> dict:
    return {m.label: m.value.replace("\\", "") for m in at.metric}


def hand_built(at, edges, tables):
    """Draw `edges` (T exposure, Y outcome) on an empty workspace and enter the tables."""
    hist = at.session_state["cc_history"]
    g = CausalGraph.from_edges(edges, roles={"T": {"exposure"}, "Y": {"outcome"}})
    hist.push(hist.present.with_graph(g), "draw")
    at.run()
    states = {v: [0, 1] for v in g.nodes}
    model = fit_model(g, cpts={v: np.asarray(tables[v], float) for v in g.nodes}, states=states)
    hist.push(hist.present.with_cpt_edits({v: model.cpt(v) for v in g.nodes}), "edit")
    at.run()
    return g.structure_hash()


def test_primer_example_by_hand_gives_its_numbers():
    at = open_page(PAGE, sample=None)
    # Y's parents in graph order are (H, T), the last changing fastest: columns
    # (H, T) = 00, 01, 10, 11 hold E(Y | T, H) = 0.2, 0.4, 0.3, 0.8 (Primer Table 4.6);
    # E(H | T) = 0.4, 0.75 (Table 4.7).
    y1 = np.array([0.2, 0.4, 0.3, 0.8])
    hand_built(at, [("T", "H"), ("H", "Y"), ("T", "Y")], {
        "T": [[0.5], [0.5]], "H": [[0.6, 0.25], [0.4, 0.75]], "Y": [1 - y1, y1]})
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    m = metrics(at)
    assert m["Total effect"] == "+46.0 points"
    assert m["Natural direct (NDE)"] == "+32.0 points"
    assert m["Natural indirect (NIE)"] == "+3.5 points"
    assert m["Controlled direct (CDE)"] == "+20.0 points"        # H fixed at 0, its likeliest value
    text = shown(at)
    assert "do not add up to the total" in text and "-14.0 points" in text


def test_treatment_induced_confounder_is_refused_on_the_page():
    at = open_page(PAGE, sample=None)
    y1 = np.array([0.1, 0.3, 0.2, 0.5, 0.4, 0.6, 0.7, 0.9])     # over (L, M, T)
    gk = hand_built(at, [("T", "L"), ("L", "M"), ("M", "Y"), ("L", "Y"), ("T", "Y")], {
        "T": [[0.5], [0.5]], "L": [[0.8, 0.3], [0.2, 0.7]], "M": [[0.9, 0.2], [0.1, 0.8]],
        "Y": [1 - y1, y1]})
    assert_no_exception(at)
    assert "Natural direct (NDE)" in metrics(at)        # L and M together: identified
    at.multiselect(key=f"iv_med:{gk}:T:Y").set_value(["M"]).run()
    assert_no_exception(at)
    assert not at.error
    assert any("treatment-induced mediator–outcome confounder" in i.value.replace("\\", "")
               for i in at.info)
    assert "Natural direct (NDE)" not in metrics(at)


def test_sample_with_mediators_splits_the_effect():
    at = open_page(PAGE, sample="asia")
    assert_no_exception(at)
    assert not at.error
    m = metrics(at)
    # smoke affects dysp only through lung, bronc and either: everything is indirect
    assert m["Natural direct (NDE)"] == "+0.0 points"
    assert m["Natural indirect (NIE)"] == m["Total effect"] == m["Causal risk difference"]
