"""A CPDAG, MAG or PAG stands for several DAGs: fitting a model or estimating an effect on one
must say so, never silently read its marks as arrows (a guard added with issue 18's types)."""
import numpy as np
import pandas as pd
import pytest

import app
from app.errors import EstimationError, ModelError

DF = pd.DataFrame(np.random.default_rng(0).normal(size=(200, 3)), columns=["X", "Y", "Z"])


@pytest.mark.parametrize("text", ["pdag { X -- Z; Z -> Y; X -> Y }", "mag { X -> Y; Z <-> X; Z -> Y }"])
def test_non_dag_graphs_are_refused_by_estimation_and_fitting(text):
    g = app.parse_graph(text)
    assert not g.is_dag
    with pytest.raises(EstimationError, match="one causal DAG"):
        app.estimate_effect(DF, g, "X", "Y")
    with pytest.raises(ModelError, match="one causal DAG"):
        app.fit_model(g, DF)


def test_the_same_edges_as_a_dag_are_accepted():
    g = app.parse_graph("dag { X -> Z; Z -> Y; X -> Y }")
    assert app.estimate_effect(DF, g, "X", "Y", ci=False).value == pytest.approx(
        np.polyfit(DF["X"], DF["Y"], 1)[0], abs=0.05)   # total effect = simple regression here
