"""Effects within subgroups: a brushed selection, the levels of a variable, or bins along it.

Each subgroup is estimated with the same identification (adjustment set from the whole graph)
and estimator; a variable that is constant inside a subgroup drops out of its adjustment.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from app.errors import EstimationError
from app.estimation._engine import single_threaded
from app.estimation.pipeline import EffectEstimate, estimate_effect
from app.estimation.prepare import _label, design_matrix
from app.graph import CausalGraph

MIN_ROWS = 20
MIN_PER_ARM = 5
MAX_LEVELS = 8


@dataclass(frozen=True)
class SubgroupEffects:
    """One row per subgroup (estimate with interval), plus the overall estimate."""

    table: pd.DataFrame   # group, n, n_treated, n_control, estimate, ci_low, ci_high, lower, upper, mid
    overall: EffectEstimate
    covariate: str | None
    min_size: int
    notes: tuple[str, ...]

    def __str__(self) -> str:
        cols = ["group", "n", "estimate", "ci_low", "ci_high"]
        return f"Effect by {self.covariate or 'selection'}\n{self.table[cols].to_string(index=False)}"


def minimum_size(overall: EffectEstimate) -> int:
    """Rows a subgroup needs: 20, or 5 per adjusted column plus 10, whichever is larger."""
    ctx = overall.context
    k = design_matrix(ctx.prepared.data, ctx.spec.adjustment).shape[1] if ctx else 0
    return max(MIN_ROWS, 5 * k + 10)


def _labels(s: pd.Series) -> pd.Series:
    """Treatment values as the labels `prepare` uses (1.0 → "1", True → "1")."""
    if pd.api.types.is_bool_dtype(s):
        s = s.astype(int)
    return s.map(_label)


def _size_problem(part: pd.DataFrame, overall: EffectEstimate, treatment: str,
                  min_size: int) -> str | None:
    n = len(part)
    if overall.context and overall.context.prepared.binary_treatment:
        t = _labels(part[treatment])
        n_t = int((t == overall.treatment_label).sum())
        n_c = int((t == overall.control_label).sum())
        if n < min_size or min(n_t, n_c) < MIN_PER_ARM:
            return (f"{n} rows ({n_t} with {treatment} = {overall.treatment_label}, {n_c} with "
                    f"{overall.control_label}); at least {min_size} rows with {MIN_PER_ARM} in each "
                    "treatment group are needed")
    elif n < min_size:
        return f"{n} rows; at least {min_size} are needed"
    return None


def _one(df: pd.DataFrame, graph: CausalGraph, overall: EffectEstimate, *, ci: bool, seed: int,
         n_bootstrap: int) -> tuple[EffectEstimate, str | None]:
    """Estimate in one subgroup; fall back to regression when no adjustment is left to do."""
    kw = dict(treatment_value=overall.treatment_label, control_value=overall.control_label,
              ci=ci, seed=seed, n_bootstrap=n_bootstrap,
              adjustment_set=overall.adjustment_set if overall.estimand_kind == "backdoor" else None)
    try:
        return estimate_effect(df, graph, overall.treatment, overall.outcome, overall.method, **kw), None
    except EstimationError as err:
        constant = [c for c in overall.adjustment_set if df[c].nunique() <= 1]
        if overall.method != "linear_regression" and overall.estimand_kind == "backdoor" and (
                constant or "Perfect separation" in err.message):
            est = estimate_effect(df, graph, overall.treatment, overall.outcome,
                                  "linear_regression", **kw)
            return est, "linear regression (nothing left to adjust for with " + \
                overall.method_label.lower() + ")"
        raise


def _bins(s: pd.Series, bins: int) -> tuple[pd.Series, list[dict]]:
    """Group labels for `s`: its values when few, else quantile bins [lo, hi)."""
    values = s.dropna().unique()
    if not pd.api.types.is_numeric_dtype(s) or len(values) <= MAX_LEVELS:
        levels = sorted(values, key=lambda v: (str(type(v)), v))
        info = [{"group": str(v), "lower": v if pd.api.types.is_numeric_dtype(s) else None,
                 "upper": None, "mid": v if pd.api.types.is_numeric_dtype(s) else None,
                 "match": v} for v in levels]
        return s, info
    cut = pd.qcut(s, q=bins, duplicates="drop")
    info = []
    for iv in cut.cat.categories:
        info.append({"group": f"{iv.left:.4g} – {iv.right:.4g}", "lower": float(iv.left),
                     "upper": float(iv.right), "mid": float((iv.left + iv.right) / 2), "match": iv})
    return cut, info


@single_threaded
def subgroup_effects(df: pd.DataFrame, graph: CausalGraph, treatment: str | None = None,
                     outcome: str | None = None, mask_or_column=None, *, method: str = "auto",
                     bins: int = 4, treatment_value=None, control_value=None, ci: bool = True,
                     seed: int = 0, n_bootstrap: int = 100, adjustment_set=None,
                     overall: EffectEstimate | None = None) -> SubgroupEffects:
    """Effects within subgroups: a boolean mask (selected vs the rest) or a column (levels or bins).

    A selected subgroup smaller than the minimum raises EstimationError naming the minimum.
    """
    if overall is None:
        overall = estimate_effect(df, graph, treatment, outcome, method, ci=ci, seed=seed,
                                  treatment_value=treatment_value, control_value=control_value,
                                  n_bootstrap=n_bootstrap, adjustment_set=adjustment_set)
    t = overall.treatment
    min_size = minimum_size(overall)
    notes: list[str] = []
    rows: list[dict] = []
    if mask_or_column is None:
        raise EstimationError("Choose a subgroup: brush a chart or pick a variable.")
    # count and split only the rows the estimate can use (complete in treatment, outcome and
    # adjustment set), so a group's n is the rows behind its number
    used = [c for c in (t, overall.outcome, *(overall.adjustment_set or ())) if c in df.columns]
    complete = df[used].notna().all(axis=1).to_numpy()
    n_left = int((~complete).sum())
    if n_left:
        notes.append(f"{n_left:,} of {len(df):,} rows have a missing value in "
                     f"{', '.join(used)} and are in no group (as in the overall estimate).")
    if isinstance(mask_or_column, str):
        col = mask_or_column
        if col not in df.columns:
            raise EstimationError(f"There is no column '{col}' to form subgroups.")
        if col in (t, overall.outcome):
            raise EstimationError("Subgroups are formed by a covariate, not by the treatment or outcome.")
        if col in graph.nodes and col in nx.descendants(graph.to_networkx(), t):
            notes.append(f"'{col}' is affected by {t}: effects within its levels are not causal "
                         "subgroup effects (conditioning on a consequence of the treatment).")
        groups, info = _bins(df[col], bins)
        parts = [(i, df[(groups == i["match"]).to_numpy() & complete]) for i in info]
        covariate = col
    else:
        mask = np.asarray(mask_or_column, dtype=bool)
        if mask.shape != (len(df),):
            raise EstimationError("The selection does not match the rows of the data.")
        sel = df[mask & complete]
        problem = _size_problem(sel, overall, t, min_size)
        if problem:
            raise EstimationError(f"The selected subgroup is too small: {problem}.",
                                  hint=f"Brush a wider range (minimum {min_size} rows).")
        parts = [({"group": "selected", "lower": None, "upper": None, "mid": None}, sel)]
        rest = df[~mask & complete]
        if _size_problem(rest, overall, t, min_size) is None:
            parts.append(({"group": "not selected", "lower": None, "upper": None, "mid": None}, rest))
        covariate = None
    for info, part in parts:
        problem = _size_problem(part, overall, t, min_size)
        if problem:
            notes.append(f"Group {info['group']} skipped: {problem}.")
            continue
        try:
            est, fallback = _one(part, graph, overall, ci=ci, seed=seed, n_bootstrap=n_bootstrap)
        except EstimationError as err:
            if covariate is None and info["group"] == "selected":
                raise
            notes.append(f"Group {info['group']} skipped: {err.message}")
            continue
        if fallback:
            notes.append(f"Group {info['group']}: {fallback}.")
        tv = _labels(part[t])
        rows.append({"group": info["group"], "n": int(est.n_rows),
                     "n_treated": int((tv == overall.treatment_label).sum()),
                     "n_control": int((tv == overall.control_label).sum()),
                     "estimate": est.value, "ci_low": est.ci_low, "ci_high": est.ci_high,
                     "naive": est.naive.value, "lower": info["lower"], "upper": info["upper"],
                     "mid": info["mid"]})
    if not rows:
        raise EstimationError("No subgroup is large enough to estimate an effect.",
                              hint=f"Each needs at least {min_size} rows; use fewer bins.")
    table = pd.DataFrame(rows)
    return SubgroupEffects(table=table, overall=overall, covariate=covariate, min_size=min_size,
                           notes=tuple(notes))
