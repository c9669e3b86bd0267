"""The one interface every fitted causal model has (DiscreteModel, LinearModel).

Callers ask a model to query, explain a counterfactual, sample, describe itself and read a
value in its own terms; they do not test which kind of model it is. `kind` stays as a
read-only class attribute for the few callers that still name it.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from app.errors import ModelError, QueryError
from app.graph import CausalGraph
from app.models.results import CounterfactualResult, QueryResult


def content_key(kind: str, graph: CausalGraph, parts: list[bytes]) -> str:
    """A short hash of a model's structure and parameters (its cache key)."""
    h = hashlib.sha256(f"{kind}|{graph.structure_hash()}".encode())
    for p in parts:
        h.update(p)
    return h.hexdigest()[:20]


@dataclass(frozen=True, eq=False)
class FittedModel:
    """A fitted causal model: what it is, over which variables, and the notes a user should see.

    `key` identifies the content (structure + parameters) for caching. Subclasses implement
    the interface below; validation of names and values happens before a method is called
    (app.models.inference, app.models.counterfactual).
    """

    kind: ClassVar[str] = ""
    # counterfactual assumptions a user chooses between (name -> text); none when fixed
    assumptions: ClassVar[Mapping[str, str]] = {}
    graph: CausalGraph = field(default_factory=CausalGraph)
    variables: tuple[str, ...] = ()
    states: Mapping[str, tuple] = field(default_factory=dict)   # linear: levels of count columns
    notes: tuple[str, ...] = ()
    key: str = ""
    source: str = ""
    n_rows: int = 0
    discretised: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({len(self.variables)} variables, {self._size()}, "
                f"source={self.source!r}, key={self.key!r})")

    def _size(self) -> str:
        raise NotImplementedError

    @property
    def confounded(self) -> bool:
        """True when the graph has hidden common causes (do-queries go through identification)."""
        return bool(self.graph.bidirected)

    @property
    def tables_editable(self) -> bool:
        """Whether `with_cpt` may replace a table (a full discrete model)."""
        return False

    # ---- reading ------------------------------------------------------------------------------
    def parents(self, v: str) -> list[str]:
        """The parents of `v` in the model (with hidden confounding: Tian's parents)."""
        raise NotImplementedError

    def describe(self) -> pd.DataFrame:
        """One row per variable: its parents and its mechanism (states, or equation and fit)."""
        raise NotImplementedError

    def resolve(self, v: str, value: object) -> object:
        """The model's own value for `value` of `v` (QueryError when it is not one)."""
        raise NotImplementedError

    def event(self, target: str, outcome_state: object | None = None) -> object | None:
        """The outcome event effects are measured on (a state), or None when they are means."""
        return None

    def suggest_values(self, treatment: str) -> tuple[object, object]:
        """(treated, control) values worth comparing."""
        raise NotImplementedError

    def sweep_values(self, treatment: str) -> list:
        """The treatment values an intervention sweep runs over."""
        raise NotImplementedError

    def cpt(self, v: str) -> pd.DataFrame:
        """The probability table of `v` (discrete models only)."""
        raise ModelError("Only discrete models have probability tables.")

    # ---- asking -------------------------------------------------------------------------------
    def query(self, targets: list[str], do: dict, evidence: dict) -> QueryResult:
        """P(targets | do, evidence), exact; arguments already checked and resolved."""
        raise NotImplementedError

    def counterfactual(self, targets: list[str], factual: dict, do: dict,
                       assumption: str) -> CounterfactualResult:
        """Abduction, action, prediction for one unit; arguments already checked."""
        raise NotImplementedError

    def unit_counterfactuals(self, rows: pd.DataFrame, do: Mapping[str, object]) -> pd.DataFrame:
        """Counterfactual values of every variable for many fully observed rows at once."""
        raise QueryError("Counterfactuals for many rows at once need a linear model.",
                         hint="For a discrete model, ask about one unit at a time.")

    def sample(self, n: int, seed: int = 0, do: Mapping[str, object] | None = None
               ) -> pd.DataFrame:
        """`n` units drawn from the model (after do(), if given)."""
        raise NotImplementedError

    # ---- changing -----------------------------------------------------------------------------
    def with_cpt(self, variable: str, table: pd.DataFrame) -> FittedModel:
        """A copy with one probability table replaced (discrete models only)."""
        raise ModelError("Only discrete models have probability tables to edit.")


def listing(items: Sequence, limit: int = 25) -> str:
    """Names for a message: the first `limit`, then how many in all."""
    shown = ", ".join(map(str, items[:limit]))
    return shown + (f", … ({len(items)} in all)" if len(items) > limit else "")


def check_sample_size(n: object, limit: int) -> int:
    """A sample size from 1 to `limit` (QueryError otherwise)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= limit:
        raise QueryError(f"Draw from 1 to {limit:,} units at a time, not {str(n)[:20]}.")
    return n
