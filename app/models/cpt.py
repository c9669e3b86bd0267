"""Conditional probability tables as plain tables: view, validate and build them by hand.

A CPT table is a DataFrame with one column per parent (its value in that row) followed by one
column per state of the variable, headed ``P(var=state)``. Rows must sum to 1, so a teacher can
build a whole model in a table editor without any data.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from app.errors import ModelError

MAX_CPT_CELLS = 1_000_000     # a table larger than this cannot be fitted or stored sensibly
MAX_EDITOR_ROWS = 512         # beyond this many parent combinations a table cannot be edited
ROW_TOLERANCE = 1e-6


def prob_column(var: str, state: object) -> str:
    """The header of the probability column for one state."""
    return f"P({var}={state})"


def cpt_cells(var: str, parents: Sequence[str], states: Mapping[str, Sequence]) -> int:
    """The number of probabilities in the CPT of `var` given these parents."""
    return len(states[var]) * math.prod(len(states[p]) for p in parents)


def check_cpt_size(var: str, parents: Sequence[str], states: Mapping[str, Sequence],
                   limit: int = MAX_CPT_CELLS) -> int:
    """Raise ModelError (stating the size) when the CPT of `var` would exceed `limit` cells."""
    cells = cpt_cells(var, parents, states)
    if cells > limit:
        sizes = " × ".join(str(len(states[p])) for p in parents)
        raise ModelError(
            f"'{var}' has {len(parents)} parents, so its probability table needs "
            f"{sizes} = {cells // len(states[var]):,} parent combinations × "
            f"{len(states[var])} states = {cells:,} numbers; the limit is {limit:,}.",
            hint="Remove some arrows into it, merge rare categories, or discretise into fewer "
                 "bins.",
        )
    return cells


def parent_configurations(parents: Sequence[str], states: Mapping[str, Sequence]) -> list[tuple]:
    """Every combination of parent values, first parent varying slowest (pgmpy's order)."""
    return list(itertools.product(*(states[p] for p in parents)))


def table_from_values(var: str, parents: Sequence[str], states: Mapping[str, Sequence],
                      values: np.ndarray) -> pd.DataFrame:
    """A CPT table from a pgmpy-shaped array (states × parent combinations)."""
    values = np.asarray(values, dtype=float).reshape(len(states[var]), -1)
    rows = parent_configurations(parents, states)
    frame = pd.DataFrame(rows, columns=list(parents)) if parents else pd.DataFrame(index=[0])
    for i, s in enumerate(states[var]):
        frame[prob_column(var, s)] = values[i]
    return frame.reset_index(drop=True)


def uniform_table(var: str, parents: Sequence[str], states: Mapping[str, Sequence]) -> pd.DataFrame:
    """A CPT table with every row uniform: the starting point for a hand-built model."""
    check_cpt_size(var, parents, states, limit=MAX_EDITOR_ROWS * len(states[var]))
    n_rows = math.prod(len(states[p]) for p in parents)
    k = len(states[var])
    return table_from_values(var, parents, states, np.full((k, n_rows), 1.0 / k))


def _same(a: object, b: object) -> bool:
    return a == b or str(a) == str(b)


def values_from_table(var: str, parents: Sequence[str], states: Mapping[str, Sequence],
                      table: pd.DataFrame) -> np.ndarray:
    """Validate a CPT table and return its pgmpy-shaped array (states × parent combinations).

    Every parent combination must appear exactly once; every row must hold numbers in [0, 1]
    summing to 1 (within 1e-6). Errors name the variable and the offending row.
    """
    if not isinstance(table, pd.DataFrame):
        raise ModelError(f"The table for '{var}' must be a table (DataFrame), "
                         f"not {type(table).__name__}.")
    check_cpt_size(var, parents, states)
    prob_cols = [prob_column(var, s) for s in states[var]]
    missing = [c for c in [*parents, *prob_cols] if c not in table.columns]
    if missing:
        raise ModelError(f"The table for '{var}' lacks the column(s) {', '.join(missing)}.",
                         hint="Expected columns: " + ", ".join([*parents, *prob_cols]) + ".")
    configs = parent_configurations(parents, states)
    if len(table) != len(configs):
        raise ModelError(f"The table for '{var}' has {len(table)} rows; it needs one row for each "
                         f"of the {len(configs)} combinations of its parents' values.")
    probs = table[prob_cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    # rows may come back in any order (sorted in an editor): match them to configurations
    order = np.empty(len(configs), dtype=int)
    seen: set[int] = set()
    for r, row in enumerate(table[list(parents)].itertuples(index=False, name=None)):
        j = next((j for j, c in enumerate(configs)
                  if all(_same(a, b) for a, b in zip(row, c))), None)
        if j is None or j in seen:
            what = ", ".join(f"{p}={v}" for p, v in zip(parents, row))
            raise ModelError(f"Row {r + 1} of the table for '{var}' ({what}) is "
                             + ("a repeated parent combination." if j is not None
                                else "not a valid parent combination."),
                             hint="Each combination of parent values must appear exactly once.")
        seen.add(j)
        order[j] = r
    probs = probs[order]
    for j, row in enumerate(probs):
        where = ", ".join(f"{p}={v}" for p, v in zip(parents, configs[j])) or "the only row"
        if np.isnan(row).any():
            raise ModelError(f"The table for '{var}' has an empty or non-numeric cell in the row "
                             f"{where}.", hint="Type a probability between 0 and 1 in every cell.")
        if (row < -ROW_TOLERANCE).any() or (row > 1 + ROW_TOLERANCE).any():
            raise ModelError(f"The table for '{var}' has a probability outside 0–1 in the row "
                             f"{where}.")
        total = float(row.sum())
        if abs(total - 1.0) > ROW_TOLERANCE:
            raise ModelError(
                f"In the table for '{var}', the row {where} sums to {total:.4g}, not 1.",
                hint="The probabilities of all states of a variable, for one combination of its "
                     "parents, must add up to exactly 1.")
    return np.clip(probs, 0.0, 1.0).T.copy()


def tabular_cpd(var: str, parents: Sequence[str], states: Mapping[str, Sequence],
                values: np.ndarray):
    """A pgmpy TabularCPD with our state order (no validation beyond pgmpy's)."""
    from pgmpy.factors.discrete import TabularCPD

    values = np.asarray(values, dtype=float).reshape(len(states[var]), -1)
    return TabularCPD(
        var, len(states[var]), values,
        evidence=list(parents) or None,
        evidence_card=[len(states[p]) for p in parents] or None,
        state_names={n: list(states[n]) for n in [var, *parents]},
    )


def parse_states(text: object) -> tuple:
    """States typed as text, e.g. "0, 1" or "low, mid, high" (whole numbers become ints)."""
    items = [s.strip() for s in str(text).split(",") if s.strip()]
    out = tuple(int(s) if s.lstrip("-").isdigit() else s for s in items)
    if len(out) < 2 or len(set(map(str, out))) != len(out):
        raise ModelError(f"'{text}' does not list at least two different states.",
                         hint="Separate the states with commas, e.g. 0, 1 or low, mid, high.")
    return out
