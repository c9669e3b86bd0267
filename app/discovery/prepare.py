"""Check a table before discovery and turn it into the arrays the algorithms use.

Every problem a student can hit (constant or empty column, an ID column, too few rows, a
categorical with too many levels, text mixed with numbers) becomes a DiscoveryError saying what
to change, before any library sees the data.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app import settings
from app.errors import DiscoveryError

MAX_DISCRETE_LEVELS = 100
MIN_ROWS = 10
MAX_VARIABLES = settings.MAX_DISCOVERY_VARIABLES
_ID_NAME = re.compile(r"(^|[_\s.-])(id|uuid|key|index|row)$|^id[_\s.-]|^(id|uuid|rowid|row_id)$",
                      re.IGNORECASE)


@dataclass(frozen=True)
class PreparedData:
    """The checked table: names, kinds, and the views the algorithms need."""

    names: tuple[str, ...]
    kinds: dict[str, str]                 # name -> "discrete" | "continuous"
    frame: pd.DataFrame                   # cleaned rows (discrete columns as text categories)
    domain: np.ndarray | None = None      # (n, 1) domain / time index for CD-NOD
    domain_name: str | None = None
    notes: tuple[str, ...] = ()
    _views: dict = field(default_factory=dict, compare=False, repr=False)   # computed arrays

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    @property
    def all_discrete(self) -> bool:
        return all(k == "discrete" for k in self.kinds.values())

    @property
    def all_continuous(self) -> bool:
        return all(k == "continuous" for k in self.kinds.values())


def variable_kinds(df: pd.DataFrame) -> dict[str, str]:
    """"discrete" for text, booleans, categories and numbers with ≤ 10 distinct whole values;
    "continuous" otherwise. Used to pick tests and scores."""
    kinds = {}
    for name in df.columns:
        s = df[name].dropna()
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            kinds[name] = "discrete"
            continue
        nunique = s.nunique()
        whole = bool(np.all(np.mod(s.to_numpy(dtype=float), 1) == 0)) if len(s) else True
        kinds[name] = "discrete" if nunique <= 2 or (whole and nunique <= 10) else "continuous"
    return kinds


def default_variables(df: pd.DataFrame) -> list[str]:
    """The columns worth offering by default: everything except ID-like and constant columns."""
    out = []
    for name in df.columns:
        s = df[name]
        if s.notna().sum() == 0 or s.nunique(dropna=True) <= 1:
            continue
        if _looks_like_id(str(name), s):
            continue
        out.append(str(name))
    return out


def _looks_like_id(name: str, s: pd.Series) -> bool:
    s = s.dropna()
    if len(s) < 20 or s.nunique() != len(s):
        return False
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return True                                   # every row a different text value
    if _ID_NAME.search(name):
        return True
    if pd.api.types.is_integer_dtype(s) or bool(np.all(np.mod(s.to_numpy(dtype=float), 1) == 0)):
        v = np.sort(s.to_numpy(dtype=float))
        return bool(np.all(np.diff(v) == 1))           # a row counter 1, 2, 3, ...
    return False


def _mixed_text_and_numbers(s: pd.Series) -> tuple[str, str] | None:
    """An example (number, text) when a column holds both: Python numbers next to strings, or
    mostly numeric strings with a few words such as "n/a" (labels like "K", "1", "2" are fine
    when most values are words)."""
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return None
    vals = pd.Series(pd.unique(s.dropna()))   # distinct values only: fast on big tables
    if len(vals) == 0:
        return None
    is_text = vals.map(lambda v: isinstance(v, str))
    if is_text.any() and not is_text.all():
        return str(vals[~is_text].iloc[0]), str(vals[is_text].iloc[0])
    is_num = pd.to_numeric(vals.astype(str), errors="coerce").notna()
    if 0.5 <= is_num.mean() < 1:
        return str(vals[is_num].iloc[0]), str(vals[~is_num].iloc[0])
    return None


def prepare(df: pd.DataFrame, variables: Sequence[str] | None, method: str, *,
            domain_column: str | None = None, max_rows: int | None = None,
            seed: int = 0, types: Mapping[str, str] | None = None) -> PreparedData:
    """Validate the table (raising DiscoveryError with what to change) and keep the used rows.
    `types` are the variable types set on the Data page (binary/categorical/ordinal count as
    categorical, continuous as continuous); other columns are inferred."""
    if not isinstance(df, pd.DataFrame):
        raise DiscoveryError("Discovery needs a table (a pandas DataFrame).")
    cols = [str(c) for c in df.columns]
    if len(set(cols)) != len(cols):
        dup = next(c for c in cols if cols.count(c) > 1)
        raise DiscoveryError(f"The column name '{dup}' appears twice.", hint="Rename one of them.")
    df = df.set_axis(cols, axis=1)
    variables = [str(v) for v in (variables if variables is not None else cols)]
    missing = [v for v in variables if v not in df.columns]
    if missing:
        raise DiscoveryError(f"There is no column called '{missing[0]}' in the data.")
    if domain_column is not None:
        domain_column = str(domain_column)
        if domain_column not in df.columns:
            raise DiscoveryError(f"The domain column '{domain_column}' is not in the data.")
        variables = [v for v in variables if v != domain_column]
    if len(variables) < 2:
        raise DiscoveryError("Choose at least two variables to learn a graph between them.")
    limit = MAX_VARIABLES.get(method)
    if limit is not None and len(variables) > limit:
        raise DiscoveryError(
            f"{len(variables)} variables are too many for {method.upper()} here (the limit is "
            f"{limit}).", hint="Choose fewer variables, or use PC, which scales best.")

    used = variables + ([domain_column] if domain_column else [])
    data = df[used]
    notes: list[str] = []
    for name in used:
        s = data[name]
        if s.isna().all():
            raise DiscoveryError(f"The column '{name}' is empty (every value is missing).",
                                 hint="Remove it from the variables.")
        mixed = _mixed_text_and_numbers(s)
        if mixed:
            raise DiscoveryError(
                f"The column '{name}' mixes numbers and text (for example {mixed[0]!r} and "
                f"{mixed[1]!r}).",
                hint="Clean the column so it holds only numbers or only labels (missing values "
                     "should be empty cells), or leave it out.")
    n_before = len(data)
    data = data.dropna()
    if len(data) < n_before:
        notes.append(f"Left out {n_before - len(data):,} of {n_before:,} rows with a missing "
                     "value (listwise deletion).")
    if len(data) < MIN_ROWS:
        raise DiscoveryError(
            f"Only {len(data)} complete rows remain; discovery needs at least {MIN_ROWS}.",
            hint="Drop columns with many missing values or load more data.")
    if max_rows is not None and len(data) > max_rows:
        notes.append(f"Used a random sample of {max_rows:,} of the {len(data):,} rows to keep "
                     "the run fast.")
        data = data.sample(n=max_rows, random_state=seed).sort_index()
    data = data.reset_index(drop=True)

    for name in variables:
        s = data[name]
        if s.nunique() <= 1:
            raise DiscoveryError(
                f"The column '{name}' has the same value ({s.iloc[0]!r}) in every used row, so "
                "it carries no information.", hint="Remove it from the variables.")
        if _looks_like_id(name, s):
            raise DiscoveryError(
                f"The column '{name}' looks like an ID (a different value in every row).",
                hint=f"Drop '{name}' from the variable list: an identifier is not a cause.")
    if len(data) < len(variables):
        raise DiscoveryError(
            f"There are fewer rows ({len(data)}) than variables ({len(variables)}).",
            hint="Choose fewer variables or use more data: every test needs more rows than "
                 "variables.")

    kinds = variable_kinds(data[variables])
    for name, declared in (types or {}).items():
        if name not in kinds:
            continue
        if declared in ("binary", "categorical", "ordinal"):
            kinds[name] = "discrete"
        elif declared == "continuous" and pd.api.types.is_numeric_dtype(data[name]):
            kinds[name] = "continuous"
        elif declared in ("id", "text", "datetime"):
            raise DiscoveryError(
                f"The column '{name}' is marked as {declared} on the Data page, which "
                "discovery cannot use.", hint=f"Leave '{name}' out of the variables.")
    n = len(data)
    for name in variables:
        if kinds[name] == "discrete":
            k = data[name].nunique()
            if k > MAX_DISCRETE_LEVELS or k > n / 5:
                raise DiscoveryError(
                    f"The categorical column '{name}' has {k} different values for {n:,} rows; "
                    "tests need several rows per value.",
                    hint="Group rare values together, treat it as a number if it is one, or "
                         "leave it out.")

    frame = pd.DataFrame({
        v: (data[v].astype(str) if kinds[v] == "discrete" else data[v].astype(float))
        for v in variables})
    domain = None
    if domain_column:
        d = data[domain_column]
        if d.nunique() <= 1:
            raise DiscoveryError(f"The domain column '{domain_column}' has a single value, so it "
                                 "cannot show changes between domains.")
        if pd.api.types.is_numeric_dtype(d) and not pd.api.types.is_bool_dtype(d):
            dv = d.to_numpy(dtype=float)
        else:
            dv = pd.factorize(d, sort=True)[0].astype(float) + 1
        domain = dv.reshape(-1, 1)
    return PreparedData(tuple(variables), kinds, frame, domain, domain_column, tuple(notes))


def discrete_codes(prep: PreparedData) -> tuple[np.ndarray, list[str]]:
    """Integer codes (n, p) for count-based tests and scores; continuous variables are cut
    into equal-frequency bins (3, or 4 from 1,500 rows). Returns the codes and a note (or none)."""
    if "codes" in prep._views:
        return prep._views["codes"]
    n = prep.n_rows
    bins = 3 if n < 1500 else 4
    cols, cut = [], []
    for v in prep.names:
        if prep.kinds[v] == "discrete":
            cols.append(pd.factorize(prep.frame[v], sort=True)[0])
        else:
            cols.append(_quantile_codes(prep.frame[v], bins))
            cut.append(v)
    notes = []
    if cut:
        notes.append(
            f"This test/score needs categories, so {len(cut)} continuous variable(s) ("
            + ", ".join(cut[:6]) + ("…" if len(cut) > 6 else "")
            + f") were cut into {bins} equal-frequency bins.")
    prep._views["codes"] = (np.column_stack(cols).astype(np.int64), notes)
    return prep._views["codes"]


def continuous_values(prep: PreparedData) -> np.ndarray:
    """Float matrix (n, p); categories become their code numbers (only used when all are
    numeric or the user asked for a linear test). Raises on perfectly collinear columns."""
    if "values" not in prep._views:
        values = np.column_stack([
            prep.frame[v].to_numpy(dtype=float) if prep.kinds[v] == "continuous"
            else pd.factorize(prep.frame[v], sort=True)[0].astype(float) for v in prep.names])
        _check_collinear(values, prep.names)
        prep._views["values"] = values
    return prep._views["values"]


def _quantile_codes(s: pd.Series, bins: int) -> np.ndarray:
    """Equal-frequency bins; tied values stay together (a spike at 0 becomes its own bin)."""
    codes = pd.qcut(s, q=bins, labels=False, duplicates="drop")
    codes = np.asarray(codes, dtype=np.int64)
    if codes.max() == 0:   # one value holds most rows: split it from the rest
        codes = (s.to_numpy() > np.median(s.to_numpy())).astype(np.int64)
        if codes.max() == 0:
            codes = (s.to_numpy() < np.median(s.to_numpy())).astype(np.int64)
    return codes


def _check_collinear(values: np.ndarray, names: Sequence[str]) -> None:
    with np.errstate(all="ignore"):
        c = np.corrcoef(values, rowvar=False)
    if not np.all(np.isfinite(c)):
        raise DiscoveryError("A variable has no spread in the used rows.",
                             hint="Remove constant columns.")
    iu = np.triu_indices_from(c, k=1)
    bad = np.abs(c[iu]) > 1 - 1e-10
    if bad.any():
        i, j = iu[0][bad][0], iu[1][bad][0]
        raise DiscoveryError(
            f"'{names[i]}' and '{names[j]}' are perfectly correlated: one is a copy or a "
            "rescaling of the other.", hint="Keep only one of them.")
    if np.linalg.matrix_rank(c) < len(names):
        raise DiscoveryError(
            "Some variables are an exact linear combination of others (for example a total "
            "and its parts).", hint="Leave out one variable of each such group.")
