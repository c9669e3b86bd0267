"""IDA on a CPDAG against brute force over its member DAGs.

Reference: Maathuis, Kalisch & Bühlmann (2009), Annals of Statistics 37(6):3133–3164: in each
member DAG of the class the effect of X on Y is the coefficient of X in the regression of Y on X
and pa(X) (0 when Y ∈ pa(X)); local IDA's distinct values equal those over all members
(Theorem 5.1). The members are enumerated here by brute force: every orientation of the
undirected edges that is acyclic and has the DAG's skeleton and v-structures (Verma & Pearl
1990, the Markov-equivalence criterion). Regressions are plain numpy least squares.
"""
import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from app.discovery.pdag import cpdag_of_dag
from app.errors import EstimationError
from app.estimation.ida import ida, local_parent_sets
from app.graph import CausalGraph


def random_dag(n_nodes, p, rng):
    names = [f"V{i}" for i in range(n_nodes)]
    edges = [(names[i], names[j]) for i in range(n_nodes) for j in range(i + 1, n_nodes)
             if rng.random() < p]
    return names, edges


def simulate(names, edges, n, rng):
    coef = {e: rng.choice([-1, 1]) * rng.uniform(0.5, 1.5) for e in edges}
    data = {}
    for v in names:     # names are in topological order
        data[v] = rng.normal(size=n) + sum(coef[(a, b)] * data[a] for a, b in edges if b == v)
    return pd.DataFrame(data)


def v_structures(edges):
    g = nx.DiGraph(edges)
    out = set()
    for c in g.nodes:
        for a, b in itertools.combinations(sorted(g.predecessors(c)), 2):
            if not g.has_edge(a, b) and not g.has_edge(b, a):
                out.add((a, c, b))
    return out


def members(directed, undirected, nodes, vs):
    und = sorted(tuple(sorted(e)) for e in undirected)
    for bits in itertools.product((0, 1), repeat=len(und)):
        edges = set(directed) | {(a, b) if bit else (b, a) for (a, b), bit in zip(und, bits)}
        g = nx.DiGraph(list(edges))
        g.add_nodes_from(nodes)
        if nx.is_directed_acyclic_graph(g) and v_structures(edges) == vs:
            yield g


def regression_effect(df, x, y, parents):
    if y in parents:
        return 0.0
    a = np.column_stack([np.ones(len(df)), df[x], *[df[p] for p in parents]])
    return float(np.linalg.lstsq(a, df[y].to_numpy(), rcond=None)[0][1])


def cases():
    rng = np.random.default_rng(7)
    found = []
    while len(found) < 12:
        names, edges = random_dag(6, 0.5, rng)
        p = cpdag_of_dag(names, edges)
        if not p.undirected:
            continue
        g = CausalGraph.from_edges(sorted(p.directed), nodes=names, kind="pdag",
                                   undirected=sorted(tuple(sorted(e)) for e in p.undirected))
        x = next((v for v in names if p.neighbours(v)), None)
        y = names[-1] if names[-1] != x else names[0]
        found.append((names, edges, p, g, x, y, int(rng.integers(1 << 30))))
    return found


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c[4]}->{c[5]}:{len(c[1])}edges")
def test_ida_values_equal_the_member_dags_regressions(case):
    names, edges, p, g, x, y, seed = case
    df = simulate(names, edges, 2000, np.random.default_rng(seed))
    vs = v_structures(edges)
    brute = {regression_effect(df, x, y, tuple(sorted(m.predecessors(x))))
             for m in members(p.directed, p.undirected, names, vs)}
    parent_sets = {tuple(sorted(m.predecessors(x))) for m in members(p.directed, p.undirected,
                                                                     names, vs)}
    assert set(local_parent_sets(g, x)) == parent_sets
    r = ida(df, g, x, y)
    assert sorted(round(v, 9) for v in set(r.values)) == sorted(round(v, 9) for v in brute)
    assert len(r.effects) == len(parent_sets)


def test_the_textbook_chain_gives_both_possible_effects_and_says_the_sign_is_unknown():
    # the complete graph X — Y — Z — X: every acyclic orientation is a member (6 DAGs); X's
    # parents are {}, {Z}, {Y} or {Y, Z}. Truth Z → X → Y, Z → Y: adjusting for Z gives 1,
    # no adjustment gives 1 − 3·cov(X, Z)/var(X) ≈ −0.49, and Y → X gives 0
    rng = np.random.default_rng(0)
    n = 5000
    z = rng.normal(size=n)
    x = 0.9 * z + rng.normal(size=n)
    y = 1.0 * x - 3.0 * z + rng.normal(size=n)
    df = pd.DataFrame({"X": x, "Y": y, "Z": z})
    g = CausalGraph.from_edges([], nodes=["X", "Y", "Z"], kind="pdag",
                               undirected=[("X", "Z"), ("X", "Y"), ("Y", "Z")])
    r = ida(df, g, "X", "Y")
    assert {e.parents for e in r.effects} == {(), ("Z",), ("Y",), ("Y", "Z")}
    by = {e.parents: e.value for e in r.effects}
    assert by[("Z",)] == pytest.approx(1.0, abs=0.05)            # adjusting for Z: the truth
    assert by[()] == pytest.approx(regression_effect(df, "X", "Y", ()), abs=1e-9)
    assert by[("Y",)] == by[("Y", "Z")] == 0.0
    assert by[()] == pytest.approx(1 - 3 * 0.9 / 1.81, abs=0.05)
    assert "cannot tell even the sign" in r.sentence
    assert "4 orientations" in r.sentence


def test_other_graph_types_are_refused_with_what_to_do():
    df = pd.DataFrame({"X": [0.0, 1.0, 2.0], "Y": [1.0, 0.0, 2.0]})
    with pytest.raises(EstimationError, match="IDA needs a CPDAG or PDAG; this graph is a DAG"):
        ida(df, CausalGraph.from_edges([("X", "Y")]), "X", "Y")
