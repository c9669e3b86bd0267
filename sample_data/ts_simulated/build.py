"""Regenerate ts_simulated/data.csv and links.csv bit for bit (fixed seed, no network).

Run `.venv/bin/python sample_data/ts_simulated/build.py [--out DIR]`. The tests build into a
temporary folder and compare bytes with the shipped files. README.md and graph.dagitty are
written by hand.

A weekly lake-monitoring story: five standardised series, lags 1 and 2, every link linear
except temperature → fish, which is a hump (fish do best at middling temperatures).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20261111
STEPS = 1_000
BURN_IN = 200
VARIABLES = ("temperature", "nutrients", "algae", "zooplankton", "fish")
# (cause, effect, lag, coefficient, form): effect(t) += coefficient * f(cause(t - lag))
LINKS = (
    ("temperature", "temperature", 1, 0.7, "linear"),
    ("nutrients", "nutrients", 1, 0.5, "linear"),
    ("algae", "algae", 1, 0.4, "linear"),
    ("zooplankton", "zooplankton", 1, 0.5, "linear"),
    ("fish", "fish", 1, 0.6, "linear"),
    ("temperature", "algae", 1, 0.4, "linear"),
    ("nutrients", "algae", 2, 0.5, "linear"),
    ("algae", "zooplankton", 1, 0.5, "linear"),
    ("zooplankton", "fish", 2, 0.4, "linear"),
    ("temperature", "fish", 1, -0.6, "hump"),
)


def _f(form: str, x: float) -> float:
    # hump: x² - 1 has mean 0 for a unit-variance input, so the link is invisible to correlation
    return x if form == "linear" else x * x - 1.0


def simulate(seed: int = SEED, steps: int = STEPS) -> pd.DataFrame:
    """The series: each variable = its causes' past + independent Gaussian noise."""
    rng = np.random.default_rng(seed)
    total = steps + BURN_IN
    idx = {v: k for k, v in enumerate(VARIABLES)}
    noise = rng.standard_normal((total, len(VARIABLES)))
    # temperature's noise is scaled so it has unit variance (AR(1) with φ = 0.7)
    noise[:, idx["temperature"]] *= np.sqrt(1 - 0.7 ** 2)
    x = np.zeros((total, len(VARIABLES)))
    for t in range(2, total):
        x[t] = noise[t]
        for cause, effect, lag, coef, form in LINKS:
            x[t, idx[effect]] += coef * _f(form, x[t - lag, idx[cause]])
    x = x[BURN_IN:]
    dates = pd.date_range("2000-01-03", periods=steps, freq="W-MON")
    df = pd.DataFrame(np.round(x, 4), columns=list(VARIABLES))
    df.insert(0, "week", dates.strftime("%Y-%m-%d"))
    return df


def build(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    df = simulate()
    (out / "data.csv").write_bytes(
        df.to_csv(index=False, lineterminator="\n", float_format="%.4f").encode("utf-8"))
    links = pd.DataFrame([(c, e, lag, coef, form) for c, e, lag, coef, form in LINKS],
                         columns=["cause", "effect", "lag", "coefficient", "form"])
    (out / "links.csv").write_bytes(
        links.to_csv(index=False, lineterminator="\n").encode("utf-8"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    build(parser.parse_args().out)
