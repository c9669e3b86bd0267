"""DAGitty's whole graph language, graph types, and the selected/adjusted semantics (issue 18).

References: DAGitty's grammar and graph construction, github.com/jtextor/dagitty,
jslib/parser/GraphDotParser.pegjs (headers, groups, marks) and jslib/graph/GraphParser.js
(role keywords: latent/l/unobserved/u, exposure/e/source, outcome/o/target, adjusted/a,
selected/s; `<-@` is `@->` reversed, `--@` is `@--` reversed; edge attributes belong to the edge);
jslib/graph/GraphAnalyzer.js (isEdgeVisible, isAdjustmentSet, listMsasTotalEffect,
violatesAdjustmentCriterion, validate). Visibility: Zhang (2008), "Causal reasoning with
ancestral graphs", JMLR 9, Def. 3.1. m-separation: Richardson & Spirtes (2002), Ann. Stat.
"""
from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app import io
from app.analysis import (
    adjustment_sets,
    check_adjustment_set,
    d_separated,
    frontdoor_sets,
    identify,
    implied_independencies,
    open_paths,
)
from app.errors import GraphError, ParseError, QueryError
from app.graph import CausalGraph
from app.io.dagitty import write_dagitty
from tests.support.nx_reference import canonical_dag, gac_valid


def parse(text: str) -> CausalGraph:
    return io.parse_graph(text, "dagitty")


# ---- headers -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["dag G { X -> Y }", 'dag "my graph" { X -> Y }',
                                  "strict Dag { X -> Y }", "DAG{X->Y}", "X -> Y"])
def test_headers_named_strict_case_insensitive_or_absent(text):
    g = io.parse_graph(text)
    assert g.nodes == ("X", "Y") and g.edges == {("X", "Y")} and g.kind == "dag"


def test_graph_header_with_a_name_does_not_invent_nodes():
    g = parse("graph G { x y }")
    assert g.nodes == ("x", "y") and not (g.edges or g.bidirected or g.undirected or g.circle)


def test_dot_style_digraph_keeps_dagitty_roles_through_detection_and_both_parsers():
    text = "digraph G { X [latent]; X -> Y }"
    for g in (io.parse_graph(text), parse(text)):
        assert g.latents == {"X"} and g.edges == {("X", "Y")}
    g = io.parse_graph("digraph G { X [e]; X <-> Y }")   # DAGitty-only mark: read as DAGitty
    assert g.exposures == {"X"} and g.bidirected == {("X", "Y")}


# ---- roles -------------------------------------------------------------------------------

def test_short_and_long_role_keywords_as_in_graphparser():
    g = parse("dag { A [e] B [o] C [a] D [l] E [u] F [s] G [source] H [target] I [unobserved] }")
    assert g.exposures == {"A", "G"} and g.outcomes == {"B", "H"}
    assert g.adjusted == {"C"} and g.latents == {"D", "E", "I"}
    assert g.role_nodes("selected") == {"F"}


def test_unknown_role_is_an_error_with_position():
    with pytest.raises(ParseError) as err:
        parse("dag {\n  X [exposre]\n}")
    assert (err.value.line, err.value.column) == (2, 6)


# ---- groups ------------------------------------------------------------------------------

def test_nested_statement_groups_keep_inner_edges():
    g = parse("dag { x -> { a -> b } }")
    assert g.edges == {("x", "a"), ("x", "b"), ("a", "b")}          # DAGitty reads 3 edges


def test_groups_on_both_sides_and_deeper_nesting():
    g = parse("dag { {a b} -> { c { d -> e } } }")
    assert g.edges == {(s, t) for s in "ab" for t in "cde"} | {("d", "e")}
    assert parse("dag{ U -> {a b c d} }").edges == {("U", n) for n in "abcd"}


def test_subgraph_keyword_groups_without_creating_nodes():
    g = parse("dag { x -> subgraph cluster_0 { a b } }")
    assert set(g.nodes) == {"x", "a", "b"} and g.edges == {("x", "a"), ("x", "b")}


def test_chain_ends_at_a_node_and_next_statement_starts():
    g = parse("STRICT dag{ x -> m -> a b }")        # DAGitty's own parser test
    assert g.edges == {("x", "m"), ("m", "a")} and "b" in g.nodes


# ---- marks -------------------------------------------------------------------------------

def test_circle_marks_and_their_reversed_spellings():
    g = parse("pag { a <-@ b; c --@ d; e @-@ f; g @-> h; i @-- j; k -- l; m <-> n }")
    assert "@" not in g.nodes
    assert g.circle == {("b", "@->", "a"), ("d", "@--", "c"), ("e", "@-@", "f"),
                        ("g", "@->", "h"), ("i", "@--", "j")}
    assert g.undirected == {("k", "l")} and g.bidirected == {("m", "n")}
    assert g.kind == "pag"


def test_at_is_never_a_node_name():
    with pytest.raises(ParseError):
        parse("dag { a @ b }")
    with pytest.raises(ParseError) as err:
        parse("dag { a <-@ b }")              # a circle mark, which a DAG cannot have
    assert (err.value.line, err.value.column) == (1, 9)


@pytest.mark.parametrize("text, col", [
    ("dag { a -- b }", 9), ("dag { a @-> b }", 9), ("pdag { a @-@ b }", 10),
    ("mag { a @-- b }", 9), ("graph { a -- b }", 11), ("digraph { a -- b }", 13),
])
def test_each_type_refuses_marks_it_cannot_have(text, col):
    with pytest.raises(ParseError) as err:
        parse(text)
    assert err.value.column == col


def test_undirected_edges_in_pdag_and_mag():
    assert parse("pdag { a -- b; b -> c }").undirected == {("a", "b")}
    assert parse("mag { a -- b; b -> c }").undirected == {("a", "b")}


# ---- attributes --------------------------------------------------------------------------

def test_edge_attributes_belong_to_the_edge_not_the_last_node():
    g = parse('dag { Y [pos="5,5"]\n M <-> Y [pos="1,2"]\n M -> Y [label="b", pos="0,0"] }')
    assert g.positions == {"Y": (5.0, 5.0)}
    assert g.bidirected == {("M", "Y")} and g.edges == {("M", "Y")}


def test_graph_attribute_and_comments():
    g = parse('dag {\n bb="0,0,1,1"\n # a comment\n X -> Y // another\n}')
    assert g.edges == {("X", "Y")}


@pytest.mark.parametrize("text, line, col", [
    ("dag { a [exposure] -> b }", 1, 9),      # node attributes mid-chain: DAGitty refuses too
    ("dag { a -> b [exposure] }", 1, 15),     # a role is not an edge attribute
    ("dag { a -> b [colour=\"x\", foo=1] }", 1, 27),
    ("dag { node -> b }", 1, 7),              # keyword, unquoted
    ("dag { a <=> b }", 1, 9),
    ("dag {\n a -> { b c\n}", 3, 2),
    ("dag { } }", 1, 9),
])
def test_anything_else_is_an_error_with_line_and_column(text, line, col):
    with pytest.raises(ParseError) as err:
        parse(text)
    assert (err.value.line, err.value.column) == (line, col)


def test_words_dagitty_allows_as_names_stay_names():
    g = parse("dag { dag -> edge; strict [latent]; edge [exposure] }")
    assert set(g.nodes) == {"dag", "edge", "strict"}
    assert g.latents == {"strict"} and g.exposures == {"edge"}
    assert parse(write_dagitty(g)) == g


def test_quoted_keywords_are_names():
    g = parse('dag { "node" [latent] "graph" -> "edge" }')
    assert set(g.nodes) == {"node", "graph", "edge"} and g.latents == {"node"}


# ---- graph types and round trips ---------------------------------------------------------

def test_types_are_carried_and_equal_only_to_the_same_type():
    assert parse("mag { X -> Y }").kind == "mag"
    assert parse("pdag { X -> Y }").kind == "pdag"
    assert parse("pag { X -> Y }").kind == "pag"
    assert parse("mag { X -> Y }") != parse("dag { X -> Y }")


def test_mag_must_be_ancestral():
    # Richardson & Spirtes (2002), Def. 3.7: no almost directed cycle, no arrowhead at a --
    with pytest.raises(GraphError, match="ancestor"):
        parse("mag { a -> b; b -> c; a <-> c }")
    with pytest.raises(GraphError, match="no parents"):
        parse("mag { a -> b; b -- c }")
    with pytest.raises(GraphError, match="one edge"):
        parse("mag { a -> b; a <-> b }")


def _random_typed_graph(kind: str, picks: list[tuple[int, int, int]]) -> CausalGraph:
    names = [f"v{i}" for i in range(6)]
    marks = {"dag": ["->", "<->"], "pdag": ["->", "--", "<->"], "mag": ["->", "<->"],
             "pag": ["->", "<->", "--", "@->", "@--", "@-@"]}[kind]
    body, seen = [], set()
    for a, b, m in picks:
        a, b = sorted((a % 6, b % 6))
        if a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        body.append(f"{names[a]} {marks[m % len(marks)]} {names[b]}")
    return parse(f"{kind} {{ " + "; ".join(body) + " }")


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["dag", "pdag", "mag", "pag"]),
       st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5)), max_size=12))
def test_every_type_round_trips_through_dagitty_json_and_gml(kind, picks):
    try:
        g = _random_typed_graph(kind, picks)
    except GraphError:           # e.g. a random MAG that is not ancestral
        assume(False)
    g = g.set_role(g.nodes[0], "exposure") if g.nodes else g
    for fmt in ("dagitty", "json", "gml"):
        assert io.parse_graph(io.write_graph(g, fmt), fmt) == g


def test_dot_and_edge_list_refuse_types_they_cannot_hold():
    g = parse("pag { a @-> b }")
    for fmt in ("dot", "csv"):
        with pytest.raises(GraphError):
            io.write_graph(g, fmt)


# ---- analysis on graph types -------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # X -> Y alone: no V can make it visible, a latent confounder may hide behind it
    ("mag { X -> Y }", None),
    # V -> X with V not adjacent to Y: visible (Zhang 2008, Def. 3.1, first case)
    ("mag { V -> X -> Y }", {frozenset()}),
    # V adjacent to Y: not visible
    ("mag { V -> X; X -> Y; V -> Y }", None),
    # V <-> X with V not adjacent to Y: visible; W is a confounder
    ("mag { V <-> X; W -> X; W -> Y; X -> Y }", {frozenset({"W"})}),
    # collider path V -> D <-> X with D a parent of Y (second case of the definition)
    ("mag { V -> D; D <-> X; D -> Y; X -> Y }", {frozenset({"D"})}),
])
def test_adjustment_in_mags_uses_visible_edges(text, expected):
    g = parse(text)
    found = adjustment_sets(g, "X", "Y")
    if expected is None:
        assert list(found) == [] and "not amenable" in found.note
        assert not check_adjustment_set(g, "X", "Y", []).valid
    else:
        assert set(found) == expected


def test_mag_x_to_y_never_gives_the_empty_set_silently():
    g = parse("mag { X -> Y }")
    assert list(adjustment_sets(g, "X", "Y")) == []
    assert list(adjustment_sets(g, "X", "Y", "all")) == []
    assert list(adjustment_sets(parse("dag { X -> Y }"), "X", "Y")) == [frozenset()]


def _random_mags(seed: int, n: int, p_edge: float, p_directed: float, count: int):
    """`count` random MAGs on v0..v(n-1) as (names, graph): each pair joined with probability
    p_edge, by -> (p_directed) or <->; texts that are not ancestral are skipped."""
    rng = random.Random(seed)
    names = [f"v{i}" for i in range(n)]
    made = 0
    while made < count:
        picks = [(a, b) for a, b in itertools.combinations(range(n), 2) if rng.random() < p_edge]
        body = names + [f"{names[a]} {'->' if rng.random() < p_directed else '<->'} {names[b]}"
                        for a, b in picks]
        try:
            g = parse("mag { " + "; ".join(body) + " }")
        except GraphError:
            continue
        made += 1
        yield rng, names, g


def test_m_separation_in_mags_matches_networkx_on_the_canonical_dag():
    for rng, names, g in _random_mags(7, 7, 0.3, 0.7, 150):
        x, y = rng.sample(names, 2)
        z = {n for n in names if n not in (x, y) and rng.random() < 0.3}
        assert d_separated(g, x, y, z) == nx.is_d_separator(canonical_dag(g), {x}, {y}, z)


def test_pag_analyses_are_refused_naming_the_type():
    g = parse("pag { X @-> Y }")
    # adjustment handles PAGs (tests/reference/test_analysis_pag.py): here X o-> Y may be X <-> Y
    assert "not amenable" in adjustment_sets(g, "X", "Y").note
    for call in (lambda: d_separated(g, "X", "Y"),
                 lambda: open_paths(g, "X", "Y"), lambda: identify(g, "X", "Y"),
                 lambda: implied_independencies(g)):
        with pytest.raises(QueryError, match="PAG"):
            call()


def test_pdag_takes_separation_and_adjustment_only():
    # tests/reference/test_analysis_cpdag.py checks both against every member DAG
    g = parse("pdag { X -- Y }")
    assert list(adjustment_sets(g, "X", "Y")) == [] and not d_separated(g, "X", "Y")
    for call in (lambda: open_paths(g, "X", "Y"), lambda: identify(g, "X", "Y"),
                 lambda: implied_independencies(g)):
        with pytest.raises(QueryError, match="PDAG"):
            call()


def test_dag_only_analyses_refuse_a_mag():
    g = parse("mag { V -> X -> Y }")
    for call in (lambda: identify(g, "X", "Y"), lambda: frontdoor_sets(g, "X", "Y")):
        with pytest.raises(QueryError, match="MAG"):
            call()


# ---- selected and adjusted ---------------------------------------------------------------

def test_selected_collider_connects_its_parents():
    g = parse("dag { S [selected]; X -> S <- Y }")
    assert not d_separated(g, "X", "Y")
    assert d_separated(parse("dag { X -> S <- Y }"), "X", "Y")
    assert any(p.open for p in open_paths(g, "X", "Y"))


def test_selected_nodes_are_conditioned_like_networkx_with_s_in_z():
    rng = random.Random(3)
    for _ in range(100):
        names = [f"v{i}" for i in range(7)]
        edges = [(names[a], names[b]) for a, b in itertools.combinations(range(7), 2)
                 if rng.random() < 0.3]
        x, y, s = rng.sample(names, 3)
        g = CausalGraph.from_edges(edges, nodes=names).set_role(s, "selected")
        z = {n for n in names if n not in (x, y, s) and rng.random() < 0.3}
        assert d_separated(g, x, y, z) == nx.is_d_separator(g.to_networkx(), {x}, {y}, z | {s})


@pytest.mark.parametrize("text, expected", [
    ("dag { S [selected]; X -> Y -> S }", None),            # selection on the outcome
    ("dag { S [selected]; X -> Y; X -> S }", {frozenset()}),  # selection on the exposure only
    # S depends on X, X on Z: Y <- Z -> X -> S is open in the back-door graph, so P(z | S)
    # is biased too and DAGitty lists no set
    ("dag { S [selected]; Z -> X -> Y; Z -> Y; X -> S }", None),
    # S hangs off a cause of X only: conditioning on it is harmless once Z is adjusted for
    ("dag { S [selected]; A -> S; A -> X; Z -> X -> Y; Z -> Y }", {frozenset({"Z"})}),
])
def test_selection_in_adjustment_follows_dagitty(text, expected):
    # DAGitty isAdjustmentSet: Z ∪ S must separate X and Y in the back-door graph and S must
    # be d-separated from Y there; listMsasTotalEffect returns [] otherwise.
    found = adjustment_sets(parse(text), "X", "Y")
    if expected is None:
        assert list(found) == [] and "selection" in found.note
    else:
        assert set(found) == expected


def test_adjusted_nodes_are_forced_into_every_set():
    g = parse("dag { A [adjusted]; A -> X; B -> X; B -> Y; C -> X; C -> Y; X -> Y }")
    assert set(adjustment_sets(g, "X", "Y")) == {frozenset({"A", "B", "C"})}
    plain = parse("dag { A -> X; B -> X; B -> Y; C -> X; C -> Y; X -> Y }")
    assert set(adjustment_sets(plain, "X", "Y")) == {frozenset({"B", "C"})}


def test_adjusted_mediator_means_no_set():
    # DAGitty violatesAdjustmentCriterion: an adjusted node in Dpcp -> no sets
    g = parse("dag { M [adjusted]; Z -> X -> M -> Y; Z -> Y }")
    found = adjustment_sets(g, "X", "Y")
    assert list(found) == [] and "'M'" in found.note


def _gac_valid_nx(g: CausalGraph, x: str, y: str, z: set[str]) -> bool:
    """Generalized adjustment criterion for a DAG, decided with networkx only."""
    return gac_valid(g.to_networkx(), x, y, z)


def test_forced_minimal_sets_match_brute_force_with_networkx():
    rng = random.Random(11)
    for _ in range(60):
        names = [f"v{i}" for i in range(7)]
        edges = [(names[a], names[b]) for a, b in itertools.combinations(range(7), 2)
                 if rng.random() < 0.35]
        g = CausalGraph.from_edges(edges, nodes=names)
        x, y = rng.sample(names, 2)
        forced = {n for n in names if n not in (x, y) and rng.random() < 0.2}
        for n in forced:
            g = g.set_role(n, "adjusted")
        rest = [n for n in names if n not in (x, y) and n not in forced]
        valid = [forced | set(c) for r in range(len(rest) + 1)
                 for c in itertools.combinations(rest, r)
                 if _gac_valid_nx(g, x, y, forced | set(c))]
        minimal = {frozenset(v) for v in valid if not any(w < v for w in valid)}
        assert set(adjustment_sets(g, x, y)) == minimal, (edges, x, y, forced)


def test_every_set_valid_in_a_mag_is_valid_in_its_canonical_dag():
    """Soundness (Perković et al. 2018: a set valid for a MAG is valid in every DAG it stands
    for): the DAG with each <-> replaced by a latent common cause is one of them. Checked with
    networkx only; the MAGs include not-amenable ones (which must list nothing)."""
    listed = 0
    for rng, names, g in _random_mags(5, 6, 0.35, 0.75, 150):
        x, y = rng.sample(names, 2)
        for z in adjustment_sets(g, x, y, "all"):
            listed += 1
            assert gac_valid(canonical_dag(g), x, y, set(z)), (write_dagitty(g), x, y, z)
    assert listed > 50


