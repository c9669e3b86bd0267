"""Benchmark time-series discovery: time and F1 of PCMCI, PCMCI+ and the Granger baseline
against the known lagged links of simulated linear VARs (5, 10, 20 variables, 1,000 steps,
max lag 3), all in the same process. Run: .venv/bin/python benchmarks/timeseries.py [seeds] (default 1, ~2 min on 2 free cores)

Each VAR: every variable depends on its own lag 1 and on one or two other variables at a
random lag 1–3 (coefficients ±0.25–0.5), rescaled to be stable. F1 is over (cause, effect,
lag) links including self-links; one run per method, size and seed (α = 0.05, parcorr).
"+FDR" rows re-threshold the same run's p-values with Benjamini–Hochberg (what fdr=True does),
so they cost no extra time.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.timeseries import discover_timeseries, link_scores  # noqa: E402
from app.timeseries.raw import benjamini_hochberg  # noqa: E402

STEPS, MAX_LAG, SIZES = 1_000, 3, (5, 10, 20)
SHORT = (10, 300)     # an extra short series: where conditioning on everything loses power
METHODS = ("granger", "pcmci", "pcmci+")
ROWS = ("granger", "granger+FDR", "pcmci", "pcmci+FDR", "pcmci+")


def simulate_var(n_var: int, seed: int, steps: int = STEPS) -> tuple[pd.DataFrame, set]:
    """A random stable sparse VAR(3) and its true (cause, effect, lag) links."""
    rng = np.random.default_rng(seed)
    coef = np.zeros((MAX_LAG, n_var, n_var))          # coef[lag-1, effect, cause]
    for j in range(n_var):
        coef[0, j, j] = rng.uniform(0.3, 0.6)
        for i in rng.choice([k for k in range(n_var) if k != j], size=rng.integers(1, 3),
                            replace=False):
            coef[rng.integers(0, MAX_LAG), j, i] = rng.choice([-1, 1]) * rng.uniform(0.25, 0.5)
    companion = np.zeros((n_var * MAX_LAG, n_var * MAX_LAG))
    companion[:n_var] = np.hstack(coef)
    companion[n_var:, :-n_var] = np.eye(n_var * (MAX_LAG - 1))
    radius = max(abs(np.linalg.eigvals(companion)))
    if radius > 0.9:
        coef *= 0.9 / radius
    x = np.zeros((steps + 200, n_var))
    noise = rng.standard_normal(x.shape)
    for t in range(MAX_LAG, len(x)):
        x[t] = noise[t] + sum(coef[k] @ x[t - 1 - k] for k in range(MAX_LAG))
    names = [f"x{i}" for i in range(n_var)]
    df = pd.DataFrame(x[200:], columns=names).assign(t=np.arange(steps))
    truth = {(names[i], names[j], k + 1) for k in range(MAX_LAG) for j in range(n_var)
             for i in range(n_var) if coef[k, j, i] != 0}
    return df, truth


def _fdr_links(res) -> set:
    """Lagged links whose Benjamini–Hochberg adjusted p-value is below α."""
    q = benjamini_hochberg(res.p_values[:, :, 1:])
    v = res.variables
    return {(v[i], v[j], k + 1) for i, j, k in zip(*np.nonzero(np.nan_to_num(q, nan=1) < res.alpha))}


def main(seeds: int = 1) -> None:
    print(f"Time-series discovery: {STEPS} steps, max lag {MAX_LAG}, α = 0.05, "
          f"{seeds} simulated VAR(s) per size\n")
    warm, _ = simulate_var(3, 0, 200)                       # imports and first-call costs
    for m in METHODS:
        discover_timeseries(warm, "t", max_lag=1, method=m)
    print(f"{'variables':>9} {'steps':>6} {'true links':>10} {'method':>11} {'time (s)':>9} "
          f"{'precision':>9} {'recall':>7} {'F1':>6} {'time / Granger':>15}")
    for n_var, steps in [(n, STEPS) for n in SIZES] + [SHORT]:
        rows = {m: {"t": [], "p": [], "r": [], "f1": []} for m in ROWS}
        n_true = []
        for seed in range(seeds):
            df, truth = simulate_var(n_var, 1000 * n_var + seed, steps)
            n_true.append(len(truth))
            for m in METHODS:
                t0 = time.perf_counter()
                res = discover_timeseries(df, "t", max_lag=MAX_LAG, method=m)
                elapsed = time.perf_counter() - t0
                found = {"": res.lagged_links()}
                if m != "pcmci+":
                    found["+FDR"] = _fdr_links(res)
                for suffix, links in found.items():
                    s = link_scores(links, truth)
                    for key, value in (("t", elapsed), ("p", s["precision"]),
                                       ("r", s["recall"]), ("f1", s["f1"])):
                        rows[m + suffix][key].append(value)
        base = statistics.mean(rows["granger"]["t"])
        for m in ROWS:
            r = {k: statistics.mean(v) for k, v in rows[m].items()}
            print(f"{n_var:>9} {steps:>6} {statistics.mean(n_true):>10.1f} {m:>11} {r['t']:>9.2f} "
                  f"{r['p']:>9.3f} {r['r']:>7.3f} {r['f1']:>6.3f} {r['t'] / base:>15.1f}")
        print()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
