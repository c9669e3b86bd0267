"""Adjustment in PAGs (generalized adjustment criterion) against pcalg's examples and brute force.

References:
- pcalg's `gac()` examples and tests (cran/pcalg, man/gac.Rd and tests/test_gac.R): the PAGs of
  Perković, Textor, Kalisch & Maathuis (JMLR 2018; UAI 2015), Figures 3, 4 and 5, and the PAG of
  Maathuis' talk, with the sets pcalg says do / do not satisfy the GAC. Their adjacency matrices
  are copied here in pcalg's amat.pag coding (column-major; m[a, b] is the mark at b: 1 circle,
  2 arrowhead, 3 tail).
- Brute force: a PAG stands for the MAGs with its skeleton and definite marks whose own PAG is
  the same (Zhang 2008). Members are found by giving every circle a tail or an arrowhead and
  keeping the ancestral graphs whose PAG (FCI with a d-separation oracle, app.discovery) is the
  PAG itself. A set is valid for the PAG iff it is an adjustment set in the canonical DAG of
  every member (GAC soundness and completeness, Perković et al. 2018, Thm 3.4), decided there
  with networkx only (proper back-door graph + nx.is_d_separator), never with our own code.
"""
from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from app.analysis import adjustment_sets, canonical_adjustment_set, check_adjustment_set
from app.analysis.adjustment import _no_set_reason, _pag_minimal, _setup
from app.discovery.compare import true_pag
from app.discovery.result import typed_graph
from app.errors import GraphError, QueryError
from app.graph import CausalGraph
from tests.support.nx_reference import canonical_dag, gac_valid

_MARK = {1: "circle", 2: "arrow", 3: "tail"}
_KIND = {("tail", "arrow"): "->", ("arrow", "tail"): "<-", ("arrow", "arrow"): "<->",
         ("circle", "arrow"): "@->", ("arrow", "circle"): "<-@", ("circle", "circle"): "@-@"}


def from_pcalg(vals: list[int], n: int) -> CausalGraph:
    """A PAG from pcalg's amat.pag (R's column-major matrix(c(...), n, n)), nodes V1..Vn."""
    m = [[vals[j * n + i] for j in range(n)] for i in range(n)]
    names = [f"V{i + 1}" for i in range(n)]
    edges, bi, circ = [], [], []
    for i, j in itertools.combinations(range(n), 2):
        if not m[i][j]:
            continue
        a, b = names[i], names[j]
        sym = _KIND[(_MARK[m[j][i]], _MARK[m[i][j]])]
        if sym in ("<-", "<-@"):
            a, b, sym = b, a, {"<-": "->", "<-@": "@->"}[sym]
        if sym == "->":
            edges.append((a, b))
        elif sym == "<->":
            bi.append((a, b))
        else:
            circ.append((a, sym, b))
    return CausalGraph.from_edges(edges, nodes=names, bidirected=bi, circle=circ, kind="pag")


PCALG = {
    "3a": [0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0],
    "3b": [0, 2, 0, 0, 3, 0, 3, 3, 0, 2, 0, 3, 0, 2, 2, 0],
    "3c": [0, 3, 0, 0, 2, 0, 3, 3, 0, 2, 0, 3, 0, 2, 2, 0],
    "4a": [0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 2, 0, 3, 3, 2,
           0, 0, 2, 0, 2, 2, 0, 0, 2, 1, 0, 2, 0, 0, 1, 3, 3, 0],
    "4b": [0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 2, 0, 0, 3, 2,
           0, 0, 0, 0, 2, 2, 0, 0, 2, 3, 0, 2, 0, 0, 2, 3, 2, 0],
    "5b": [0, 1, 0, 0, 0, 0, 0, 2, 0, 2, 3, 0, 3, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 3, 0, 0,
           0, 0, 0, 2, 0, 2, 3, 0, 2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 2, 0, 0],
    "talk": [0, 0, 0, 3, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 3, 2,
             3, 2, 2, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 2, 2, 0, 0],
}
# (graph, x, y, z, pcalg's gac()$gac), in node numbers as in tests/test_gac.R
PCALG_CASES = [
    ("3a", [2], [4], [], False), ("3b", [2], [4], [], False), ("3c", [2], [4], [], True),
    ("4a", [3], [4], [], False), ("4a", [3], [4], [6], True), ("4a", [3], [4], [1, 6], True),
    ("4a", [3], [4], [2, 6], True), ("4a", [3], [4], [1, 2, 6], True),
    ("4b", [3], [4], [], False), ("4b", [3], [4], [6], False), ("4b", [3], [4], [5, 6], False),
    ("5b", [2, 7], [6], [], False), ("5b", [2, 7], [6], [4, 5], True),
    ("5b", [2, 7], [6], [4, 5, 1], True), ("5b", [2, 7], [6], [4, 5, 3], True),
    ("5b", [2, 7], [6], [1, 3, 4, 5], True),
    ("talk", [5, 6], [7], [], False), ("talk", [5, 6], [7], [1], False),
    ("talk", [5, 6], [7], [4], False), ("talk", [5, 6], [7], [2], False),
    ("talk", [5, 6], [7], [3], False), ("talk", [5, 6], [7], [2, 3], False),
    ("talk", [5, 6], [7], [1, 4], True), ("talk", [5, 6], [7], [1, 4, 2], True),
    ("talk", [5, 6], [7], [1, 4, 3], True), ("talk", [5, 6], [7], [1, 4, 2, 3], True),
]


def _v(nums):
    return [f"V{i}" for i in nums]


@pytest.mark.parametrize("case", PCALG_CASES, ids=lambda c: f"{c[0]}-{c[3]}")
def test_pcalg_gac_examples(case):
    name, x, y, z, expected = case
    g = from_pcalg(PCALG[name], int(len(PCALG[name]) ** 0.5))
    assert check_adjustment_set(g, _v(x), _v(y), _v(z)).valid == expected


def test_not_amenable_pags_name_the_edge_and_why():
    # Fig. 3a: X o-o V3 may point into X; Fig. 3b: X -> V3 is not visible (no V *-> X)
    a = adjustment_sets(from_pcalg(PCALG["3a"], 4), "V2", "V4")
    assert list(a) == [] and "not amenable" in a.note and "V2 o-o" in a.note
    b = adjustment_sets(from_pcalg(PCALG["3b"], 4), "V2", "V4")
    assert list(b) == [] and "not visible" in b.note and "V2 -> V" in b.note
    c = check_adjustment_set(from_pcalg(PCALG["3b"], 4), "V2", "V4", [])
    assert not c.valid and any("not amenable" in r for r in c.reasons)


def test_pcalg_figure_4a_sets_and_4b_none():
    # pcalg: {V6} and its supersets without forbidden nodes satisfy the GAC in 4a; none in 4b
    g = from_pcalg(PCALG["4a"], 6)
    assert set(adjustment_sets(g, "V3", "V4")) == {frozenset({"V6"})}
    assert set(adjustment_sets(g, "V3", "V4", "all")) == {
        frozenset(s) for s in ({"V6"}, {"V1", "V6"}, {"V2", "V6"}, {"V1", "V2", "V6"})}
    assert list(adjustment_sets(from_pcalg(PCALG["4b"], 6), "V3", "V4")) == []


def test_pag_with_selection_marks_is_refused():
    g = CausalGraph.from_edges([], nodes=["X", "Y"], circle=[("X", "@--", "Y")], kind="pag")
    with pytest.raises(QueryError, match="selection"):
        adjustment_sets(g, "X", "Y")


# ---- brute force over the members of random PAGs --------------------------------------------

def _pag_key(g: CausalGraph):
    return (g.edges, g.bidirected, g.undirected, g.circle)


def _pag_of(graph: CausalGraph, observed) -> CausalGraph:
    return typed_graph(true_pag(graph, observed))


def members(p: CausalGraph) -> list[nx.DiGraph]:
    """Canonical DAGs of every MAG in the PAG's class (circles given tails or arrowheads)."""
    choices = []
    for a, mark, b in sorted(p.circle):
        if mark == "@->":
            choices.append([("->", a, b), ("<->", a, b)])
        else:
            choices.append([("->", a, b), ("->", b, a), ("<->", a, b)])
    out = []
    for pick in itertools.product(*choices):
        edges = set(p.edges) | {(a, b) for k, a, b in pick if k == "->"}
        bi = set(p.bidirected) | {(a, b) for k, a, b in pick if k == "<->"}
        try:
            m = CausalGraph.from_edges(sorted(edges), nodes=p.nodes, bidirected=sorted(bi),
                                       kind="mag")
        except GraphError:
            continue
        dag_view = CausalGraph.from_edges(sorted(edges), nodes=p.nodes, bidirected=sorted(bi))
        if _pag_key(_pag_of(dag_view, p.nodes)) == _pag_key(p):
            out.append(canonical_dag(m))
    return out


def _cases(count: int):
    rng = random.Random(2018)
    out = []
    while len(out) < count:
        n = rng.randint(5, 6)
        names = [f"v{i}" for i in range(n)]
        order = names[:]
        rng.shuffle(order)
        edges = [(order[i], order[j]) for i, j in itertools.combinations(range(n), 2)
                 if rng.random() < 0.45]
        d = CausalGraph.from_edges(edges, nodes=names)
        hidden = set(rng.sample(names, 1))
        observed = [v for v in names if v not in hidden]
        p = _pag_of(d, observed)
        if 1 <= len(p.circle) <= 5 and len(p.edges) + len(p.bidirected) + len(p.circle) >= 4:
            out.append((d, p))
    return out


CASES = _cases(16)    # 280 (x, y) pairs, 159 of them not amenable


@pytest.mark.parametrize("case", range(len(CASES)))
def test_pag_adjustment_matches_every_member(case):
    d, p = CASES[case]
    mem = members(p)
    assert mem, "the PAG's class has at least one MAG"
    truth = nx.DiGraph(list(d.edges))
    truth.add_nodes_from(d.nodes)
    nodes = list(p.nodes)
    for x, y in itertools.permutations(nodes, 2):
        rest = [v for v in nodes if v not in (x, y)]
        subsets = [set(c) for r in range(len(rest) + 1) for c in itertools.combinations(rest, r)]
        valid = [z for z in subsets if all(gac_valid(m, x, y, z) for m in mem)]
        for z in subsets:
            ours = check_adjustment_set(p, x, y, z).valid
            assert ours == (z in valid), (p, x, y, z)
            if ours:     # sound for the DAG the PAG was learned from, latent node and all
                assert gac_valid(truth, x, y, z), (p, x, y, z)
        minimal = {frozenset(v) for v in valid if not any(w < v for w in valid)}
        assert set(adjustment_sets(p, x, y)) == minimal, (p, x, y)
        assert set(adjustment_sets(p, x, y, "all")) == {frozenset(v) for v in valid}, (p, x, y)
        setup = _setup(p, x, y)
        if not _no_set_reason(setup):    # the fallback listing (used when a member MAG's
            assert set(_pag_minimal(setup, 200)[0]) == minimal    # minimal sets differ)
        canonical = canonical_adjustment_set(p, x, y).set
        assert (canonical is not None) == bool(valid) and (canonical is None or canonical in valid)
