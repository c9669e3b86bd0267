"""Load and validate tables (CSV/TSV/Parquet), infer variable types, profile and discretise columns.

Everything a user can upload passes through `load_data`, so every bad file ends here as a
`DataError` that says what is wrong and what to do, never as a pandas traceback.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
import pandas as pd

from app import settings
from app.errors import DataError

VariableType = Literal["binary", "categorical", "ordinal", "continuous", "id", "constant", "text",
                       "datetime"]
VARIABLE_TYPES: tuple[str, ...] = (
    "binary", "categorical", "ordinal", "continuous", "id", "constant", "text", "datetime",
)
DEFAULT_MAX_BYTES = settings.MAX_UPLOAD_BYTES
DEFAULT_MAX_COLUMNS = settings.MAX_COLUMNS
MAX_NAME_LENGTH = settings.MAX_COLUMN_NAME
MAX_ROWS = settings.MAX_ROWS
MAX_CELLS = settings.MAX_CELLS
MAX_DECODED_BYTES = settings.MAX_DECODED_BYTES
DELIMITERS: tuple[str, ...] = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
ORDINAL_MAX_LEVELS = 10      # integers with at most this many levels are ordinal
CATEGORICAL_MAX_LEVELS = 20  # strings with at most this many levels (or <= 5% of rows)
CATEGORICAL_LIMIT = settings.MAX_CATEGORIES  # more levels than this cannot be treated as categories
MAX_BINS = 20

_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(value: Any) -> Any:
    """The value with every lone surrogate (U+D800–DFFF) in its text replaced by U+FFFD.

    A lone surrogate cannot be encoded as UTF-8, so one in a name would break every page that
    shows it; JSON ("\\ud800") and in-memory tables can carry them. Lists and dicts are walked.
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value


_ENCODING_NAMES = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with BOM)", "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE", "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
}
# magic bytes of files people upload by mistake -> what to tell them
_NOT_A_TABLE = {
    b"PK\x03\x04": "a ZIP archive (an Excel .xlsx workbook is one): save the sheet as CSV",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office file: save the sheet as CSV",
    b"\x1f\x8b": "a gzip-compressed file: decompress it first",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}


# ---- results ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded table plus what we learnt reading it: types, missing counts, notes for the user."""

    df: pd.DataFrame
    name: str
    fingerprint: str
    encoding: str = "UTF-8"
    delimiter: str | None = ","
    types: Mapping[str, str] = field(default_factory=dict)
    missing: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return len(self.df)

    @property
    def columns(self) -> int:
        return self.df.shape[1]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return (self.fingerprint, self.name, dict(self.types), self.notes) == (
            other.fingerprint, other.name, dict(other.types), other.notes)

    def __hash__(self) -> int:
        return hash((self.fingerprint, self.name))

    def __repr__(self) -> str:
        sep = DELIMITER_NAMES.get(self.delimiter or "", "none")
        return (f"Dataset({self.name!r}, {self.rows:,} rows × {self.columns} columns, "
                f"fingerprint={self.fingerprint!r}, encoding={self.encoding!r}, delimiter={sep})")


@dataclass(frozen=True)
class ColumnProfile:
    """Summary of one column: its type, missing count, distinct values and a few statistics."""

    name: str
    type: str
    missing: int
    distinct: int
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    max: float | None = None
    top: tuple[tuple[str, int], ...] = ()
    infinite: int = 0          # values that are inf or -inf (left out of mean, std, min, max)


@dataclass(frozen=True)
class DataProfile:
    """Summary of a whole table, one ColumnProfile per column in table order."""

    rows: int
    columns: int
    missing_cells: int
    column_profiles: tuple[ColumnProfile, ...]
    notes: tuple[str, ...] = ()

    def column(self, name: str) -> ColumnProfile:
        for c in self.column_profiles:
            if c.name == name:
                return c
        raise DataError(f"There is no column '{name}' in this table.")

    def to_frame(self) -> pd.DataFrame:
        """One row per column, ready to show as a table ("infinite" only when some are)."""
        show_inf = any(c.infinite for c in self.column_profiles)
        return pd.DataFrame([{
            "column": c.name, "type": c.type, "missing": c.missing, "distinct": c.distinct,
            **({"infinite": c.infinite} if show_inf else {}),
            "mean": c.mean, "std": c.std, "min": c.min, "max": c.max,
            "top levels": ", ".join(f"{v} ({n})" for v, n in c.top),
        } for c in self.column_profiles])


# ---- loading ----------------------------------------------------------------------------------
def load_data(source: bytes | str | os.PathLike | BinaryIO, name: str | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES, types: Mapping[str, str] | None = None,
              max_columns: int = DEFAULT_MAX_COLUMNS) -> Dataset:
    """Read a CSV/TSV/semicolon/pipe text table or a Parquet file into a validated Dataset.

    `source` is raw bytes, a path, or a binary file-like object (e.g. a Streamlit upload).
    The size cap is checked before the whole file is read.
    """
    raw, name = _read_capped(source, name, max_bytes)
    name = without_surrogates(str(name))
    fingerprint = hashlib.sha256(raw).hexdigest()[:16]
    if not raw.strip():
        raise DataError(f"The file '{name}' is empty.",
                        hint="Choose a file with a header row and at least one row of data.")
    notes: list[str] = []
    if raw[:4] == b"PAR1":
        df = _read_parquet(raw, name, max_columns)
        encoding, delimiter = "Parquet (binary)", None
        df.columns = _clean_header([str(c) for c in df.columns], max_columns, notes)
    else:
        for magic, what in _NOT_A_TABLE.items():
            if raw.startswith(magic):
                raise DataError(f"'{name}' is not a text table: it looks like {what}.",
                                hint="Upload a CSV, TSV or Parquet file.")
        head, encoding = _decode_head(raw, name)
        if encoding not in ("utf-8", "utf-8-sig"):
            notes.append(f"Read as {_ENCODING_NAMES.get(encoding, encoding)} because the file "
                         "is not UTF-8; check that accented letters look right.")
        delimiter = _sniff_delimiter(head, name)
        header = _clean_header(_header_fields(head, delimiter), max_columns, notes)
        error = _too_many_cells(name, _count_lines(raw), len(header))
        if error:
            raise error
        df = _read_csv_bytes(raw, encoding, delimiter, name, len(header))
        df.columns = header
        df = _fix_decimal_commas(df, delimiter, notes)
        if header and all(_is_number(h) for h in header):
            notes.append("Every column name is a number: is the first row really a header? "
                         "Causal Canvas always reads the first row as column names.")
    _check_shape(df, name)
    missing = {str(c): int(n) for c, n in df.isna().sum().items()}
    total_missing = sum(missing.values())
    if total_missing:
        cols = sum(1 for n in missing.values() if n)
        notes.append(f"{total_missing:,} missing values in {cols} column(s); "
                     "see the profile below.")
    notes += _infinity_notes(df)
    dataset = Dataset(df=df, name=name, fingerprint=fingerprint,
                      encoding=_ENCODING_NAMES.get(encoding, encoding), delimiter=delimiter,
                      types=infer_types(df), missing=missing, notes=tuple(notes))
    return with_types(dataset, types) if types else dataset


def dataset_from_frame(df: pd.DataFrame, name: str = "data",
                       types: Mapping[str, str] | None = None) -> Dataset:
    """Wrap an in-memory DataFrame as a Dataset (fingerprint from its content)."""
    if not isinstance(df, pd.DataFrame):
        raise DataError("Expected a table (a pandas DataFrame).")
    name = without_surrogates(str(name))
    if any(isinstance(c, str) and _SURROGATE.search(c) for c in df.columns):
        df = df.set_axis([without_surrogates(c) for c in df.columns], axis=1)
    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, df.columns)).encode("utf-8", "surrogatepass"))
    digest.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    base = Dataset(df=df, name=name, fingerprint=digest.hexdigest()[:16], encoding="in memory",
                   delimiter=None, types=infer_types(df),
                   missing={str(c): int(n) for c, n in df.isna().sum().items()})
    return with_types(base, types) if types else base


def _read_capped(source: Any, name: str | None, max_bytes: int) -> tuple[bytes, str]:
    """Return the raw bytes and a display name, refusing anything over `max_bytes` early."""
    def too_big(size: int | None) -> DataError:
        shown = _human_bytes(size) if size is not None else "larger than that"
        return DataError(f"The file is too big ({shown}); the limit is "
                         f"{_human_bytes(max_bytes)}.",
                         hint="Upload a sample of the rows or only the columns you need.")

    if isinstance(source, (bytes, bytearray, memoryview)):
        raw = bytes(source)
        if len(raw) > max_bytes:
            raise too_big(len(raw))
        return raw, name or "data"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = os.stat(path).st_size
        except OSError as err:
            raise DataError(f"Cannot open '{path}': {err.strerror or err}.") from None
        if not path.is_file():
            raise DataError(f"'{path}' is not a file.")
        if size > max_bytes:
            raise too_big(size)
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
        if len(raw) > max_bytes:  # the file grew while we looked at it
            raise too_big(len(raw))
        return raw, name or path.name
    if hasattr(source, "read"):
        size = getattr(source, "size", None)
        if isinstance(size, int) and size > max_bytes:
            raise too_big(size)
        if hasattr(source, "seek"):
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        raw = source.read(max_bytes + 1)
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        if len(raw) > max_bytes:
            raise too_big(None)
        return bytes(raw), name or os.path.basename(str(getattr(source, "name", "") or "data"))
    raise DataError(f"Cannot read data from a {type(source).__name__}.",
                    hint="Give a file path, the file's bytes, or an open binary file.")


def _count_lines(raw: bytes) -> int:
    """Data rows at most: newline bytes less the header, an upper bound found without parsing.

    (In UTF-16 a few other characters contain the byte 0x0A too; they only raise the bound.)
    """
    return raw.count(b"\n") + (not raw.endswith(b"\n")) - 1


def _human_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


def _too_many_cells(name: str, rows: int, columns: int) -> DataError | None:
    """The error for a table over the row or cell budget (None when it fits)."""
    if rows > MAX_ROWS or rows * max(columns, 1) > MAX_CELLS:
        return DataError(f"'{name}' holds {rows:,} rows × {columns:,} columns once unpacked; "
                         f"the limit is {MAX_ROWS:,} rows and {MAX_CELLS:,} values in all.",
                         hint="Upload a sample of the rows or only the columns you need.")
    return None


def _parquet_column_problem(field: Any) -> str | None:
    """Why a Parquet column cannot be a variable (None when its type is a plain value)."""
    import pyarrow as pa

    t = field.type
    if pa.types.is_dictionary(t):
        t = t.value_type
    plain = (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
             or pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)
             or pa.types.is_timestamp(t) or pa.types.is_date(t) or pa.types.is_decimal(t))
    if plain:
        return None
    kind = ("a list" if pa.types.is_list(t) or pa.types.is_large_list(t)
            or pa.types.is_fixed_size_list(t) else "a struct" if pa.types.is_struct(t)
            else "a map" if pa.types.is_map(t) else "binary data" if pa.types.is_binary(t)
            or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)
            else f"type {t}")
    return f"'{field.name}' holds {kind}"


def _read_parquet(raw: bytes, name: str, max_columns: int = DEFAULT_MAX_COLUMNS) -> pd.DataFrame:
    """Read a Parquet file within the row, cell and memory budgets.

    Rows × columns are checked from the footer (file and row-group counts) before any data is
    decoded, then again batch by batch as the data is decoded: a footer can lie, and a few
    bytes of dictionary- or run-length-encoded data can decode to gigabytes.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError("Reading Parquet needs the 'pyarrow' package, which is not installed.",
                        hint="Save the table as CSV instead.") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pf = pq.ParquetFile(io.BytesIO(raw))
            meta, schema = pf.metadata, pf.schema_arrow
            declared = max([meta.num_rows] + [meta.row_group(i).num_rows
                                              for i in range(meta.num_row_groups)])
            if meta.num_row_groups > 1:
                declared = max(declared, sum(meta.row_group(i).num_rows
                                             for i in range(meta.num_row_groups)))
            if len(schema) > max_columns:
                raise DataError(f"The table has {len(schema):,} columns; the limit is "
                                f"{max_columns:,}.",
                                hint="Keep only the variables you want to study.")
            error = _too_many_cells(name, declared, len(schema))
            if error:
                raise error
            problems = [p for p in map(_parquet_column_problem, schema) if p]
            if problems:
                raise DataError(f"'{name}' has columns that are not single values: "
                                + "; ".join(problems[:5]) + ("…" if len(problems) > 5 else "")
                                + ".",
                                hint="Each column must hold numbers, text, true/false or dates. "
                                     "Flatten or drop the other columns, then export again.")
            batches, rows, size = [], 0, 0
            for batch in pf.iter_batches(batch_size=65_536):
                rows += batch.num_rows
                size += batch.nbytes
                error = _too_many_cells(name, rows, len(schema))
                if error:
                    raise error
                if size > MAX_DECODED_BYTES:
                    raise DataError(f"'{name}' unpacks to more than "
                                    f"{_human_bytes(MAX_DECODED_BYTES)} of values.",
                                    hint="Upload a sample of the rows or only the columns "
                                         "you need.")
                batches.append(batch)
            table = pa.Table.from_batches(batches, schema=schema)
            for i, f in enumerate(schema):   # database decimals: numbers, not Decimal objects
                if pa.types.is_decimal(f.type):
                    table = table.set_column(i, f.name, table.column(i).cast(pa.float64()))
            return table.to_pandas()
    except DataError:
        raise
    except Exception as err:  # pyarrow raises many kinds for a damaged file
        raise DataError(f"'{name}' starts like a Parquet file but could not be read "
                        f"({type(err).__name__}).",
                        hint="The file may be damaged or truncated; export it again.") from None


HEAD_BYTES = 1024 * 1024   # enough text to sniff the separator and read the header
_CHUNK = 8 * 1024 * 1024


def _decode_head(raw: bytes, name: str) -> tuple[str, str]:
    """Find the encoding (BOMs, then strict UTF-8, Windows-1252, Latin-1) and decode the head.

    The whole file is validated chunk by chunk, but only the first HEAD_BYTES are kept as
    text: pandas decodes the rest itself, so the file never exists twice in memory.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        head = raw[:4000]
        even, odd = head[0::2], head[1::2]
        if head and odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            candidates = ["utf-16-le"]
        elif head and even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            candidates = ["utf-16-be"]
        else:
            candidates = ["utf-8", "cp1252", "latin-1"]
    for enc in candidates:
        try:
            decoder = codecs.getincrementaldecoder(enc)(errors="strict")
            text = decoder.decode(raw[:HEAD_BYTES], final=len(raw) <= HEAD_BYTES)
            for start in range(HEAD_BYTES, len(raw), _CHUNK):
                decoder.decode(raw[start:start + _CHUNK], final=start + _CHUNK >= len(raw))
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        if len(raw) > HEAD_BYTES and "\n" in text:
            text = text[: text.rfind("\n") + 1]   # whole lines only
        return text, enc
    raise DataError(f"'{name}' does not look like a text table: it contains bytes that are "
                    "not letters, digits or punctuation.",
                    hint="Upload a CSV/TSV text file (or Parquet); if this is a spreadsheet, "
                         "save it as CSV (UTF-8) first.")


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    if "\x00" in sample:
        return True
    control = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r")
    return control > max(2, 0.01 * len(sample))


def _records(head: str, delimiter: str, limit: int) -> list[list[str]]:
    """The first `limit` non-empty records of the head text, parsed like pandas would."""
    out: list[list[str]] = []
    try:
        for rec in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter):
            if rec and any(f.strip() for f in rec):
                out.append(rec)
                if len(out) >= limit:
                    break
    except csv.Error:
        pass
    return out


def _sniff_delimiter(text: str, name: str) -> str:
    """Pick the delimiter that splits the header into most fields consistently across rows."""
    best, best_score = None, (0.0, 0)
    prefer_tab = name.lower().endswith((".tsv", ".tab"))
    for d in (("\t",) + DELIMITERS if prefer_tab else DELIMITERS):
        recs = _records(text, d, 50)
        if not recs or len(recs[0]) < 2:
            continue
        width = len(recs[0])
        consistent = sum(1 for r in recs if len(r) == width) / len(recs)
        score = (round(consistent, 1), width)
        if prefer_tab and d == "\t" and consistent >= 0.9:
            return d
        if score > best_score:
            best, best_score = d, score
    if best is None:
        raise DataError(
            f"'{name}' has only one column. Causal Canvas needs at least two variables.",
            hint="Columns must be separated by commas, tabs, semicolons or '|'. If your file "
                 "uses another separator, save it again as CSV.")
    return best


def _header_fields(text: str, delimiter: str) -> list[str]:
    recs = _records(text, delimiter, 1)
    return recs[0] if recs else []


def _clean_header(names: list[str], max_columns: int, notes: list[str]) -> list[str]:
    """Normalise column names (NFC, trimmed, no control characters) and reject bad headers."""
    if len(names) > max_columns:
        raise DataError(f"The table has {len(names):,} columns; the limit is {max_columns:,}.",
                        hint="Keep only the variables you want to study (a causal graph with "
                             "thousands of nodes cannot be read anyway).")
    cleaned: list[str] = []
    changed = 0
    for i, raw_name in enumerate(names, start=1):
        text = unicodedata.normalize("NFC", without_surrogates(raw_name)).replace("\ufeff", "")
        text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                       for c in text)
        text = re.sub(r"\s+", " ", text).strip()
        if not text:
            hint = "Give every column a name in the first row of the file."
            if i == 1:
                hint += (" A nameless first column is often a row number saved by a "
                         "spreadsheet or pandas: delete it, or name it (e.g. 'id').")
            raise DataError(f"Column {i} has no name in the header row.", hint=hint)
        if len(text) > MAX_NAME_LENGTH:
            raise DataError(f"The name of column {i} ('{text[:40]}…') is {len(text)} "
                            f"characters long; the limit is {MAX_NAME_LENGTH}.")
        changed += text != raw_name
        cleaned.append(text)
    seen: dict[str, int] = {}
    for i, n in enumerate(cleaned, start=1):
        if n in seen:
            raise DataError(f"The column name '{n}' appears twice (columns {seen[n]} and {i}).",
                            hint="Each column needs its own name: rename one of them.")
        seen[n] = i
    if changed:
        notes.append(f"Tidied {changed} column name(s) (spaces at the ends or odd characters "
                     "removed).")
    return cleaned


def _read_csv_bytes(raw: bytes, encoding: str, delimiter: str, name: str,
                    width: int) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(io.BytesIO(raw), sep=delimiter, header=0, index_col=False,
                             encoding=encoding, low_memory=False)
    except pd.errors.ParserWarning:
        raise DataError(f"Rows in '{name}' have more values than the header has names "
                        f"({width}).",
                        hint="Add the missing column names to the first row, or remove the "
                             "extra values.") from None
    except pd.errors.ParserError as err:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        if m:
            expected, line, saw = m.groups()
            raise DataError(f"Line {line} of '{name}' has {saw} values but the header has "
                            f"{expected} columns.",
                            hint="Every row needs the same number of values. Look for an extra "
                                 f"{DELIMITER_NAMES[delimiter]} or an unclosed quote on that "
                                 "line.") from None
        raise DataError(f"'{name}' could not be read as a table: {str(err).strip()[:200]}",
                        hint="Check for unclosed quotes or stray separators.") from None
    except (ValueError, UnicodeError, MemoryError) as err:
        raise DataError(f"'{name}' could not be read as a table ({type(err).__name__}).",
                        hint="Check the file is a plain CSV/TSV table.") from None
    if df.shape[1] != width:
        raise DataError(f"'{name}' could not be read as a table: the header has {width} names "
                        f"but the rows were read as {df.shape[1]} columns.",
                        hint="Check for unclosed quotes or stray separators in the header.")
    return df


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+(,\d+)?\s*$")


def _fix_decimal_commas(df: pd.DataFrame, delimiter: str, notes: list[str]) -> pd.DataFrame:
    """In semicolon files, turn text columns like '1,5' into numbers (European decimal comma)."""
    if delimiter != ";":
        return df
    fixed = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_numeric_dtype(s):
            continue
        values = s.dropna().astype(str)
        if len(values) and values.str.contains(",", regex=False).any() and \
                values.str.match(_DECIMAL_COMMA).all():
            df[col] = pd.to_numeric(s.astype("string").str.replace(",", ".", regex=False))
            fixed.append(col)
    if fixed:
        notes.append("Read decimal commas (e.g. '1,5' = 1.5) in: " + ", ".join(fixed[:10])
                     + (" …" if len(fixed) > 10 else "") + ".")
    return df


def _check_shape(df: pd.DataFrame, name: str) -> None:
    if df.shape[1] < 2:
        raise DataError(f"'{name}' has only one column. Causal Canvas needs at least two "
                        "variables.",
                        hint="Columns must be separated by commas, tabs, semicolons or '|'.")
    if len(df) == 0:
        raise DataError(f"'{name}' has a header row but no data rows.",
                        hint="Add at least one row of values under the column names.")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---- variable types ---------------------------------------------------------------------------
_ID_NAMES = {"id", "key", "uuid", "guid", "seqn", "index", "idx", "row", "rowid", "record",
             "no", "nr", "number", "unnamed: 0"}
_DATE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
                   r"|\d{1,2}/\d{1,2}/\d{4})\s*$")


def _named_like_id(name: str) -> bool:
    low = name.strip().lower()
    return (low in _ID_NAMES or bool(re.search(r"(^|[^a-z])(id|key|uuid|guid|no|nr|code)$", low))
            or bool(re.search(r"[a-z]Id$", name)))


def infer_types(df: pd.DataFrame) -> dict[str, str]:
    """Guess each column's variable type (binary, categorical, ordinal, continuous, id, ...)."""
    return {str(c): _infer_column(df[c], str(c)) for c in df.columns}


def _infer_column(s: pd.Series, name: str) -> str:
    nonnull = s.dropna()
    n = len(nonnull)
    k = int(nonnull.nunique()) if n else 0
    if k <= 1:
        return "constant"
    if isinstance(s.dtype, pd.CategoricalDtype):
        return "binary" if k == 2 else "ordinal" if s.cat.ordered else "categorical"
    if k == 2:
        return "binary"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime"
    unique_rows = k == n == len(s)
    if pd.api.types.is_numeric_dtype(s):
        values = nonnull.to_numpy(dtype=float)
        integral = bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))
        if integral and unique_rows and (_named_like_id(name) or _is_row_counter(values)):
            return "id"
        if integral and k <= ORDINAL_MAX_LEVELS:
            return "ordinal"
        return "continuous"
    text = nonnull.astype(str)
    head = text.iloc[:500]
    if head.str.match(_DATE).all():
        return "datetime"
    if k <= CATEGORICAL_MAX_LEVELS or k <= 0.05 * n:
        return "categorical"
    mean_len = float(head.str.len().mean())
    spaced = float(head.str.contains(" ", regex=False).mean())
    if unique_rows and (_named_like_id(name) or (mean_len <= 40 and spaced < 0.5)):
        return "id"
    if mean_len > 30 or spaced >= 0.5:
        return "text"
    return "categorical"


def _is_row_counter(values: np.ndarray) -> bool:
    """True for 0..n-1 or 1..n (n >= 20, unique): a row number saved as a column."""
    lo, hi = values.min(), values.max()
    return len(values) >= 20 and lo in (0, 1) and hi - lo == len(values) - 1


def allowed_types(series: pd.Series) -> list[str]:
    """The variable types this column's values can honestly have (for override menus)."""
    nonnull = series.dropna()
    k = int(nonnull.nunique()) if len(nonnull) else 0
    numeric = pd.api.types.is_numeric_dtype(series) or _all_numeric(nonnull)
    out = []
    if k <= 2:
        out.append("binary")
    if k <= CATEGORICAL_LIMIT:
        out.append("categorical")
    if numeric or (k <= 50):
        out.append("ordinal")
    if numeric and not pd.api.types.is_bool_dtype(series):
        out.append("continuous")
    out += ["id"]
    if k <= 1:
        out.append("constant")
    if not numeric:
        out.append("text")
    if pd.api.types.is_datetime64_any_dtype(series) or _all_dates(nonnull):
        out.append("datetime")
    return [t for t in VARIABLE_TYPES if t in out]


def _all_numeric(values: pd.Series) -> bool:
    if not len(values):
        return False
    return bool(pd.to_numeric(values.astype(str), errors="coerce").notna().all())


def _all_dates(values: pd.Series) -> bool:
    if not len(values):
        return False
    return bool(values.astype(str).str.match(_DATE).all())


_TYPE_NEEDS = {
    "binary": "at most two different values",
    "categorical": f"at most {CATEGORICAL_LIMIT} different values",
    "ordinal": "numbers, or at most 50 ordered levels",
    "continuous": "numbers",
    "constant": "a single value",
    "text": "text (not numbers)",
    "datetime": "dates such as 2024-01-31",
    "id": "anything",
}


def with_types(dataset: Dataset, overrides: Mapping[str, str] | None) -> Dataset:
    """Return the dataset with some variable types changed, refusing types the values cannot have."""
    if not overrides:
        return dataset
    types = dict(dataset.types)
    for col, vtype in overrides.items():
        if col not in dataset.df.columns:
            raise DataError(f"There is no column '{col}' to change the type of.",
                            hint="Columns: " + ", ".join(map(str, dataset.df.columns[:20])))
        if vtype not in VARIABLE_TYPES:
            raise DataError(f"'{vtype}' is not a variable type.",
                            hint="Choose one of: " + ", ".join(VARIABLE_TYPES) + ".")
        allowed = allowed_types(dataset.df[col])
        if vtype not in allowed:
            example = dataset.df[col].dropna()
            shown = f" (e.g. {str(example.iloc[0])[:30]!r})" if len(example) else ""
            k = int(example.nunique())
            raise DataError(
                f"'{col}' cannot be {vtype}: that needs {_TYPE_NEEDS[vtype]}, but the column "
                f"holds {k:,} different values{shown}.",
                hint=f"Types that fit '{col}': " + ", ".join(allowed) + ".")
        types[col] = vtype
    return replace(dataset, types=types)


# ---- discretisation ---------------------------------------------------------------------------
def discretise(data: pd.Series | pd.DataFrame, column: str | None = None,
               method: str = "quantile", bins: int = 3) -> tuple[pd.Series, tuple[float, ...]]:
    """Cut a numeric column into ordered bins labelled like "[0.0, 1.5)"; returns (bins, edges).

    "quantile" gives bins with about equal counts, "equal_width" bins of equal length. Repeated
    quantiles are merged, so fewer bins than asked may come back (the edges say how many).
    """
    if isinstance(data, pd.DataFrame):
        if column is None or column not in data.columns:
            raise DataError(f"There is no column '{column}' to discretise.")
        series = data[column]
    elif isinstance(data, pd.Series):
        series = data
        column = column or str(series.name)
    else:
        raise DataError("Discretise needs a table column.")
    if method not in ("quantile", "equal_width"):
        raise DataError(f"Unknown discretisation method '{method}'.",
                        hint="Use 'quantile' (equal counts) or 'equal_width' (equal ranges).")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 2 <= bins <= MAX_BINS:
        raise DataError(f"The number of bins must be a whole number from 2 to {MAX_BINS}.")
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise DataError(f"'{column}' is not numeric, so it cannot be cut into ranges.",
                        hint="Only number columns can be discretised.")
    values = series.to_numpy(dtype=float, na_value=np.nan)
    finite = values[np.isfinite(values)]
    if len(finite) == 0 or finite.min() == finite.max():
        raise DataError(f"'{column}' has only one value, so there is nothing to cut.")
    if method == "quantile":
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)))
    else:
        edges = np.linspace(finite.min(), finite.max(), bins + 1)
    labels = _bin_labels(edges)
    codes = np.searchsorted(edges[1:-1], values, side="right")
    cat = pd.Categorical.from_codes(np.where(np.isfinite(values), codes, -1),
                                    categories=labels, ordered=True)
    return pd.Series(cat, index=series.index, name=series.name), tuple(float(e) for e in edges)


def _bin_labels(edges: np.ndarray) -> list[str]:
    """Labels "[a, b)" for each bin (the last closed "]"), with just enough digits to differ."""
    for digits in range(3, 13):
        shown = [_fmt_edge(e, digits) for e in edges]
        if len(set(shown)) == len(shown):
            break
    n = len(edges) - 1
    return [f"[{shown[i]}, {shown[i + 1]}{']' if i == n - 1 else ')'}" for i in range(n)]


def _fmt_edge(x: float, digits: int) -> str:
    text = f"{x:.{digits}g}"
    if re.fullmatch(r"-?\d+", text):
        text += ".0"
    return text


# ---- profile and export -----------------------------------------------------------------------
def profile(dataset: Dataset | pd.DataFrame) -> DataProfile:
    """Rows, columns, and per column: type, missing, distinct, numeric summary or top levels."""
    if isinstance(dataset, pd.DataFrame):
        dataset = dataset_from_frame(dataset)
    df = dataset.df
    cols = []
    for col in df.columns:
        s = df[col]
        vtype = dataset.types.get(str(col)) or _infer_column(s, str(col))
        nonnull = s.dropna()
        extra: dict[str, Any] = {}
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) and len(nonnull):
            v = nonnull.to_numpy(dtype=float)
            finite = v[np.isfinite(v)]
            if len(finite) < len(v):
                extra["infinite"] = len(v) - len(finite)
            if len(finite):
                extra.update({"mean": float(finite.mean()),
                              "std": float(finite.std(ddof=1)) if len(finite) > 1 else None,
                              "min": float(finite.min()), "max": float(finite.max())})
        if vtype in ("binary", "categorical", "ordinal", "constant") or (
                vtype in ("id", "text", "datetime") and not extra):
            counts = nonnull.astype(str).value_counts().iloc[:5]
            extra["top"] = tuple((str(k), int(v)) for k, v in counts.items())
        cols.append(ColumnProfile(name=str(col), type=vtype, missing=int(s.isna().sum()),
                                  distinct=int(nonnull.nunique()), **extra))
    return DataProfile(rows=len(df), columns=df.shape[1],
                       missing_cells=int(sum(c.missing for c in cols)),
                       column_profiles=tuple(cols), notes=_infinity_notes(df))


def _infinity_notes(df: pd.DataFrame) -> tuple[str, ...]:
    """A note naming the columns that hold inf or -inf, which most analyses cannot use."""
    counts = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            n = int(np.isinf(s.to_numpy(dtype=float, na_value=np.nan)).sum())
            if n:
                counts[str(col)] = n
    if not counts:
        return ()
    listed = ", ".join(f"{c} ({n:,})" for c, n in list(counts.items())[:10])
    more = " …" if len(counts) > 10 else ""
    return (f"Infinite values (inf or -inf) in: {listed}{more}. They are left out of the mean, "
            "standard deviation, minimum and maximum; remove or replace them before fitting a "
            "model or estimating an effect.",)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_csv(df: pd.DataFrame) -> str:
    """CSV text for download where no cell can run as a spreadsheet formula (CSV injection)."""
    out = df.copy()
    out.columns = [_neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        s = out[col]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
                or pd.api.types.is_datetime64_any_dtype(s)):
            out[col] = s.astype(object).map(_neutralise)
    return out.to_csv(index=False, lineterminator="\n")


__all__ = [
    "VARIABLE_TYPES", "VariableType", "Dataset", "DataProfile", "ColumnProfile", "load_data", "dataset_from_frame",
    "infer_types", "allowed_types", "with_types", "discretise", "profile", "safe_csv",
    "without_surrogates",
]
