"""Causal models: fit on a graph, ask do-queries, compute counterfactuals and probabilities of
causation. Every model has one interface (app.models.base.FittedModel): DiscreteModel holds
probability tables as numpy arrays, LinearModel a linear additive-noise SCM.
"""
from app.models.base import FittedModel
from app.models.bounds import CausationBounds, Interval, causation_bounds, tian_pearl
from app.models.counterfactual import (
    ASSUMPTIONS,
    CounterfactualResult,
    counterfactual,
    row_to_factual,
    twin_network,
    unit_counterfactuals,
)
from app.models.cpt import (
    MAX_CPT_CELLS,
    MAX_EDITOR_ROWS,
    parse_states,
    uniform_table,
    values_from_table,
)
from app.models.discrete import DiscreteModel
from app.models.fit import (
    build_model,
    fit_model,
    model_from_bif,
    model_from_scm,
    sample_bif_text,
    with_cpt,
)
from app.models.inference import (
    EffectResult,
    causal_effect,
    cut_edges,
    do_query,
    intervention_sweep,
    observe_query,
    seeing_doing_sentence,
    show_value,
    suggest_query,
    suggest_values,
)
from app.models.linear import LinearModel
from app.models.mediation import ModelMediation, default_mediators, model_mediation
from app.models.options import ModelOptions
from app.models.results import (
    DiscreteCounterfactual,
    DistributionResult,
    LinearCounterfactual,
    NormalResult,
    QueryResult,
)
from app.models.scm import LinearSCM

__all__ = [
    "FittedModel", "DiscreteModel", "LinearModel", "DistributionResult", "NormalResult",
    "DiscreteCounterfactual", "LinearCounterfactual", "fit_model", "model_from_bif", "model_from_scm", "with_cpt", "LinearSCM",
    "QueryResult", "do_query", "observe_query", "EffectResult", "causal_effect",
    "intervention_sweep", "cut_edges", "suggest_query", "suggest_values", "show_value", "ModelOptions",
    "build_model", "row_to_factual", "sample_bif_text",
    "CounterfactualResult", "counterfactual", "unit_counterfactuals", "twin_network",
    "ASSUMPTIONS", "CausationBounds", "Interval", "causation_bounds", "tian_pearl",
    "MAX_CPT_CELLS", "MAX_EDITOR_ROWS", "parse_states", "seeing_doing_sentence",
    "uniform_table", "values_from_table", "ModelMediation", "model_mediation",
    "default_mediators",
]
