"""Hostile graph texts from issue 23: every one is refused with a friendly error, quickly.

Bomb inputs are built here at test time (nothing large is committed). Budgets come from
app.settings; each test would fail on the code before this change (the bomb built 6.25 M
edges, JSON/GML raised TypeError/RecursionError, DOT dropped `edge [dir=both]`, BIF accepted a
table summing to 1.8).
"""
from __future__ import annotations

import json
import time
import tracemalloc

import pytest

from app import io
from app.errors import CausalCanvasError, GraphError, ParseError
from app.graph import CausalGraph
from app.settings import MAX_EDGES, MAX_GRAPH_TEXT, MAX_NODES


def friendly(call) -> CausalCanvasError:
    """Run `call`, expecting one of our errors whose message can be shown (and encoded)."""
    with pytest.raises(CausalCanvasError) as err:
        call()
    message = err.value.user_message()
    assert message.strip()
    message.encode("utf-8")          # a lone surrogate in a message breaks every page after
    return err.value


# ---- expansion budgets -------------------------------------------------------------------

def test_group_product_bomb_is_refused_before_expansion():
    a = " ".join(f"a{i}" for i in range(2500))
    b = " ".join(f"b{i}" for i in range(2500))
    text = f"dag {{ {{{a}}} -> {{{b}}} }}"
    assert len(text) < 30_000
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        err = friendly(lambda: io.parse_graph(text))
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # refused from the group sizes: ~0.1 s and a few MB here (6.25 M edges took 4.5 GB);
    # the time bound is loose because the test machine is shared
    assert peak < 30_000_000 and seconds < 5.0
    assert isinstance(err, ParseError) and err.line == 1 and "6,250,000" in err.message


def test_edges_just_over_the_budget_are_refused_exactly_at_it():
    side = int(MAX_EDGES ** 0.5) + 1
    a = " ".join(f"a{i}" for i in range(side))
    b = " ".join(f"b{i}" for i in range(side))
    friendly(lambda: io.parse_graph(f"dag {{ {{{a}}} -> {{{b}}} }}"))
    ok = " ".join(f"b{i}" for i in range(MAX_EDGES // side))
    assert len(io.parse_graph(f"dag {{ {{{a}}} -> {{{ok}}} }}").edges) <= MAX_EDGES


def test_chained_groups_count_every_hop():
    group = "{" + " ".join(f"n{i}" for i in range(200)) + "}"
    friendly(lambda: io.parse_graph("dag { " + " -> ".join([group] * 3) + " }"))   # 2 × 40,000


def test_too_many_nodes_in_dagitty_dot_json_and_edge_list():
    names = [f"v{i}" for i in range(MAX_NODES + 1)]
    friendly(lambda: io.parse_graph("dag { " + " ".join(names) + " }"))
    friendly(lambda: io.parse_graph("digraph { " + "; ".join(names) + " }"))
    friendly(lambda: io.parse_graph(json.dumps({"nodes": names})))
    friendly(lambda: io.parse_graph("\n".join(f"{n},x" for n in names), "csv"))


def test_nesting_depth_is_bounded_in_dagitty_gml_and_json():
    deep = "dag { x -> " + "{" * 50_000 + "y" + "}" * 50_000 + " }"
    t0 = time.perf_counter()
    friendly(lambda: io.parse_graph(deep))
    gml = "graph [ directed 1 " + "a [ " * 50_000 + "]" * 50_000 + " ]"
    friendly(lambda: io.parse_graph(gml, "gml"))
    friendly(lambda: io.parse_graph('{"nodes": ' + "[" * 50_000 + "]" * 50_000 + "}", "json"))
    assert time.perf_counter() - t0 < 5.0


def test_text_length_budget_applies_to_every_format():
    text = "x" * (MAX_GRAPH_TEXT + 1)
    for fmt in ("dagitty", "json", "dot", "gml", "csv"):
        friendly(lambda fmt=fmt: io.parse_graph(text, fmt))


# ---- JSON with wrong types -------------------------------------------------------------------

@pytest.mark.parametrize("doc", [
    {"nodes": [1, 2]},
    {"nodes": [{"name": ["x"], "roles": ["latent"]}]},
    {"nodes": [{"name": {"a": 1}}]},
    {"nodes": [{"name": "x", "roles": "latent"}]},
    {"nodes": [{"name": "x", "roles": [1]}]},
    {"nodes": ["a"], "edges": 5},
    {"nodes": ["a"], "edges": {"a": "b"}},
    {"nodes": ["a", "b"], "edges": [["a", 2]]},
    {"nodes": ["a"], "bidirected": None},
    {"nodes": [{"name": "a", "pos": [10 ** 400, 1]}]},
    {"nodes": [{"name": "a", "pos": [True, 1]}]},
    {"nodes": [{"name": "a", "pos": "1,2"}]},
    {"nodes": ["a"], "version": True},
    {"nodes": ["a"], "version": "1"},
    {"nodes": ["a"], "kind": ["dag"]},
    {"nodes": ["a", "b"], "kind": "pag", "circle": [["a", "o>", "b"]]},
    {"nodes": {"a": 1}},
])
def test_json_with_non_string_names_or_wrong_typed_fields(doc):
    friendly(lambda: io.parse_graph(json.dumps(doc), "json"))


# ---- GML with odd attributes ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    'graph [ directed 1 node [ id 1 label "a" x "abc" y 1 ] ]',
    'graph [ directed 1 node [ id 1 label "a" roles [ q 1 ] ] ]',
    'graph [ directed 1 node [ id 1 label "a" x 1 ] ]',
    'graph [ directed 1 node [ id 1 label "a" ] node [ id 2 label "b" ] '
    'edge [ source 1 target 2 kind [ a 1 ] ] ]',
    'graph [ directed 1 node [ id 1 label "a" ] edge [ source 1 target 9 ] ]',
    'graph [ directed 1 kind "tree" node [ id 1 label "a" ] ]',
    'graph [ directed 1 node [ id 1 label "a" x 1e999 y 1 ] ]',
])
def test_gml_with_odd_attributes(text):
    friendly(lambda: io.parse_graph(text, "gml"))


# ---- DOT semantics -------------------------------------------------------------------------

def test_dot_default_edge_dir_both_makes_bidirected_edges():
    g = io.parse_graph("digraph { edge [dir=both]; a -> b; b -> c [dir=forward] }")
    assert g.bidirected == {("a", "b")} and g.edges == {("b", "c")}


def test_dot_dir_back_or_none_is_refused_not_guessed():
    for d in ("back", "none"):
        err = friendly(lambda d=d: io.parse_graph(f"digraph {{ a -> b [dir={d}] }}"))
        assert isinstance(err, ParseError) and err.line == 1


@pytest.mark.parametrize("fmt", ["dot", "dagitty", "json", "gml"])
def test_nodes_named_like_keywords_keep_roles_in_a_round_trip(fmt):
    g = (CausalGraph.from_edges([("node", "edge"), ("graph", "edge")], nodes=["subgraph"])
         .set_role("node", "latent").set_role("graph", "exposure").set_role("edge", "outcome")
         .set_role("subgraph", "adjusted"))
    assert io.parse_graph(io.write_graph(g, fmt), fmt) == g


# ---- BIF ---------------------------------------------------------------------------------

BIF = """network unknown {
}
variable A {
  type discrete [ 2 ] { yes, no };
}
probability ( A ) {
  table %s;
}
"""


def test_bif_table_that_does_not_sum_to_one_is_refused():
    err = friendly(lambda: io.parse_graph(BIF % "0.9, 0.9", "bif"))
    assert "sum to 1" in (err.hint or "")
    assert io.parse_graph(BIF % "0.9, 0.1", "bif").nodes == ("A",)


# ---- lone surrogate ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, text", [
    ("dagitty", 'dag { "a\ud800b" -> Y }'),
    ("json", json.dumps({"nodes": ["a\ud800"]})),
    ("dot", 'digraph { "a\ud800" -> Y }'),
    ("csv", "a\ud800,Y"),
])
def test_lone_surrogate_in_a_name_is_refused_in_every_format(fmt, text):
    err = friendly(lambda: io.parse_graph(text, fmt))
    assert "surrogate" in err.message


def test_lone_surrogate_through_the_graph_api():
    err = friendly(lambda: CausalGraph().add_node("x\udfff"))
    assert isinstance(err, GraphError)
    friendly(lambda: CausalGraph.from_edges([("a", "b")]).rename_node("a", "\ud83d"))


@pytest.mark.parametrize("fmt, text", [
    ("json", '{"nodes": ["\\ud800x"]}'),                       # an escape, invisible to a text scan
    ("json", '{"nodes": ["a\\udc00", "a\\udc00"]}'),
    ("json", '{"nodes": [{"name": "a", "roles": ["\\ud800"]}]}'),
    ("json", '{"nodes": ["a"], "edges": [["a", "\\ud800"]]}'),
    ("gml", 'graph [ directed 1 node [ id 1 label "a&#55296;" ] ]'),
    ("gml", 'graph [ directed 1 node [ id 1 label "a" roles "&#55296;" ] ]'),
    ("gml", 'graph [ directed 1 kind "&#55296;" node [ id 1 label "a" ] ]'),
])
def test_surrogates_hidden_in_escapes_never_reach_a_message(fmt, text):
    friendly(lambda: io.parse_graph(text, fmt))


def test_surrogate_names_in_queries_and_edits_give_showable_messages():
    from app.analysis import d_separated
    g = CausalGraph.from_edges([("a", "b")])
    friendly(lambda: d_separated(g, "\ud800", "b"))
    friendly(lambda: g.remove_edge("\ud800", "b"))
    friendly(lambda: g.set_role("a", "\udc00"))
    friendly(lambda: CausalGraph(nodes=("a",), roles={"\ud800": {"latent"}}))
