"""Regenerate every bundled sample's data.csv (and model.bif) bit for bit.

Run `.venv/bin/python sample_data/build.py` (all samples) or name some samples; `--out DIR`
writes to another folder (the tests use it to check that two runs give identical bytes).
Simulations use fixed seeds; real data sets are copied from the `causaldata` package and
pgmpy's bundled example networks, so no network access is needed. The README.md and
graph.dagitty files are written by hand and are never touched by this script.
"""
from __future__ import annotations

import argparse
import gzip
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ASIA_SACHS_ROWS = 5_000
PGMPY_SEED = 42


def _write_csv(df: pd.DataFrame, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "data.csv").write_bytes(df.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def _integers_where_whole(df: pd.DataFrame) -> pd.DataFrame:
    """Store whole-number float columns as integers (0/1 rather than 0.0/1.0) in the CSV."""
    df = df.copy()
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = pd.to_numeric(s.astype(str), errors="coerce") if \
                pd.to_numeric(s.astype(str), errors="coerce").notna().all() else s.astype(str)
            df[col] = s
        if pd.api.types.is_float_dtype(s):
            values = s.dropna()
            if len(values) and (values == values.round()).all():
                df[col] = s.astype("Int64")
    return df


# ---- real data ---------------------------------------------------------------------------------
def kidney_stones(out: Path) -> None:
    """Charig et al. (1986) Table II counts, one row per patient, in a fixed shuffled order."""
    cells = [  # treatment, stone size, recovered, total
        ("A", "small", 81, 87), ("A", "large", 192, 263),
        ("B", "small", 234, 270), ("B", "large", 55, 80),
    ]
    rows = []
    for treatment, size, recovered, total in cells:
        rows += [(treatment, size, 1)] * recovered + [(treatment, size, 0)] * (total - recovered)
    df = pd.DataFrame(rows, columns=["treatment", "stone_size", "recovery"])
    order = np.random.default_rng(1986).permutation(len(df))
    _write_csv(df.iloc[order].reset_index(drop=True), out)


def lalonde_nsw(out: Path) -> None:
    """causaldata.nsw_mixtape unchanged except the row id column (data_id)."""
    from causaldata import nsw_mixtape

    df = nsw_mixtape.load_pandas().data.drop(columns=["data_id"])
    _write_csv(df, out)


NHEFS_COLUMNS = ["seqn", "qsmk", "wt82_71", "sex", "age", "race", "education",
                 "smokeintensity", "smokeyrs", "exercise", "active", "wt71",
                 "wt82", "death", "income"]


def nhefs(out: Path) -> None:
    """causaldata.nhefs_complete: the graph's columns plus an id, wt82, death and income."""
    from causaldata import nhefs_complete

    df = nhefs_complete.load_pandas().data[NHEFS_COLUMNS]
    _write_csv(_integers_where_whole(df), out)


def college_proximity(out: Path) -> None:
    """causaldata.close_college (Card 1995), all eight columns."""
    from causaldata import close_college

    _write_csv(_integers_where_whole(close_college.load_pandas().data), out)


# ---- pgmpy example networks --------------------------------------------------------------------
def _bif_sample(name: str, out: Path) -> None:
    """Copy pgmpy's bundled BIF and forward-sample rows from it with a fixed seed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgmpy
        from pgmpy.sampling import BayesianModelSampling
        from pgmpy.utils import get_example_model

        bif = Path(pgmpy.__file__).parent / "utils" / "example_models" / f"{name}.bif.gz"
        out.mkdir(parents=True, exist_ok=True)
        (out / "model.bif").write_bytes(gzip.decompress(bif.read_bytes()))
        model = get_example_model(name)
        df = BayesianModelSampling(model).forward_sample(
            size=ASIA_SACHS_ROWS, seed=PGMPY_SEED, show_progress=False)
    _write_csv(df[sorted(df.columns, key=list(model.nodes()).index)], out)


def asia(out: Path) -> None:
    _bif_sample("asia", out)


def sachs(out: Path) -> None:
    _bif_sample("sachs", out)


# ---- simulations -------------------------------------------------------------------------------
def smoking_tar_cancer(out: Path) -> None:
    """Front-door model: a hidden genotype U drives smoking and cancer; smoking acts via tar.

    P(U=1)=0.5; P(smoking=1|U)=0.2/0.8; P(tar=1|smoking)=0.05/0.95;
    P(cancer=1|tar,U) = 0.05 + 0.15·tar + 0.6·U.
    """
    rng = np.random.default_rng(20_260_101)
    n = 5_000
    u = rng.random(n) < 0.5
    smoking = rng.random(n) < np.where(u, 0.8, 0.2)
    tar = rng.random(n) < np.where(smoking, 0.95, 0.05)
    cancer = rng.random(n) < 0.05 + 0.15 * tar + 0.6 * u
    df = pd.DataFrame({"smoking": smoking, "tar": tar, "cancer": cancer}).astype(int)
    _write_csv(df, out)


def collider_selection(out: Path) -> None:
    """Talent and study are independent; admission needs talent + study + noise > 1."""
    rng = np.random.default_rng(7_777)
    n = 5_000
    talent = rng.normal(size=n)
    study = rng.normal(size=n)
    admitted = (talent + study + rng.normal(scale=0.5, size=n) > 1.0).astype(int)
    df = pd.DataFrame({"talent": talent.round(3), "study": study.round(3),
                       "admitted": admitted})
    _write_csv(df, out)


M_BIAS = {"U1->X": 1.0, "U1->M": 1.5, "U2->M": 1.5, "U2->Y": 1.5, "X->Y": 1.0}


def m_bias(out: Path) -> None:
    """Linear-Gaussian M-bias; the hidden U1, U2 are not saved (they are latent in the graph)."""
    rng = np.random.default_rng(1_234)
    n = 5_000
    c = M_BIAS
    u1, u2 = rng.normal(size=n), rng.normal(size=n)
    x = c["U1->X"] * u1 + rng.normal(size=n)
    m = c["U1->M"] * u1 + c["U2->M"] * u2 + rng.normal(size=n)
    y = c["X->Y"] * x + c["U2->Y"] * u2 + rng.normal(size=n)
    df = pd.DataFrame({"X": x.round(4), "M": m.round(4), "Y": y.round(4)})
    _write_csv(df, out)


BUILDERS: dict[str, Callable[[Path], None]] = {
    "kidney_stones": kidney_stones,
    "smoking_tar_cancer": smoking_tar_cancer,
    "asia": asia,
    "sachs": sachs,
    "lalonde_nsw": lalonde_nsw,
    "nhefs": nhefs,
    "college_proximity": college_proximity,
    "collider_selection": collider_selection,
    "m_bias": m_bias,
}


def build(name: str, root: Path = HERE) -> Path:
    """Write one sample's generated files under root/name and return that folder."""
    if name not in BUILDERS:
        raise SystemExit(f"Unknown sample '{name}'. Known: {', '.join(BUILDERS)}")
    out = Path(root) / name
    BUILDERS[name](out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="samples to build (default: all)")
    parser.add_argument("--out", type=Path, default=HERE, help="output root folder")
    args = parser.parse_args(argv)
    for name in args.names or list(BUILDERS):
        folder = build(name, args.out)
        size = (folder / "data.csv").stat().st_size
        print(f"{name:20s} {size / 1024:8.1f} KB  -> {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
