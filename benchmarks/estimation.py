"""Estimation benchmark: our estimate + CI against DoWhy's own, a refutation suite, cold imports.

Run: .venv/bin/python benchmarks/estimation.py   (about 2–3 minutes on 2 cores)

1. 100,000 rows (dowhy.datasets.linear_dataset, 4 confounders, true effect 10): linear regression
   and IPW, estimate + 95% CI, ours vs DoWhy's CausalModel with confidence_intervals=True in the
   same process (DoWhy's IPW interval is its default 399-draw bootstrap: 40 draws are timed and
   scaled to 399).
2. NHEFS: the full refutation suite (placebo, random common cause, data subset: 100 simulations
   each; unobserved common cause: 20) for regression and IPW, plus DoWhy's own placebo refuter.
3. Cold start: `import app` + everything pages/estimate.py imports, in a fresh interpreter, with
   DoWhy not loaded; and `import dowhy` alone for comparison.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore")


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def fresh(code: str, repeat: int = 3) -> float:
    """Median wall time of `code` in a new interpreter (minus the bare interpreter start)."""
    def run(c):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", c], check=True, cwd=ROOT, capture_output=True)
        return time.perf_counter() - t
    base = statistics.median(run("pass") for _ in range(repeat))
    return statistics.median(run(code) for _ in range(repeat)) - base


def section_large() -> None:
    import dowhy
    import dowhy.datasets

    from app.estimation import estimate_effect
    from app.graph import CausalGraph

    np.random.seed(0)
    d = dowhy.datasets.linear_dataset(beta=10, num_common_causes=4, num_samples=100_000,
                                      treatment_is_binary=True, stddev_treatment_noise=10,
                                      stddev_outcome_noise=5)
    df, t, y = d["df"], d["treatment_name"][0], d["outcome_name"]
    g = CausalGraph.from_edges(list(nx.parse_gml(d["gml_graph"]).edges))
    print(f"\n1. Estimate + 95% CI on {len(df):,} rows (true effect 10)")
    print(f"   {'method':<22}{'ours (s)':>10}{'DoWhy (s)':>11}{'ratio':>8}   ours estimate [CI]")
    for method, dw_name in (("linear_regression", "backdoor.linear_regression"),
                            ("ps_weighting", "backdoor.propensity_score_weighting")):
        ours_t, est = best_of(lambda m=method: estimate_effect(df, g, t, y, m))

        # DoWhy's IPW interval is a bootstrap with 399 draws by default; we time 40 draws and
        # scale to 399 (the draws are identical re-fits, so time is linear in their number)
        draws = 40 if method == "ps_weighting" else None

        def raw(name=dw_name, draws=draws):
            model = dowhy.CausalModel(data=df, treatment=t, outcome=y, graph=nx.parse_gml(d["gml_graph"]))
            ie = model.identify_effect(proceed_when_unidentifiable=True)
            params = {"num_simulations": draws} if draws else None
            return model.estimate_effect(ie, method_name=name, confidence_intervals=True,
                                         target_units="ate", method_params=params)
        dw_t, dw = best_of(raw, repeat=1 if draws else 3)
        if draws:
            dw_t *= 399 / draws
        lo, hi = np.ravel(dw.get_confidence_intervals())[:2]
        print(f"   {method:<22}{ours_t:>10.2f}{dw_t:>11.2f}{dw_t / ours_t:>7.0f}x   "
              f"{est.value:.3f} [{est.ci_low:.3f}, {est.ci_high:.3f}]   "
              f"(DoWhy {dw.value:.3f} [{lo:.3f}, {hi:.3f}]; target < 2 s: "
              f"{'met' if ours_t < 2 else 'MISSED'})")


def section_refutations() -> None:
    import dowhy

    from app.estimation import estimate_effect, refutation_suite
    from app.samples import load_sample

    s = load_sample("nhefs")
    print(f"\n2. Refutation suite on NHEFS ({len(s.data):,} rows, 9 confounders)")
    for method in ("linear_regression", "ps_weighting"):
        est = estimate_effect(s.data, s.graph, method=method)
        t = time.perf_counter()
        out = refutation_suite(est)
        total = time.perf_counter() - t
        detail = ", ".join(f"{r.kind} {r.seconds:.1f}s ({r.verdict})" for r in out)
        print(f"   {method:<20} total {total:6.1f} s: {detail}")
        if method == "linear_regression":
            data = est.context.prepared.data
            model = dowhy.CausalModel(data=data, treatment="qsmk", outcome="wt82_71",
                                      graph=s.graph.to_networkx())
            ie = model.identify_effect(proceed_when_unidentifiable=True)
            ie.set_backdoor_variables(list(est.adjustment_set), "backdoor")
            dw = model.estimate_effect(ie, method_name="backdoor.linear_regression")
            t = time.perf_counter()
            model.refute_estimate(ie, dw, method_name="placebo_treatment_refuter",
                                  placebo_type="permute", num_simulations=100)
            dw_t = time.perf_counter() - t
            ours = next(r.seconds for r in out if r.kind == "placebo")
            print(f"   baseline: DoWhy's placebo refuter (100 permutations) {dw_t:.1f} s; "
                  f"ours {ours:.1f} s (ratio {dw_t / ours:.2f}x; ours adds progress + cancel)")


def section_cold() -> None:
    page_imports = ("import sys, app, app.estimation, app.charts.estimation, streamlit, "
                    "app.ui.state, app.ui.errors, app.ui.graph_view, app.ui.widgets; "
                    "assert 'dowhy' not in sys.modules")
    page = fresh(page_imports)
    bare = fresh("import sys, app, app.estimation, app.charts.estimation; "
                 "assert 'dowhy' not in sys.modules")
    dw = fresh("import dowhy")
    print("\n3. Cold imports in a fresh interpreter (median of 3, interpreter start subtracted)")
    print(f"   import app + app.estimation + charts (DoWhy not loaded): {bare:.2f} s")
    print(f"   + everything pages/estimate.py imports (Streamlit, app.ui):  {page:.2f} s")
    print(f"   import dowhy alone (paid on the first estimate only):      {dw:.2f} s "
          f"({dw / bare:.1f}x the estimation imports)")


if __name__ == "__main__":
    start = time.perf_counter()
    section_cold()
    section_large()
    section_refutations()
    print(f"\nTotal benchmark time {time.perf_counter() - start:.0f} s")
