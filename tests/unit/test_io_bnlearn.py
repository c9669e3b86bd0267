"""Reading bnlearn modelstrings.

References: bnlearn's documentation of `model2network()` / `modelstring()` (the ASIA network of
Lauritzen & Spiegelhalter 1988 as bnlearn prints it) and a round trip through our writer.
"""
from __future__ import annotations

import random

import pytest

from app import CausalGraph, parse_graph, write_graph
from app.errors import ParseError
from app.io import detect_format
from tests.reference.test_analysis_cpdag import random_dag

ASIA = ("[asia][smoke][tub|asia][lung|smoke][bronc|smoke][either|tub:lung][xray|either]"
        "[dysp|bronc:either]")


def test_asia_modelstring():
    assert detect_format(ASIA) == "bnlearn"
    g = parse_graph(ASIA)
    assert g.nodes == ("asia", "smoke", "tub", "lung", "bronc", "either", "xray", "dysp")
    assert g.edges == {("asia", "tub"), ("smoke", "lung"), ("smoke", "bronc"),
                       ("tub", "either"), ("lung", "either"), ("either", "xray"),
                       ("bronc", "dysp"), ("either", "dysp")}


@pytest.mark.parametrize("seed", range(30))
def test_round_trip_through_the_bnlearn_writer(seed):
    rng = random.Random(seed)
    d = random_dag(rng, rng.randint(1, 8), 0.4)
    g = CausalGraph.from_edges(sorted(d.edges), nodes=sorted(d.nodes))
    text = write_graph(g, "bnlearn")
    assert detect_format(text) == "bnlearn"
    assert parse_graph(text).same_structure(g)


@pytest.mark.parametrize("text, words", [
    ("[A][B|A]\n[C|A:]", "empty parent"),
    ("[A][B|Z]", "not declared"),
    ("[A][A|B][B]", "declared twice"),
    ("[A][B|A] junk", "Expected"),
    ("  ", "empty"),
])
def test_bad_modelstrings_get_a_parse_error(text, words):
    with pytest.raises(ParseError, match=words):
        parse_graph(text, "bnlearn")


def test_a_json_list_is_not_taken_for_a_modelstring():
    assert detect_format('["a", "b"]') != "bnlearn"
