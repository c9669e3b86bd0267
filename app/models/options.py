"""How the pages build the model, as part of the Workspace: fitting options and edited tables.

Both live in `Workspace.settings` as plain JSON (so undo, autosave, saved files and share
links carry them): "model_options" (`ModelOptions`) and "cpt_edits" (the tables edited by
hand, stamped with the graph structure they were made for). Whatever arrives from outside
(a file, an autosave, a share link) is read here and checked against the budgets before any
of it reaches a model: a bad payload is a ModelError with a message, never a traceback.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from app import settings
from app.errors import ModelError
from app.models.cpt import MAX_EDITOR_ROWS, ROW_TOLERANCE

MODEL_OPTIONS = "model_options"     # Workspace.settings key: ModelOptions as JSON
CPT_EDITS = "cpt_edits"             # Workspace.settings key: {"graph": hash, "tables": {...}}
SHARED_SETTINGS = (MODEL_OPTIONS, CPT_EDITS)    # what a share link carries of the settings
KINDS = ("auto", "discrete", "linear")
ESTIMATORS = ("mle", "bayes")
PRIORS = ("BDeu", "K2")
TABLES = ("data", "bif")
MAX_STATES = 50          # a "discrete" column with more values than this is an identifier
MAX_ESS = 1e6            # equivalent sample size (the Intervene page's input allows up to this)
MAX_TEXT = 2 * settings.MAX_COLUMN_NAME + 8     # a table header: "P(" name "=" state ")"


@dataclass(frozen=True)
class ModelOptions:
    """How to build the model on the pages: fitting choices, and states for a hand-built one."""

    kind: str = "auto"
    estimator: str = "mle"
    prior: str = "BDeu"
    equivalent_sample_size: float = 5.0
    bins: int = 3
    hand_states: Mapping[str, tuple] = field(default_factory=dict)
    tables: str = "data"      # "data": fitted; "bif": a sample's published network

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for Workspace.settings."""
        return {"kind": self.kind, "estimator": self.estimator, "prior": self.prior,
                "equivalent_sample_size": float(self.equivalent_sample_size),
                "bins": int(self.bins), "tables": self.tables,
                "hand_states": {str(v): list(s) for v, s in self.hand_states.items()}}


def _bad(what: str) -> ModelError:
    return ModelError(f"The saved model settings are not usable: {what}.",
                      hint="Choose the model options again on the Intervene page.")


def _choice(doc: Mapping, key: str, allowed: tuple, default: str) -> str:
    value = doc.get(key, default)
    if value not in allowed:
        raise _bad(f"'{key}' must be one of {', '.join(allowed)}")
    return value


def _scalar(value: Any, what: str) -> str | int | float | bool:
    """A table cell or a state: text (bounded), a finite number or a yes/no."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise _bad(f"{what} has a text longer than {MAX_TEXT} characters")
        return value
    if isinstance(value, bool) or (isinstance(value, int) and abs(value) < 2 ** 53):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise _bad(f"{what} holds a value that is not a finite number or a short text")


def read_options(doc: Any) -> ModelOptions:
    """ModelOptions from its JSON (a missing key takes its default; unknown keys are ignored)."""
    if doc is None:
        return ModelOptions()
    if not isinstance(doc, Mapping):
        raise _bad("they are not a list of names and values")
    ess = doc.get("equivalent_sample_size", 5.0)
    if isinstance(ess, bool) or not isinstance(ess, (int, float)) or not \
            (math.isfinite(ess) and 0 < ess <= MAX_ESS):
        raise _bad(f"the equivalent sample size must be a number above 0 and at most {MAX_ESS:g}")
    bins = doc.get("bins", 3)
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= MAX_STATES:
        raise _bad(f"the number of bins must be a whole number from 2 to {MAX_STATES}")
    hand = doc.get("hand_states", {})
    if not isinstance(hand, Mapping) or len(hand) > settings.MAX_NODES:
        raise _bad(f"the hand-written states are not a list of at most {settings.MAX_NODES:,} "
                   "variables")
    states = {}
    for v, values in hand.items():
        if not isinstance(v, str) or len(v) > settings.MAX_COLUMN_NAME:
            raise _bad("a hand-written variable name is not a short text")
        if not isinstance(values, (list, tuple)) or not 2 <= len(values) <= MAX_STATES:
            raise _bad(f"'{v[:40]}' needs from 2 to {MAX_STATES} states")
        cleaned = tuple(_scalar(s, f"the states of '{v[:40]}'") for s in values)
        if len(set(map(str, cleaned))) != len(cleaned):
            raise _bad(f"the states of '{v[:40]}' repeat")
        states[v] = cleaned
    return ModelOptions(kind=_choice(doc, "kind", KINDS, "auto"),
                        estimator=_choice(doc, "estimator", ESTIMATORS, "mle"),
                        prior=_choice(doc, "prior", PRIORS, "BDeu"),
                        equivalent_sample_size=float(ess), bins=bins, hand_states=states,
                        tables=_choice(doc, "tables", TABLES, "data"))


# ---- edited tables -------------------------------------------------------------------------------
def edits_to_json(graph_key: str, tables: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """Edited tables as plain JSON, stamped with the graph structure they belong to."""
    out = {}
    for v, t in tables.items():
        rows = [[x.item() if hasattr(x, "item") else x for x in row]
                for row in t.itertuples(index=False, name=None)]
        out[str(v)] = {"columns": [str(c) for c in t.columns], "rows": rows}
    return {"graph": graph_key, "tables": out}


def read_edits(doc: Any) -> tuple[str, dict[str, pd.DataFrame]]:
    """(graph structure hash, variable -> table) from the JSON of `edits_to_json`, checked:
    shapes, finite numbers, probabilities in 0–1 summing to 1 per row, and the budgets."""
    if doc is None:
        return "", {}
    if not isinstance(doc, Mapping) or not isinstance(doc.get("graph", ""), str) \
            or len(doc.get("graph", "")) > 128 or not isinstance(doc.get("tables", {}), Mapping):
        raise _bad("the edited tables are not in the form Causal Canvas writes")
    tables = doc.get("tables", {})
    if len(tables) > settings.MAX_NODES:
        raise _bad(f"there are {len(tables):,} edited tables; a graph has at most "
                   f"{settings.MAX_NODES:,} variables")
    out, cells = {}, 0
    for v, t in tables.items():
        if not isinstance(v, str) or len(v) > settings.MAX_COLUMN_NAME or \
                not isinstance(t, Mapping):
            raise _bad("an edited table is not named by a variable")
        columns, rows = t.get("columns"), t.get("rows")
        if not isinstance(columns, list) or not isinstance(rows, list) or not columns \
                or not all(isinstance(c, str) and len(c) <= MAX_TEXT for c in columns) \
                or len(set(columns)) != len(columns):
            raise _bad(f"the edited table of '{v[:40]}' has no proper header")
        if len(rows) > MAX_EDITOR_ROWS:
            raise _bad(f"the edited table of '{v[:40]}' has {len(rows):,} rows; a table edited "
                       f"by hand has at most {MAX_EDITOR_ROWS}")
        cells += len(rows) * len(columns)
        if cells > settings.MAX_CPT_EDIT_CELLS:
            raise _bad(f"the edited tables hold more than {settings.MAX_CPT_EDIT_CELLS:,} "
                       "values")
        probs = [i for i, c in enumerate(columns) if c.startswith(f"P({v}=") and c.endswith(")")]
        if not probs:
            raise _bad(f"the edited table of '{v[:40]}' has no probability columns")
        clean = []
        for r, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != len(columns):
                raise _bad(f"row {r + 1} of the edited table of '{v[:40]}' does not match its "
                           "header")
            row = [_scalar(x, f"the edited table of '{v[:40]}'") for x in row]
            ps = [row[i] for i in probs]
            if any(isinstance(p, (bool, str)) or not -ROW_TOLERANCE <= p <= 1 + ROW_TOLERANCE
                   for p in ps):
                raise _bad(f"row {r + 1} of the edited table of '{v[:40]}' has a probability "
                           "outside 0–1")
            if abs(math.fsum(ps) - 1.0) > ROW_TOLERANCE:
                raise _bad(f"row {r + 1} of the edited table of '{v[:40]}' does not sum to 1")
            clean.append(row)
        out[v] = pd.DataFrame(clean, columns=columns)
    return doc.get("graph", ""), out


def check_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """Workspace settings with the model's entries checked (ModelError when one is unusable)."""
    out = dict(values)
    if MODEL_OPTIONS in out:
        out[MODEL_OPTIONS] = read_options(out[MODEL_OPTIONS]).to_json()
    if CPT_EDITS in out:
        graph_key, tables = read_edits(out[CPT_EDITS])
        out[CPT_EDITS] = edits_to_json(graph_key, tables)
    return out
