"""Causal models: fit on a graph, ask do-queries, compute counterfactuals and probabilities of
causation. Discrete models are pgmpy networks; continuous models are linear additive-noise SCMs.
"""
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
from app.models.fit import (
    FittedModel,
    ModelOptions,
    build_model,
    fit_model,
    model_from_bif,
    model_from_scm,
    sample_bif_text,
    with_cpt,
)
from app.models.inference import (
    EffectResult,
    QueryResult,
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
from app.models.mediation import ModelMediation, default_mediators, model_mediation
from app.models.scm import LinearSCM

__all__ = [
    "FittedModel", "fit_model", "model_from_bif", "model_from_scm", "with_cpt", "LinearSCM",
    "QueryResult", "do_query", "observe_query", "EffectResult", "causal_effect",
    "intervention_sweep", "cut_edges", "suggest_query", "suggest_values", "show_value", "ModelOptions",
    "build_model", "row_to_factual", "sample_bif_text",
    "CounterfactualResult", "counterfactual", "unit_counterfactuals", "twin_network",
    "ASSUMPTIONS", "CausationBounds", "Interval", "causation_bounds", "tian_pearl",
    "MAX_CPT_CELLS", "MAX_EDITOR_ROWS", "parse_states", "seeing_doing_sentence",
    "uniform_table", "values_from_table", "ModelMediation", "model_mediation",
    "default_mediators",
]
