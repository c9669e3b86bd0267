"""Scale benchmark: a 1,000,000-row x 20-column CSV through load_data + profile, then discovery
and effect estimation on it, reporting any sampling notice the app gives.

Targets (issue 13): load + profile < 5 s and peak RSS < 2 GB. The baseline in the same process is
a bare pandas.read_csv of the same file (ratio = ours / baseline).
Run: .venv/bin/python benchmarks/data_scale.py   (about 1-3 minutes on 2 cores)
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import app  # noqa: E402

ROWS, COLS = 1_000_000, 20
PAGE_DISCOVER_MAX_ROWS = 20_000   # pages/discover.py MAX_ROWS, what the Discover page passes


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def make_csv(path: Path) -> None:
    """A linear-Gaussian chain-ish DAG: x0 is the treatment, x19 the outcome (true effect known)."""
    rng = np.random.default_rng(0)
    cols = {}
    cols["x0"] = rng.normal(size=ROWS)
    for j in range(1, COLS):
        parent = cols[f"x{j - 1}"]
        cols[f"x{j}"] = 0.5 * parent + rng.normal(size=ROWS)
    # a binary and a categorical column, as real uploads have
    cols["x10"] = (cols["x10"] > 0).astype(int)
    cols["x15"] = np.where(cols["x15"] > 0.5, "high", np.where(cols["x15"] < -0.5, "low", "mid"))
    pd.DataFrame(cols).to_csv(path, index=False, float_format="%.5g")


def timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    print(f"{label:<44} {dt:8.2f} s   peak RSS {peak_rss_mb():7.0f} MB", flush=True)
    return out, dt


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        _, t_make = timed("generate 1,000,000 x 20 CSV", lambda: make_csv(path))
        size_mb = path.stat().st_size / 1e6
        print(f"file size: {size_mb:.0f} MB", flush=True)
        rss_before = peak_rss_mb()
        _, t_base = timed("baseline: pandas.read_csv", lambda: pd.read_csv(path))
        ds, t_load = timed("app.load_data", lambda: app.load_data(path))
        prof, t_prof = timed("app.profile", lambda: app.profile(ds))
        total = t_load + t_prof
        rss = peak_rss_mb()
        print(f"\nload+profile: {total:.2f} s (target < 5 s: {'OK' if total < 5 else 'MISSED'}); "
              f"ratio load_data / read_csv = {t_load / t_base:.2f}")
        print(f"peak RSS: {rss:.0f} MB (before loading {rss_before:.0f} MB; target < 2048 MB: "
              f"{'OK' if rss < 2048 else 'MISSED'})")
        print(f"notes from load_data: {list(ds.notes)}", flush=True)

        df = ds.df
        numeric = [c for c in df.columns if c not in ("x10", "x15")][:8]
        res, t_disc_page = timed("discover(pc) as the page calls it (max_rows)",
                                 lambda: app.discover(df[numeric], method="pc",
                                                      max_rows=PAGE_DISCOVER_MAX_ROWS))
        print(f"  notes: {list(res.notes)}")
        res_all, t_disc_all = timed("discover(pc) from the API, all rows",
                                    lambda: app.discover(df[numeric], method="pc"))
        print(f"  notes: {list(res_all.notes)}")
        sampled = [n for n in res_all.notes if "sample" in n.lower()]
        print(f"  sampling notice on the API call: {sampled or 'none (all rows used)'}")

        g = app.CausalGraph.from_edges([(f"x{j - 1}", f"x{j}") for j in range(1, 5)])
        g = app.parse_graph("dag { x0 [exposure]\n x4 [outcome]\n x0 -> x1 -> x2 -> x3 -> x4 }")
        est, t_est = timed("estimate_effect(x0 -> x4), no CI", lambda: app.estimate_effect(
            df, g, "x0", "x4", ci=False))
        print(f"  effect {est.value if hasattr(est, 'value') else est} (truth 0.5^4 = 0.0625); "
              f"n = {est.n_rows}; notes: {list(est.notes)}")
        est_ci, t_est_ci = timed("estimate_effect(x0 -> x4), 20 bootstrap CI",
                                 lambda: app.estimate_effect(df, g, "x0", "x4", n_bootstrap=20))
        print(f"  n = {est_ci.n_rows}; notes: {list(est_ci.notes)}")
        print(f"\nfinal peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
