"""Graph formats: every format round-trips; malformed text gives ParseError with line/column."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import io
from app.errors import CausalCanvasError, CycleError, GraphError, ParseError
from app.graph import CausalGraph
from app.io.dagitty import write_dagitty

HOSTILE = ['<script>alert(1)</script>', 'a "quoted" name', "back\\slash", "émigré ☕",
           "<img src=x onerror=alert(1)>", "x -> y", "{brace}", "dag"]


def rich_graph() -> CausalGraph:
    g = CausalGraph.from_edges([("Z", "X"), ("Z", "Y"), ("X", "M"), ("M", "Y")],
                               bidirected=[("X", "Y")])
    g = g.set_role("X", "exposure").set_role("Y", "outcome").set_role("Z", "adjusted")
    g = g.add_node("U", roles=["latent"]).add_edge("U", "M")
    return g.with_positions({"X": (0, 1), "Y": (2, 1), "Z": (1, 0), "M": (1, 1.5), "U": (1, 3)})


@pytest.mark.parametrize("fmt", ["dagitty", "json", "dot", "gml"])
def test_round_trip_keeps_everything(fmt):
    g = rich_graph()
    text = io.write_graph(g, fmt)
    assert io.detect_format(text) == fmt
    back = io.parse_graph(text)
    assert back == g


def test_csv_edge_list_round_trip_keeps_structure():
    g = CausalGraph.from_edges([("A", "B"), ("B", "C")], nodes=["A", "B", "C", "Lonely"])
    back = io.parse_graph(io.write_graph(g, "csv"))
    assert back.edges == g.edges and set(back.nodes) == set(g.nodes)


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("fmt", ["dagitty", "json", "dot", "gml"])
def test_hostile_names_round_trip_as_data(name, fmt):
    g = CausalGraph.from_edges([(name, "Y")]).set_role(name, "exposure")
    assert io.parse_graph(io.write_graph(g, fmt), fmt).same_structure(g)


def test_dagitty_syntax_features():
    g = io.parse_graph('dag {\n X [exposure, pos="0,1"]\n Y [outcome]\n'
                       ' {A B} -> X -> Y <- C ; Y <- D # comment\n X <-> Y // latent\n}')
    assert {("A", "X"), ("B", "X"), ("X", "Y"), ("C", "Y"), ("D", "Y")} == g.edges
    assert g.bidirected == {("X", "Y")} and g.positions["X"] == (0.0, 1.0)
    assert g.exposures == {"X"} and g.outcomes == {"Y"}


def test_bare_statements_without_dag_wrapper():
    assert io.parse_graph("A -> B\nB -> C").edges == {("A", "B"), ("B", "C")}


@pytest.mark.parametrize("text, line, col", [
    ("dag {\n A -> B\n B -> [\n}", 3, 7),
    ("dag { A -> B ", 1, 14),
    ('dag { "open -> B }', 1, 7),
    ("dag { A -- B }", 1, 9),
    ("dag { A [treatment] }", 1, 10),
    ("dag { A [pos=\"x,1\"] }", 1, 14),
    ("dag { A -> B } extra", 1, 16),
])
def test_syntax_errors_carry_line_and_column(text, line, col):
    with pytest.raises(ParseError) as err:
        io.parse_graph(text, "dagitty")
    assert (err.value.line, err.value.column) == (line, col)
    assert f"Line {line}, column {col}" in err.value.message


def test_cycle_in_text_names_cycle_and_line():
    with pytest.raises(CycleError) as err:
        io.parse_graph("dag {\n A -> B\n B -> C\n C -> A\n}")
    assert "A → B → C → A" in err.value.message or "→" in err.value.message
    assert err.value.message.startswith("Line ")


def test_duplicate_nodes_in_json_are_refused():
    with pytest.raises(ParseError, match="listed twice"):
        io.parse_graph('{"nodes": ["A", "A"], "edges": []}')


def test_json_future_version_is_refused_clearly():
    with pytest.raises(ParseError, match="version"):
        io.parse_graph('{"format": "causal-canvas-graph", "version": 99, "nodes": []}')


def test_bif_reads_structure_from_pgmpy_example():
    import gzip
    from pathlib import Path

    import pgmpy
    bif = Path(pgmpy.__file__).parent / "utils" / "example_models" / "asia.bif.gz"
    g = io.parse_graph(gzip.decompress(bif.read_bytes()).decode())
    assert ("smoke", "lung") in g.edges and len(g.nodes) == 8


def test_write_bif_needs_a_model():
    with pytest.raises(GraphError, match="fit a model"):
        io.write_graph(rich_graph(), "bif")


def test_too_long_text_is_refused():
    with pytest.raises(ParseError, match="limit"):
        io.parse_graph("A -> B\n" * 400_000)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parser_never_fails_with_anything_but_our_errors(text):
    try:
        io.parse_graph(text)
    except CausalCanvasError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABCDEFG"), st.sampled_from("ABCDEFG")), max_size=12))
def test_any_valid_graph_round_trips_through_dagitty(pairs):
    g = CausalGraph()
    for a, b in pairs:
        for n in (a, b):
            if n not in g.nodes:
                g = g.add_node(n)
        try:
            g = g.add_edge(a, b)
        except GraphError:
            pass
    assert io.parse_graph(write_dagitty(g)) == g
