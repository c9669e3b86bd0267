"""Causal Canvas's public Python API: everything the app does, usable from a notebook.

Names are loaded lazily so `import app` stays fast (pgmpy and DoWhy are only imported by the
functions that need them). `app.errors` holds the one exception hierarchy.
"""
from __future__ import annotations

import importlib

from app.errors import (
    Cancelled,
    CausalCanvasError,
    CycleError,
    DataError,
    DiscoveryError,
    EstimationError,
    GraphError,
    ModelError,
    ParseError,
    QueryError,
    ShareLinkError,
)
from app.graph import CausalGraph
from app.io import detect_format, parse_graph, write_graph

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    # workspace
    "Workspace": "app.workspace", "History": "app.workspace", "DatasetRef": "app.workspace",
    "encode_share": "app.workspace", "decode_share": "app.workspace",
    # data and samples
    "load_data": "app.data", "Dataset": "app.data", "infer_types": "app.data",
    "discretise": "app.data", "profile": "app.data",
    "load_sample": "app.samples", "list_samples": "app.samples", "Sample": "app.samples",
    # analysis
    "d_separated": "app.analysis", "open_paths": "app.analysis",
    "adjustment_sets": "app.analysis", "check_adjustment_set": "app.analysis",
    "canonical_adjustment_set": "app.analysis",
    "frontdoor_sets": "app.analysis", "instruments": "app.analysis",
    "identify": "app.analysis", "implied_independencies": "app.analysis",
    "test_implications": "app.analysis", "node_roles": "app.analysis",
    "equivalence_class": "app.analysis.equivalence", "markov_blanket": "app.analysis.derived",
    "moral_graph": "app.analysis.derived", "ancestral_graph": "app.analysis.derived",
    "path_colouring": "app.analysis.colouring",
    "back_door_graph": "app.analysis", "to_mag": "app.analysis",
    "latent_projection": "app.analysis", "vanishing_tetrads": "app.analysis",
    "implied_covariance": "app.analysis", "canonicalize": "app.analysis",
    "simulate_sem": "app.analysis", "orient_pdag": "app.analysis",
    "test_tetrads": "app.analysis", "structural_part": "app.analysis",
    "measurement_part": "app.analysis", "basis_set": "app.analysis",
    "simulate_logistic": "app.analysis", "ci_test": "app.analysis",
    # models: interventions and counterfactuals
    "fit_model": "app.models", "do_query": "app.models", "observe_query": "app.models",
    "counterfactual": "app.models", "causation_bounds": "app.models",
    "causal_effect": "app.models", "intervention_sweep": "app.models",
    "unit_counterfactuals": "app.models",
    # discovery
    "discover": "app.discovery", "compare_graphs": "app.discovery",
    # time series
    "discover_timeseries": "app.timeseries", "list_series_samples": "app.timeseries",
    "load_series_sample": "app.timeseries",
    # estimation
    "estimate_effect": "app.estimation", "refute": "app.estimation",
    "subgroup_effects": "app.estimation", "overlap_diagnostics": "app.estimation",
    "OverlapResult": "app.estimation", "mediation_effects": "app.estimation",
    # automatic report
    "make_report": "app.report",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'app' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "CausalGraph", "parse_graph", "write_graph", "detect_format",
    "CausalCanvasError", "GraphError", "CycleError", "ParseError", "DataError", "ShareLinkError",
    "ModelError", "QueryError", "EstimationError", "DiscoveryError", "Cancelled",
    *_LAZY,
]
