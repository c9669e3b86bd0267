"""Numbers as people read them: one formatter for pages, estimates and reports."""
from __future__ import annotations

import math


def fmt(v: float | None, digits: int = 3) -> str:
    """A number for people: 3 significant digits, thousands separators for big values."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if v == 0:
        return "0"
    mag = abs(v)
    if mag >= 1000:
        return f"{v:,.0f}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(mag))))
    return f"{v:.{min(decimals, 6)}f}"
