"""Unit counterfactuals: "given what happened, what would have happened had X been x'?".

Abduction → action → prediction on an explicit structural model; the names and values are
checked here, then the model answers (`model.counterfactual`):
- linear SCM (app.models.linear): the noise of each variable is recovered exactly from a fully
  observed unit (Gaussian posterior when only part of the unit is observed);
- discrete network (app.models.discrete): probability tables do not determine counterfactuals,
  so a functional assumption is stated and used in a twin network (factual and counterfactual
  copies sharing each variable's hidden noise; app.models.twin). "monotone": one uniform noise
  per variable, states taken in their listed order (for yes/no variables this is
  monotonicity). "independent": a unit's response at other parent values is independent of
  its observed response.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from app.errors import QueryError
from app.models.base import FittedModel
from app.models.inference import check_variable, resolve_state
from app.models.results import CounterfactualResult
from app.models.twin import ASSUMPTIONS, twin_network

__all__ = ["ASSUMPTIONS", "CounterfactualResult", "counterfactual", "row_to_factual",
           "twin_network", "unit_counterfactuals"]


# ---- public entry point ------------------------------------------------------------------------
def counterfactual(model: FittedModel, target: str | Iterable[str], factual: Mapping[str, object],
                   do: Mapping[str, object], *, assumption: str = "monotone"
                   ) -> CounterfactualResult:
    """What `target` would have been, for the unit described by `factual`, had `do` held.

    Discrete models use the stated `assumption` ("monotone" or "independent"); linear models
    use their additive noise (exact when the whole unit is observed).
    """
    if not isinstance(model, FittedModel):
        raise QueryError("This needs a fitted model (see app.fit_model).")
    targets = [target] if isinstance(target, str) else list(dict.fromkeys(target))
    if not targets:
        raise QueryError("Choose at least one target variable.")
    if not do:
        raise QueryError("Choose the alternative action: do(X = x') for some variable X.")
    if model.assumptions and assumption not in model.assumptions:
        raise QueryError(f"Unknown assumption '{assumption}'.",
                         hint="Use one of: " + ", ".join(model.assumptions) + ".")
    if model.confounded:
        pairs = ", ".join(f"{a} ↔ {b}" for a, b in sorted(model.graph.bidirected))
        raise QueryError(
            f"Counterfactuals need a full model, but this graph has hidden common causes "
            f"({pairs}) whose mechanisms the data cannot reveal.",
            hint="Write each hidden cause as an explicit node with hand-written tables (CPT "
                 "editor), or remove the ↔ if you believe there is no hidden confounding.")
    for t in targets:
        check_variable(model, t, "target")
    do = {check_variable(model, k, "variable to change"): resolve_state(model, k, v)
          for k, v in dict(do).items()}
    factual = {check_variable(model, k, "observed variable"): resolve_state(model, k, v)
               for k, v in dict(factual or {}).items()}
    for t in targets:
        if t in do:
            raise QueryError(f"'{t}' is both the target and the variable you change: its "
                             f"counterfactual value is simply {do[t]}.",
                             hint="Choose a target downstream of the change.")
    return model.counterfactual(targets, factual, do, assumption)


def unit_counterfactuals(model: FittedModel, rows: pd.DataFrame, do: Mapping[str, object]
                         ) -> pd.DataFrame:
    """Counterfactual values of every variable for many fully observed units (linear, exact)."""
    if not isinstance(model, FittedModel):
        raise QueryError("This needs a fitted model (see app.fit_model).")
    do = {check_variable(model, k, "variable to change"): resolve_state(model, k, v)
          for k, v in dict(do).items()}
    return model.unit_counterfactuals(rows, do)


def row_to_factual(model: FittedModel, row: Mapping[str, object]) -> dict[str, object]:
    """A data row as facts in the model's own states (binned columns mapped to their bin)."""
    facts = {}
    for v in model.variables:
        if v not in row or pd.isna(row[v]):
            continue
        value = row[v]
        if v in model.discretised:
            edges = np.asarray(model.discretised[v])
            code = int(np.searchsorted(edges[1:-1], float(value), side="right"))
            value = model.states[v][min(code, len(model.states[v]) - 1)]
        facts[v] = resolve_state(model, v, value)
    return facts
