"""Turn a user's table into numbers an estimator can use, and say what was changed.

Conventions (shown to the user as notes):
- A two-valued treatment is coded 1 (treated) / 0 (control). For text values the level that
  sounds like "yes/treated/exposed" is the treated one, otherwise the later one in sorted order
  (kidney stones: "B" = 1 compared with "A" = 0); `treatment_value` / `control_value` override it.
- A treatment with more than two text levels needs both values; only those two groups are kept.
- A numeric treatment with many values is continuous: the effect is for moving it from
  `control_value` (default 0) to `treatment_value` (default 1), i.e. per unit.
- A two-valued text outcome is coded 0/1 the same way; a covariate with two text values too;
  covariates with more levels stay categorical (one indicator column per level in the models).
- Rows with a missing value in any column used are left out.

Degenerate inputs are refused here, before any model sees them (issue 23): infinite values, a
constant outcome, a treatment group with too few units, a text covariate with more than
`MAX_COVARIATE_LEVELS` categories or a table whose indicator expansion would pass
`MAX_DESIGN_CELLS` (checked before one-hot expansion, so a 10,000-category column costs
nothing). `collinearity` checks the treatment against an adjustment set.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.errors import EstimationError

POSITIVE_WORDS = ("1", "yes", "y", "true", "t", "treated", "treatment", "exposed", "on",
                  "high", "present", "positive", "case", "smoker")
MIN_ROWS = 10
MIN_GROUP = 2               # units per treatment group below which nothing can be compared
FEW_ROWS = 30               # fewer rows than this: the interval is attached a warning
MAX_COVARIATE_LEVELS = 200  # categories of one text covariate (one indicator column each)
MAX_DESIGN_CELLS = 20_000_000   # rows × model columns after indicator expansion (160 MB float64)
COLLINEAR_R2 = 1 - 1e-9     # treatment explained this well by the adjustment set: refused
NEAR_COLLINEAR_R2 = 0.95    # ... this well: a warning (little variation left to compare)


@dataclass(frozen=True)
class PreparedData:
    """The cleaned table plus how treatment and outcome were coded."""

    data: pd.DataFrame
    treatment: str
    outcome: str
    treatment_value: float
    control_value: float
    treatment_label: str
    control_label: str
    binary_treatment: bool
    binary_outcome: bool
    outcome_label: str
    notes: tuple[str, ...]
    n_dropped: int

    @property
    def n(self) -> int:
        return len(self.data)


def _is_text(s: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s))


def _label(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _order_two(levels: list, name: str) -> tuple[object, object]:
    """(control, treated) for a two-valued variable, by the convention in the module doc."""
    lv = sorted(levels, key=lambda v: (str(type(v)), v))
    for i, v in enumerate(lv):
        if str(v).strip().lower() in POSITIVE_WORDS:
            return lv[1 - i], v
    return lv[0], lv[1]


def _match_level(value: object, levels: list, name: str, what: str) -> object:
    for lv in levels:
        if lv == value or str(lv) == str(value) or _label(lv) == _label(value):
            return lv
    shown = ", ".join(repr(_label(v)) for v in levels[:12])
    raise EstimationError(f"The {what} {value!r} does not occur in '{name}'.",
                          hint=f"Values of '{name}' are: {shown}.")


def check_columns(df: pd.DataFrame, graph_nodes: Iterable[str], treatment: str, outcome: str) -> None:
    """Raise a clear EstimationError when treatment or outcome is missing or they coincide."""
    if df is None or len(df.columns) == 0:
        raise EstimationError("There is no data to estimate from.", hint="Load a dataset first.")
    nodes = set(graph_nodes)
    if not treatment or not outcome:
        raise EstimationError("Choose a treatment and an outcome.",
                              hint="Mark them on the graph (exposure and outcome roles) or pick them here.")
    if treatment == outcome:
        raise EstimationError(f"'{treatment}' cannot be both the treatment and the outcome.")
    for role, name in (("treatment", treatment), ("outcome", outcome)):
        if name not in nodes:
            raise EstimationError(f"The {role} '{name}' is not a node of the graph.",
                                  hint="Add it to the graph or choose another variable.")
        if name not in df.columns:
            raise EstimationError(
                f"The {role} '{name}' is in the graph but not in the data.",
                hint="Rename the node to match a column, or load data that measures it.")


def prepare(df: pd.DataFrame, treatment: str, outcome: str, covariates: Iterable[str] = (),
            *, treatment_value: object = None, control_value: object = None) -> PreparedData:
    """Select, clean and code the columns used by an estimate (see the module doc)."""
    covariates = [c for c in dict.fromkeys(covariates) if c not in (treatment, outcome)]
    missing = [c for c in covariates if c not in df.columns]
    if missing:
        raise EstimationError(f"The variable '{missing[0]}' is needed but is not in the data.",
                              hint="It may be unmeasured: mark it latent in the graph.")
    cols = [treatment, outcome, *covariates]
    data = df.loc[:, cols].copy()
    notes: list[str] = []
    before = len(data)
    data = data.dropna()
    _check_finite(data)
    dropped = before - len(data)
    if dropped:
        notes.append(f"{dropped} of {before} rows have a missing value in "
                     f"{', '.join(cols)} and were left out.")
    if len(data) < MIN_ROWS:
        raise EstimationError(f"Only {len(data)} complete rows are left; at least {MIN_ROWS} are needed.",
                              hint="Check for missing values in the columns used.")
    data = data.reset_index(drop=True)

    # ---- treatment ---------------------------------------------------------------------
    t = data[treatment]
    if pd.api.types.is_bool_dtype(t):
        t = t.astype(int)
    levels = sorted(pd.unique(t).tolist(), key=lambda v: (str(type(v)), v))
    if len(levels) < 2:
        raise EstimationError(f"The treatment '{treatment}' has only one value ({_label(levels[0])}).",
                              hint="An effect compares at least two treatment values.")
    text = _is_text(t)
    if text or len(levels) == 2:
        if treatment_value is None and control_value is None:
            if len(levels) > 2:
                shown = ", ".join(repr(_label(v)) for v in levels[:12])
                raise EstimationError(
                    f"The treatment '{treatment}' has {len(levels)} categories.",
                    hint=f"Choose the two to compare (treatment value and control value) from: {shown}.")
            control, treated = _order_two(levels, treatment)
        else:
            treated = _match_level(treatment_value, levels, treatment, "treatment value") \
                if treatment_value is not None else None
            control = _match_level(control_value, levels, treatment, "control value") \
                if control_value is not None else None
            if treated is None or control is None:
                if len(levels) > 2:
                    raise EstimationError("Give both a treatment value and a control value "
                                          f"for '{treatment}' (it has {len(levels)} categories).")
                known = treated if treated is not None else control
                other = next(v for v in levels if v != known)
                treated, control = (known, other) if treated is not None else (other, known)
            if treated == control:
                raise EstimationError("The treatment value and the control value are the same.")
        if len(levels) > 2:
            keep = data[treatment].isin([treated, control])
            notes.append(f"Only rows with {treatment} = {_label(treated)} or {_label(control)} are "
                         f"used ({int(keep.sum())} of {len(data)}).")
            data = data.loc[keep].reset_index(drop=True)
        coded = (data[treatment] == treated).astype(int)
        if text or {float(control), float(treated)} != {0.0, 1.0}:
            notes.append(f"Treatment coded: {treatment} = {_label(treated)} → 1 (treated), "
                         f"{_label(control)} → 0 (control).")
        data[treatment] = coded
        binary_t, t1, t0 = True, 1.0, 0.0
        t_label, c_label = _label(treated), _label(control)
    else:
        data[treatment] = pd.to_numeric(data[treatment]).astype(float)
        t0 = 0.0 if control_value is None else _as_number(control_value, treatment, "control value")
        t1 = t0 + 1.0 if treatment_value is None else _as_number(treatment_value, treatment, "treatment value")
        if t0 == t1:
            raise EstimationError("The treatment value and the control value are the same.")
        binary_t = False
        t_label, c_label = _label(t1), _label(t0)
        if treatment_value is None and control_value is None:
            notes.append(f"'{treatment}' is numeric with {len(levels)} values: the effect is for a "
                         f"one-unit increase ({c_label} → {t_label}), assuming a linear dose–response.")
    if data[treatment].nunique() < 2:
        raise EstimationError(f"After cleaning, every row has the same value of '{treatment}'.")

    # ---- outcome ----------------------------------------------------------------------
    y = data[outcome]
    if pd.api.types.is_bool_dtype(y):
        y = y.astype(int)
    y_levels = pd.unique(y).tolist()
    binary_y = len(y_levels) == 2
    y_label = outcome
    if _is_text(y):
        if len(y_levels) != 2:
            raise EstimationError(
                f"The outcome '{outcome}' is text with {len(y_levels)} categories.",
                hint="Effects are differences in the mean outcome: use a numeric outcome or one "
                     "with two categories.")
        lo, hi = _order_two(y_levels, outcome)
        y = (y == hi).astype(int)
        y_label = f"{outcome} = {_label(hi)}"
        notes.append(f"Outcome coded: {outcome} = {_label(hi)} → 1, {_label(lo)} → 0; effects "
                     "are differences in the share with that outcome.")
    elif binary_y and set(map(float, y_levels)) != {0.0, 1.0}:
        lo, hi = sorted(y_levels)
        y = (y == hi).astype(int)
        y_label = f"{outcome} = {_label(hi)}"
        notes.append(f"Outcome coded: {outcome} = {_label(hi)} → 1, {_label(lo)} → 0.")
    data[outcome] = pd.to_numeric(y).astype(float)
    if data[outcome].nunique() < 2:
        raise EstimationError(
            f"The outcome '{outcome}' has the same value ({_label(data[outcome].iloc[0])}) in every "
            "row used, so there is no variation for the treatment to explain.",
            hint="An effect compares outcomes: choose an outcome that varies.")
    if binary_t:
        n1 = int(data[treatment].sum())
        n0 = len(data) - n1
        if min(n1, n0) < MIN_GROUP:
            group = t_label if n1 < n0 else c_label
            raise EstimationError(
                f"Only {min(n1, n0)} row(s) have {treatment} = {group}; at least {MIN_GROUP} per "
                "treatment group are needed to compare the groups.",
                hint="Use more data, or compare other treatment values.")

    # ---- covariates ---------------------------------------------------------------------
    for c in covariates:
        s = data[c]
        if pd.api.types.is_bool_dtype(s):
            data[c] = s.astype(int)
        elif _is_text(s) or isinstance(s.dtype, pd.CategoricalDtype):
            lv = pd.unique(s).tolist()
            if len(lv) <= 2:
                lo, hi = _order_two(lv, c) if len(lv) == 2 else (lv[0], lv[0])
                data[c] = (s == hi).astype(int)
                if _is_text(s):
                    notes.append(f"Covariate coded: {c} = {_label(hi)} → 1, {_label(lo)} → 0.")
            else:
                if len(lv) > MAX_COVARIATE_LEVELS:
                    raise EstimationError(
                        f"The covariate '{c}' has {len(lv):,} categories; at most "
                        f"{MAX_COVARIATE_LEVELS} can be adjusted for (each becomes a model column).",
                        hint="Group rare categories together, use a coarser version of the "
                             "variable, or use it as a number if it is one.")
                data[c] = s.astype(str).astype("category")
                notes.append(f"Covariate '{c}' has {len(lv)} categories: one indicator per category "
                             "is used in the models.")
    _check_design_size(data, covariates)
    return PreparedData(data=data, treatment=treatment, outcome=outcome,
                        treatment_value=float(t1), control_value=float(t0),
                        treatment_label=t_label, control_label=c_label,
                        binary_treatment=binary_t, binary_outcome=binary_y,
                        outcome_label=y_label, notes=tuple(notes), n_dropped=dropped)


def _check_finite(data: pd.DataFrame) -> None:
    """Refuse ±inf: a single one turns every mean, slope and interval into NaN."""
    for c in data.columns:
        s = data[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            bad = ~np.isfinite(s.to_numpy(dtype=float))
            if bad.any():
                raise EstimationError(
                    f"'{c}' has {int(bad.sum())} infinite value(s) (first in row "
                    f"{int(np.flatnonzero(bad)[0]) + 1} of the rows used); an estimate with them "
                    "would be undefined.",
                    hint="Fix or remove those values (or mark them missing) and try again.")


def _check_design_size(data: pd.DataFrame, covariates: list[str]) -> None:
    """Refuse before expansion when the model has too many columns for the rows or the memory."""
    width = 2 + sum(int(data[c].cat.categories.size) - 1
                    if isinstance(data[c].dtype, pd.CategoricalDtype) else 1 for c in covariates)
    if len(data) * width > MAX_DESIGN_CELLS:
        raise EstimationError(
            f"The model would need {width:,} columns for {len(data):,} rows "
            f"({len(data) * width:,} numbers; the limit is {MAX_DESIGN_CELLS:,}).",
            hint="Adjust for fewer or coarser variables, or use a sample of the rows.")
    if width >= len(data):
        raise EstimationError(
            f"Only {len(data)} rows for a model with {width} columns (treatment, intercept and "
            "the adjustment variables): there are too few rows to estimate anything.",
            hint="Use more data or adjust for fewer variables.")


def collinearity(prep: PreparedData, columns: Iterable[str]) -> float:
    """R² of the treatment on `columns` (linear, with intercept): 1 means they determine it.

    Raises EstimationError at R² ≥ COLLINEAR_R2 (e.g. a confounder identical to the treatment),
    where no estimator can separate the treatment from the adjustment set.
    """
    columns = [c for c in columns if c in prep.data.columns]
    if not columns:
        return 0.0
    t = prep.data[prep.treatment].to_numpy(float)
    x = design_matrix(prep.data, columns)
    x = x - x.mean(0)
    tc = t - t.mean()
    # normal equations: X'X is k × k, ~10x faster than an SVD of the n × k matrix on big data
    beta = np.linalg.pinv(x.T @ x, rcond=1e-12, hermitian=True) @ (x.T @ tc)
    tss = float(tc @ tc)
    r2 = 1.0 - float(np.sum((tc - x @ beta) ** 2)) / tss if tss > 0 else 1.0
    if r2 >= COLLINEAR_R2:
        raise EstimationError(
            f"The adjustment set {{{', '.join(columns)}}} determines the treatment "
            f"'{prep.treatment}' exactly (R² = 1), so no unit differs in {prep.treatment} once they "
            "are held fixed and the effect cannot be estimated.",
            hint="Check that no adjustment variable is a copy or recoding of the treatment. If the "
                 "graph is right, the data contain no comparison that answers this question.")
    return r2


def _as_number(v: object, name: str, what: str) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        raise EstimationError(f"The {what} for '{name}' must be a number, not {v!r}.") from None


def design_matrix(data: pd.DataFrame, columns: Iterable[str]) -> np.ndarray:
    """Numeric matrix of `columns` (categoricals as indicators, first level dropped), no intercept."""
    columns = list(columns)
    if not columns:
        return np.empty((len(data), 0))
    x = pd.get_dummies(data[columns], drop_first=True, dtype=float)
    return x.to_numpy(dtype=float)


def treatment_levels(s: pd.Series) -> tuple[list[str], str, str] | None:
    """Labels of a categorical/binary treatment and the default (treated, control) pair.

    None for a numeric treatment with many values (compared per unit instead).
    """
    s = s.dropna()
    if pd.api.types.is_bool_dtype(s):
        s = s.astype(int)
    levels = sorted(pd.unique(s).tolist(), key=lambda v: (str(type(v)), v))
    if len(levels) < 2 or (not _is_text(s) and len(levels) > 2):
        return None
    if len(levels) == 2:
        control, treated = _order_two(levels, str(s.name))
    else:
        control, treated = levels[0], levels[1]
    return [_label(v) for v in levels], _label(treated), _label(control)
