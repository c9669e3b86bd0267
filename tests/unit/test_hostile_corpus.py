"""Every hostile file in tests/corpus goes through the public API: success or a friendly app error.

Never a raw library exception (KeyError, UnicodeDecodeError, RecursionError...), never an empty
message. Graph texts go to parse_graph, tables to load_data, share links to decode_share.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app
from app.errors import CausalCanvasError

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TABLES = sorted((CORPUS / "tables").iterdir())
GRAPHS = sorted((CORPUS / "graphs").iterdir())
LINKS = sorted((CORPUS / "links").iterdir())


def _friendly(call):
    """Run `call`; return the result or the app error, failing on anything else."""
    try:
        return call()
    except CausalCanvasError as err:
        assert err.message and err.message.strip(), f"{type(err).__name__} with an empty message"
        assert str(err).strip()
        return err


def test_corpus_is_big_enough_and_small():
    files = [*TABLES, *GRAPHS, *LINKS]
    assert len(files) >= 100
    assert sum(p.stat().st_size for p in files) < 5_000_000


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.name)
def test_hostile_table_loads_or_says_why(path: Path):
    out = _friendly(lambda: app.load_data(path.read_bytes(), name=path.name))
    if not isinstance(out, CausalCanvasError):
        assert out.df.shape[1] >= 1
        assert out.df.shape[1] <= 2_000


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.name)
def test_hostile_graph_text_parses_or_says_why(path: Path):
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    out = _friendly(lambda: app.parse_graph(text))
    if not isinstance(out, CausalCanvasError):
        assert isinstance(out, app.CausalGraph)
        # whatever parsed must be acyclic in its directed part
        import networkx as nx
        assert nx.is_directed_acyclic_graph(out.to_networkx())


@pytest.mark.parametrize("path", LINKS, ids=lambda p: p.name)
def test_tampered_share_link_opens_or_says_why(path: Path):
    token = path.read_text(encoding="utf-8")
    out = _friendly(lambda: app.decode_share(token))
    if isinstance(out, CausalCanvasError):
        assert isinstance(out, app.ShareLinkError)


def test_expected_refusals_are_refused():
    """A few corpus files must fail (not silently succeed): the corpus really is hostile."""
    assert isinstance(_friendly(lambda: app.parse_graph((CORPUS / "graphs/cycle_two.txt").read_text())),
                      CausalCanvasError)
    assert isinstance(_friendly(lambda: app.parse_graph((CORPUS / "graphs/bif_truncated.bif").read_text())),
                      app.ParseError)
    assert isinstance(_friendly(lambda: app.load_data((CORPUS / "tables/binary_junk.csv").read_bytes())),
                      CausalCanvasError)
    assert isinstance(_friendly(lambda: app.decode_share((CORPUS / "links/zip_bomb.txt").read_text())),
                      app.ShareLinkError)
    assert isinstance(_friendly(lambda: app.load_data(b"a,b\n1,2\n3,4\n", max_bytes=5)),
                      app.DataError)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_fuzz_load_data_random_bytes(raw: bytes):
    _friendly(lambda: app.load_data(raw, name="fuzz.csv"))


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([b"a", b"b", b",", b";", b"\t", b'"', b"\n", b"\r", b"1", b"2.5",
                                 b"=", b"\xef\xbb\xbf", b"\x00", b"\xff", b" "]), max_size=60))
def test_fuzz_load_data_csv_like_bytes(parts: list[bytes]):
    _friendly(lambda: app.load_data(io.BytesIO(b"".join(parts)), name="fuzz.csv"))


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["dag", "{", "}", "[", "]", "->", "<-", "<->", "--", "A", "B",
                                 '"', "=", ",", "\n", " ", "exposure", "pos=\"1,2\"", "digraph",
                                 "graph", "network", "{\"nodes\":", "\u00e9", "<b>", ";"]),
                max_size=40))
def test_fuzz_parse_graph_token_soup(tokens: list[str]):
    _friendly(lambda: app.parse_graph("".join(tokens)))


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_fuzz_parse_graph_any_text(text: str):
    _friendly(lambda: app.parse_graph(text))
