"""Writers for other tools: lavaan, bnlearn modelstring, TikZ and R (dagitty package).

Expected texts are written by hand from each tool's documented syntax:
- lavaan: https://lavaan.ugent.be/tutorial/syntax1.html — `~` regression, `~~` (residual)
  covariance, `=~` latent variable with indicators, `#` comments.
- bnlearn: `?model2network` / `?modelstring` (bnlearn.com/documentation/man/modelstring.html):
  the example network learning.test is "[A][C][F][B|A][D|A:C][E|B:F]".
- TikZ: PGF/TikZ manual, `\\node[options] (name) at (x,y) {text};`, `\\draw[->]`, `bend left`.
- R: dagitty R package, `?dagitty` (`dagitty('dag { … }')`) and `?coordinates`
  (`coordinates(g) <- list(x = c(A = 1, …), y = c(…))`).
"""
from __future__ import annotations

import re

import pytest

from app import io
from app.errors import CausalCanvasError
from app.graph import CausalGraph
from app.io.writers import WriterError, r_string, tex_escape

# Nodes in declaration order X, Y, M, Z; every writer lists them in that order.
SMALL = 'dag { X [exposure] Y [outcome] M Z  Z -> X -> M -> Y  X -> Y  M <-> Y }'


def small() -> CausalGraph:
    return io.parse_graph(SMALL)


# ---- lavaan ------------------------------------------------------------------------------------
def test_lavaan_small_graph_exact():
    assert io.write_graph(small(), "lavaan") == (
        "# lavaan model syntax (Causal Canvas)\n"
        "# regressions\n"
        "X ~ Z\n"
        "Y ~ X + M\n"
        "M ~ X\n"
        "# residual covariances\n"
        "Y ~~ M\n"
    )


def test_lavaan_latent_common_cause_becomes_residual_covariances_with_a_comment():
    # A latent root's children share its influence: lavaan's `=~` would need indicators, so the
    # latent projection (pairwise `~~` among its children) is written instead.
    g = io.parse_graph("dag { U [latent] A B C Q  U -> A  U -> B  U -> C  A -> B }")
    assert io.write_graph(g, "lavaan") == (
        "# lavaan model syntax (Causal Canvas)\n"
        "# regressions\n"
        "B ~ A\n"
        "# latent common causes U written as residual covariances of their children\n"
        "# residual covariances\n"
        "A ~~ B\n"
        "A ~~ C\n"
        "B ~~ C\n"
        "# variables without edges\n"
        "Q ~~ Q\n"
    )


def test_lavaan_refuses_a_latent_with_causes():
    g = io.parse_graph("dag { U [latent] P -> U -> A  U -> B }")
    with pytest.raises(WriterError, match="'U'"):
        io.write_graph(g, "lavaan")


@pytest.mark.parametrize("name", ["my var", "x-y", "1st", "a:b", "β+γ"])
def test_lavaan_refuses_names_it_cannot_take_naming_the_node(name):
    g = CausalGraph.from_edges([(name, "Y")])
    with pytest.raises(WriterError) as err:
        io.write_graph(g, "lavaan")
    assert f"'{name}'" in err.value.message and err.value.hint


def test_lavaan_accepts_r_style_names():
    g = CausalGraph.from_edges([("x.1", "y_2")])
    assert "y_2 ~ x.1\n" in io.write_graph(g, "lavaan")


# ---- bnlearn -----------------------------------------------------------------------------------
def test_bnlearn_documented_example_exact():
    g = io.parse_graph("dag { A B C D E F  A -> B  A -> D  C -> D  B -> E  F -> E }")
    assert io.write_graph(g, "bnlearn") == "[A][C][F][B|A][D|A:C][E|B:F]\n"


def _parse_modelstring(text: str) -> tuple[list[str], set[tuple[str, str]]]:
    """A tiny independent reader of bnlearn's modelstring grammar: [node|p1:p2]…"""
    nodes, edges = [], set()
    assert re.fullmatch(r"(\[[^\[\]]+\])+", text.strip())
    for part in re.findall(r"\[([^\[\]]+)\]", text):
        node, _, parents = part.partition("|")
        nodes.append(node)
        edges |= {(p, node) for p in parents.split(":") if parents}
    return nodes, edges


def test_bnlearn_round_trip_on_a_random_dag():
    import random

    rng = random.Random(4)
    names = [f"V{i}" for i in range(30)]
    edges = {(names[i], names[j]) for i in range(30) for j in range(i + 1, 30) if rng.random() < .15}
    g = CausalGraph.from_edges(sorted(edges), nodes=rng.sample(names, 30))
    nodes, got = _parse_modelstring(io.write_graph(g, "bnlearn"))
    assert sorted(nodes) == sorted(g.nodes) and got == set(g.edges)
    seen: set[str] = set()
    for n in nodes:      # every parent is listed before its child, as bnlearn writes it
        assert set(g.parents(n)) <= seen
        seen.add(n)


def test_bnlearn_refuses_bidirected_edges():
    with pytest.raises(WriterError, match="<->"):
        io.write_graph(small(), "bnlearn")


def test_bnlearn_refuses_separator_characters_in_names():
    with pytest.raises(WriterError, match="'a:b'"):
        io.write_graph(CausalGraph.from_edges([("a:b", "c")]), "bnlearn")


@pytest.mark.parametrize("text, kind_word", [
    ("pdag { A -- B  B -> C }", "PDAG"), ("mag { C -- D  D -> A  A -> B  B <-> E }", "MAG"),
    ("pag { A @-> B  B -> C }", "PAG")])
@pytest.mark.parametrize("fmt", ["lavaan", "bnlearn"])
def test_lavaan_and_bnlearn_refuse_non_dag_types_naming_the_type(text, kind_word, fmt):
    g = io.parse_graph(text)
    with pytest.raises(CausalCanvasError) as err:
        io.write_graph(g, fmt)
    assert kind_word in err.value.message and "DAGitty" in err.value.hint


# ---- TikZ --------------------------------------------------------------------------------------
def _braces_balanced(tex: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):    # escaped braces print, they do not group
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def test_tikz_small_graph_has_every_node_edge_and_style():
    g = small().with_positions({"Z": (0, 0), "X": (1, 0), "M": (2, 1), "Y": (3, 0)})
    tex = io.write_graph(g, "tikz")
    assert tex.startswith("\\documentclass[tikz]{standalone}")
    assert tex.count("\\begin{tikzpicture}") == tex.count("\\end{tikzpicture}") == 1
    assert _braces_balanced(tex)
    # Node order X Y M Z as declared in SMALL → v… ids; 3 units wide → 10 cm, y flipped
    assert "\\node[var, exposure] (v1) at (3.33, 3.33) {X};" in tex
    assert "\\node[var, outcome] (v2) at (10, 3.33) {Y};" in tex
    assert "\\node[var] (v3) at (6.67, 0) {M};" in tex
    assert "\\node[var] (v4) at (0, 3.33) {Z};" in tex
    assert {ln.strip() for ln in tex.splitlines() if ln.strip().startswith("\\draw")} == {
        "\\draw[->] (v4) -- (v1);", "\\draw[->] (v1) -- (v3);", "\\draw[->] (v1) -- (v2);",
        "\\draw[->] (v3) -- (v2);", "\\draw[<->, bend left=30] (v3) to (v2);"}


def test_tikz_escapes_latex_special_characters():
    assert tex_escape("a&b%c$d#e_f{g}h~i^j\\k") == (
        "a\\&b\\%c\\$d\\#e\\_f\\{g\\}h\\textasciitilde{}i\\textasciicircum{}j\\textbackslash{}k")
    names = ["x_1", "R&D", "50%", "$cost", "#n", "{a}", "~t", "x^2", "back\\slash", "}{"]
    g = CausalGraph.from_edges([(names[i], names[i + 1]) for i in range(len(names) - 1)])
    tex = io.write_graph(g, "tikz")
    assert _braces_balanced(tex)
    for n in names:
        assert f"{{{tex_escape(n)}}};" in tex
    assert "{x_1}" not in tex and "{R&D}" not in tex


def test_tikz_without_positions_fits_ten_centimetres_and_draws_every_mark():
    g = io.parse_graph("pag { A @-> B  B -> C  C @-@ D  D @-- E  E -- F  F <-> A }")
    tex = io.write_graph(g, "tikz")
    coords = [tuple(map(float, m)) for m in re.findall(r"at \(([-\d.]+), ([-\d.]+)\)", tex)]
    assert len(coords) == len(g.nodes) == 6
    span = max(max(c[i] for c in coords) - min(c[i] for c in coords) for i in (0, 1))
    assert span == pytest.approx(10.0)
    for tip in ("{Circle[open]}-{Stealth}", "{Circle[open]}-{Circle[open]}", "{Circle[open]}-]",
                "\\draw (v", "<->, bend left=30"):
        assert tip in tex
    assert _braces_balanced(tex)


# ---- R (dagitty) -------------------------------------------------------------------------------
def _embedded_dagitty(r_code: str) -> str:
    """The R single-quoted string inside dagitty('…'), unescaped as R reads it."""
    m = re.search(r"dagitty\('((?:[^'\\]|\\.)*)'\)", r_code, re.S)
    assert m, r_code
    return re.sub(r"\\(.)", r"\1", m.group(1), flags=re.S)


def test_r_small_graph_exact():
    g = small().with_positions({"Z": (0, 0), "X": (1, 0), "M": (2, 1), "Y": (3, 0.5)})
    assert io.write_graph(g, "r") == (
        "library(dagitty)\n"
        "g <- dagitty('dag {\n"
        '  X [exposure,pos="1,0"]\n'
        '  Y [outcome,pos="3,0.5"]\n'
        '  M [pos="2,1"]\n'
        '  Z [pos="0,0"]\n'
        "  X -> Y\n"
        "  X -> M\n"
        "  M -> Y\n"
        "  Z -> X\n"
        "  M <-> Y\n"
        "}')\n"
        "coordinates(g) <- list(x = c('X' = 1, 'Y' = 3, 'M' = 2, 'Z' = 0), "
        "y = c('X' = 0, 'Y' = 0.5, 'M' = 1, 'Z' = 0))\n"
    )


def test_r_string_escapes_backslashes_and_single_quotes():
    assert r_string("it's a\\b") == "'it\\'s a\\\\b'"


@pytest.mark.parametrize("text", [
    SMALL,
    'dag { "it\'s" [latent] "back\\\\slash" [selected] "it\'s" -> "back\\\\slash" -> "x y" }',
    "pdag { A -- B  B -> C }",
    "mag { C -- D  D -> A  A -> B  B <-> E }",
    "pag { A @-> B  B -> C  C @-@ D }",
])
def test_r_embedded_dagitty_text_parses_back_to_the_same_graph(text):
    g = io.parse_graph(text)
    assert io.parse_graph(_embedded_dagitty(io.write_graph(g, "r"))) == g


def test_r_names_with_quotes_in_coordinates():
    g = CausalGraph.from_edges([("it's", "Y")]).with_positions({"it's": (0, 0), "Y": (1, 2)})
    assert "x = c('it\\'s' = 0, 'Y' = 1), y = c('it\\'s' = 0, 'Y' = 2)" in io.write_graph(g, "r")


def test_r_without_every_position_leaves_coordinates_out():
    assert "coordinates" not in io.write_graph(small(), "r")


# ---- registration --------------------------------------------------------------------------------
def test_new_formats_are_registered_with_extensions():
    assert {f: io.EXTENSIONS[f] for f in ("lavaan", "bnlearn", "tikz", "r")} == {
        "lavaan": "lav", "bnlearn": "txt", "tikz": "tex", "r": "R"}
    for f in ("lavaan", "bnlearn", "tikz", "r"):
        assert f in io.WRITERS and f in io.MIME
