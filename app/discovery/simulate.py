"""Data simulated from known graphs, for tests, benchmarks and teaching ("can discovery find
the graph that made these data?")."""
from __future__ import annotations

import numpy as np
import pandas as pd

from app.graph import CausalGraph


def random_dag(p: int, expected_degree: float = 2.0, seed: int = 0,
               prefix: str = "X") -> CausalGraph:
    """An Erdős–Rényi DAG on X1..Xp (edges only from earlier to later names), each pair joined
    with probability expected_degree / (p - 1)."""
    rng = np.random.default_rng(seed)
    names = [f"{prefix}{i + 1}" for i in range(p)]
    prob = min(1.0, expected_degree / max(p - 1, 1))
    edges = [(names[i], names[j]) for i in range(p) for j in range(i + 1, p)
             if rng.random() < prob]
    return CausalGraph.from_edges(edges, nodes=names)


def linear_sem(graph: CausalGraph, n: int, seed: int = 0, noise: str = "gaussian",
               weight_range: tuple[float, float] = (0.5, 1.5)) -> pd.DataFrame:
    """n rows from a linear SEM on `graph`: each variable = Σ w·parent + noise, with weights of
    random sign and size in weight_range, unit-variance noise ("gaussian", or "uniform" /
    "laplace" for LiNGAM: non-Gaussian). Each variable is rescaled to unit variance before its
    children use it, so deep graphs do not become nearly deterministic."""
    rng = np.random.default_rng(seed)
    order = graph.topological_order()
    data: dict[str, np.ndarray] = {}
    for node in order:
        if noise == "gaussian":
            e = rng.normal(size=n)
        elif noise == "uniform":
            e = rng.uniform(-np.sqrt(3), np.sqrt(3), size=n)
        elif noise == "laplace":
            e = rng.laplace(scale=1 / np.sqrt(2), size=n)
        else:
            raise ValueError(f"unknown noise {noise!r}")
        x = e
        for parent in graph.parents(node):
            w = rng.uniform(*weight_range) * rng.choice([-1.0, 1.0])
            x = x + w * data[parent]
        data[node] = x / x.std()   # keep every variable at unit scale (no near-determinism)
    return pd.DataFrame({name: data[name] for name in graph.nodes})
