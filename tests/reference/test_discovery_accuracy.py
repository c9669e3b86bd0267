"""Learned graphs are close to the graphs that generated the data (fixed seeds).

Observed with causal-learn 0.1.4.8 / pgmpy 1.1.2 / lingam 1.13 on this data (SHD as in
Tsamardinos et al. 2006, CPDAG vs CPDAG; FCI against the true PAG; LiNGAM DAG vs DAG).
Bounds are the observed value plus one, so a real regression fails but a harmless change of
tie order does not.
"""
import pytest

from app.discovery import compare_graphs, discover
from app.discovery.simulate import linear_sem, random_dag
from app.graph import CausalGraph


@pytest.fixture(scope="module")
def asia():
    from pgmpy.sampling import BayesianModelSampling
    from pgmpy.utils import get_example_model

    model = get_example_model("asia")
    df = BayesianModelSampling(model).forward_sample(size=5000, seed=0, show_progress=False)
    truth = CausalGraph.from_edges([(str(a), str(b)) for a, b in model.edges()])
    return df, truth


# observed SHD on asia (5,000 rows, pgmpy forward sampling, seed 0): PC 6, GES 1, HC 1, FCI 5.
# asia's "either" is a deterministic OR of tub and lung, which breaks faithfulness: PC and FCI
# lose the weak asia → tub edge and mis-orient around "either".
@pytest.mark.parametrize("method, observed", [("pc", 6), ("ges", 1), ("hc", 1), ("fci", 5)])
def test_asia_is_recovered_within_the_stated_shd(asia, method, observed):
    df, truth = asia
    d = compare_graphs(truth, discover(df, method))
    assert d.shd <= observed + 1, str(d)
    assert d.adjacency_precision >= 0.85


@pytest.fixture(scope="module")
def gaussian10():
    truth = random_dag(10, expected_degree=2.0, seed=1)      # 8 edges
    return linear_sem(truth, 1000, seed=2), truth


# observed on the 10-node linear-Gaussian SEM (1,000 rows): PC 0, GES 2, HC 2, FCI 0
@pytest.mark.parametrize("method, observed", [("pc", 0), ("ges", 2), ("hc", 2), ("fci", 0)])
def test_linear_gaussian_scm_is_recovered_within_the_stated_shd(gaussian10, method, observed):
    df, truth = gaussian10
    d = compare_graphs(truth, discover(df, method))
    assert d.shd <= observed + 1, str(d)


def test_lingam_recovers_the_full_dag_with_non_gaussian_noise():
    # same 10-node graph, uniform noise: DirectLiNGAM identifies directions beyond the CPDAG.
    # observed DAG SHD 0 (the CPDAG methods leave 6 of the 8 edges undirected here)
    truth = random_dag(10, expected_degree=2.0, seed=1)
    df = linear_sem(truth, 1000, seed=2, noise="uniform")
    r = discover(df, "lingam")
    assert compare_graphs(truth, r, as_cpdag=False).shd <= 1
    assert r.graph_type == "DAG" and len(r.weights) == len(r.edges)
    # coefficients are the simulated ones in size (0.5-1.5 before unit rescaling): clearly non-zero
    assert all(abs(w) > 0.1 for w in r.weights.values())
    assert discover(df, "auto").method == "lingam"


def test_fci_marks_a_latent_confounder_as_bidirected():
    # Z → X <-> Y ← W with the confounder of X and Y unmeasured: FCI should find X <-> Y
    from app.discovery.simulate import linear_sem as sem

    full = CausalGraph.from_edges([("Z", "X"), ("W", "Y"), ("L", "X"), ("L", "Y")])
    df = sem(full, 3000, seed=11).drop(columns="L")
    r = discover(df, "fci")
    assert r.edge("X", "Y") is not None and r.edge("X", "Y").symbol == "<->", str(r)
    truth = CausalGraph.from_edges([("Z", "X"), ("W", "Y")], bidirected=[("X", "Y")])
    assert compare_graphs(truth, r).shd == 0
