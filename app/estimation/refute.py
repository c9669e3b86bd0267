"""Refutations: re-run the same estimate on deliberately changed data and see if it behaves.

These follow DoWhy's refuters (placebo treatment, random common cause, data subset, simulated
unobserved common cause) and use DoWhy's significance test, but the loop is ours so the page can
show progress and stop between simulations when the user presses Cancel.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.errors import EstimationError
from app.estimation._engine import quiet, single_threaded
from app.estimation.estimators import Progress, ShouldStop, _check_stop, point_estimate
from app.estimation.pipeline import EffectEstimate, EstimationContext
from app.estimation.prepare import design_matrix
from app.executor import cluster_map, executor_name
from app.numbers import fmt

KINDS = ("placebo", "random_common_cause", "data_subset", "unobserved_common_cause")
LABELS = {
    "placebo": "Placebo treatment",
    "random_common_cause": "Random common cause",
    "data_subset": "Data subset",
    "unobserved_common_cause": "Unobserved common cause",
}
EXPECTED = {
    "placebo": "Shuffling the treatment breaks any causal link, so the estimate should drop to about 0.",
    "random_common_cause": "Adding a made-up, independent covariate should leave the estimate unchanged.",
    "data_subset": "Re-estimating on random 80% subsets should give about the same estimate.",
    "unobserved_common_cause": "A hidden confounder as strong as the strongest measured one is "
                               "simulated; a robust estimate keeps its sign and most of its size.",
}
RANDOM_COLUMN = "__random_common_cause__"


@dataclass(frozen=True)
class RefutationResult:
    """One refutation: the new effect(s), a p-value where DoWhy defines one, and a verdict."""

    kind: str
    label: str
    original: float
    new_effect: float
    new_effect_sd: float | None
    simulations: tuple[float, ...] = field(repr=False)
    p_value: float | None
    verdict: str                # "passed" or "warning"
    explanation: str
    expected: str
    n_simulations: int
    seconds: float
    params: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"

    def __str__(self) -> str:
        p = f", p = {self.p_value:.3f}" if self.p_value is not None else ""
        return (f"{self.label}: {self.verdict.upper()} — new effect {fmt(self.new_effect)} "
                f"(original {fmt(self.original)}{p}). {self.explanation}")


def _context(obj) -> EstimationContext:
    ctx = obj.context if isinstance(obj, EffectEstimate) else obj
    if not isinstance(ctx, EstimationContext):
        raise EstimationError("Refutations need an estimate made in this session (its fitted "
                              "context is kept in memory, not saved).", hint="Run the estimate again.")
    return ctx


def default_simulations(method: str) -> int:
    """How many re-estimates a refutation runs: fewer for the slow machine-learning estimator."""
    return 20 if method == "ml" else 100


def _p_value(value: float, sims: np.ndarray) -> float:
    """DoWhy's test: bootstrap (two-sided percentile) with ≥ 100 draws, else normal tail."""
    from dowhy.causal_refuter import test_significance

    class _Est:  # DoWhy's test reads only `.value`
        def __init__(self, v: float) -> None:
            self.value = v

    with quiet():
        if np.std(sims) == 0:
            return 1.0 if np.all(sims == value) else 0.0
        return float(test_significance(_Est(value), sims)["p_value"])


@single_threaded
def refute(estimate_or_context, kind: str = "placebo", *, n_simulations: int | None = None,
           subset_fraction: float = 0.8, seed: int = 0, progress: Progress = None,
           should_stop: ShouldStop = None) -> RefutationResult:
    """Run one refutation (`kind` in KINDS) of an EffectEstimate from `estimate_effect`."""
    from app.estimation._engine import dowhy
    dowhy()
    if kind not in KINDS:
        raise EstimationError(f"Unknown refutation '{kind}'.", hint="Choose one of: " + ", ".join(KINDS))
    ctx = _context(estimate_or_context)
    spec = ctx.spec
    original = (estimate_or_context.value if isinstance(estimate_or_context, EffectEstimate)
                else point_estimate(spec, ctx.prepared.data))
    n_sims = n_simulations or (20 if kind == "unobserved_common_cause" else default_simulations(spec.method))
    if n_sims < 2:
        raise EstimationError("A refutation needs at least 2 simulations.")
    if not 0.1 <= subset_fraction < 1:
        raise EstimationError("The subset fraction must be between 0.1 and 1.")
    if kind in ("random_common_cause", "unobserved_common_cause") and spec.kind != "backdoor":
        raise EstimationError(
            f"The {LABELS[kind].lower()} check is for back-door estimates; "
            f"{'instrumental-variable' if spec.kind == 'iv' else 'front-door'} estimates already "
            "allow a hidden common cause of treatment and outcome.")
    data = ctx.prepared.data
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    sims: list[float] = []
    params: dict = {}
    if kind == "unobserved_common_cause":
        kt, ky = confounder_strengths(ctx)
        params = {"effect_on_treatment": kt, "effect_on_outcome": ky}
    for i in range(n_sims):
        if i % 5 == 0:
            _check_stop(should_stop)
            if progress:
                progress(i / n_sims, f"{LABELS[kind]}: simulation {i + 1}/{n_sims}")
        if kind == "placebo":
            perm = rng.permutation(len(data))
            d = data.copy()
            moved = [spec.treatment, *spec.instruments]  # DoWhy permutes instruments along (IV)
            d[moved] = data[moved].to_numpy()[perm]
            sims.append(point_estimate(spec, d))
        elif kind == "random_common_cause":
            d = data.assign(**{RANDOM_COLUMN: rng.standard_normal(len(data))})
            sims.append(point_estimate(spec, d, adjustment=[*spec.adjustment, RANDOM_COLUMN]))
        elif kind == "data_subset":
            idx = rng.choice(len(data), size=int(round(subset_fraction * len(data))), replace=False)
            try:
                sims.append(point_estimate(spec, data.iloc[np.sort(idx)].reset_index(drop=True)))
            except EstimationError:
                continue
        else:
            d = simulate_confounder(ctx, data, kt, ky, rng)
            sims.append(point_estimate(spec, d))
    if progress:
        progress(1.0, f"{LABELS[kind]}: done")
    if len(sims) < 2:
        raise EstimationError("The refutation could not re-estimate the effect on the changed data.")
    arr = np.asarray(sims, dtype=float)
    new, sd = float(arr.mean()), float(arr.std(ddof=1))
    p, verdict, text = _verdict(kind, original, arr, ctx)
    return RefutationResult(kind=kind, label=LABELS[kind], original=float(original), new_effect=new,
                            new_effect_sd=sd, simulations=tuple(map(float, arr)), p_value=p,
                            verdict=verdict, explanation=text, expected=EXPECTED[kind],
                            n_simulations=len(arr), seconds=time.perf_counter() - start,
                            params=params)


def _verdict(kind: str, original: float, sims: np.ndarray, ctx: EstimationContext):
    new, sd = float(sims.mean()), float(sims.std(ddof=1))
    if kind == "placebo":
        p = _p_value(0.0, sims)
        share = float(np.mean(np.abs(sims) >= abs(original)))
        if p > 0.05:
            verdict = "passed"
            text = (f"With shuffled treatment labels the estimate averages {fmt(new)} (spread "
                    f"{fmt(sd)}), consistent with 0 (p = {p:.2f}). ")
            text += (f"Only {share:.0%} of shuffles give an effect as large as yours ({fmt(original)}), "
                     "so it is unlikely to be chance." if share < 0.05 else
                     f"But {share:.0%} of shuffles give an effect as large as yours ({fmt(original)}): "
                     "it is within what chance alone produces.")
        else:
            verdict = "warning"
            text = (f"Even with shuffled treatment labels the estimate averages {fmt(new)}, not 0 "
                    f"(p = {p:.3f}): the estimator picks up something other than the treatment.")
        return p, verdict, text
    if kind in ("random_common_cause", "data_subset"):
        p = _p_value(original, sims)
        change = abs(new - original) / abs(original) if original else abs(new - original)
        what = "adding a random covariate" if kind == "random_common_cause" else "random 80% subsets"
        if p > 0.05:
            return p, "passed", (f"With {what} the estimate averages {fmt(new)} against {fmt(original)} "
                                 f"({change:.1%} change, p = {p:.2f}): stable, as expected.")
        return p, "warning", (f"With {what} the estimate moves to {fmt(new)} from {fmt(original)} "
                              f"(p = {p:.3f}): the estimate is fragile.")
    # unobserved common cause: no p-value in DoWhy's direct simulation
    same_sign = np.sign(new) == np.sign(original) and original != 0
    keeps = abs(new) >= 0.5 * abs(original)
    if same_sign and keeps:
        return None, "passed", (f"With a simulated hidden confounder as strong as the strongest "
                                f"measured one, the estimate becomes {fmt(new)} (from {fmt(original)}): "
                                "same sign, most of its size kept.")
    return None, "warning", (f"A simulated hidden confounder as strong as the strongest measured one "
                             f"moves the estimate to {fmt(new)} (from {fmt(original)}): a confounder "
                             "you have not measured could explain much of the effect.")


# ---- simulated unobserved confounder (DoWhy's direct simulation) ---------------------------
def confounder_strengths(ctx: EstimationContext) -> tuple[float, float]:
    """Strengths of the strongest measured confounder, as DoWhy's defaults compute them.

    On the treatment: for a binary treatment, the share of predicted treatments that flip when
    that confounder is zeroed in a logistic model (DoWhy's "binary_flip"); for a continuous one,
    corr × sd(T). On the outcome: corr(confounder, outcome) × sd(outcome) (DoWhy's "linear").
    """
    from sklearn.linear_model import LogisticRegression

    spec = ctx.spec
    data = ctx.prepared.data
    if not spec.adjustment:
        raise EstimationError(
            "The simulated hidden confounder is calibrated on the measured confounders, and this "
            "estimate adjusts for none.", hint="Use the sensitivity chart instead.")
    x = design_matrix(data, spec.adjustment)
    x = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1)
    t = data[spec.treatment].to_numpy(float)
    y = data[spec.outcome].to_numpy(float)
    with quiet():
        if ctx.prepared.binary_treatment:
            model = LogisticRegression().fit(x, t.astype(int))
            base = model.predict(x)
            flips = []
            for j in range(x.shape[1]):
                xj = x.copy()
                xj[:, j] = 0
                flips.append(float(np.mean(model.predict(xj) != base)))
            kt = max(flips)
        else:
            kt = float(np.nanmax(np.abs([np.corrcoef(x[:, j], t)[0, 1] for j in range(x.shape[1])]))
                       * t.std())
        ky = float(np.nanmax(np.abs([np.corrcoef(x[:, j], y)[0, 1] for j in range(x.shape[1])]))
                   * y.std())
    return float(kt), float(ky)


def simulate_confounder(ctx: EstimationContext, data: pd.DataFrame, kt: float, ky: float,
                        rng: np.random.Generator) -> pd.DataFrame:
    """Data with a simulated confounder U ~ N(0,1): as in DoWhy, a high U flips (binary) or
    raises (continuous) the treatment and lowers the outcome by ky·U."""
    from scipy import stats

    spec = ctx.spec
    u = rng.standard_normal(len(data))
    d = data.copy()
    t = d[spec.treatment].to_numpy(float)
    if ctx.prepared.binary_treatment:
        flip = u >= stats.norm.ppf(1 - min(max(kt, 1e-9), 1 - 1e-9))  # P(flip) = kt
        t = np.where(flip, 1 - t, t)
    else:
        t = t + kt * u
    d[spec.treatment] = t
    d[spec.outcome] = d[spec.outcome].to_numpy(float) - ky * u
    return d


@single_threaded
def refutation_suite(estimate: EffectEstimate, kinds=KINDS, *, seed: int = 0,
                     progress: Progress = None, should_stop: ShouldStop = None,
                     n_simulations: int | None = None) -> list[RefutationResult]:
    """Run several refutations one after another (the page's "run all"); skips ones that don't apply."""
    out = []
    kinds = [k for k in kinds if estimate.estimand_kind == "backdoor"
             or k not in ("random_common_cause", "unobserved_common_cause")]
    if executor_name(EstimationError) != "local":
        # CAUSAL_CANVAS_EXECUTOR names a cluster: one task per kind. Each refutation seeds its
        # own generator, so the results equal this loop's, whatever runs where.
        def done(count: int, total: int) -> None:
            if progress:
                progress(count / total, f"{count} of {total} refutations done")
        return cluster_map(_refute_task, estimate, [(k, seed, n_simulations) for k in kinds],
                           progress=done, cancel=should_stop, error=EstimationError)
    for i, k in enumerate(kinds):
        def sub(frac: float, msg: str, i=i) -> None:
            if progress:
                progress((i + frac) / len(kinds), msg)
        out.append(refute(estimate, k, seed=seed, progress=sub, should_stop=should_stop,
                          n_simulations=n_simulations))
    return out


def _refute_task(estimate: EffectEstimate, kind: str, seed: int,
                 n_simulations: int | None) -> RefutationResult:
    """One refutation on a cluster worker (app.executor.cluster_map passes the estimate first)."""
    return refute(estimate, kind, seed=seed, n_simulations=n_simulations)
