"""Stage "check": turn the inputs into a Dataset and refuse every bad input with one clear
DataError before any computation."""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from app.data import Dataset, dataset_from_frame, with_types
from app.discovery import METHODS
from app.errors import DataError
from app.graph import CausalGraph
from app.report.result import ReportSettings
from app.report.steps.context import Inputs, ReportContext

MIN_ROWS = 30


def run(ctx: ReportContext) -> Inputs:
    from app.estimation.prepare import prepare

    s = ctx.settings
    dataset = _dataset(ctx.data, ctx.name, ctx.types)
    user_graph = ctx.graph if ctx.graph is not None and ctx.graph.nodes else None
    rules_graph = user_graph if s.use_graph else None
    check_inputs(dataset.df, s, rules_graph)
    coding = prepare(dataset.df, s.treatment, s.outcome, treatment_value=s.treatment_value,
                     control_value=s.control_value)
    return Inputs(dataset, user_graph, rules_graph, coding)


def _dataset(data, name: str | None, types: Mapping[str, str] | None) -> Dataset:
    if isinstance(data, Dataset):
        return with_types(data, types) if types else data
    if not isinstance(data, pd.DataFrame):
        raise DataError("The report needs a table (a pandas DataFrame or a loaded Dataset).")
    df = data.copy()
    df.columns = [str(c) for c in df.columns]
    return dataset_from_frame(df, name or "data", types=types)


def _column_hint(df: pd.DataFrame, wanted: str) -> str:
    close = [c for c in map(str, df.columns) if c.lower() == wanted.lower()]
    cols = ", ".join(map(str, list(df.columns)[:15])) + (" …" if df.shape[1] > 15 else "")
    return (f"Did you mean '{close[0]}'? " if close else "") + f"The columns are: {cols}."


def check_inputs(df: pd.DataFrame, s: ReportSettings, graph: CausalGraph | None) -> None:
    """Every bad input becomes one clear DataError before any computation."""
    _check_roles(df, s)
    _check_rows(df, s)
    _check_options(df, s)
    if graph is not None:
        _check_graph(graph, s)


def _check_roles(df: pd.DataFrame, s: ReportSettings) -> None:
    for role, col in (("treatment", s.treatment), ("outcome", s.outcome)):
        if not col:
            raise DataError(f"Choose the {role} column.")
        if col not in df.columns:
            raise DataError(f"There is no {role} column '{col}' in the data.",
                            hint=_column_hint(df, col))
    if s.treatment == s.outcome:
        raise DataError(f"'{s.treatment}' cannot be both the treatment and the outcome.",
                        hint="Pick the cause you would change as the treatment and the result "
                             "you care about as the outcome.")
    for m in s.mediators:
        if m not in df.columns:
            raise DataError(f"There is no mediator column '{m}' in the data.",
                            hint=_column_hint(df, m))
        if m in (s.treatment, s.outcome):
            raise DataError(f"'{m}' cannot be a mediator: it is the treatment or the outcome.",
                            hint="A mediator lies between them: caused by the treatment, "
                                 "causing the outcome.")


def _check_rows(df: pd.DataFrame, s: ReportSettings) -> None:
    if len(df) < MIN_ROWS:
        raise DataError(f"The table has only {len(df)} rows; an automatic causal analysis needs "
                        f"at least {MIN_ROWS}.",
                        hint="With so few rows no independence test or estimate is reliable.")
    for role, col in (("treatment", s.treatment), ("outcome", s.outcome)):
        values = df[col].dropna()
        if values.nunique() < 2:
            shown = f" ({values.iloc[0]!r})" if len(values) else ""
            raise DataError(f"The {role} '{col}' has only one value{shown}.",
                            hint="An effect compares different values: choose a column that "
                                 "varies.")
    complete = int(df[[s.treatment, s.outcome]].notna().all(axis=1).sum())
    if complete < MIN_ROWS:
        raise DataError(f"Only {complete} rows have both '{s.treatment}' and '{s.outcome}'; "
                        f"at least {MIN_ROWS} are needed.", hint="Check for missing values.")


def _check_options(df: pd.DataFrame, s: ReportSettings) -> None:
    if s.domain_column is not None:
        if s.domain_column not in df.columns:
            raise DataError(f"There is no domain/time column '{s.domain_column}'.",
                            hint=_column_hint(df, s.domain_column))
        if s.domain_column in (s.treatment, s.outcome):
            raise DataError("The domain/time column must differ from the treatment and outcome.")
    if not isinstance(s.bootstrap, int) or isinstance(s.bootstrap, bool) or not 0 <= s.bootstrap <= 1000:
        raise DataError("The number of bootstrap resamples must be a whole number from 0 to 1000.")
    if not isinstance(s.seed, int) or isinstance(s.seed, bool) or s.seed < 0:
        raise DataError("The seed must be a whole number ≥ 0.")
    if not (isinstance(s.alpha, int | float) and 0 < s.alpha < 1):
        raise DataError(f"The significance level must be between 0 and 1, not {s.alpha!r}.")
    if s.method not in METHODS:
        raise DataError(f"Unknown discovery method '{s.method}'.",
                        hint="Choose one of: " + ", ".join(METHODS) + ".")
    sims = s.refutation_simulations
    if sims is not None and (not isinstance(sims, int) or sims == 1 or not 0 <= sims <= 1000):
        raise DataError("Refutation simulations must be 0 (skip) or a whole number from 2 to 1000.")


def _check_graph(graph: CausalGraph, s: ReportSettings) -> None:
    for role, col in (("treatment", s.treatment), ("outcome", s.outcome)):
        if col not in graph.nodes:
            raise DataError(f"Your graph has no node '{col}' (the {role}).",
                            hint="Name the graph's nodes like the data columns, or run the "
                                 "report without your graph.")
    if s.treatment in graph.latents or s.outcome in graph.latents:
        raise DataError("The treatment and the outcome must be measured, but your graph "
                        "marks one of them latent.")


__all__ = ["MIN_ROWS", "check_inputs", "run"]
