"""The bridge to DoWhy: lazy import, silenced warnings, and our graph in DoWhy's form.

DoWhy costs ~2.4 s to import (numba, cvxpy, sympy), so nothing here imports it at module level;
`dowhy()` imports it on first use. DoWhy only ever sees networkx graphs, never DOT, so graphviz
and pydot are not needed.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType

import networkx as nx

from app.errors import EstimationError
from app.graph import KIND_NAMES, CausalGraph

LATENT_PREFIX = "__latent__"


def dowhy() -> ModuleType:
    """Import DoWhy (first call ~2.4 s) with its logging turned down to errors only."""
    with quiet():
        import dowhy as _dowhy
        import dowhy.causal_estimators  # noqa: F401
        import dowhy.causal_identifier  # noqa: F401
        import dowhy.causal_refuter  # noqa: F401
    logging.getLogger("dowhy").setLevel(logging.ERROR)
    return _dowhy


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence third-party warnings (deprecations, convergence chatter) inside the block."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


_THREADS = None


def one_thread():
    """Context: BLAS and OpenMP on one thread.

    On a shared 2-core server, threads fighting over cores made a 0.1 s regression take 0.2 s
    and a 0.4 s gradient-boosting fit take 3 s (measured). The controller is built once (after
    DoWhy has loaded numpy, scipy and scikit-learn), so entering the context costs ~50 µs.
    """
    global _THREADS
    if _THREADS is None:
        dowhy()
        from threadpoolctl import ThreadpoolController
        _THREADS = ThreadpoolController()
    return _THREADS.limit(limits=1)


def single_threaded(fn: Callable) -> Callable:
    """Decorator: run a public estimation function under `one_thread()`."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with one_thread():
            return fn(*args, **kwargs)
    return wrapper


def latent_name(a: str, b: str) -> str:
    """The name of the explicit latent node standing for the bidirected edge a ↔ b."""
    return f"{LATENT_PREFIX}{a}__{b}"


def to_dowhy_graph(graph: CausalGraph) -> nx.DiGraph:
    """The graph as DoWhy wants it: a DiGraph where each a ↔ b becomes U → a, U → b."""
    if not graph.is_dag:
        raise EstimationError(f"Effects are estimated from one causal DAG; this graph is a "
                              f"{KIND_NAMES[graph.kind]}, which stands for several.",
                              hint="Orient its undecided edges (or write it as `dag {…}`) first.")
    g = nx.DiGraph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from(sorted(graph.edges))
    for a, b in sorted(graph.bidirected):
        u = latent_name(a, b)
        g.add_edge(u, a)
        g.add_edge(u, b)
    return g


def observed_nodes(graph: CausalGraph, columns) -> list[str]:
    """Graph nodes that are measured: a column in the data and not marked latent."""
    cols = set(map(str, columns))
    latent = graph.latents
    return [n for n in graph.nodes if n in cols and n not in latent]
