"""Reading lavaan model syntax (DAGitty's lavaanToGraph).

References: the lavaan tutorial's models (https://lavaan.ugent.be/tutorial/cfa.html, sem.html:
Holzinger & Swineford's three-factor CFA and Bollen's political democracy SEM), read as DAGitty's
lavaanToGraph reads a parameter table (r/R/conversions.R: `=~` latent -> indicator, `~` rhs ->
lhs, `~~` between different variables <->); and a round trip through our lavaan writer.
"""
from __future__ import annotations

import random

import pytest

from app import CausalGraph, parse_graph, write_graph
from app.errors import ParseError
from app.io import detect_format
from tests.reference.test_analysis_cpdag import random_dag

HOLZINGER = """
# three-factor model (lavaan tutorial, CFA)
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
"""

DEMOCRACY = """
  # measurement model
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + a*y2 + b*y3 + c*y4
    dem65 =~ y5 + a*y6 + b*y7 + c*y8
  # regressions
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
  # residual correlations
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8
"""


def test_holzinger_swineford_cfa():
    g = parse_graph(HOLZINGER)
    assert detect_format(HOLZINGER) == "lavaan"
    assert g.latents == {"visual", "textual", "speed"}
    assert g.edges == {(f, f"x{i}") for f, idx in (("visual", (1, 2, 3)),
                                                   ("textual", (4, 5, 6)),
                                                   ("speed", (7, 8, 9))) for i in idx}


def test_political_democracy_sem_with_labels_and_residual_covariances():
    g = parse_graph(DEMOCRACY)
    assert g.latents == {"ind60", "dem60", "dem65"}
    assert {("ind60", "dem60"), ("ind60", "dem65"), ("dem60", "dem65"),
            ("dem60", "y2"), ("dem65", "y8")} <= g.edges
    assert len(g.edges) == 11 + 3
    assert g.bidirected == {("y1", "y5"), ("y2", "y4"), ("y2", "y6"), ("y3", "y7"),
                            ("y4", "y8"), ("y6", "y8")}


def test_skipped_operators_intercepts_variances_and_continued_lines():
    g = parse_graph("""y ~ 0.5*x1 + start(1)*x2 +
                           x3; y ~ 1   ! an intercept
                       x1 ~~ x1
                       z ~~ z
                       f <~ x2 + x3
                       ab := a*b
                       a == b
                       u | t1 + t2""", "lavaan")
    assert g.edges == {("x1", "y"), ("x2", "y"), ("x3", "y"), ("x2", "f"), ("x3", "f")}
    assert "z" in g.nodes and g.latents == {"f"} and not g.bidirected
    assert "u" not in g.nodes


@pytest.mark.parametrize("seed", range(40))
def test_round_trip_through_the_lavaan_writer(seed):
    rng = random.Random(seed)
    d = random_dag(rng, rng.randint(2, 7), 0.4)
    names = sorted(d.nodes)
    bidirected = [tuple(sorted(rng.sample(names, 2)))] if rng.random() < 0.5 else []
    g = CausalGraph.from_edges(sorted(d.edges), nodes=names, bidirected=bidirected)
    back = parse_graph(write_graph(g, "lavaan"))
    assert back.same_structure(g)


@pytest.mark.parametrize("text, line, words", [
    ("y ~ x\nthis is not a formula", 2, "no lavaan operator"),
    ("y ~ x + + z", 1, "empty term"),
    ("y ~ 3x", 1, "not a lavaan variable name"),
    ("# nothing", None, "empty"),
])
def test_bad_lavaan_text_gets_a_parse_error_with_its_line(text, line, words):
    with pytest.raises(ParseError, match=words) as err:
        parse_graph(text, "lavaan")
    assert err.value.line == line


def test_a_non_recursive_model_is_refused_as_a_cycle():
    from app.errors import CycleError
    with pytest.raises(CycleError):
        parse_graph("y1 ~ y2\ny2 ~ y1", "lavaan")
