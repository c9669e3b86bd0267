"""Shapley values of a set function over a few players, exact or by sampled permutations.

`v(mask)` takes a bit mask of the players in the coalition. Exact values weigh every
marginal contribution v(S ∪ i) − v(S) by |S|!(n−|S|−1)!/n! (Shapley 1953). Sampled values
average the contributions along random orders (Castro, Gómez & Tejada 2009); along each order
they sum to v(all) − v(none), so the estimate keeps efficiency exactly, and the spread across
orders gives each value a standard error. Values are cached by mask: every coalition is
evaluated once.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.errors import Cancelled

Progress = Callable[[int, int], None]
CHECK_EVERY = 16          # evaluations between cancel checks and progress reports


@dataclass(frozen=True)
class ShapleyResult:
    """Shapley values (one per player), their standard errors (0 when exact) and how found."""

    values: tuple[float, ...]
    std_errors: tuple[float, ...]
    exact: bool
    permutations: int
    seed: int | None
    evaluations: int
    full: float           # v(all players)
    empty: float          # v(no player)

    def method(self) -> str:
        """How the values were computed, in words."""
        if self.exact:
            return f"exact Shapley values ({self.evaluations} coalitions evaluated)"
        return (f"Shapley values estimated from {self.permutations} random orders (seed "
                f"{self.seed}); each value carries a standard error")


def shapley(v: Callable[[int], float], n: int, *, exact_up_to: int, permutations: int,
            seed: int = 0, progress: Progress | None = None,
            cancel: Callable[[], bool] | None = None) -> ShapleyResult:
    """Shapley values of v over players 0..n−1: exact when n ≤ exact_up_to, else sampled."""
    cache: dict[int, float] = {}
    cancel = cancel or (lambda: False)
    total = 2 ** n if n <= exact_up_to else permutations * n + 2

    def value(mask: int) -> float:
        hit = cache.get(mask)
        if hit is None:
            if len(cache) % CHECK_EVERY == 0:
                if cancel():
                    raise Cancelled()
                if progress:
                    progress(min(len(cache), total), total)
            hit = cache[mask] = float(v(mask))
        return hit

    full, empty = value((1 << n) - 1), value(0)
    if n <= exact_up_to:
        weight = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
                  for s in range(n)]
        phi = np.zeros(n)
        for mask in range(1 << n):
            size = mask.bit_count()
            base = value(mask)
            for i in range(n):
                if not mask >> i & 1:
                    phi[i] += weight[size] * (value(mask | 1 << i) - base)
        if progress:
            progress(total, total)
        return ShapleyResult(tuple(phi), (0.0,) * n, True, 0, None, len(cache), full, empty)
    rng = np.random.default_rng(seed)
    draws = np.zeros((permutations, n))
    for k in range(permutations):
        mask, before = 0, empty
        for i in rng.permutation(n):
            mask |= 1 << int(i)
            after = value(mask)
            draws[k, i] = after - before
            before = after
    if progress:
        progress(total, total)
    se = draws.std(axis=0, ddof=1) / math.sqrt(permutations) if permutations > 1 else np.zeros(n)
    return ShapleyResult(tuple(draws.mean(axis=0)), tuple(se), False, permutations, seed,
                         len(cache), full, empty)
