"""The same question answered by DoWhy GCM (`dowhy.gcm.distribution_change`), as a cross-check.

DoWhy fits each node's mechanism (here: linear regression with empirical noise for every
non-root node, the empirical distribution for roots, the choice app.attribution makes for
linear data) on the old and the new data, and estimates v(S) from `num_samples` draws of each
mixed model. With `detect_unchanged=False` every mechanism is fitted on each dataset apart,
like ours; otherwise DoWhy first tests each node for a change (kernel tests) and pools the data
of nodes it finds unchanged. DoWhy is imported only here, when this runs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.attribution.mechanisms import prepare
from app.errors import ModelError
from app.graph import CausalGraph


@dataclass(frozen=True)
class ReferenceAttribution:
    """DoWhy GCM's attribution: one value per upstream node (the same keys as ours)."""

    values: dict[str, float]
    num_samples: int
    seed: int


def _mean_change(old: np.ndarray, new: np.ndarray) -> float:
    return float(np.mean(new) - np.mean(old))


def dowhy_distribution_change(graph: CausalGraph, outcome: str, old: pd.DataFrame,
                              new: pd.DataFrame, *, num_samples: int = 2000, seed: int = 0,
                              permutations: int = 25, detect_unchanged: bool = False
                              ) -> ReferenceAttribution:
    """DoWhy GCM's distribution-change attribution of the outcome's mean, linear mechanisms:
    exact Shapley values up to 12 upstream nodes, else `permutations` random orders."""
    prep = prepare(graph, outcome, old, new, kind="auto", seed=seed)
    if prep.kind != "linear":
        raise ModelError("The DoWhy cross-check is set up for linear models only.")
    import networkx as nx
    from dowhy import gcm
    from sklearn.linear_model import LinearRegression

    g = nx.DiGraph()
    g.add_nodes_from(prep.order)
    g.add_edges_from((p, v) for v in prep.order for p in prep.parents[v])
    model = gcm.ProbabilisticCausalModel(g)
    for v in prep.order:
        model.set_causal_mechanism(v, gcm.EmpiricalDistribution() if not prep.parents[v] else
                                   gcm.AdditiveNoiseModel(
                                       gcm.ml.SklearnRegressionModel(LinearRegression())))
    never = (lambda *args: 1.0) if detect_unchanged else (lambda *args: 0.0)
    kwargs = {} if detect_unchanged else {"independence_test": never,
                                          "conditional_independence_test": never,
                                          "mechanism_change_test_fdr_control_method": None}
    gcm.config.disable_progress_bars()
    np.random.seed(seed)   # DoWhy draws from NumPy's global generator
    values = gcm.distribution_change(
        model, prep.old, prep.new, outcome, num_samples=num_samples,
        difference_estimation_func=_mean_change,
        shapley_config=gcm.shapley.ShapleyConfig(
            gcm.shapley.ShapleyApproximationMethods.EXACT
            if len(prep.order) <= 12 else gcm.shapley.ShapleyApproximationMethods.PERMUTATION,
            num_permutations=permutations),
        **kwargs)
    return ReferenceAttribution({str(k): float(v) for k, v in values.items()}, num_samples, seed)
