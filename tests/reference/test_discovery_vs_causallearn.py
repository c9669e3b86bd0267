"""Our drivers give exactly causal-learn's results (same algorithm, faster CI tests/scores).

Reference: causal-learn 0.1.4.8 run directly (pc, fci, ges, CIT, dag2cpdag) on the same data.
"""
import random

import numpy as np
import pandas as pd
import pytest

from app.discovery import LearnedEdge, discover
from app.discovery.citests import ChiSquareTest, FisherZTest
from app.discovery.pdag import cpdag_of_dag
from app.discovery.simulate import linear_sem, random_dag

_MARK = {-1: "tail", 1: "arrow", 2: "circle"}


def _edges(matrix, names) -> set[LearnedEdge]:
    out = set()
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if matrix[i, j] != 0:
                out.add(LearnedEdge(names[i], names[j], _MARK[int(matrix[i, j])],
                                    _MARK[int(matrix[j, i])]))
    return out


@pytest.fixture(scope="module")
def asia():
    from pgmpy.sampling import BayesianModelSampling
    from pgmpy.utils import get_example_model

    df = BayesianModelSampling(get_example_model("asia")).forward_sample(
        size=2000, seed=1, show_progress=False)
    codes = np.column_stack([pd.factorize(df[c], sort=True)[0] for c in df.columns])
    return df, codes, list(df.columns)


@pytest.fixture(scope="module")
def gaussian():
    truth = random_dag(8, expected_degree=2.5, seed=4)
    df = linear_sem(truth, 800, seed=5)
    return df, df.to_numpy(float), list(df.columns)


def test_pc_matches_causallearn_on_discrete_data(asia):
    from causallearn.search.ConstraintBased.PC import pc

    df, codes, names = asia
    cg = pc(codes, 0.05, "chisq", show_progress=False, node_names=names)
    assert set(discover(df, "pc").edges) == _edges(cg.G.graph, names)


def test_pc_and_fci_match_causallearn_on_gaussian_data(gaussian, capsys):
    from causallearn.search.ConstraintBased.FCI import fci
    from causallearn.search.ConstraintBased.PC import pc

    df, values, names = gaussian
    cg = pc(values, 0.05, "fisherz", show_progress=False, node_names=names)
    assert set(discover(df, "pc").edges) == _edges(cg.G.graph, names)
    g, _ = fci(values, "fisherz", 0.05, show_progress=False, node_names=names)
    assert set(discover(df, "fci").edges) == _edges(g.graph, names)


def test_ges_matches_causallearn_with_bdeu_and_gaussian_bic(asia, gaussian):
    from causallearn.search.ScoreBased.GES import ges

    df, codes, names = asia
    rec = ges(codes, "local_score_BDeu", node_names=names)
    assert set(discover(df, "ges", score="bdeu").edges) == _edges(rec["G"].graph, names)
    df, values, names = gaussian
    rec = ges(values, "local_score_BIC", node_names=names)
    assert set(discover(df, "ges").edges) == _edges(rec["G"].graph, names)


def test_ci_tests_give_causallearn_pvalues(asia, gaussian):
    from causallearn.utils.cit import CIT

    rng = random.Random(0)
    _, codes, _ = asia
    for method in ("chisq", "gsq"):
        ref, ours = CIT(codes, method), ChiSquareTest(codes, g_sq=method == "gsq")
        for _ in range(300):
            v = rng.sample(range(codes.shape[1]), rng.randint(2, 5))
            assert ours(v[0], v[1], v[2:]) == pytest.approx(ref(v[0], v[1], v[2:]), abs=1e-12)
    _, values, _ = gaussian
    ref, ours = CIT(values, "fisherz"), FisherZTest(values)
    for _ in range(300):
        v = rng.sample(range(values.shape[1]), rng.randint(2, 6))
        assert ours(v[0], v[1], v[2:]) == pytest.approx(ref(v[0], v[1], v[2:]), abs=1e-12)


def test_cpdag_of_dag_matches_causallearn_dag2cpdag():
    from causallearn.graph.Dag import Dag
    from causallearn.graph.GraphNode import GraphNode
    from causallearn.utils.DAG2CPDAG import dag2cpdag

    for seed in range(25):
        g = random_dag(9, expected_degree=2.5, seed=seed)
        nodes = [GraphNode(n) for n in g.nodes]
        dag = Dag(nodes)
        by = {n.get_name(): n for n in nodes}
        for a, b in g.edges:
            dag.add_directed_edge(by[a], by[b])
        ref = _edges(dag2cpdag(dag).graph, list(g.nodes))
        ours = cpdag_of_dag(g.nodes, g.edges)
        mine = {LearnedEdge.directed(a, b) for a, b in ours.directed} | {
            LearnedEdge.undirected(*sorted(p)) for p in ours.undirected}
        assert mine == ref, seed
