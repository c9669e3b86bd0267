"""The inputs of attribution: two datasets, the nodes upstream of the outcome, and each node's
mechanism fitted on each dataset.

Mechanisms are fitted here, in closed form, so the attribution is exact for the model it fits:
a linear-Gaussian mechanism (least squares on the parents with an intercept; the residual
variance as the noise) or a discrete one (a conditional probability table by counting; a parent
combination a dataset never shows gets a uniform row). app.models.fit serves the other pages;
attribution needs two fits of each mechanism and mixes them, so it keeps its own arrays.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app import settings
from app.errors import DataError, ModelError
from app.graph import KIND_NAMES, CausalGraph
from app.models.cpt import check_cpt_size
from app.models.fit import MAX_STATES, is_continuous

KINDS = ("auto", "linear", "discrete")
MIN_ROWS = 10            # rows each dataset needs at the least (and one more than any node's parents)


@dataclass(frozen=True)
class LinearFit:
    """Linear-Gaussian mechanisms of the upstream nodes on one dataset, as arrays in `order`:
    X = intercept + B X + U with U_i ~ N(0, noise_var_i)."""

    intercept: np.ndarray
    coef: np.ndarray
    noise_var: np.ndarray

    def residuals(self, order: tuple[str, ...], df: pd.DataFrame) -> np.ndarray:
        """The noise of each row, U = X − intercept − B X (exact for an additive-noise model)."""
        x = df[list(order)].to_numpy(dtype=float)
        return x - self.intercept - x @ self.coef.T


@dataclass(frozen=True)
class Prepared:
    """Two datasets over the nodes upstream of `outcome` (in topological order, outcome last)."""

    outcome: str
    order: tuple[str, ...]
    parents: Mapping[str, tuple[str, ...]]
    kind: str
    old: pd.DataFrame
    new: pd.DataFrame
    states: Mapping[str, tuple] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def split_by_value(df: pd.DataFrame, column: str, old_value: object, new_value: object
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows where `column` equals old_value (before) and new_value (after)."""
    if column not in df.columns:
        raise DataError(f"There is no column '{column}' to split the data by.")
    if old_value == new_value:
        raise DataError("Pick two different values: one for 'before', one for 'after'.")
    col = df[column]
    old, new = df[col == old_value], df[col == new_value]
    for part, value in ((old, old_value), (new, new_value)):
        if part.empty:
            raise DataError(f"No row has {column} = {value!r}.", hint="Pick a value the column has.")
    return old, new


def split_by_rows(df: pd.DataFrame, at: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows before position `at` (before) and from it on (after): two time windows."""
    if isinstance(at, bool) or not isinstance(at, int | np.integer) or not 0 < at < len(df):
        raise DataError(f"The split must fall inside the table (between row 1 and row "
                        f"{len(df) - 1}), not at {at!r}.")
    return df.iloc[:at], df.iloc[at:]


def upstream(graph: CausalGraph, outcome: str) -> list[str]:
    """The outcome's ancestors and the outcome, in topological order (outcome last)."""
    keep = graph.ancestors(outcome) | {outcome}
    return [v for v in graph.topological_order() if v in keep]


def _clean(df: pd.DataFrame, names: list[str], which: str, seed: int, notes: list[str]
           ) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"The {which} data must be a table.")
    missing = [v for v in names if v not in df.columns]
    if missing:
        raise DataError(f"The {which} data has no column for {', '.join(map(repr, missing))}.",
                        hint="Every node upstream of the outcome needs data in both datasets; "
                             "attribution cannot replace the mechanism of an unmeasured node.")
    part = df[names]
    full = part.dropna()
    if len(full) < len(part):
        notes.append(f"{len(part) - len(full):,} {which} rows with a missing value were left out.")
    if len(full) > settings.ATTRIBUTION_MAX_ROWS:
        full = full.sample(settings.ATTRIBUTION_MAX_ROWS, random_state=seed)
        notes.append(f"The {which} data was sampled down to {settings.ATTRIBUTION_MAX_ROWS:,} "
                     f"rows (seed {seed}).")
    return full.reset_index(drop=True)


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def is_linear_data(graph: CausalGraph, outcome: str, df: pd.DataFrame) -> bool:
    """True when the columns upstream of `outcome` get linear mechanisms ("auto"): all numbers,
    some continuous. Missing columns count as not linear (prepare says which)."""
    names = upstream(graph, outcome) if outcome in graph.nodes else []
    if not names or any(v not in df.columns for v in names):
        return False
    return (all(_numeric(df[v]) for v in names)
            and any(is_continuous(df[v]) for v in names))


def _choose_kind(kind: str, names: list[str], both: pd.DataFrame) -> str:
    if kind not in KINDS:
        raise ModelError(f"Unknown model kind '{kind}'.", hint="Use one of: " + ", ".join(KINDS))
    continuous = [v for v in names if is_continuous(both[v])]
    if kind == "auto":
        kind = "linear" if continuous and all(_numeric(both[v]) for v in names) else "discrete"
    if kind == "linear":
        text = [v for v in names if not _numeric(both[v])]
        if text:
            raise ModelError(f"A linear model needs numbers; {', '.join(map(repr, text))} "
                             "holds text.", hint="Choose the discrete model, or leave that "
                                                 "node out of the graph.")
    elif continuous:
        raise ModelError(f"{', '.join(map(repr, continuous))} "
                         f"{'is' if len(continuous) == 1 else 'are'} continuous: a discrete "
                         "model would need a table row per value.",
                         hint="Choose the linear model, or discretise the column on the Data "
                              "page first.")
    return kind


def _graph_part(graph: CausalGraph, outcome: str) -> list[str]:
    if not isinstance(graph, CausalGraph):
        raise ModelError("Attribution needs a CausalGraph.")
    if not graph.is_dag:
        raise ModelError(f"Attribution replaces one mechanism per node of a causal DAG; this "
                         f"graph is a {KIND_NAMES[graph.kind]}.",
                         hint="Orient its undecided edges and remove ↔ edges first.")
    if graph.bidirected:
        pairs = ", ".join(f"{a} ↔ {b}" for a, b in sorted(graph.bidirected))
        raise ModelError(f"The graph has hidden common causes ({pairs}): their mechanisms "
                         "cannot be fitted, so they cannot be replaced one by one.",
                         hint="Attribution needs a DAG without ↔ edges.")
    if outcome not in graph.nodes:
        raise ModelError(f"'{outcome}' is not a node of the graph.")
    names = upstream(graph, outcome)
    if len(names) > settings.ATTRIBUTION_MAX_NODES:
        raise ModelError(f"'{outcome}' has {len(names) - 1} ancestors; attribution handles at "
                         f"most {settings.ATTRIBUTION_MAX_NODES} nodes upstream of the outcome.",
                         hint="Pick an outcome nearer the causes, or a smaller graph.")
    return names


def prepare(graph: CausalGraph, outcome: str, old: pd.DataFrame, new: pd.DataFrame | None, *,
            kind: str = "auto", seed: int = 0) -> Prepared:
    """Check the graph, the outcome and both datasets (one, `new` None, for a single fit);
    choose the kind of mechanism."""
    names = _graph_part(graph, outcome)
    notes: list[str] = []
    parts = [("before", old), ("after", new)] if new is not None else [("loaded", old)]
    cleaned = [_clean(df, names, which, seed, notes) for which, df in parts]
    parents = {v: tuple(graph.parents(v)) for v in names}
    need = max(MIN_ROWS, 2 + max(len(p) for p in parents.values()))
    for (which, _), part in zip(parts, cleaned, strict=True):
        if len(part) < need:
            raise DataError(f"The {which} data has {len(part)} complete rows; "
                            f"attribution needs at least {need} (more than any node has parents).")
    for (which, _), part in zip(parts, cleaned, strict=True):
        fixed = [v for v in names if any(v in parents[c] for c in names) and part[v].nunique() < 2]
        if fixed:
            raise ModelError(f"{', '.join(map(repr, fixed))} takes one value only in the {which} "
                             "data, so its effect on its children cannot be fitted there.",
                             hint="Form the two datasets another way: by a column that is not "
                                  "a cause of the outcome (a period, a site), by other row "
                                  "windows, or with a second file.")
    both = pd.concat(cleaned, ignore_index=True)
    kind = _choose_kind(kind, names, both)
    states: dict[str, tuple] = {}
    if kind == "discrete":
        for v in names:
            values = pd.unique(both[v])
            if len(values) > MAX_STATES:
                raise ModelError(f"'{v}' has {len(values)} distinct values; a discrete node may "
                                 f"have at most {MAX_STATES}.")
            try:
                states[v] = tuple(sorted(values))
            except TypeError:
                states[v] = tuple(sorted(values, key=str))
        for v in names:
            check_cpt_size(v, parents[v], states)
    return Prepared(outcome, tuple(names), parents, kind, cleaned[0], cleaned[-1], states,
                    tuple(notes))


def fit_linear(prep: Prepared, df: pd.DataFrame) -> LinearFit:
    """Least squares of each node on its parents (with intercept); residual variance with n−p−1."""
    index = {v: i for i, v in enumerate(prep.order)}
    n = len(prep.order)
    intercept, coef, noise = np.zeros(n), np.zeros((n, n)), np.zeros(n)
    for v in prep.order:
        ps = list(prep.parents[v])
        y = df[v].to_numpy(dtype=float)
        x = np.column_stack([np.ones(len(df)), *(df[p].to_numpy(dtype=float) for p in ps)])
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ beta
        i = index[v]
        intercept[i] = beta[0]
        for p, b in zip(ps, beta[1:], strict=True):
            coef[i, index[p]] = b
        noise[i] = float(resid @ resid) / max(1, len(df) - x.shape[1])
    return LinearFit(intercept, coef, noise)


def fit_discrete(prep: Prepared, df: pd.DataFrame) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    """Each node's table P(v | parents) by counting, as (axes, array) with the node's axis first."""
    factors = {}
    for v in prep.order:
        ps = list(prep.parents[v])
        axes = (v, *ps)
        shape = [len(prep.states[a]) for a in axes]
        codes = [pd.Categorical(df[a], categories=list(prep.states[a])).codes for a in axes]
        counts = np.zeros(shape)
        np.add.at(counts, tuple(codes), 1.0)
        total = counts.sum(axis=0, keepdims=True)
        table = np.where(total > 0, counts / np.where(total > 0, total, 1.0), 1.0 / shape[0])
        factors[v] = (axes, table)
    return factors


def kinds_note(prep: Prepared) -> str:
    """What the mechanisms are, in words."""
    if prep.kind == "linear":
        return ("Each mechanism is linear with Gaussian noise (least squares on its parents), "
                "fitted once on the 'before' rows and once on the 'after' rows.")
    return ("Each mechanism is a probability table (counts), fitted once on the 'before' rows "
            "and once on the 'after' rows.")
