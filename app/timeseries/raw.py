"""The one intermediate form every engine returns: link marks, strengths and p-values by cell.

Arrays are indexed [source, target, lag] exactly as tigramite does: marks[i, j, τ] == "-->"
means variable i at t-τ → variable j at t; for τ = 0, "o-o" is a same-time link of unknown
direction and "x-x" one whose orientation tests conflict.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.errors import Cancelled

Progress = Callable[[float, str], None] | None
ShouldStop = Callable[[], bool] | None


@dataclass(frozen=True, eq=False)
class RawGraph:
    """Link marks ('' = no link), strengths and p-values, all shaped (N, N, max_lag + 1)."""

    marks: np.ndarray
    strengths: np.ndarray
    p_values: np.ndarray

    def present(self) -> np.ndarray:
        """Boolean (N, N, L+1): a link of any kind in this cell."""
        return self.marks != ""


def check_cancel(cancel: ShouldStop) -> None:
    """Raise Cancelled when the user asked to stop."""
    if cancel is not None and cancel():
        raise Cancelled()


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate), NaN left as NaN."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    flat = p[ok]
    m = flat.size
    if m == 0:
        return out
    order = np.argsort(flat)
    ranked = flat[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(m)
    res[order] = np.minimum(adjusted, 1.0)
    out[ok] = res
    return out
