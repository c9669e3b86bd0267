"""Probabilities of causation (PN, PS, PNS) with the Tian–Pearl (2000) bounds.

PN  = P(Y_{x'} = y' | X = x, Y = y)   necessity: would the outcome have failed without x?
PS  = P(Y_x = y | X = x', Y = y')     sufficiency: would x have produced the outcome?
PNS = P(Y_x = y, Y_{x'} = y')         x is necessary and sufficient for y.
They are not identified from data; observational P(x, y) together with experimental P(y_x),
P(y_x') bound them (Tian & Pearl 2000, Theorem 2 & 3), and monotonicity (no unit is harmed by
x) makes them point-identified.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.errors import QueryError
from app.models.base import FittedModel
from app.models.discrete import DiscreteModel
from app.models.inference import default_outcome_state, do_query, observe_query

MEANINGS = {
    "PN": "Probability of necessity: among units that had {x} and {y}, the share that would "
          "not have had {y} without {x}.",
    "PS": "Probability of sufficiency: among units that had neither {x} nor {y}, the share that "
          "would have had {y} with {x}.",
    "PNS": "Probability of necessity and sufficiency: the share of all units for which {x} "
           "makes the difference to {y} (with it {y}, without it not).",
}


@dataclass(frozen=True)
class Interval:
    lower: float
    upper: float

    @property
    def width(self) -> float:
        return self.upper - self.lower

    def contains(self, value: float, tol: float = 1e-9) -> bool:
        return self.lower - tol <= value <= self.upper + tol

    def __repr__(self) -> str:
        return f"[{self.lower:.4f}, {self.upper:.4f}]"


@dataclass(frozen=True)
class CausationBounds:
    """Bounds on PN, PS and PNS, the point values under monotonicity, and the checks made."""

    exposure: str
    outcome: str
    treated: object
    untreated: object
    outcome_state: object
    inputs: Mapping[str, float]
    pn: Interval
    ps: Interval
    pns: Interval
    monotone_pn: float | None
    monotone_ps: float | None
    monotone_pns: float | None
    monotonicity_compatible: bool
    checks: tuple[str, ...]
    source: str

    def describe(self, quantity: str) -> str:
        x = f"{self.exposure}={self.treated}"
        y = f"{self.outcome}={self.outcome_state}"
        return MEANINGS[quantity].format(x=x, y=y)

    def to_frame(self) -> pd.DataFrame:
        """One row per quantity: lower, upper, value under monotonicity, meaning."""
        rows = []
        for name, iv, mono in (("PN", self.pn, self.monotone_pn), ("PS", self.ps, self.monotone_ps),
                               ("PNS", self.pns, self.monotone_pns)):
            rows.append({"quantity": name, "lower": iv.lower, "upper": iv.upper,
                         "monotone": mono if mono is not None else np.nan,
                         "meaning": self.describe(name)})
        return pd.DataFrame(rows)

    def sentences(self) -> list[str]:
        """Each bound in plain words."""
        out = []
        for name, iv in (("PN", self.pn), ("PS", self.ps), ("PNS", self.pns)):
            if np.isnan(iv.lower):
                out.append(f"{name} is undefined here: nobody is in the group it conditions on.")
                continue
            if iv.width < 1e-9:
                what = f"exactly {iv.lower:.1%}"
            else:
                what = f"between {iv.lower:.1%} and {iv.upper:.1%}"
            out.append(f"{name} is {what}. " + self.describe(name))
        return out

    def __repr__(self) -> str:
        return (f"CausationBounds({self.exposure}={self.treated} → {self.outcome}="
                f"{self.outcome_state}: PN {self.pn!r}, PS {self.ps!r}, PNS {self.pns!r}; "
                f"monotone PN={_opt(self.monotone_pn)}, PS={_opt(self.monotone_ps)}, "
                f"PNS={_opt(self.monotone_pns)})")


def _opt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.4f}"


# ---- the formulas ----------------------------------------------------------------------------
def tian_pearl(p_xy: float, p_xy_: float, p_x_y: float, p_x_y_: float, p_yx: float,
               p_yx_: float) -> tuple[Interval, Interval, Interval]:
    """Tian & Pearl (2000) bounds from observational P(x,y), P(x,y'), P(x',y), P(x',y') and
    experimental P(y_x), P(y_x'). Returns (PN, PS, PNS); NaN where the conditioning group is empty.
    """
    p_y = p_xy + p_x_y
    pns = Interval(max(0.0, p_yx - p_yx_, p_y - p_yx_, p_yx - p_y),
                   min(p_yx, 1 - p_yx_, p_xy + p_x_y_, p_yx - p_yx_ + p_xy_ + p_x_y))
    if p_xy > 0:
        pn = Interval(max(0.0, (p_y - p_yx_) / p_xy), min(1.0, ((1 - p_yx_) - p_x_y_) / p_xy))
    else:
        pn = Interval(np.nan, np.nan)
    if p_x_y_ > 0:
        ps = Interval(max(0.0, (p_yx - p_y) / p_x_y_), min(1.0, (p_yx - p_xy) / p_x_y_))
    else:
        ps = Interval(np.nan, np.nan)
    return pn, ps, pns


def _problems(p: Mapping[str, float], tol: float) -> tuple[list[str], bool]:
    """Violations of the consistency constraints (any SCM) and of monotonicity."""
    yx, yx_, py = p["P(y_x)"], p["P(y_x')"], p["P(y)"]
    pairs = (  # consistency: P(y_x) >= P(x, y) etc. hold in every causal model
        ("P(y_x)", yx, "P(x,y)", p["P(x,y)"]),
        ("P(y'_x)", 1 - yx, "P(x,y')", p["P(x,y')"]),
        ("P(y_x')", yx_, "P(x',y)", p["P(x',y)"]),
        ("P(y'_x')", 1 - yx_, "P(x',y')", p["P(x',y')"]),
    )
    general = [f"{a} = {va:.4f} is below {b} = {vb:.4f}" for a, va, b, vb in pairs
               if va < vb - tol]
    msgs = []
    if general:
        msgs.append("The observational and experimental numbers contradict each other ("
                    + "; ".join(general) + "): no causal model produces both. Check that they "
                    "describe the same population; small gaps can be sampling noise.")
    mono_ok = not general and yx_ - tol <= py <= yx + tol
    if not mono_ok and not general:
        msgs.append(f"Monotonicity is contradicted by the data: it requires P(y_x') ≤ P(y) ≤ "
                    f"P(y_x), but here P(y_x') = {yx_:.4f}, P(y) = {py:.4f}, P(y_x) = {yx:.4f}. "
                    "Some units must be harmed by the exposure; only the bounds apply.")
    return msgs, mono_ok


# ---- gathering the inputs -------------------------------------------------------------------
def _same(a: object, b: object) -> bool:
    return a == b or str(a) == str(b)


def _match(values, wanted) -> object:
    for v in values:
        if _same(v, wanted):
            return v
    raise QueryError(f"'{wanted}' is not one of the values: {', '.join(map(str, values))}.")


def _pick_binary(values: list, treated, untreated, name: str) -> tuple[object, object]:
    if len(values) != 2 and (treated is None or untreated is None):
        raise QueryError(f"PN, PS and PNS need a yes/no exposure; '{name}' takes "
                         f"{len(values)} values ({', '.join(map(str, values[:8]))}).",
                         hint="Choose the two values to compare (treated and untreated), or "
                              "recode the exposure.")
    x = _match(values, treated) if treated is not None else default_outcome_state(values)
    rest = [v for v in values if not _same(v, x)]
    x_ = _match(values, untreated) if untreated is not None else rest[0]
    if _same(x, x_):
        raise QueryError("The treated and untreated values must differ.")
    return x, x_


def _table_probs(df: pd.DataFrame, exposure: str, outcome: str, what: str) -> pd.DataFrame:
    for c in (exposure, outcome):
        if c not in df.columns:
            raise QueryError(f"The {what} table has no column '{c}'.",
                             hint="Columns: " + ", ".join(map(str, df.columns)) + ".")
    weights = None
    for c in ("count", "n", "N", "Count", "frequency"):
        if c in df.columns and c not in (exposure, outcome):
            weights = pd.to_numeric(df[c], errors="coerce").fillna(0)
            break
    table = df[[exposure, outcome]].copy()
    table["_w"] = 1.0 if weights is None else weights.to_numpy(dtype=float)
    table = table.dropna()
    counts = table.groupby([exposure, outcome], sort=True, observed=True)["_w"].sum()
    if counts.sum() <= 0:
        raise QueryError(f"The {what} table is empty.")
    return counts / counts.sum()


def causation_bounds(observational, interventional=None, *, exposure: str | None = None,
                     outcome: str | None = None, treated: object = None,
                     untreated: object = None, outcome_state: object = None,
                     tolerance: float = 0.0) -> CausationBounds:
    """PN, PS, PNS bounds for exposure=treated (vs untreated) causing outcome=outcome_state.

    `observational`: a FittedModel, a table of rows (optional 'count' column), or a mapping
    {(x, y): probability}. `interventional`: None (the model's do-queries; for data alone,
    no confounding is assumed), a FittedModel, an experiment table, or {x: P(y | do(x))}.
    """
    model = observational if isinstance(observational, FittedModel) else None
    if isinstance(interventional, FittedModel):
        model = interventional
    if exposure is None or outcome is None:
        if model is None:
            raise QueryError("Name the exposure and the outcome.")
        exposure = exposure or next(iter(sorted(model.graph.exposures)), None)
        outcome = outcome or next(iter(sorted(model.graph.outcomes)), None)
        if exposure is None or outcome is None:
            raise QueryError("Name the exposure and the outcome (or give them these roles).")
    if model is not None and not isinstance(model, DiscreteModel):
        raise QueryError("PN, PS and PNS are about yes/no events: they need a discrete model.")

    # observational joint of (X, Y)
    if isinstance(observational, FittedModel):
        joint = observe_query(observational, [exposure, outcome]).joint
        x_values = list(observational.states[exposure])
        y_values = list(observational.states[outcome])
    elif isinstance(observational, pd.DataFrame):
        joint = _table_probs(observational, exposure, outcome, "observational")
        x_values = list(dict.fromkeys(joint.index.get_level_values(0)))
        y_values = list(dict.fromkeys(joint.index.get_level_values(1)))
    elif isinstance(observational, Mapping):
        total = float(sum(observational.values()))
        if total <= 0:
            raise QueryError("The observational probabilities are all zero.")
        joint = pd.Series({tuple(k): float(v) / total for k, v in observational.items()})
        x_values = list(dict.fromkeys(k[0] for k in observational))
        y_values = list(dict.fromkeys(k[1] for k in observational))
    else:
        raise QueryError("Give the observational data as a fitted model, a table or a mapping "
                         "{(x, y): probability}.")
    x, x_ = _pick_binary(x_values, treated, untreated, exposure)
    y = _match(y_values, outcome_state) if outcome_state is not None else \
        default_outcome_state(y_values)

    def pj(xv, is_y: bool) -> float:
        return float(sum(p for (a, b), p in joint.items()
                         if _same(a, xv) and (_same(b, y) == is_y)))

    others = [v for v in x_values if not (_same(v, x) or _same(v, x_))]
    checks: list[str] = []
    if others and sum(pj(v, True) + pj(v, False) for v in others) > 0:
        raise QueryError(f"'{exposure}' also takes other values ({', '.join(map(str, others))}); "
                         "PN, PS and PNS compare exactly two.",
                         hint="Recode the exposure into two groups first.")

    # interventional P(y_x), P(y_x')
    if interventional is None and model is not None:
        p_yx = do_query(model, outcome, {exposure: x}).probability(outcome, y)
        p_yx_ = do_query(model, outcome, {exposure: x_}).probability(outcome, y)
        source = "the model's do-queries (which assume the graph is right)"
    elif isinstance(interventional, FittedModel):
        p_yx = do_query(interventional, outcome, {exposure: x}).probability(outcome, y)
        p_yx_ = do_query(interventional, outcome, {exposure: x_}).probability(outcome, y)
        source = "the model's do-queries (which assume the graph is right)"
    elif isinstance(interventional, pd.DataFrame):
        exp = _table_probs(interventional, exposure, outcome, "experimental")
        p_yx, p_yx_ = (_conditional(exp, v, y, "experimental") for v in (x, x_))
        source = "observational data and an experiment"
    elif isinstance(interventional, Mapping):
        p_yx = float(interventional[_match(list(interventional), x)])
        p_yx_ = float(interventional[_match(list(interventional), x_)])
        source = "observational data and experimental probabilities"
    elif interventional is None:
        p_yx, p_yx_ = (_conditional(joint, v, y, "observational") for v in (x, x_))
        source = "observational data alone, assuming no confounding (P(y_x) = P(y | x))"
        checks.append("No experiment was given: P(y | do(x)) was taken as P(y | x), which assumes "
                      "no confounding between exposure and outcome.")
    else:
        raise QueryError("Give the experimental data as a fitted model, a table, or a mapping "
                         "{x: P(y | do(x))}.")
    for name, v in (("P(y_x)", p_yx), ("P(y_x')", p_yx_)):
        if not 0.0 <= v <= 1.0:
            raise QueryError(f"{name} = {v} is not a probability.")

    p = {"P(x,y)": pj(x, True), "P(x,y')": pj(x, False), "P(x',y)": pj(x_, True),
         "P(x',y')": pj(x_, False), "P(y_x)": p_yx, "P(y_x')": p_yx_}
    p["P(y)"] = p["P(x,y)"] + p["P(x',y)"]
    pn, ps, pns = tian_pearl(p["P(x,y)"], p["P(x,y')"], p["P(x',y)"], p["P(x',y')"], p_yx, p_yx_)
    msgs, mono_ok = _problems(p, tolerance)
    checks += msgs
    mono_pns = p_yx - p_yx_ if mono_ok else None
    mono_pn = (p["P(y)"] - p_yx_) / p["P(x,y)"] if mono_ok and p["P(x,y)"] > 0 else None
    mono_ps = (p_yx - p["P(y)"]) / p["P(x',y')"] if mono_ok and p["P(x',y')"] > 0 else None
    return CausationBounds(
        exposure=exposure, outcome=outcome, treated=x, untreated=x_, outcome_state=y, inputs=p,
        pn=pn, ps=ps, pns=pns, monotone_pn=mono_pn, monotone_ps=mono_ps, monotone_pns=mono_pns,
        monotonicity_compatible=mono_ok, checks=tuple(checks), source=source)


def _conditional(joint: pd.Series, xv, y, what: str) -> float:
    num = sum(p for (a, b), p in joint.items() if _same(a, xv) and _same(b, y))
    den = sum(p for (a, _), p in joint.items() if _same(a, xv))
    if den <= 0:
        raise QueryError(f"The {what} data has no units with the exposure value {xv}.")
    return float(num / den)
