"""The report's stated rules: method choice, default knowledge, typed knowledge, merging your
graph with discovery, the efficient adjustment set, the added effect edge, IDA orientations."""
from __future__ import annotations

import pytest

from app.discovery import DiscoveryResult, EdgeConfidence, Knowledge, LearnedEdge
from app.errors import DiscoveryError
from app.graph import CausalGraph
from app.report.result import ReportSettings
from app.report.rules import (
    choose_method,
    efficient_adjustment_set,
    ensure_effect_edge,
    knowledge_from_text,
    learned_graph,
    merge_graphs,
    parent_choices,
    report_knowledge,
)


def _settings(**kw) -> ReportSettings:
    return ReportSettings(**{"treatment": "T", "outcome": "Y", **kw})


def _result(edges, nodes, confidence=None, boot=10) -> DiscoveryResult:
    conf = {}
    for (a, b), share in (confidence or {}).items():
        pair = (a, b) if a <= b else (b, a)
        conf[pair] = EdgeConfidence(pair, share, {}, boot)
    return DiscoveryResult(nodes=tuple(nodes), edges=tuple(edges), graph_type="CPDAG",
                           method="ges", method_name="GES", reason="test",
                           bootstrap=boot if confidence is not None else 0, confidence=conf)


def test_method_rules_first_applicable_rule_decides():
    g_latent = CausalGraph.from_edges([("T", "Y")], bidirected=[("T", "Y")])
    assert choose_method(_settings(method="pc"), g_latent, 100)[0] == "pc"      # your choice
    assert choose_method(_settings(domain_column="site"), g_latent, 100)[0] == "cdnod"
    method, suspected, rules = choose_method(_settings(), g_latent, 100)
    assert (method, suspected) == ("fci", True)                                  # ↔ in graph
    assert choose_method(_settings(latent=False), g_latent, 100)[:2] == ("auto", False)
    method, _, rules = choose_method(_settings(), None, 50_000)
    assert method == "auto"
    assert [r.name for r in rules if r.applied] == ["Variable types and sample size",
                                                    "Large tables"]


def test_outcome_last_forbids_every_arrow_out_of_the_outcome_but_not_required_ones():
    k, lines = report_knowledge(Knowledge(required=frozenset({("Y", "B")})), ["T", "Y", "A", "B"],
                                _settings())
    assert k.is_forbidden("Y", "T") and k.is_forbidden("Y", "A")
    assert not k.is_forbidden("Y", "B") and k.is_required("Y", "B")
    assert any("Except for your required edges Y → B" in line for line in lines)
    k, _ = report_knowledge(None, ["T", "Y"], _settings(outcome_last=False))
    assert k.is_empty


def test_the_report_keeps_the_tiers_flags():
    # Tetrad's tier flags (app.discovery.knowledge): "forbidden within tier" bans edges between
    # members of a tier, "can only cause the next tier" bans edges that skip a tier
    user = Knowledge(tiers=(("A", "B"), ("T",), ("Y",)), forbidden_within=frozenset({0}),
                     next_tier_only=frozenset({0}))
    k, _ = report_knowledge(user, ["A", "B", "T", "Y"], _settings())
    assert k.forbidden_within == {0} and k.next_tier_only == {0}
    assert k.is_forbidden("A", "B") and k.is_forbidden("B", "A")      # within tier 1
    assert k.is_forbidden("A", "Y") and not k.is_forbidden("A", "T")  # tier 1 → tier 2 only
    assert k.is_forbidden("Y", "T")                                   # the outcome is last
    assert k.tiers == user.tiers


def test_knowledge_typed_one_statement_per_line():
    k = knowledge_from_text("a -> b\n# a comment\nc -/-> d\n\ntier: a, c\ntier: b")
    assert k.required == {("a", "b")} and k.forbidden == {("c", "d")}
    assert k.tiers == (("a", "c"), ("b",))
    with pytest.raises(DiscoveryError, match="Line 2"):
        knowledge_from_text("a -> b\na causes b")
    with pytest.raises(DiscoveryError, match="both sides"):
        knowledge_from_text(" -> b")


def test_merge_keeps_your_graph_adds_strong_edges_and_lists_conflicts():
    user = CausalGraph.from_edges([("A", "T"), ("T", "Y"), ("B", "Y")], nodes=["A", "B", "C", "T", "Y"])
    disc = _result(
        [LearnedEdge.directed("T", "A"),            # reversed against your A → T
         LearnedEdge.directed("T", "Y"),            # agrees
         LearnedEdge.undirected("A", "C"),          # strong, undecided: added A → C (order)
         LearnedEdge.directed("C", "Y"),            # weak: listed, not added
         LearnedEdge.directed("Y", "B")],           # reversed against B → Y
        ["A", "B", "C", "T", "Y"],
        {("T", "A"): 0.9, ("T", "Y"): 1.0, ("A", "C"): 0.95, ("C", "Y"): 0.6, ("B", "Y"): 0.7})
    graph, rules, conflicts, added = merge_graphs(user, disc, Knowledge(), _settings())
    assert set(user.edges) <= set(graph.edges)                   # your edges all kept
    assert added == ["A → C"] and ("A", "C") in graph.edges
    kinds = {(c.kind, c.edge) for c in conflicts}
    assert kinds == {("reversed", "A → T"), ("reversed", "B → Y"), ("extra", "C --> Y")}
    assert next(r for r in rules if r.name == "Add strongly supported edges").applied
    # the same strong edge is refused when knowledge forbids it, and never added when switched off
    k = Knowledge(forbidden=frozenset({("A", "C"), ("C", "A")}))
    graph, _, conflicts, added = merge_graphs(user, disc, k, _settings())
    assert not added and ("not_added", "A → C") in {(c.kind, c.edge) for c in conflicts}
    graph, _, _, added = merge_graphs(user, disc, Knowledge(), _settings(add_learned=False))
    assert not added and graph == user


def test_merge_reports_your_edge_never_found_with_zero_share():
    user = CausalGraph.from_edges([("T", "Y")])
    disc = _result([], ["T", "Y"], {})
    _, _, conflicts, _ = merge_graphs(user, disc, Knowledge(), _settings())
    assert [(c.kind, c.confidence) for c in conflicts] == [("not_found", 0.0)]


def test_efficient_adjustment_set_matches_the_definition_worked_by_hand():
    # X → M → Y, X → Y, Z1 → X, Z1 → Y, Z2 → Y, W → M, Z2 → Z3 (Z3 irrelevant).
    # cn = {M, Y}; pa(cn) = {X, W, Z1, Z2, M}; forb = {X, M, Y}; O = {W, Z1, Z2}
    # (Henckel, Perković & Maathuis 2022, Definition 3.2)
    g = CausalGraph.from_edges([("X", "M"), ("M", "Y"), ("X", "Y"), ("Z1", "X"), ("Z1", "Y"),
                                ("Z2", "Y"), ("W", "M"), ("Z2", "Z3")])
    assert set(efficient_adjustment_set(g, "X", "Y", g.nodes)) == {"W", "Z1", "Z2"}
    # an unmeasured member makes it unusable
    assert efficient_adjustment_set(g, "X", "Y", ["X", "Y", "M", "Z1", "Z2"]) is None


def test_effect_edge_added_only_when_no_causal_path():
    g = CausalGraph.from_edges([("Z", "T"), ("Z", "Y")])
    g2, rule = ensure_effect_edge(g, "T", "Y")
    assert rule.applied and ("T", "Y") in g2.edges
    g3, rule = ensure_effect_edge(g2, "T", "Y")
    assert not rule.applied and g3 == g2
    g4, rule = ensure_effect_edge(CausalGraph.from_edges([("Y", "T")]), "T", "Y")
    assert not rule.applied and "causes" in rule.outcome


def test_ida_orientations_add_no_collider_at_the_treatment():
    # T – A, T – B undecided with A, B not adjacent: {A, B} as parents would make a collider
    disc = _result([LearnedEdge.undirected("T", "A"), LearnedEdge.undirected("T", "B"),
                    LearnedEdge.directed("T", "Y")], ["A", "B", "T", "Y"])
    sibs, choices = parent_choices(disc, _settings())
    assert sibs == ("A", "B") and choices == [(), ("A",), ("B",)]
    disc2 = _result([*disc.edges, LearnedEdge.undirected("A", "B")], ["A", "B", "T", "Y"])
    assert parent_choices(disc2, _settings())[1] == [(), ("A",), ("B",), ("A", "B")]
    g, _, _ = learned_graph(disc, _settings(), ("A",))
    assert ("A", "T") in g.edges and ("T", "B") in g.edges


def test_an_orientation_that_closes_a_cycle_is_not_a_choice():
    # the kept edges T → C → A with T – A undecided: A → T would close T → C → A → T, so only
    # T → A extends to a DAG (Maathuis, Kalisch & Bühlmann 2009: IDA's orientations are those of
    # member DAGs; app.estimation.ida.sibling_orientations), though {A} alone adds no collider
    disc = _result([LearnedEdge.undirected("T", "A"), LearnedEdge.directed("T", "C"),
                    LearnedEdge.directed("C", "A"), LearnedEdge.directed("T", "Y")],
                   ["A", "C", "T", "Y"])
    assert parent_choices(disc, _settings()) == (("A",), [()])


def test_learned_graph_keeps_only_edges_stable_in_the_bootstrap():
    disc = _result([LearnedEdge.directed("A", "T"), LearnedEdge.directed("T", "Y"),
                    LearnedEdge.directed("B", "Y")], ["A", "B", "T", "Y"],
                   {("A", "T"): 0.9, ("T", "Y"): 0.5, ("B", "Y"): 0.4})
    g, rules, _ = learned_graph(disc, _settings())
    assert set(g.edges) == {("A", "T"), ("T", "Y")}
    assert "(B --> Y)" in rules[0].outcome
