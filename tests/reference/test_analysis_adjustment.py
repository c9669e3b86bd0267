"""Adjustment sets, front-door sets and instruments against textbook answers and pgmpy.

Sources are cited beside each graph. pgmpy 1.1.2's CausalInference (powerset search over the
back-door / front-door / conditional-IV definitions) is an independent implementation used on
random DAGs with latent nodes.
"""
from __future__ import annotations

import random
import warnings

import pytest

from app import parse_graph
from app.analysis import (
    adjustment_sets,
    check_adjustment_set,
    frontdoor_sets,
    instruments,
)
from app.graph import CausalGraph
from app.io.dagitty import write_dagitty


def sets(*items: str) -> set[frozenset[str]]:
    """sets("A Z", "B Z") -> {{A, Z}, {B, Z}}; "" is the empty set."""
    return {frozenset(s.split()) for s in items}


def as_set(listing) -> set[frozenset[str]]:
    return set(listing)


# ---- textbook graphs --------------------------------------------------------------------

def test_confounding_triangle_needs_the_confounder():
    # Pearl, Glymour & Jewell (2016) "Primer" §3.2: Z -> X, Z -> Y, X -> Y; adjust for Z.
    g = parse_graph("dag { Z -> X; Z -> Y; X -> Y }")
    assert as_set(adjustment_sets(g, "X", "Y")) == sets("Z")
    assert as_set(adjustment_sets(g, "X", "Y", "all")) == sets("Z")
    assert not check_adjustment_set(g, "X", "Y", []).valid
    assert check_adjustment_set(g, "X", "Y", ["Z"]).valid


def test_m_bias_empty_set_is_valid_and_m_is_not():
    # Greenland, Pearl & Robins (1999); Ding & Miratrix (2015): M is a collider of U1 and U2.
    g = parse_graph("dag { U1 -> X; U1 -> M; U2 -> M; U2 -> Y; X -> Y }")
    assert as_set(adjustment_sets(g, "X", "Y")) == sets("")
    check = check_adjustment_set(g, "X", "Y", ["M"])
    assert not check.valid
    assert any("X ← U1 → M ← U2 → Y" in r and "collider" in r for r in check.reasons)
    # every valid set: any of U1, U2 with or without M, as long as M is not alone
    assert as_set(adjustment_sets(g, "X", "Y", "all")) == sets(
        "", "U1", "U2", "U1 U2", "U1 M", "U2 M", "U1 U2 M")


def test_m_bias_with_latent_parents_has_only_the_empty_set():
    g = parse_graph("dag { U1 [latent]; U2 [latent]; U1 -> X; U1 -> M; U2 -> M; U2 -> Y; X -> Y }")
    assert as_set(adjustment_sets(g, "X", "Y", "all")) == sets("")


def test_butterfly_bias_needs_m_and_one_of_its_parents():
    # Ding & Miratrix (2015) "To adjust or not to adjust?", butterfly graph: M confounds and
    # is a collider; minimal sets {M, U1} and {M, U2}; {M} alone and {} are biased.
    g = parse_graph("dag { U1 -> X; U1 -> M; U2 -> M; U2 -> Y; M -> X; M -> Y; X -> Y }")
    assert as_set(adjustment_sets(g, "X", "Y")) == sets("M U1", "M U2")
    assert not check_adjustment_set(g, "X", "Y", ["M"]).valid
    assert not check_adjustment_set(g, "X", "Y", []).valid
    latent = g.set_role("U1", "latent").set_role("U2", "latent")
    assert adjustment_sets(latent, "X", "Y") == []


def test_front_door_graph_has_no_adjustment_set_but_the_front_door_m():
    # Pearl (1995, 2009 §3.3.2): X -> M -> Y with X <-> Y.
    for text in ("dag { X -> M -> Y; X <-> Y }",
                 "dag { U [latent]; U -> X; U -> Y; X -> M -> Y }"):
        g = parse_graph(text)
        assert adjustment_sets(g, "X", "Y") == []
        assert adjustment_sets(g, "X", "Y", "all") == []
        assert as_set(frontdoor_sets(g, "X", "Y")) == sets("M")
        reasons = check_adjustment_set(g, "X", "Y", ["M"]).reasons
        assert any("mediator" in r for r in reasons)


def test_front_door_fails_when_the_mediator_is_confounded_with_the_outcome():
    # Pearl (2009) condition (iii): M <-> Y opens a back-door path from M to Y.
    g = parse_graph("dag { X -> M -> Y; X <-> Y; M <-> Y }")
    assert frontdoor_sets(g, "X", "Y") == []


PRIMER_FIG_3_8 = parse_graph("""dag { A -> X; B -> A; B -> Z; C -> D; C -> Z; D -> Y;
                                     W -> Y; X -> W; Z -> X; Z -> Y }""")


def test_primer_figure_3_8_minimal_sets_for_x_on_y():
    # Primer study question 3.3.1(b), answer checked with dagitty 0.3-2 (Behrman's solutions).
    assert as_set(adjustment_sets(PRIMER_FIG_3_8, "X", "Y")) == sets("A Z", "B Z", "C Z", "D Z")


def test_primer_figure_3_8_all_fifteen_sets_for_x_on_y():
    # Study question 3.3.1(a): Z together with any non-empty subset of {A, B, C, D}.
    expected = sets(*[" ".join(["Z", *c]) for k in range(1, 5)
                      for c in __import__("itertools").combinations("ABCD", k)])
    assert len(expected) == 15
    assert as_set(adjustment_sets(PRIMER_FIG_3_8, "X", "Y", "all")) == expected


def test_primer_figure_3_8_effects_of_d_and_of_w_and_d():
    # Study question 3.3.1(c), dagitty's answers.
    assert as_set(adjustment_sets(PRIMER_FIG_3_8, "D", "Y")) == sets(
        "C", "A Z", "B Z", "X Z", "W Z")
    assert as_set(adjustment_sets(PRIMER_FIG_3_8, ["D", "W"], "Y")) == sets("Z", "C X")


def test_adjusting_for_a_mediator_descendant_is_named_in_the_reasons():
    g = parse_graph("dag { Z -> X; Z -> Y; X -> M -> Y; M -> D }")
    check = check_adjustment_set(g, "X", "Y", ["Z", "D"])
    assert not check.valid
    assert any("'D' is a descendant of the exposure (X → M → D)" in r for r in check.reasons)
    assert check_adjustment_set(g, "X", "Y", ["Z"]).valid


def test_latent_node_in_the_set_is_refused():
    g = parse_graph("dag { U [latent]; U -> X; U -> Y; X -> Y }")
    check = check_adjustment_set(g, "X", "Y", ["U"])
    assert not check.valid and any("latent" in r for r in check.reasons)


def test_instrument_graph_lists_z_unconditionally():
    # Angrist, Imbens & Rubin (1996); DAGitty test suite "z -> x -> y, u -> x, u -> y" -> "z".
    g = parse_graph("dag { u [latent]; z -> x -> y; u -> x; u -> y }")
    assert [str(i) for i in instruments(g, "x", "y")] == ["z"]
    assert adjustment_sets(g, "x", "y") == []


def test_conditional_instrument_needs_w():
    # DAGitty test suite (instrumental-variables.js): w -> z -> x -> y, w -> u -> x, u -> y
    # with u latent gives "z | w".
    g = parse_graph("dag { u [latent]; w -> z -> x -> y; w -> u -> x; u -> y }")
    ivs = instruments(g, "x", "y")
    assert [(i.node, set(i.given)) for i in ivs] == [("z", {"w"})]


# ---- pgmpy on random DAGs with latent nodes ---------------------------------------------

def _random_dag(rng: random.Random, n: int, p: float, n_latent: int) -> CausalGraph:
    names = [f"V{i}" for i in range(n)]
    edges = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n) if rng.random() < p]
    latent = rng.sample(names, n_latent)
    return CausalGraph.from_edges(edges, nodes=names, roles={v: {"latent"} for v in latent})


def _pgmpy(g: CausalGraph):
    from pgmpy.base import DAG
    from pgmpy.inference import CausalInference
    dag = DAG()
    dag.add_nodes_from(g.nodes)
    dag.add_edges_from(sorted(g.edges))
    dag.latents = set(g.latents)
    return CausalInference(dag)


def _cases(seed: int, count: int):
    rng = random.Random(seed)
    made = 0
    while made < count:
        g = _random_dag(rng, rng.randint(4, 8), rng.choice([0.3, 0.45]), rng.randint(0, 2))
        obs = [n for n in g.nodes if n not in g.latents]
        if len(obs) < 2:
            continue
        x, y = rng.sample(obs, 2)
        if g.nodes.index(x) > g.nodes.index(y):
            x, y = y, x
        if y not in g.descendants(x):
            continue
        made += 1
        yield g, x, y


def test_minimal_adjustment_sets_match_pgmpy_on_random_dags_with_latents():
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g, x, y in _cases(seed=11, count=80):
            ci = _pgmpy(g)
            try:
                theirs = ci.get_all_backdoor_adjustment_sets(x, y)
                theirs = {frozenset()} if theirs == frozenset() else set(theirs)
            except ValueError:          # pgmpy: "No valid adjustment set found"
                theirs = set()
            assert as_set(adjustment_sets(g, x, y)) == theirs, write_dagitty(g)
            checked += 1
    assert checked == 80


def test_set_checks_match_pgmpy_backdoor_test_on_random_sets():
    # For sets without descendants of X the back-door criterion is complete (Shpitser,
    # VanderWeele & Robins 2010), so pgmpy's back-door test must agree with our criterion.
    rng = random.Random(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g, x, y in _cases(seed=12, count=60):
            ci = _pgmpy(g)
            pool = [n for n in g.nodes if n not in g.latents and n not in (x, y)
                    and n not in g.descendants(x)]
            for _ in range(4):
                z = [n for n in pool if rng.random() < 0.5]
                assert check_adjustment_set(g, x, y, z).valid == \
                    ci.is_valid_backdoor_adjustment_set(x, y, z), (write_dagitty(g), z)


def test_frontdoor_sets_match_minimal_pgmpy_frontdoor_sets():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g, x, y in _cases(seed=13, count=60):
            theirs = set(_pgmpy(g).get_all_frontdoor_adjustment_sets(x, y))
            minimal = {s for s in theirs if not any(t < s for t in theirs)}
            assert as_set(frontdoor_sets(g, x, y)) == minimal, write_dagitty(g)


@pytest.mark.parametrize("seed", [21, 22])
def test_conditional_instruments_match_pgmpy(seed):
    # pgmpy's get_conditional_ivs (Brito & Pearl 2002 via van der Zander et al. 2015) lists
    # (instrument, conditioning set) for the direct effect along the edge X -> Y; ours (as
    # DAGitty) is for the total effect, so compare where the edge is the only causal path.
    compared = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g, x, y in _cases(seed=seed, count=60):
            if (x, y) not in g.edges or any(c != y and y in g.descendants(c)
                                            for c in g.children(x)):
                continue
            compared += 1
            ours = {i.node for i in instruments(g, x, y)}
            theirs = {z for z, _ in _pgmpy(g).get_conditional_ivs(x, y)}
            theirs |= set(_pgmpy(g).get_ivs(x, y))
            assert ours == theirs, write_dagitty(g)
    assert compared >= 10
