"""Must-include / must-exclude sets, the canonical adjustment set and direct-effect sets.

References:
- DAGitty's own tests (jtextor/dagitty, test/test/adjustment-dags.js): the M-bias graph with
  `m` required gives {a, m} and {b, m}; "Thoemmes, 2013" (gui/js/example-dags.js) has no
  total-effect set with s2 adjusted, {} without, and direct-effect sets {e2, s2}, {s1, s2};
  "Small model with mediator" has the direct-effect set {I}.
- DAGitty's definitions (jslib/graph/GraphAnalyzer.js): listMsasTotalEffect(g, M, F) treats M as
  adjusted and F as unobserved; canonicalAdjustmentSet is An(X ∪ Y) minus latent, X, Y and the
  forbidden set, returned only when valid; listMsasDirectEffect is the single-door criterion
  (Pearl 2009, Thm 5.3.1): no descendant of Y, and separation once X -> Y is removed.
- Brute force over every subset on random graphs, each decided with networkx only
  (nx.is_d_separator on the proper back-door graph / the graph without X -> Y).
"""
from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from app import parse_graph
from app.analysis import adjustment_sets, canonical_adjustment_set, check_adjustment_set
from app.errors import QueryError
from app.graph import CausalGraph
from tests.reference.test_analysis_cpdag import members_and_cpdag, random_dag
from tests.support.nx_reference import gac_valid

M_BIAS = "dag { x [exposure] y [outcome] a -> x; a -> m; b -> m; b -> y }"
THOEMMES = """dag { e0 [latent] e1 [latent] e3 [latent] e4 [latent] s2 [adjusted]
x [exposure] y [outcome] e0 -> x; e1 -> s1; e2 -> s2; e2 -> y; e3 -> s3; e4 -> y;
s1 -> s2; s1 -> z; s2 -> s3; s2 -> z2; s3 -> y; x -> y; x -> s1; y -> z3 }"""
MEDIATOR = "dag { Z -> X; Z -> I; X -> I; X -> Y; I -> Y }"


def sets(*items: str) -> set[frozenset[str]]:
    return {frozenset(s.split()) for s in items}


def test_dagitty_m_bias_with_m_required():
    found = adjustment_sets(parse_graph(M_BIAS), "x", "y", must_include=["m"])
    assert set(found) == sets("a m", "b m") and "{m}" in found.note


def test_dagitty_thoemmes_total_and_direct():
    g = parse_graph(THOEMMES)
    total = adjustment_sets(g, "x", "y")
    assert list(total) == [] and "'s2' is marked adjusted" in total.note
    assert set(adjustment_sets(g.set_role("s2", "adjusted", False), "x", "y")) == sets("")
    assert set(adjustment_sets(g, "x", "y", effect="direct")) == sets("e2 s2", "s1 s2")


def test_dagitty_mediator_direct_effect():
    assert set(adjustment_sets(parse_graph(MEDIATOR), "X", "Y", effect="direct")) == sets("I")


def test_requirements_that_leave_no_set_say_so():
    g = parse_graph("dag { Z -> X; Z -> Y; X -> Y; W -> X }")
    found = adjustment_sets(g, "X", "Y", must_exclude=["Z"])
    assert list(found) == [] and "leaves out {Z}" in found.note and "{Z}" in found.note
    med = parse_graph("dag { X -> M -> Y; Z -> X; Z -> Y }")
    found = adjustment_sets(med, "X", "Y", must_include=["M"])
    assert list(found) == [] and "'M' is in the must-include set" in found.note


def test_bad_requirements_raise():
    g = parse_graph("dag { U [latent] A [adjusted] U -> X; Z -> X; Z -> Y; X -> Y; A -> Y }")
    for kw, text in (({"must_include": ["Z"], "must_exclude": ["Z"]}, "both"),
                     ({"must_include": ["X"]}, "exposure"), ({"must_exclude": ["Y"]}, "outcome"),
                     ({"must_include": ["U"]}, "latent"), ({"must_exclude": ["A"]}, "adjusted"),
                     ({"must_include": ["Nope"]}, "no node")):
        with pytest.raises(QueryError, match=text):
            adjustment_sets(g, "X", "Y", **kw)


def test_direct_effect_refusals():
    with pytest.raises(QueryError, match="no edge X -> Y"):
        adjustment_sets(parse_graph("dag { X -> M -> Y }"), "X", "Y", effect="direct")
    with pytest.raises(QueryError, match="PDAG"):
        adjustment_sets(parse_graph("pdag { X -> Y; Z -- X }"), "X", "Y", effect="direct")
    with pytest.raises(QueryError, match="one exposure"):
        adjustment_sets(parse_graph("dag { X -> Y; W -> Y }"), ["X", "W"], "Y", effect="direct")


def test_canonical_set_examples():
    c = canonical_adjustment_set(parse_graph(MEDIATOR), "X", "Y")
    assert c.set == {"Z"} and "{Z}" in c.message
    c = canonical_adjustment_set(parse_graph("dag { X <-> Y; X -> Y }"), "X", "Y")
    assert c.set is None and "no adjustment set exists" in c.message
    c = canonical_adjustment_set(parse_graph("pdag { X -- Y }"), "X", "Y")
    assert c.set is None and "not amenable" in c.message


# ---- brute force on random DAGs with latent nodes -------------------------------------------

def _random_latent_dag(rng: random.Random) -> tuple[CausalGraph, nx.DiGraph, str, str] | None:
    d = random_dag(rng, rng.randint(4, 7), rng.choice([0.3, 0.45]))
    latent = set(rng.sample(sorted(d.nodes), rng.randint(0, 2)))
    obs = [n for n in sorted(d.nodes) if n not in latent]
    if len(obs) < 2:
        return None
    x, y = rng.sample(obs, 2)
    g = CausalGraph.from_edges(sorted(d.edges), nodes=sorted(d.nodes),
                               roles={v: {"latent"} for v in latent})
    return g, d, x, y


def _subsets(nodes):
    return [set(c) for r in range(len(nodes) + 1) for c in itertools.combinations(nodes, r)]


def _minimal(family):
    return {frozenset(v) for v in family if not any(w < v for w in family)}


def test_must_include_and_exclude_match_brute_force():
    rng = random.Random(7)
    checked = nonempty = 0
    while checked < 150:
        case = _random_latent_dag(rng)
        if case is None:
            continue
        g, d, x, y = case
        rest = [n for n in g.nodes if n not in g.latents and n not in (x, y)]
        inc = set(rng.sample(rest, min(len(rest), rng.randint(0, 1))))
        exc = set(rng.sample([n for n in rest if n not in inc],
                             min(len(rest) - len(inc), rng.randint(0, 2))))
        family = [z for z in _subsets(rest) if inc <= z and not z & exc and gac_valid(d, x, y, z)]
        kw = {"must_include": sorted(inc), "must_exclude": sorted(exc)}
        assert set(adjustment_sets(g, x, y, **kw)) == _minimal(family), (g, x, y, kw)
        assert set(adjustment_sets(g, x, y, "all", **kw)) == {frozenset(z) for z in family}
        checked += 1
        nonempty += bool(family) and bool(inc or exc)
    assert nonempty > 40


def _direct_valid(d: nx.DiGraph, x: str, y: str, z: set[str]) -> bool:
    if z & (nx.descendants(d, y) | {y}):
        return False
    cut = d.copy()
    cut.remove_edge(x, y)
    return nx.is_d_separator(cut, {x}, {y}, z)


def _direct_case(rng: random.Random):
    """A random DAG with latents and a pair joined by an edge, oriented x -> y (None if the
    drawn pair is not adjacent): the question of a direct effect."""
    case = _random_latent_dag(rng)
    if case is None:
        return None
    g, d, x, y = case
    if d.has_edge(x, y):
        return g, d, x, y
    return (g, d, y, x) if d.has_edge(y, x) else None


def test_direct_effect_sets_match_brute_force():
    rng = random.Random(11)
    checked = found = 0
    while checked < 150:
        case = _direct_case(rng)
        if case is None:
            continue
        g, d, x, y = case
        rest = [n for n in g.nodes if n not in g.latents and n not in (x, y)]
        below_y = nx.descendants(d, y)
        inc = set(rng.sample([n for n in rest if n not in below_y], 1)) \
            if checked % 3 == 1 and set(rest) - below_y else set()
        exc = set(rng.sample([n for n in rest if n not in inc], 1)) \
            if checked % 3 == 2 and rest else set()
        family = [z for z in _subsets(rest)
                  if inc <= z and not z & exc and _direct_valid(d, x, y, z)]
        kw = {"effect": "direct", "must_include": sorted(inc), "must_exclude": sorted(exc)}
        assert set(adjustment_sets(g, x, y, **kw)) == _minimal(family), (g, x, y, kw)
        assert set(adjustment_sets(g, x, y, "all", **kw)) == {frozenset(z) for z in family}
        checked += 1
        found += bool(family)
    assert 30 < found < checked


def test_canonical_set_validity_matches_brute_force_on_500_dags_and_cpdags():
    rng = random.Random(500)
    dags = cpdags = exists = 0
    while dags + cpdags < 1000:
        if dags < 500:
            case = _random_latent_dag(rng)
            if case is None:
                continue
            g, d, x, y = case
            members = [d]
            dags += 1
        else:
            d = random_dag(rng, rng.randint(4, 6), 0.45)
            if d.number_of_edges() > 9:
                continue
            members, text = members_and_cpdag(d)
            g = parse_graph(text)
            x, y = rng.sample(sorted(d.nodes), 2)
            cpdags += 1
        rest = [n for n in g.nodes if n not in g.latents and n not in (x, y)]
        any_valid = any(all(gac_valid(m, x, y, z) for m in members) for z in _subsets(rest))
        c = canonical_adjustment_set(g, x, y)
        assert (c.set is not None) == any_valid, (g, x, y)
        if c.set is not None:
            assert all(gac_valid(m, x, y, set(c.set)) for m in members)
            assert check_adjustment_set(g, x, y, c.set).valid
        else:
            assert c.reason
        exists += any_valid
    assert 300 < exists < 950


def test_direct_effect_check_matches_brute_force_on_every_subset():
    """check_adjustment_set(effect="direct") decides every subset of measured nodes as the
    single-door criterion (Pearl 2009, Thm 5.3.1) decided with networkx does. DAGitty's
    isAdjustmentSetDirectEffect tests only the separation; Pearl's criterion (and DAGitty's
    listMsasDirectEffect, which drops Y's descendants) also refuses Y's descendants."""
    rng = random.Random(53)
    checked = valid = 0
    while checked < 80:
        case = _direct_case(rng)
        if case is None:
            continue
        g, d, x, y = case
        rest = [n for n in g.nodes if n not in g.latents and n not in (x, y)]
        for z in _subsets(rest):
            verdict = check_adjustment_set(g, x, y, sorted(z), effect="direct")
            assert verdict.valid == _direct_valid(d, x, y, z), (g, x, y, z, verdict.reasons)
            assert verdict.valid or verdict.reasons
            valid += verdict.valid
        checked += 1
    assert valid > 50


def test_direct_effect_check_on_dagittys_mediator_example():
    """DAGitty's "Small model with mediator": {I} is the direct-effect set; {} leaves X -> I -> Y
    open; a descendant of Y is refused by name."""
    g = parse_graph(MEDIATOR.replace("I -> Y }", "I -> Y; Y -> D }"))
    ok = check_adjustment_set(g, "X", "Y", ["I"], effect="direct")
    assert ok.valid and "single-door" in ok.message
    empty = check_adjustment_set(g, "X", "Y", [], effect="direct")
    assert not empty.valid and any("X → I → Y" in r for r in empty.reasons)
    below = check_adjustment_set(g, "X", "Y", ["I", "D"], effect="direct")
    assert not below.valid and any("'D' is a descendant of the outcome (Y → D)" in r
                                   for r in below.reasons)
    # the same set is valid for the total effect only without the mediator
    assert not check_adjustment_set(g, "X", "Y", ["I"]).valid
    with pytest.raises(QueryError, match="no edge"):
        check_adjustment_set(parse_graph("dag { X -> M -> Y }"), "X", "Y", [], effect="direct")
    with pytest.raises(QueryError, match="Unknown effect"):
        check_adjustment_set(g, "X", "Y", [], effect="indirect")
