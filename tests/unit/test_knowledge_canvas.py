"""Background knowledge drawn on the Discover page's canvas: the drawing (bands per tier), the
canvas events, saving with the workspace (file, autosave, share link), and every discovery
method honouring what was drawn on simulated data (ground truth: the simulated graph)."""
import numpy as np
import pandas as pd
import pytest

from app.discovery import METHODS, Knowledge, discover
from app.discovery.knowledge_view import (
    SETTING,
    apply_knowledge_events,
    knowledge_drawing,
    knowledge_of,
    share_extra,
    with_knowledge,
    with_shared_knowledge,
)
from app.discovery.simulate import linear_sem
from app.errors import DiscoveryError
from app.graph import CausalGraph
from app.workspace import DatasetRef, History, Workspace, decode_share, encode_share
from app.workspace_file import read_workspace_file, write_workspace_file
from components.dag_editor import knowledge_payload

VARS = ["A", "B", "C", "D", "E"]


def _events(*evs):
    return [{"seq": i + 1, **e} for i, e in enumerate(evs)]


# ---- the drawing ------------------------------------------------------------------------------
def test_tiers_are_bands_top_to_bottom_with_their_variables_inside():
    k = Knowledge(tiers=(("A", "B"), ("C",)), forbidden_within=frozenset({0}))
    d = knowledge_drawing(k, VARS)
    assert [b.label for b in d.bands] == ["Tier 1 (earliest) · no edges inside", "Tier 2",
                                          "No tier"]
    assert [b.tier for b in d.bands] == [0, 1, None]
    members = {0: ["A", "B"], 1: ["C"], None: ["D", "E"]}
    for band in d.bands:
        for n in members[band.tier]:
            assert band.y0 < d.positions[n][1] < band.y1, (n, band)
    assert all(a.y1 <= b.y0 for a, b in zip(d.bands, d.bands[1:]))   # no overlap, in order


def test_without_tiers_there_is_no_band_and_many_variables_wrap():
    names = [f"v{i}" for i in range(14)]
    d = knowledge_drawing(Knowledge(), names)
    assert d.bands == ()
    assert len({y for _, y in d.positions.values()}) >= 3           # 6 per line, with a wobble
    assert len(set(d.positions.values())) == 14                      # nobody on top of another


def test_payload_draws_required_bold_and_forbidden_crossed():
    k = Knowledge(required={("A", "B")}, forbidden={("C", "D")}, tiers=(("A",), ("B", "C")))
    p = knowledge_payload(knowledge_drawing(k, VARS), assets={}, key="k")
    edges = {(e["from"], e["to"]): e for e in p["graph"]["edges"]}
    assert edges[("A", "B")]["kind"] == "kr" and edges[("A", "B")]["width"] >= 4
    assert edges[("C", "D")]["kind"] == "kf" and edges[("C", "D")]["dashes"]
    assert [b["label"] for b in p["options"]["knowledge"]["bands"]][:2] == [
        "Tier 1 (earliest)", "Tier 2"]
    assert "required edge" in p["legend_html"] and "forbidden edge" in p["legend_html"]
    assert "band" in p["legend_html"]


def test_names_stay_data_in_the_payload():
    evil = '<img src=x onerror=alert(1)>'
    p = knowledge_payload(knowledge_drawing(Knowledge(tiers=((evil,),)), [evil]), assets={},
                          key="k")
    assert evil not in p["legend_html"]              # the legend is ours only
    assert p["graph"]["nodes"][0]["id"] == evil      # the name goes as data (canvas text)


# ---- the canvas events ----------------------------------------------------------------------
def test_drawing_edges_and_tiers_is_one_undo_step_each():
    h = History(Workspace(graph=CausalGraph(nodes=tuple(VARS))))
    notice = apply_knowledge_events(h, _events(
        {"type": "add_knowledge", "kind": "required", "source": "A", "target": "B"},
        {"type": "add_knowledge", "kind": "forbidden", "source": "C", "target": "D"},
        {"type": "set_tier", "name": "A", "tier": 0},
        {"type": "set_tier", "name": "E", "tier": 1},
    ), VARS)
    assert notice is None
    k = knowledge_of(h.present)
    assert k == Knowledge(required={("A", "B")}, forbidden={("C", "D")}, tiers=(("A",), ("E",)))
    assert [label for _, label in h.past][-4:] == [
        "required A → B", "forbidden C → D", "put A in tier 1", "put E in tier 2"]
    # redrawing as forbidden replaces, delete removes, undo steps back
    apply_knowledge_events(h, _events(
        {"type": "add_knowledge", "kind": "forbidden", "source": "A", "target": "B"}), VARS)
    assert knowledge_of(h.present).forbidden == {("A", "B"), ("C", "D")}
    assert knowledge_of(h.present).required == set()
    apply_knowledge_events(h, _events({"type": "delete", "forbidden": [["A", "B"]]}), VARS)
    assert knowledge_of(h.present).forbidden == {("C", "D")}
    apply_knowledge_events(h, _events({"type": "undo"}, {"type": "undo"}), VARS)
    assert knowledge_of(h.present).required == {("A", "B")}


@pytest.mark.parametrize("event, words", [
    ({"type": "add_knowledge", "kind": "required", "source": "B", "target": "A"}, "later tier"),
    ({"type": "add_knowledge", "kind": "required", "source": "A", "target": "Z"},
     "not one of the chosen"),
    ({"type": "add_knowledge", "kind": "maybe", "source": "A", "target": "C"}, "required or"),
    ({"type": "add_node", "name": "Q", "x": 0, "y": 0}, "Graph page"),
    ({"type": "set_tier", "name": "A", "tier": 9}, "no tier 10"),
    ({"type": "delete", "nodes": ["A"]}, "Select a required or forbidden edge"),
])
def test_refused_events_leave_the_knowledge_and_say_why(event, words):
    k = Knowledge(tiers=(("A",), ("B",)))
    h = History(with_knowledge(Workspace(), k))
    notice = apply_knowledge_events(h, _events(event), VARS)
    assert notice is not None and notice.kind == "error" and words in notice.text, notice
    assert knowledge_of(h.present) == k and not h.past


# ---- saved with the workspace -----------------------------------------------------------------
K = Knowledge(required={("A", "C")}, forbidden={("C", "D"), ("D", "C")},
              tiers=(("A", "B"), ("C",)), forbidden_within=frozenset({0}))


def test_knowledge_survives_the_workspace_file_and_so_autosave():
    # autosave stores exactly this file (app.ui.autosave.save → write_workspace_file)
    ws = with_knowledge(Workspace(graph=CausalGraph(nodes=tuple(VARS)),
                                  dataset=DatasetRef("upload", "t.csv", "f", 2, 2)), K)
    raw = write_workspace_file(ws, pd.DataFrame({"A": [1, 2], "B": [3.0, 4.5]}), name="W")
    back = read_workspace_file(raw).workspace
    assert knowledge_of(back) == K and back.settings[SETTING] == ws.settings[SETTING]


def test_knowledge_survives_the_autosave_store(tmp_path):
    from app.store import autosave, restore_autosave
    from tests.unit._store_support import make_store

    store = make_store("sqlite", tmp_path)
    try:
        ws = with_knowledge(Workspace(graph=CausalGraph(nodes=tuple(VARS))), K)
        autosave("s" * 32, write_workspace_file(ws, None, name="Autosave"), store=store)
        back = read_workspace_file(restore_autosave("s" * 32, store=store)).workspace
        assert knowledge_of(back) == K
    finally:
        store.close()


def test_knowledge_travels_in_the_share_link():
    ws = with_knowledge(Workspace(graph=CausalGraph(nodes=tuple(VARS))), K)
    payload = decode_share(encode_share(ws.graph, extra=share_extra(ws)))
    assert knowledge_of(with_shared_knowledge(Workspace(), payload.extra)) == K
    assert share_extra(Workspace()) == {}
    assert with_shared_knowledge(Workspace(), {}) == Workspace()


def test_damaged_saved_knowledge_is_a_message_not_a_crash():
    for doc in ({"required": [["A"]]}, {"tiers": "AB"}, ["x"], {"forbidden_within": [True]},
                {"required": [["A", 3]]}):
        with pytest.raises(DiscoveryError, match="damaged"):
            knowledge_of(Workspace(settings={SETTING: doc}))


def test_restricted_keeps_only_statements_about_the_chosen_variables():
    r = K.restricted(["A", "C", "D"])
    assert r.required == {("A", "C")} and r.forbidden == {("C", "D"), ("D", "C")}
    assert r.tiers == (("A",), ("C",)) and r.forbidden_within == {0}
    assert K.restricted(["C", "D"]).tiers == (("C",),)
    assert K.restricted(["C", "D"]).forbidden_within == set()


# ---- every method honours what is drawn -------------------------------------------------------
TRUTH = CausalGraph.from_edges([("X1", "X2"), ("X2", "X3"), ("X1", "X4"), ("X4", "X3"),
                                ("X3", "X5")])


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    # simulated ground truth (app.discovery.simulate, linear SEM with uniform noise so that
    # DirectLiNGAM applies); a site column shifting X1 for CD-NOD
    df = linear_sem(TRUTH, 600, seed=11, noise="uniform")
    site = np.repeat([0, 1], 300)
    df["X1"] = df["X1"] + 1.5 * site
    df["site"] = site
    return df


def _drawn(h: History, *events) -> Knowledge:
    notice = apply_knowledge_events(h, _events(*events), ["X1", "X2", "X3", "X4", "X5"])
    assert notice is None, notice
    return knowledge_of(h.present)


@pytest.mark.parametrize("method", [m for m in METHODS])
def test_every_method_honours_what_is_drawn(data, method):
    h = History(Workspace())
    drawn = _drawn(
        h,
        # a true, strong edge forbidden in both directions: never adjacent
        {"type": "add_knowledge", "kind": "forbidden", "source": "X2", "target": "X3"},
        {"type": "add_knowledge", "kind": "forbidden", "source": "X3", "target": "X2"},
        # a false edge required: always there, oriented as drawn
        {"type": "add_knowledge", "kind": "required", "source": "X5", "target": "X1"},
        # tiers: X4 first with "no edges inside" for {X4, X3}; X3 and X4 truly adjacent
        {"type": "set_tier", "name": "X4", "tier": 0},
        {"type": "set_tier", "name": "X3", "tier": 0})
    drawn = Knowledge(drawn.required, drawn.forbidden, drawn.tiers,
                      forbidden_within=frozenset({0}))
    kw = {"domain_column": "site"} if method == "cdnod" else {}
    cols = data if method == "cdnod" else data.drop(columns="site")
    r = discover(cols, method, knowledge=drawn, **kw)
    assert r.edge("X2", "X3") is None, r
    assert r.edge("X3", "X4") is None, r                   # "no edges inside" tier 1
    e = r.edge("X5", "X1")
    assert e is not None, r
    if r.graph_type == "PAG":
        assert (e.mark_at("X5"), e.mark_at("X1")) == ("tail", "arrow"), r
    else:
        assert (e.a, e.b, e.symbol) == ("X5", "X1", "-->"), r


def test_many_variables_make_wider_lines_and_a_bounded_canvas():
    names = [f"v{i}" for i in range(300)]
    d = knowledge_drawing(Knowledge(), names)
    xs = {x for x, _ in d.positions.values()}
    assert len(xs) >= 24                                   # about sqrt(2 * 300) per line
    assert len(set(d.positions.values())) == 300
    assert d.height() == 560 and knowledge_drawing(Knowledge(), VARS).height() == 260
