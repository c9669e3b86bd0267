"""Turn a table into a clean, evenly spaced multivariate time series, or say exactly what to fix.

Time-series discovery silently gives nonsense on unsorted rows, gaps, repeated time stamps or
trending series, so every check lives here and raises `DataError` with the place and the remedy.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.errors import DataError, GraphError
from app.graph import clean_name

ROW_ORDER = "(row order)"          # pseudo time column: the rows are already consecutive steps
MISSING_CHOICES = ("error", "drop", "interpolate")
ROWS_PER_PARAMETER = 5             # rule of thumb: (max_lag + 1) * variables * 5 rows at least
MAX_LAG_LIMIT = 50


@dataclass(frozen=True, eq=False)
class PreparedSeries:
    """Values in time order (rows = steps, columns = variables; NaN marks a dropped value)."""

    values: np.ndarray
    variables: tuple[str, ...]
    times: pd.Index
    time_column: str
    step: str
    notes: tuple[str, ...] = ()

    @property
    def n_steps(self) -> int:
        return int(self.values.shape[0])

    def __repr__(self) -> str:
        return (f"PreparedSeries({self.n_steps} steps × {len(self.variables)} variables, "
                f"step {self.step}, time column {self.time_column!r})")


def minimum_rows(max_lag: int, n_variables: int) -> int:
    """Rows needed for `max_lag` and `n_variables` (each tested link needs ~5 rows per parameter)."""
    return (max_lag + 1) * n_variables * ROWS_PER_PARAMETER


def time_column_candidates(df: pd.DataFrame) -> list[str]:
    """Columns that look like a time index (dates, or increasing numbers), best guess first."""
    found: list[tuple[int, str]] = []
    for col in df.columns:
        s = df[col]
        name = str(col).lower()
        hint = name in ("t", "step", "index") or any(
            w in name for w in ("date", "time", "year", "month", "week", "day", "period",
                                "quarter", "step"))
        if pd.api.types.is_datetime64_any_dtype(s):
            found.append((0, str(col)))
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            sample = s.dropna().astype(str).head(20)
            if len(sample) and _parses_as_dates(sample):
                found.append((1, str(col)))
        elif pd.api.types.is_integer_dtype(s) or pd.api.types.is_float_dtype(s):
            v = s.dropna().to_numpy()
            if len(v) > 2 and np.all(np.diff(v) > 0) and hint:
                found.append((2, str(col)))
    return [c for _, c in sorted(found, key=lambda x: x[0])]


def _parses_as_dates(sample: pd.Series) -> bool:
    if sample.str.fullmatch(r"-?\d+(\.\d+)?").all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().all())


def prepare_series(df: pd.DataFrame, time_column: str | None,
                   variables: Sequence[str] | None = None, *, max_lag: int = 3,
                   missing: str = "error", sort: bool = False, difference: bool = False,
                   unit_column: str | None = None) -> PreparedSeries:
    """Validate `df` as a time series and return its values in time order.

    `time_column` names the time stamps (dates or numbers; `ROW_ORDER` when the rows already are
    consecutive steps). `missing`: "error" (default), "drop" (leave out every window touching a
    missing value) or "interpolate" (linear in time). `difference` replaces each series by its
    step-to-step change, the usual cure for trends. `unit_column` makes it panel data: one
    series per unit, pooled (units are separated by empty rows so no window spans two units).
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError("Time-series discovery needs a table (a pandas DataFrame).")
    if df.empty:
        raise DataError("The table is empty.", hint="Load a table with one row per time step.")
    if missing not in MISSING_CHOICES:
        raise DataError(f"Unknown missing-value choice {missing!r}.",
                        hint="Use one of: " + ", ".join(MISSING_CHOICES) + ".")
    if isinstance(max_lag, bool) or not isinstance(max_lag, (int, np.integer)) or not (
            1 <= max_lag <= MAX_LAG_LIMIT):
        raise DataError(f"The maximum lag must be a whole number from 1 to {MAX_LAG_LIMIT}, "
                        f"not {max_lag!r}.",
                        hint="The lag is how many time steps back a cause may act; 1–5 is usual.")
    max_lag = int(max_lag)
    df = df.rename(columns={c: str(c) for c in df.columns})
    _require_time_column(df, time_column)
    if unit_column is not None:
        if unit_column not in df.columns:
            raise DataError(f"There is no unit column called '{unit_column}'.",
                            hint="Choose the column that names the unit (person, country, …) "
                                 "of each row, or none for a single series.")
        if unit_column == time_column:
            raise DataError("The unit column and the time column must be different columns.")
        if df[unit_column].isna().any():
            raise DataError(f"The unit column '{unit_column}' has "
                            f"{int(df[unit_column].isna().sum())} empty value(s).",
                            hint="Every row needs a unit: fill them in or remove those rows.")
    variables = _choose_variables(df, time_column, variables, exclude=unit_column)

    values = df[variables].astype(float).to_numpy(copy=True)
    if np.isinf(values).any():
        bad = [v for i, v in enumerate(variables) if np.isinf(values[:, i]).any()]
        raise DataError(f"Infinite values in: {', '.join(bad)}.",
                        hint="Replace them by real numbers or leave those rows empty.")
    n_missing = int(np.isnan(values).sum())
    detail = ", ".join(f"{v}: {k}" for v, k in
                       ((v, int(np.isnan(values[:, i]).sum())) for i, v in enumerate(variables)) if k)
    if n_missing and missing == "error":
        raise DataError(
            f"The series have {n_missing} missing value(s) ({detail}).",
            hint="Choose 'drop' to leave out every time window that touches a missing value, "
                 "or 'interpolate' to fill gaps linearly between neighbouring time steps.")

    notes: list[str] = []
    if unit_column is None:
        values, times, step, was_sorted = _one_series(df, time_column, variables, missing, sort,
                                                      difference)
        any_sorted = was_sorted
    else:
        values, times, step, any_sorted = _panel(df, time_column, unit_column, variables,
                                                 missing, sort, difference, max_lag, notes)
    where = " within each unit" if unit_column else ""
    if any_sorted:
        notes.append(f"The rows were sorted by '{time_column}'{where}.")
    if n_missing:
        notes.append(f"{n_missing} missing value(s) ({detail}): " + (
            f"filled by linear interpolation{where}." if missing == "interpolate" else
            "time windows that include them are left out."))
    if difference:
        notes.append("Each series was replaced by its change from the previous step "
                     f"(differencing{where}), which removes trends.")

    # --- enough data, and each series actually varies ----------------------------------------
    for i, v in enumerate(variables):
        col = values[:, i]
        col = col[~np.isnan(col)]
        if col.size == 0:
            raise DataError(f"'{v}' has no values at all.", hint="Leave it out.")
        if np.nanstd(col) <= 1e-12 * max(1.0, float(np.nanmax(np.abs(col)))):
            raise DataError(f"'{v}' is constant ({_fmt(col[0])} at every step).",
                            hint="A series that never changes cannot cause or be caused by "
                                 "anything in the data: leave it out.")
    _check_not_redundant(values, variables)
    complete = int(np.sum(~np.isnan(values).any(axis=1)))
    need = minimum_rows(max_lag, len(variables))
    if complete < need:
        raise DataError(
            f"The series is too short for this analysis: {complete} usable time steps, but with "
            f"{len(variables)} variables and a maximum lag of {max_lag} at least {need} are "
            f"needed ((lag + 1) × variables × {ROWS_PER_PARAMETER}).",
            hint="Lower the maximum lag, choose fewer variables, or use a longer series.")
    return PreparedSeries(values=values, variables=tuple(variables), times=times,
                          time_column=str(time_column), step=step, notes=tuple(notes))


def _check_not_redundant(values: np.ndarray, variables: list[str]) -> None:
    """Refuse copies and exact linear combinations: their effects cannot be told apart, and the
    tests' regressions become singular (silently wrong links rather than an error)."""
    rows = values[~np.isnan(values).any(axis=1)]
    if len(rows) < 3:
        return
    z = (rows - rows.mean(axis=0)) / rows.std(axis=0)
    corr = (z.T @ z) / len(z)
    n = len(variables)
    for i in range(n):
        for j in range(i + 1, n):
            if abs(corr[i, j]) > 1 - 1e-9:
                raise DataError(f"'{variables[i]}' and '{variables[j]}' are the same series "
                                "(up to scale and shift).",
                                hint="Keep only one of them.")
    if np.linalg.matrix_rank(z, tol=1e-8 * np.sqrt(len(z))) < n:
        raise DataError("One of the series is an exact linear combination of the others (e.g. "
                        "a total together with all its parts), so their effects cannot be "
                        "separated.", hint="Leave out the total or one of the parts.")


def _require_time_column(df: pd.DataFrame, time_column: str | None) -> None:
    if time_column is None or (isinstance(time_column, str) and not time_column.strip()):
        guess = time_column_candidates(df)
        raise DataError(
            "No time column was chosen.",
            hint=(f"Choose the column that holds the time stamps (it looks like '{guess[0]}')."
                  if guess else
                  "Choose the column that holds the time stamps, or choose 'row order' if the "
                  "rows are already consecutive, evenly spaced time steps."))
    if time_column != ROW_ORDER and time_column not in df.columns:
        guess = time_column_candidates(df)
        raise DataError(
            f"There is no column called '{time_column}'.",
            hint=(f"Columns that look like time: {', '.join(guess[:5])}." if guess else
                  "No column looks like a time stamp: add one, or choose 'row order' if the "
                  "rows are already consecutive, evenly spaced time steps."))


def _choose_variables(df: pd.DataFrame, time_column: str, variables: Sequence[str] | None,
                      exclude: str | None) -> list[str]:
    columns = list(df.columns)
    others = [c for c in columns if c not in (time_column, exclude)]
    if variables is None:
        variables = [c for c in others if _is_numeric(df[c])]
        if len(variables) < 2:
            text = [c for c in others if not _is_numeric(df[c])]
            raise DataError(
                f"Time-series discovery needs at least two numeric columns besides the time; "
                f"this table has {len(variables)}.",
                hint=(f"These columns are not numbers: {', '.join(text[:8])}." if text else
                      "Load a table with one numeric column per variable."))
    else:
        variables = [str(v) for v in variables]
        unknown = [v for v in variables if v not in columns]
        if unknown:
            raise DataError(f"Unknown column(s): {', '.join(unknown)}.",
                            hint="Columns are: " + ", ".join(columns[:20]) + ".")
        for special, what in ((time_column, "time"), (exclude, "unit")):
            if special in variables:
                raise DataError(f"'{special}' is the {what} column; it cannot also be a variable.")
        if len(set(variables)) != len(variables):
            raise DataError("A variable was chosen twice.")
        if len(variables) < 2:
            raise DataError("Choose at least two variables: discovery looks for links between them.")
        text = [v for v in variables if not _is_numeric(df[v])]
        if text:
            raise DataError(
                f"These columns are not numeric: {', '.join(text)}.",
                hint="Time-series discovery works on numbers. Leave these out, or recode them "
                     "as numbers (e.g. 0/1) first.")
    for v in variables:
        try:
            if clean_name(v) != v:
                raise GraphError(f"'{v}' has spaces at the ends.")
        except GraphError as err:
            raise DataError(f"The column name {v!r} cannot be a graph node: {err.message}",
                            hint="Rename the column.") from None
    return list(variables)


def _one_series(df: pd.DataFrame, time_column: str, variables: list[str], missing: str,
                sort: bool, difference: bool) -> tuple[np.ndarray, pd.Index, str, bool]:
    """One unit's values in time order: (values, times, step, whether rows were sorted)."""
    was_sorted = False
    if time_column == ROW_ORDER:
        times = pd.Index(np.arange(len(df)), name="step")
        step, body = "1 row", df
    else:
        raw = df[time_column]
        if raw.isna().any():
            rows = list(np.flatnonzero(raw.isna().to_numpy())[:5] + 1)
            raise DataError(f"The time column '{time_column}' has {int(raw.isna().sum())} empty "
                            f"value(s) (row {_rows(rows)}).",
                            hint="Every row needs a time stamp: fill them in or remove those rows.")
        stamps = _as_time(raw, time_column)
        order = np.argsort(stamps.to_numpy(), kind="stable")
        dup = stamps.duplicated(keep=False).to_numpy()
        if dup.any():
            first = stamps[dup].iloc[0]
            where = list(np.flatnonzero((stamps == first).to_numpy())[:4] + 1)
            n_rep = int(stamps.duplicated().sum())
            raise DataError(
                f"The time column '{time_column}' repeats time stamps: {_fmt(first)} appears in "
                f"rows {_rows(where)} ({n_rep} repeated stamp(s) in all).",
                hint="Each time step must appear once. If the table holds several units (panel "
                     "data), choose the unit column (unit_column=…) so each unit is its own "
                     "series, or keep one unit.")
        if np.any(order != np.arange(len(order))):
            arr = stamps.to_numpy()
            bad = int(np.flatnonzero(arr[1:] < arr[:-1])[0])
            if not sort:
                raise DataError(
                    f"The rows are not in time order: row {bad + 2} ({_fmt(stamps.iloc[bad + 1])}) "
                    f"comes after row {bad + 1} ({_fmt(stamps.iloc[bad])}).",
                    hint="Tick 'sort rows by time' (sort=True) and the rows will be put in order.")
            was_sorted = True
        body = df.iloc[order]
        stamps = stamps.iloc[order].reset_index(drop=True)
        step = _check_regular(stamps, time_column)
        times = pd.Index(stamps, name=time_column)
    values = body[variables].astype(float).to_numpy(copy=True)
    if missing == "interpolate" and np.isnan(values).any():
        values = pd.DataFrame(values).interpolate(method="linear",
                                                  limit_direction="both").to_numpy()
    if difference:
        values = np.diff(values, axis=0)
        times = times[1:]
    return values, times, step, was_sorted


def _panel(df: pd.DataFrame, time_column: str, unit_column: str, variables: list[str],
           missing: str, sort: bool, difference: bool, max_lag: int,
           notes: list[str]) -> tuple[np.ndarray, pd.Index, str, bool]:
    """Each unit's series, stacked with 2 × max_lag empty rows between units.

    PCMCI's tests reach back at most 2 × max_lag steps (conditions of a lagged cause), so
    that many missing rows guarantee no test sample mixes two units: windows touching them are
    dropped exactly as for missing values.
    """
    parts, steps, short, any_sorted = [], {}, [], False
    for unit, part in df.groupby(unit_column, sort=False):
        try:
            values, _, step, was_sorted = _one_series(part, time_column, variables, missing,
                                                      sort, difference)
        except DataError as err:
            raise DataError(f"In unit '{unit}': {err.message}", hint=err.hint) from None
        any_sorted |= was_sorted
        if len(values) <= 2 * max_lag:
            short.append(str(unit))
            continue
        # subtract the unit's own means (fixed effects): level differences between units
        # would otherwise look like links between the variables
        parts.append(values - np.nanmean(values, axis=0))
        steps.setdefault(step, str(unit))
    if len(steps) > 1:
        (s1, u1), (s2, u2) = list(steps.items())[:2]
        raise DataError(f"The units are measured at different steps: '{u1}' every {s1}, "
                        f"'{u2}' every {s2}.",
                        hint="Resample the units to one common step first.")
    if not parts:
        raise DataError(f"Every unit is shorter than {2 * max_lag + 1} time steps.",
                        hint="Lower the maximum lag, or use longer series per unit.")
    gap = np.full((2 * max_lag, len(variables)), np.nan)
    stacked = [parts[0]]
    for p in parts[1:]:
        stacked += [gap, p]
    values = np.vstack(stacked)
    notes.append(f"Panel data: {len(parts)} units of '{unit_column}' pooled, assuming every unit "
                 "follows the same causal links; no window spans two units. Each unit's own "
                 "mean was subtracted, so differences between units do not count as links.")
    if short:
        notes.append(f"{len(short)} unit(s) with at most {2 * max_lag} time steps were left "
                     f"out: {', '.join(short[:5])}{'…' if len(short) > 5 else ''}.")
    return values, pd.RangeIndex(len(values), name="row"), next(iter(steps)), any_sorted


def stationarity_notes(series: PreparedSeries, alpha: float = 0.05) -> tuple[str, ...]:
    """Warn about series that look trending (augmented Dickey–Fuller test does not reject a unit root)."""
    from statsmodels.tsa.stattools import adfuller

    flagged = []
    for i, v in enumerate(series.variables):
        col = series.values[:, i]
        col = col[~np.isnan(col)]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # one regression with Schwert's lag rule (searching lags by AIC costs ~25 fits)
                lags = int(np.ceil(4 * (col.size / 100) ** 0.25))
                p = float(adfuller(col, maxlag=lags, autolag=None)[1])
        except (ValueError, np.linalg.LinAlgError):
            continue
        if p > alpha:
            flagged.append(f"{v} (p = {p:.2f})")
    if not flagged:
        return ()
    return (f"Possible trend or random walk in: {', '.join(flagged)} (augmented Dickey–Fuller "
            "test). Trending series look linked even when they are not; consider analysing "
            "changes instead (difference=True, 'use step-to-step changes').",)


# ---- helpers ----------------------------------------------------------------------------------
def _is_numeric(s: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_complex_dtype(s))


def _as_time(raw: pd.Series, name: str) -> pd.Series:
    """Time stamps as numbers or datetimes; text is read as dates."""
    if pd.api.types.is_bool_dtype(raw):
        raise DataError(f"The time column '{name}' holds yes/no values, not time stamps.",
                        hint="Choose the column with the dates or step numbers.")
    if pd.api.types.is_datetime64_any_dtype(raw) or pd.api.types.is_numeric_dtype(raw):
        return raw.reset_index(drop=True)
    text = raw.astype(str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"The time column '{name}' has values that are not dates or numbers, e.g. row {i + 1}: "
            f"{text.iloc[i][:40]!r}.",
            hint="Use dates like 2024-01-31 or step numbers 1, 2, 3, …, or choose another column.")
    return parsed.reset_index(drop=True)


def _check_regular(stamps: pd.Series, name: str) -> str:
    """The step between time stamps, or DataError naming where the spacing breaks."""
    if len(stamps) < 3:
        return "?"
    if pd.api.types.is_datetime64_any_dtype(stamps):
        idx = pd.DatetimeIndex(stamps)
        freq = pd.infer_freq(idx)
        if freq is not None:
            return _freq_text(freq)
        diffs = np.diff(idx.as_unit("ns").asi8)
    else:
        diffs = np.diff(stamps.to_numpy(dtype=float))
    vals, counts = np.unique(diffs, return_counts=True)
    usual = vals[np.argmax(counts)]
    tol = abs(float(usual)) * 1e-9 if not pd.api.types.is_datetime64_any_dtype(stamps) else 0
    off = np.flatnonzero(np.abs(diffs - usual) > tol)
    if off.size == 0:
        return _step_text(usual, stamps)
    i = int(off[0])
    raise DataError(
        f"The time steps in '{name}' are not evenly spaced: the usual step is "
        f"{_step_text(usual, stamps)}, but from {_fmt(stamps.iloc[i])} (row {i + 1}) to "
        f"{_fmt(stamps.iloc[i + 1])} (row {i + 2}) it is {_step_text(diffs[i], stamps)}"
        + (f", and {off.size - 1} more place(s) like it." if off.size > 1 else "."),
        hint="Lagged discovery assumes one fixed step. Add the missing time steps as empty rows "
             "and choose 'interpolate', or resample the table to a regular step first.")


_FREQ_WORDS = {"D": "1 day", "B": "1 business day", "W": "1 week", "MS": "1 month", "ME": "1 month",
               "M": "1 month", "QS": "1 quarter", "QE": "1 quarter", "Q": "1 quarter",
               "YS": "1 year", "YE": "1 year", "Y": "1 year", "A": "1 year", "AS": "1 year",
               "h": "1 hour", "H": "1 hour", "min": "1 minute", "T": "1 minute", "s": "1 second",
               "S": "1 second", "BQS": "1 quarter", "BMS": "1 month", "BME": "1 month"}


def _freq_text(freq: str) -> str:
    base = freq.split("-")[0]
    digits = "".join(ch for ch in base if ch.isdigit())
    unit = base[len(digits):]
    word = _FREQ_WORDS.get(unit)
    if word is None:
        return freq
    if digits and digits != "1":
        return f"{digits} {word.split(' ', 1)[1]}s"
    return word


def _step_text(diff, stamps: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(stamps):
        td = pd.Timedelta(int(diff), unit="ns")
        if td.days and td == pd.Timedelta(days=td.days):
            return f"{td.days} day{'s' if td.days != 1 else ''}"
        return str(td)
    d = float(diff)
    return f"{d:g}"


def _fmt(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return str(value)


def _rows(rows: list) -> str:
    return ", ".join(str(int(r)) for r in rows)
