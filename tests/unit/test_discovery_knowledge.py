"""Background knowledge: validation, and every algorithm honouring forbidden/required edges and tiers."""
import numpy as np
import pandas as pd
import pytest

from app.discovery import Knowledge, discover
from app.discovery.knowledge import enforce_on_pag, enforce_on_pdag
from app.discovery.pdag import Pdag
from app.discovery.result import LearnedEdge
from app.discovery.simulate import linear_sem
from app.errors import DiscoveryError
from app.graph import CausalGraph

TRUTH = CausalGraph.from_edges([("X1", "X2"), ("X2", "X3"), ("X1", "X4"), ("X4", "X3"),
                                ("X3", "X5")])
METHODS = ["pc", "ges", "hc", "fci", "lingam", "cdnod"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    # non-Gaussian noise so DirectLiNGAM applies too; a site column shifting X1 for CD-NOD
    df = linear_sem(TRUTH, 600, seed=3, noise="uniform")
    site = np.repeat([0, 1], 300)
    df["X1"] = df["X1"] + 1.5 * site
    df["site"] = site
    return df


def _run(df, method, knowledge):
    kw = {"domain_column": "site"} if method == "cdnod" else {}
    cols = df if method == "cdnod" else df.drop(columns="site")
    return discover(cols, method, knowledge=knowledge, **kw)


def _could_be(result, a, b) -> bool:
    """True when the learned graph allows a → b (directed, undirected, or a PAG edge without
    an arrowhead at a)."""
    e = result.edge(a, b)
    if e is None:
        return False
    if result.graph_type == "PAG":
        return e.mark_at(a) != "arrow"
    return e.symbol == "---" or (e.a, e.b) == (a, b)


@pytest.mark.parametrize("method", METHODS)
def test_true_edge_is_found_without_knowledge(data, method):
    # makes the next test meaningful: X2 – X3 is strong enough to be learned
    r = _run(data, method, None)
    assert r.edge("X2", "X3") is not None


@pytest.mark.parametrize("method", METHODS)
def test_forbidden_and_required_edges_are_honoured(data, method):
    k = Knowledge(required={("X2", "X4")}, forbidden={("X2", "X3"), ("X3", "X5"), ("X5", "X3")})
    r = _run(data, method, k)
    assert not _could_be(r, "X2", "X3"), r          # forbidden direction never possible
    assert r.edge("X3", "X5") is None, r             # forbidden both ways: not adjacent
    req = r.edge("X2", "X4")                         # required: present and oriented
    assert req is not None, r
    assert req.mark_at("X2") == "tail" and req.mark_at("X4") == "arrow", r


@pytest.mark.parametrize("method", METHODS)
def test_tiers_forbid_edges_into_earlier_tiers(data, method):
    # a deliberately wrong order: X5 first. No later variable may then cause X5.
    k = Knowledge(tiers=(("X5",), ("X1", "X2", "X3", "X4")))
    r = _run(data, method, k)
    for other in ("X1", "X2", "X3", "X4"):
        assert not _could_be(r, other, "X5"), r


def test_contradicting_knowledge_is_rejected_with_a_reason():
    with pytest.raises(DiscoveryError, match="also listed as forbidden"):
        Knowledge(required={("A", "B")}, forbidden={("A", "B")})
    with pytest.raises(DiscoveryError, match="later tier"):
        Knowledge(required={("B", "A")}, tiers=(("A",), ("B",)))
    with pytest.raises(DiscoveryError, match="cycle"):
        Knowledge(required={("A", "B"), ("B", "C"), ("C", "A")})
    with pytest.raises(DiscoveryError, match="tier 1 and tier 2"):
        Knowledge(tiers=(("A",), ("A", "B")))
    with pytest.raises(DiscoveryError, match="itself"):
        Knowledge(forbidden={("A", "A")})


def test_knowledge_about_unknown_variables_is_an_error(data):
    with pytest.raises(DiscoveryError, match="'nope'"):
        discover(data.drop(columns="site"), "pc", knowledge=Knowledge(forbidden={("nope", "X1")}))


def test_knowledge_from_table_rows_skips_blank_rows():
    k = Knowledge.from_rows([
        {"from": "A", "to": "B", "kind": "required"},
        {"from": "", "to": "", "kind": None},
        {"from": "C", "to": "A", "kind": "Forbidden"},
    ], tiers=[["A", "C"], ["B"]])
    assert k.required == {("A", "B")} and k.forbidden == {("C", "A")}
    assert k.is_forbidden("B", "A") and not k.is_forbidden("A", "B")
    with pytest.raises(DiscoveryError, match="Row 1"):
        Knowledge.from_rows([{"from": "A", "to": "", "kind": "required"}])


def test_enforce_on_pdag_orients_and_propagates_with_meek():
    # A — B — C (no collider); forbidding B → A orients A → B, Meek R1 then gives B → C
    p = Pdag(["A", "B", "C"], set(), {frozenset("AB"), frozenset("BC")})
    out, _ = enforce_on_pdag(p, Knowledge(forbidden={("B", "A")}))
    assert out.directed == {("A", "B"), ("B", "C")} and not out.undirected


def test_enforce_on_pdag_reverses_a_forbidden_direction_and_adds_required():
    p = Pdag(["A", "B", "C"], {("A", "B")}, set())
    out, notes = enforce_on_pdag(p, Knowledge(forbidden={("A", "B")}, required={("C", "A")}))
    assert out.directed == {("B", "A"), ("C", "A")}
    assert any("Reversed" in n for n in notes) and any("Added" in n for n in notes)


def test_enforce_on_pag_puts_arrowheads_for_forbidden_causes():
    edges = [LearnedEdge("A", "B", "circle", "circle")]
    out, _ = enforce_on_pag(edges, ["A", "B"], Knowledge(forbidden={("A", "B")}))
    assert out[0].mark_at("A") == "arrow" and out[0].mark_at("B") == "circle"
