"""Exact inference on a discrete network by tensor contraction over the ancestral set.

P(targets, evidence) is the sum over the ancestors of targets and evidence of the product of
their probability tables (barren descendants sum to one). Unlike pgmpy 1.1.2's
VariableElimination, which prunes d-separated evidence and then renormalises, the unnormalised
result keeps P(evidence), so impossible evidence is detected instead of silently answered.
Contraction plans are cached per (targets, observed variables), so repeated queries only slice
tables and multiply.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


class Engine:
    """Probability tables of one (possibly mutilated) network, ready for repeated queries."""

    def __init__(self, factors: Mapping[str, tuple[tuple[str, ...], np.ndarray]],
                 order: Sequence[str]) -> None:
        # factors: variable -> ((variable, *parents), array with one axis per name)
        self.factors = dict(factors)
        self.order = list(order)
        self.ids = {v: i for i, v in enumerate(self.order)}
        self.parents = {v: axes[1:] for v, (axes, _) in self.factors.items()}
        self._plans: dict[tuple, tuple] = {}

    def _ancestral(self, names: Sequence[str]) -> list[str]:
        keep: set[str] = set()
        stack = list(names)
        while stack:
            v = stack.pop()
            if v not in keep:
                keep.add(v)
                stack.extend(self.parents[v])
        return [v for v in self.order if v in keep]

    def _plan(self, targets: tuple[str, ...], observed: tuple[str, ...]) -> tuple:
        key = (targets, observed)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        from opt_einsum import contract_expression, get_symbol

        relevant = self._ancestral([*targets, *observed])
        obs = set(observed)
        terms, shapes, slicers, scalars = [], [], [], []
        for v in relevant:
            axes, values = self.factors[v]
            free = [a for a in axes if a not in obs]
            slicer = tuple(observed.index(a) if a in obs else None for a in axes)
            if not free:
                scalars.append((v, slicer))
                continue
            terms.append("".join(get_symbol(self.ids[a]) for a in free))
            shapes.append(tuple(values.shape[i] for i, a in enumerate(axes) if a not in obs))
            slicers.append((v, slicer))
        out = "".join(get_symbol(self.ids[t]) for t in targets)
        expr = (contract_expression(",".join(terms) + "->" + out, *shapes, optimize="greedy")
                if terms else (lambda: np.float64(1.0)))
        plan = (expr, slicers, scalars)
        self._plans[key] = plan
        return plan

    def query(self, targets: Sequence[str], evidence: Mapping[str, int]) -> np.ndarray:
        """Unnormalised P(targets, evidence) as an array over the targets' states.

        `evidence` maps variables to state indices; with no targets the result is P(evidence). The sum of the result is P(evidence) (times
        1/k for each uniform do-variable observed).
        """
        observed = tuple(sorted(evidence))
        expr, slicers, scalars = self._plan(tuple(targets), observed)
        values = [evidence[v] for v in observed]

        def take(v: str, slicer: tuple) -> np.ndarray:
            index = tuple(slice(None) if s is None else values[s] for s in slicer)
            return self.factors[v][1][index]

        result = expr(*(take(v, s) for v, s in slicers))
        for v, s in scalars:
            result = result * float(take(v, s))
        return np.asarray(result, dtype=float)
