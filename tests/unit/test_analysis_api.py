"""Behaviour of the analysis API: input checking, path reasons, limits, roles, messages."""
from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import app
from app import parse_graph
from app.analysis import (
    adjustment_sets,
    check_adjustment_set,
    d_separated,
    frontdoor_sets,
    identify,
    implied_independencies,
    instruments,
    node_roles,
    open_paths,
    test_implications,
)
from app.analysis._core import SOURCE, TARGET, minimal_separators
from app.errors import Cancelled, DataError, QueryError
from app.graph import CausalGraph

TRIANGLE = parse_graph("dag { Z -> X; Z -> Y; X -> Y; X -> C; Y -> C }")


def test_public_names_are_reachable_from_app():
    for name in ("d_separated", "open_paths", "adjustment_sets", "check_adjustment_set",
                 "frontdoor_sets", "instruments", "identify", "implied_independencies",
                 "test_implications", "node_roles"):
        assert callable(getattr(app, name))


@pytest.mark.parametrize("call", [
    lambda: d_separated(TRIANGLE, "X", "Q"),
    lambda: d_separated(TRIANGLE, "X", "X"),
    lambda: d_separated(TRIANGLE, "X", "Y", given=["X"]),
    lambda: d_separated(TRIANGLE, [], "Y"),
    lambda: d_separated(TRIANGLE, 3, "Y"),
    lambda: open_paths(TRIANGLE, "X", "nope"),
    lambda: adjustment_sets(TRIANGLE, "X", "X"),
    lambda: adjustment_sets(TRIANGLE, "X", "Y", kind="best"),
    lambda: identify(TRIANGLE, "X", ["Y", "X"]),
    lambda: identify(TRIANGLE, "X", "Y", method="magic"),
    lambda: instruments(TRIANGLE, ["X", "Z"], "Y"),
    lambda: implied_independencies(TRIANGLE, kind="weird"),
    lambda: test_implications(TRIANGLE, pd.DataFrame({"X": [1]}), alpha=2),
])
def test_bad_questions_raise_query_error_with_a_message(call):
    with pytest.raises(QueryError) as err:
        call()
    assert err.value.user_message()


def test_latent_exposure_is_refused():
    g = parse_graph("dag { U [latent]; U -> Y }")
    with pytest.raises(QueryError, match="latent"):
        adjustment_sets(g, "U", "Y")


def test_paths_name_the_blocking_node_and_rule():
    paths = {p.text: p for p in open_paths(TRIANGLE, "X", "Y", given=["Z"])}
    assert set(paths) == {"X → Y", "X ← Z → Y", "X → C ← Y"}
    assert paths["X → Y"].open and paths["X → Y"].causal
    back = paths["X ← Z → Y"]
    assert not back.open and back.backdoor
    assert [(b.node, b.reason) for b in back.blockers] == [("Z", "non-collider in Z")]
    assert "Blocked by Z, a non-collider in Z" in back.explanation()
    col = paths["X → C ← Y"]
    assert [(b.node, b.reason) for b in col.blockers] == [("C", "collider with no descendant in Z")]
    assert col.edges == [("X", "C"), ("Y", "C")]


def test_conditioning_on_a_collider_descendant_opens_the_path():
    g = parse_graph("dag { X -> C; Y -> C; C -> D }")
    (p,) = open_paths(g, "X", "Y", given=["D"])
    assert p.open and p.opened_by == (("C", "D"),)
    assert "its descendant D" in p.explanation()
    assert not d_separated(g, "X", "Y", ["D"]) and d_separated(g, "X", "Y")


def test_bidirected_edge_is_a_path_with_a_sorted_pair_edge():
    g = parse_graph("dag { X -> M -> Y; Y <-> X }")
    texts = {p.text: p for p in open_paths(g, "X", "Y")}
    assert texts["X ↔ Y"].edges == [("X", "Y")] and texts["X ↔ Y"].backdoor


def test_path_listing_on_a_dense_graph_stops_with_a_note():
    names = [f"N{i}" for i in range(16)]
    g = CausalGraph.from_edges([(a, b) for a, b in itertools.combinations(names, 2)])
    paths = open_paths(g, "N0", "N15", limit=50)
    assert len(paths) == 50 and paths.truncated and "first 50" in paths.note
    assert [len(p.nodes) for p in paths][:1] == [2]          # the shortest path comes first
    few = open_paths(g, "N0", "N15", only_open=True, limit=10_000, max_steps=20)
    assert few.truncated and "steps" in few.note


def test_only_open_lists_just_the_open_paths():
    paths = open_paths(TRIANGLE, "X", "Y", only_open=True)
    assert [p.text for p in paths] == ["X → Y", "X ← Z → Y"]


def _brute_minimal_separators(adj: dict) -> set[frozenset]:
    inner = [v for v in adj if v not in (SOURCE, TARGET)]
    found = []
    for k in range(len(inner) + 1):
        for combo in itertools.combinations(inner, k):
            s = set(combo)
            if any(f <= s for f in found):
                continue
            seen, stack = {SOURCE}, [SOURCE]
            while stack:
                v = stack.pop()
                for w in adj[v]:
                    if w not in seen and w not in s:
                        seen.add(w)
                        stack.append(w)
            if TARGET not in seen:
                found.append(frozenset(s))
    return set(found)


def test_minimal_separator_listing_equals_brute_force_on_random_graphs():
    rng = random.Random(3)
    for _ in range(150):
        n = rng.randint(2, 9)
        g = nx.gnp_random_graph(n + 2, rng.choice([0.25, 0.4, 0.6]), seed=rng.randint(0, 10**6))
        names = {0: SOURCE, 1: TARGET}
        adj = {names.get(v, v): {names.get(w, w) for w in g[v]} for v in g}
        if TARGET in adj[SOURCE]:
            continue
        seps, truncated = minimal_separators(adj)
        assert not truncated
        assert set(seps) == _brute_minimal_separators(adj)


def test_set_listing_respects_the_limit():
    # C confounds; each of six unrelated nodes may be added or not: 2**6 = 64 valid sets
    g = CausalGraph.from_edges([("C", "X"), ("C", "Y"), ("X", "Y")],
                               nodes=[f"Q{i}" for i in range(6)])
    assert len(adjustment_sets(g, "X", "Y", "all")) == 64
    sets = adjustment_sets(g, "X", "Y", "all", limit=10)
    assert len(sets) == 10 and sets.truncated and sets.note
    assert adjustment_sets(g, "X", "Y") == [frozenset({"C"})]


def test_check_message_for_a_valid_set():
    check = check_adjustment_set(TRIANGLE, "X", "Y", ["Z"])
    assert check and check.reasons == () and check.message.startswith("Valid")
    bad = check_adjustment_set(TRIANGLE, "X", "Y", ["Z", "X"])
    assert not bad and "exposure itself" in bad.reasons[0]


def test_frontdoor_needs_a_causal_path():
    g = parse_graph("dag { Y -> X }")
    assert frontdoor_sets(g, "X", "Y") == [] and "no causal path" in frontdoor_sets(g, "X", "Y").note


def test_roles_on_a_teaching_graph():
    g = parse_graph("""dag { Z -> X; Z -> Y; X -> M -> Y; X -> C; Y -> C; M -> D; I -> X;
                             U1 -> X; U1 -> K; U2 -> K; U2 -> Y }""")
    roles = node_roles(g, "X", "Y")
    assert roles["X"] == ["exposure"] and roles["Y"] == ["outcome"]
    assert "confounder" in roles["Z"] and "mediator" in roles["M"]
    assert "collider" in roles["C"] and "forbidden" in roles["C"]
    assert "collider" in roles["K"] and "confounder" not in roles["K"]
    assert "forbidden" in roles["D"] and "descendant_exposure" in roles["D"]
    assert "instrument" in roles["I"]


def test_identify_prints_and_renders_latex_safely():
    g = parse_graph('dag { "age_50%" -> "drug A"; "age_50%" -> "cure#"; "drug A" -> "cure#" }')
    est = identify(g, "drug A", "cure#")
    assert est.kind == "backdoor"
    assert r"\text{age\_50\%}" in est.latex and r"\text{cure\#}" in est.latex
    assert str(est).startswith("P(cure# | do(drug A)) = Σ_{age_50%}")
    assert est.full_latex.startswith(r"P\left(\text{cure\#} \mid \mathrm{do}(\text{drug A})\right) = ")


def test_identify_explains_a_hedge():
    est = identify(parse_graph("dag { X -> Y; X <-> Y }"), "X", "Y")
    assert "not identifiable" in str(est) and "hedge" in est.reason
    assert est.full_latex == r"P\left(Y \mid \mathrm{do}(X)\right)"


def test_local_markov_list_uses_parents():
    g = parse_graph("dag { A -> B -> C }")
    assert [str(i) for i in implied_independencies(g, "local")] == ["C ⊥ A | B"]
    with pytest.raises(QueryError):
        implied_independencies(parse_graph("dag { A -> B; A <-> B }"), "local")


def test_implication_listing_limit():
    names = [f"V{i}" for i in range(8)]
    g = CausalGraph.from_edges([], nodes=names)
    out = implied_independencies(g, limit=5)
    assert len(out) == 5 and out.truncated


def test_tests_skip_missing_and_untestable_columns_with_reasons():
    g = parse_graph("dag { A; B; C }")
    df = pd.DataFrame({"A": np.arange(50) % 2, "B": ["x", "y"] * 25})
    report = test_implications(g, df, types={"B": "id"})
    assert len(report) == 0 and len(report.skipped) == 3
    reasons = " ".join(r for _, r in report.skipped)
    assert "no column 'C'" in reasons and "'B' is not a measurement" in reasons
    assert "could be tested" in report.verdict


def test_progress_callback_can_cancel():
    g = parse_graph("dag { A; B; C }")
    df = pd.DataFrame({"A": [0, 1] * 20, "B": [0, 0, 1, 1] * 10, "C": [1, 0] * 20})
    calls = []

    def progress(i, total):
        calls.append((i, total))
        if i == 2:
            raise Cancelled()

    with pytest.raises(Cancelled):
        test_implications(g, df, progress=progress)
    assert calls == [(1, 3), (2, 3)]


def test_empty_data_is_a_data_error():
    with pytest.raises(DataError):
        test_implications(TRIANGLE, pd.DataFrame())


def test_report_frame_and_holm_adjustment():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"A": rng.normal(size=300), "B": rng.normal(size=300),
                       "C": rng.normal(size=300)})
    report = test_implications(parse_graph("dag { A; B; C }"), df)
    frame = report.to_frame()
    assert list(frame["independence"]) == ["A ⊥ B", "A ⊥ C", "B ⊥ C"]
    assert all(frame["p_holm"] >= frame["p_value"])
    assert report.consistent


def test_cut_listing_still_shows_every_open_path_first():
    # 30 blocked collider paths X → Ci ← Y are shorter than the one open back-door path
    edges = [("X", f"C{i}") for i in range(30)] + [("Y", f"C{i}") for i in range(30)]
    edges += [("A1", "X"), ("A2", "A1"), ("A2", "A3"), ("A3", "Y")]
    g = CausalGraph.from_edges(edges)
    paths = open_paths(g, "X", "Y", limit=10)
    assert paths.truncated and "open path is listed first" in paths.note
    assert paths[0].open and paths[0].text == "X ← A1 ← A2 → A3 → Y"
    assert sum(p.open for p in paths) == 1 and len(paths) == 10
