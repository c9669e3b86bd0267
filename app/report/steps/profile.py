"""Stage "profile": profile the table, say what it implies for the analysis, choose the columns
that enter discovery and find the variables that (nearly) decide the treatment."""
from __future__ import annotations

import pandas as pd

from app.data import profile
from app.estimation.overlap import deciding_variables
from app.report.result import ReportSettings
from app.report.rules import discovery_variables
from app.report.steps.context import Profiled, ReportContext


def run(ctx: ReportContext) -> Profiled:
    s, inputs = ctx.settings, ctx.inputs
    df, dataset = inputs.df, inputs.dataset
    prof = profile(dataset)
    graph = inputs.rules_graph
    variables, excluded, size_rule = discovery_variables(
        df, dataset.types, s, graph.nodes if graph else ())
    notes = profile_notes(df, prof, s, inputs.coding, excluded)
    determiners = deciding_variables(df, s.treatment, [c for c in df.columns if c != s.outcome])
    return Profiled(prof, tuple(notes), tuple(variables), tuple(excluded), size_rule,
                    determiners)


def profile_notes(df: pd.DataFrame, prof, s: ReportSettings, prep, excluded) -> list[str]:
    """What the profile implies for the analysis, one stated rule per sentence."""
    n = len(df)
    notes = [_shape_note(df, prof), *_size_notes(n, s), _missing_note(prof, n),
             *_coding_notes(s, prep)]
    dates = [c.name for c in prof.column_profiles if c.type == "datetime"]
    if dates and s.domain_column is None:
        notes.append(f"'{dates[0]}' holds dates. If causal mechanisms may change over time, give "
                     "it (or a period derived from it) as the domain/time column.")
    if excluded:
        notes.append("Left out of discovery: " + "; ".join(f"{c} ({why})" for c, why in excluded)
                     + ".")
    return notes


def _shape_note(df: pd.DataFrame, prof) -> str:
    kinds: dict[str, int] = {}
    for c in prof.column_profiles:
        kinds[c.type] = kinds.get(c.type, 0) + 1
    return f"{len(df):,} rows × {df.shape[1]} columns: " + ", ".join(
        f"{v} {k}" for k, v in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))) + "."


def _size_notes(n: int, s: ReportSettings) -> list[str]:
    if n < 500:
        return ["With fewer than 500 rows, independence tests and scores have little power: "
                "weak edges may be missed, and bootstrap confidence will be modest."]
    if n > s.max_rows:
        return [f"More than {s.max_rows:,} rows: discovery uses a random sample of "
                f"{s.max_rows:,} (seeded); estimation uses all rows."]
    return []


def _missing_note(prof, n: int) -> str:
    missing = [(c.name, c.missing) for c in prof.column_profiles if c.missing]
    if not missing:
        return "No missing values."
    worst = sorted(missing, key=lambda kv: -kv[1])[:5]
    return ("Missing values in " + ", ".join(f"{c} ({m / n:.0%})" for c, m in worst)
            + (" …" if len(missing) > 5 else "") + ". Each step leaves out rows with a "
            "missing value in the columns it uses (complete-case analysis): unbiased only "
            "if being missing is unrelated to the values themselves.")


def _coding_notes(s: ReportSettings, prep) -> list[str]:
    if prep.binary_treatment:
        treat = (f"The treatment '{s.treatment}' has two values: effects compare "
                 f"{prep.treatment_label} (treated) with {prep.control_label} (control), and "
                 "propensity-score estimators apply.")
    else:
        treat = (f"The treatment '{s.treatment}' is numeric: effects are per one-unit "
                 "increase; only regression-type estimators apply.")
    if prep.binary_outcome:
        out = (f"The outcome '{s.outcome}' has two values: effects are differences in the "
               f"share with {prep.outcome_label} (percentage points).")
    else:
        out = f"The outcome '{s.outcome}' is numeric: effects are differences in its mean."
    return [treat, out]


__all__ = ["profile_notes", "run"]
