"""Content fingerprints: equal inputs give equal keys, different inputs different ones.

Caches keyed by content (not by session or object identity) can be shared by every session
without one user's data ever answering another's question: a hit needs the very same content.
Anything this module does not know how to read exactly makes `content_key` return None, and
the caller then simply does not cache. Dataclass fields declared with compare=False (handles,
timings, derived caches) are left out, as the class's own equality leaves them out.
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

MAX_OBJECT_ITEMS = 50_000    # mixed Python objects are read one by one: beyond this, no key


class Unhashable(Exception):
    """A value whose content this module cannot fingerprint exactly."""


def content_key(*parts: Any) -> str | None:
    """A sha256 hex key of the parts' content, or None when some part cannot be read exactly."""
    digest = hashlib.sha256()
    try:
        for part in parts:
            _feed(digest, part, depth=0)
    except (Unhashable, RecursionError):
        return None
    return digest.hexdigest()


def _tag(digest, name: str) -> None:
    digest.update(b"\x00" + name.encode() + b"\x01")


def _feed(digest, value: Any, depth: int) -> None:
    if depth > 40:
        raise Unhashable("nested too deeply")
    if value is None or isinstance(value, (bool, int, str, bytes)):
        _tag(digest, type(value).__name__)
        digest.update(value if isinstance(value, bytes) else
                      repr(value).encode("utf-8", "surrogatepass"))
    elif isinstance(value, (float, np.floating)):
        _tag(digest, "float")
        digest.update(repr(float(value)).encode() if not math.isnan(value) else b"nan")
    elif isinstance(value, np.integer):
        _tag(digest, "int")
        digest.update(repr(int(value)).encode())
    elif isinstance(value, np.bool_):
        _tag(digest, "bool")
        digest.update(repr(bool(value)).encode())
    elif isinstance(value, enum.Enum):
        _tag(digest, f"enum:{type(value).__qualname__}")
        _feed(digest, value.value, depth + 1)
    elif isinstance(value, pd.DataFrame):
        _frame(digest, value, depth)
    elif isinstance(value, pd.Series):
        _tag(digest, "series")
        _feed(digest, value.name, depth + 1)
        _index(digest, value.index, depth)
        _column(digest, value, depth)
    elif isinstance(value, pd.Index):
        _index(digest, value, depth)
    elif isinstance(value, np.ndarray):
        _tag(digest, f"ndarray:{value.dtype.str}:{value.shape}")
        if value.dtype.kind == "O":
            for item in value.ravel():
                _feed(digest, item, depth + 1)
        else:
            digest.update(np.ascontiguousarray(value).tobytes())
    elif callable(getattr(value, "content_hash", None)):
        _tag(digest, f"content:{type(value).__module__}.{type(value).__qualname__}")
        digest.update(str(value.content_hash()).encode())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        _tag(digest, f"dataclass:{type(value).__module__}.{type(value).__qualname__}")
        for f in dataclasses.fields(value):
            if not f.compare:       # not part of the value by the class's own equality
                continue
            _tag(digest, f.name)
            _feed(digest, getattr(value, f.name), depth + 1)
    elif isinstance(value, Mapping):
        _tag(digest, f"mapping:{len(value)}")
        for k, v in value.items():         # order kept: it can change a chart (legend order)
            _feed(digest, k, depth + 1)
            _feed(digest, v, depth + 1)
    elif isinstance(value, (list, tuple)):
        _tag(digest, f"{type(value).__name__}:{len(value)}")
        for item in value:
            _feed(digest, item, depth + 1)
    elif isinstance(value, (set, frozenset)):
        keys = sorted(content_key(item) or "" for item in value)
        if "" in keys:
            raise Unhashable("set of unreadable items")
        _tag(digest, f"set:{len(keys)}")
        digest.update("".join(keys).encode())
    else:
        raise Unhashable(type(value).__qualname__)


def _frame(digest, df: pd.DataFrame, depth: int) -> None:
    _tag(digest, f"frame:{df.shape}")
    _index(digest, df.columns, depth)
    _index(digest, df.index, depth)
    for i in range(df.shape[1]):
        _column(digest, df.iloc[:, i], depth)


def _index(digest, index: pd.Index, depth: int) -> None:
    _tag(digest, f"index:{type(index).__name__}:{len(index)}")
    if isinstance(index, pd.RangeIndex):
        digest.update(f"{index.start}:{index.stop}:{index.step}".encode())
        return
    _column(digest, index.to_series(index=pd.RangeIndex(len(index))), depth)


def _column(digest, s: pd.Series, depth: int) -> None:
    """One column's dtype and values, exactly: numbers by their bytes, objects item by item."""
    _tag(digest, f"dtype:{s.dtype}")
    if s.dtype.kind in "biufcmM" and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        digest.update(np.ascontiguousarray(s.to_numpy()).tobytes())
    elif s.dtype == object:
        kind = pd.api.types.infer_dtype(s, skipna=False)
        _tag(digest, f"inferred:{kind}")
        if kind in ("string", "empty"):          # all str: pandas' row hash, as for strings
            digest.update(pd.util.hash_pandas_object(s, index=False).to_numpy().tobytes())
        elif len(s) > MAX_OBJECT_ITEMS:
            raise Unhashable("a large column of mixed Python objects")
        else:
            for item in s.tolist():
                _feed(digest, item, depth + 1)
    else:
        # extension dtypes (strings, categoricals, nullable numbers): the dtype is in the key,
        # so pandas' per-row 64-bit hash cannot confuse 1 with "1"; missing values are marked
        if isinstance(s.dtype, pd.CategoricalDtype):
            _feed(digest, [s.dtype.ordered, *s.dtype.categories.tolist()], depth + 1)
        digest.update(s.isna().to_numpy().tobytes())
        digest.update(pd.util.hash_pandas_object(s, index=False, categorize=False)
                      .to_numpy().tobytes())
