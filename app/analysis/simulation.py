"""Data simulated from a graph, to see what it implies show up in data: DAGitty's simulateSEM
(Gaussian linear model, drawn from the implied covariance matrix) and simulateLogistic (every
variable binary, −1 or +1, with log-odds linear in its parents).

`app.discovery.simulate` holds the simulators discovery is benchmarked on (non-Gaussian noise,
rescaled variables); these follow DAGitty's definitions so its examples carry over.
"""
from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np
import pandas as pd

from app.analysis.tetrads import dag_with_latent_roots, implied_covariance
from app.errors import QueryError
from app.graph import CausalGraph
from app.settings import MAX_ROWS

Edge = tuple[str, str]


def _rows(n: int) -> None:
    if not 1 <= n <= MAX_ROWS:
        raise QueryError(f"Ask for between 1 and {MAX_ROWS:,} rows (the table limit), not {n}.")


def simulate_sem(g: CausalGraph, n: int = 500, coefficients: Mapping[Edge, float] | None = None,
                 *, seed: int = 0, low: float = -0.6, high: float = 0.6,
                 standardized: bool = True) -> pd.DataFrame:
    """`n` rows of the measured nodes from the Gaussian linear model of `implied_covariance`
    (same coefficients for the same arguments and seed): DAGitty's simulateSEM, which also
    draws from the implied covariance matrix. For checking that what the graph implies (an
    independence, a vanishing tetrad) shows in data."""
    _rows(n)
    sigma = implied_covariance(g, coefficients, seed=seed, low=low, high=high,
                               standardized=standardized)
    rng = np.random.default_rng(seed + 1)
    rows = rng.multivariate_normal(np.zeros(len(sigma)), sigma.to_numpy(), size=n,
                                   method="eigh")
    return pd.DataFrame(rows, columns=list(sigma.columns))


def simulate_logistic(g: CausalGraph, n: int = 500,
                      coefficients: Mapping[Edge, float] | None = None, *, seed: int = 0,
                      low: float = -0.6, high: float = 0.6, base: float = 0.0) -> pd.DataFrame:
    """`n` rows of binary measured variables coded −1 / +1 (DAGitty's simulateLogistic): a root
    is +1 with probability 1 / (1 + e^−base); any other node with log-odds base + Σ b·parent.
    Coefficients not in `coefficients` (keys (parent, child); (a, b) for a <-> edge) are drawn
    from [low, high]. A <-> edge with coefficient b is a binary latent root with √|b| on one
    side and ±√|b| (the sign of b) on the other, as DAGitty builds it."""
    _rows(n)
    d, measured = dag_with_latent_roots(g, "Simulating binary data")
    coefficients = dict(coefficients or {})
    rng = np.random.default_rng(seed)
    weight: dict[tuple, float] = {}
    for p, c in sorted(d.edges, key=str):
        if isinstance(p, tuple):                 # the latent root of a <-> edge
            continue
        weight[(p, c)] = float(coefficients.get((p, c), rng.uniform(low, high)))
    for a, b in sorted(g.bidirected):
        coef = coefficients.get((a, b), coefficients.get((b, a)))
        coef = float(rng.uniform(low, high) if coef is None else coef)
        root = ("<->", a, b)
        weight[(root, a)] = np.sqrt(abs(coef))
        weight[(root, b)] = np.sign(coef) * np.sqrt(abs(coef)) if coef else 0.0
    values: dict = {}
    for v in nx.topological_sort(d):
        logit = np.full(n, base)
        for p in d.pred[v]:
            logit = logit + weight[(p, v)] * values[p]
        values[v] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), 1, -1)
    return pd.DataFrame({v: values[v] for v in measured})

