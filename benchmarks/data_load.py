"""Benchmark the data layer: load_data against a bare pandas.read_csv in the same process.

Prints ratios (ours / baseline) and absolute times for a synthetic table, the early refusal of
a file over the size cap, profile(), and the Data page's rerun time on a sample.
Run: .venv/bin/python benchmarks/data_load.py   (about a minute on 2 cores)
"""
from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.data import infer_types, load_data, profile  # noqa: E402


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def synthetic_csv(rows: int) -> bytes:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "id": np.arange(rows),
        "age": rng.integers(18, 90, rows),
        "income": rng.lognormal(10, 1, rows).round(2),
        "score": rng.normal(size=rows).round(4),
        "group": rng.choice(["a", "b", "c", "d"], rows),
        "treated": rng.integers(0, 2, rows),
        "grade": rng.integers(1, 6, rows),
        "city": rng.choice([f"city{i}" for i in range(50)], rows),
        "x1": rng.normal(size=rows).round(3),
        "x2": rng.normal(size=rows).round(3),
    })
    return df.to_csv(index=False).encode()


def main() -> None:
    rows = 1_000_000
    raw = synthetic_csv(rows)
    mb = len(raw) / 1024 / 1024
    print(f"synthetic table: {rows:,} rows x 10 columns, {mb:.1f} MB")

    base = best_of(lambda: pd.read_csv(io.BytesIO(raw)))
    ours = best_of(lambda: load_data(raw, name="big.csv"))
    print(f"pandas.read_csv (baseline)      {base:7.3f} s")
    print(f"load_data (sniff+decode+types)  {ours:7.3f} s   ratio {ours / base:5.2f}x")

    tracemalloc.start()
    load_data(raw, name="big.csv")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"load_data peak traced memory    {peak / 1024 / 1024:7.1f} MB "
          f"({peak / len(raw):.1f}x the file)")

    ds = load_data(raw, name="big.csv")
    t_types = best_of(lambda: infer_types(ds.df))
    t_prof = best_of(lambda: profile(ds))
    print(f"infer_types                     {t_types:7.3f} s   ratio {t_types / base:5.2f}x")
    print(f"profile                         {t_prof:7.3f} s   ratio {t_prof / base:5.2f}x")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "huge.csv"
        with open(path, "wb") as fh:       # sparse 300 MB file: nothing is actually written
            fh.truncate(300 * 1024 * 1024)
        t = time.perf_counter()
        try:
            load_data(path)
        except Exception as err:  # noqa: BLE001 - the refusal is what we time
            refused = type(err).__name__
        t_cap = time.perf_counter() - t
        print(f"refuse 300 MB file over the cap {t_cap * 1000:7.2f} ms  ({refused}, "
              f"file size {os.stat(path).st_size / 1024 / 1024:.0f} MB never read)")

    from streamlit.testing.v1 import AppTest

    app_file = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
    at = AppTest.from_file(app_file, default_timeout=120)
    at.session_state["cc_start_sample"] = "nhefs"
    at.run()
    at.switch_page("pages/data.py")
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    reruns = []
    for _ in range(10):
        t = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - t)
    print(f"Data page on nhefs: first run {first * 1000:.0f} ms, rerun median "
          f"{np.median(reruns) * 1000:.0f} ms, max {max(reruns) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
