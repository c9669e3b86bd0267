"""Regenerate ts_macro/data.csv bit for bit from statsmodels' bundled US macro data (offline).

Run `.venv/bin/python sample_data/ts_macro/build.py [--out DIR]`. The source is
`statsmodels.datasets.macrodata` (public domain; FRED and BLS figures, 1959Q1–2009Q3). The
levels trend upwards, which makes everything look linked, so we ship the usual stationary
transforms: growth rates and changes from the previous quarter.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def transform() -> pd.DataFrame:
    """Quarterly growth rates (annualised %, 400 × log difference) and changes."""
    from statsmodels.datasets import macrodata

    raw = macrodata.load_pandas().data
    quarters = pd.PeriodIndex.from_fields(year=raw["year"].astype(int),
                                          quarter=raw["quarter"].astype(int), freq="Q")
    out = pd.DataFrame({
        "quarter": quarters.to_timestamp(how="start").strftime("%Y-%m-%d"),
        "gdp_growth": 400 * np.log(raw["realgdp"]).diff(),
        "consumption_growth": 400 * np.log(raw["realcons"]).diff(),
        "investment_growth": 400 * np.log(raw["realinv"]).diff(),
        "inflation": raw["infl"],
        "rate_change": raw["tbilrate"].diff(),
        "unemployment_change": raw["unemp"].diff(),
    })
    return out.iloc[1:].reset_index(drop=True)


def build(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    df = transform()
    (out / "data.csv").write_bytes(
        df.to_csv(index=False, lineterminator="\n", float_format="%.4f").encode("utf-8"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    build(parser.parse_args().out)
