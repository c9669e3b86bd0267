"""The bundled sample datasets: list them cheaply, load one with its graph, story and model.

Each sample lives in sample_data/<name>/ (data.csv, graph.dagitty, README.md, model.bif when a
Bayesian network exists). Listing reads only the README front matter; loading is cached
in-process, and callers always get their own copy of the table.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from app.data import Dataset, load_data
from app.errors import DataError
from app.graph import CausalGraph
from app.io import parse_graph
from app.resources import sample_dir

SAMPLE_DIR = sample_dir()   # the checkout's sample_data/, or the installed wheel's copy
SAMPLE_NAMES: tuple[str, ...] = (
    "kidney_stones", "smoking_tar_cancer", "asia", "sachs", "lalonde_nsw", "nhefs",
    "college_proximity", "collider_selection", "m_bias",
)


@dataclass(frozen=True)
class SampleInfo:
    """What the sample list shows, read from the README front matter (no CSV parsing)."""

    name: str
    title: str
    summary: str
    rows: int
    columns: int
    truth_known: bool
    variables: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Sample:
    """A loaded sample: its table, graph, README text and, where one exists, the BIF model file."""

    name: str
    title: str
    data: pd.DataFrame
    graph: CausalGraph
    readme: str
    bif_path: Path | None
    truth_known: bool
    summary: str = ""
    fingerprint: str = ""
    types: Mapping[str, str] = field(default_factory=dict)

    def to_dataset(self) -> Dataset:
        """The table as a Dataset (same fingerprint as loading data.csv with load_data)."""
        return Dataset(df=self.data, name=self.name, fingerprint=self.fingerprint,
                       encoding="UTF-8", delimiter=",", types=dict(self.types),
                       missing={str(c): int(n) for c, n in self.data.isna().sum().items()})

    def __repr__(self) -> str:
        g = self.graph
        return (f"Sample({self.name!r}, {len(self.data):,} rows × {self.data.shape[1]} columns, "
                f"graph: {len(g.nodes)} nodes, {len(g.edges) + len(g.bidirected)} edges, "
                f"truth_known={self.truth_known})")


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split '---\\nkey: value\\n---' front matter from a README; returns (fields, body)."""
    m = re.match(r"\A---\n(.*?)\n---\n?", text, re.S)
    if not m:
        return {}, text
    fields = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields, text[m.end():].lstrip("\n")


def _check_name(name: str) -> Path:
    if name not in SAMPLE_NAMES:
        raise DataError(f"There is no sample called '{name}'.",
                        hint="Samples: " + ", ".join(SAMPLE_NAMES) + ".")
    folder = SAMPLE_DIR / name
    if not folder.is_dir():
        raise DataError(f"The files of the sample '{name}' are missing from {SAMPLE_DIR}.",
                        hint="Run `.venv/bin/python sample_data/build.py` to rebuild them.")
    return folder


@functools.cache
def _info(name: str) -> SampleInfo:
    folder = _check_name(name)
    fields, _ = _front_matter((folder / "README.md").read_text(encoding="utf-8"))
    try:
        variables = tuple(v.strip() for v in fields["columns"].split(",") if v.strip())
        return SampleInfo(name=name, title=fields["title"], summary=fields["summary"],
                          rows=int(fields["rows"]), columns=len(variables),
                          truth_known=fields["truth_known"].lower() == "true",
                          variables=variables)
    except (KeyError, ValueError) as err:
        raise DataError(f"The README of the sample '{name}' has broken front matter ({err}).",
                        hint="It needs title, summary, rows, columns and truth_known.") from None


def list_samples() -> list[SampleInfo]:
    """Every bundled sample in teaching order, without reading any data file."""
    return [_info(name) for name in SAMPLE_NAMES]


@functools.cache
def _load(name: str) -> Sample:
    info = _info(name)
    folder = SAMPLE_DIR / name
    dataset = load_data(folder / "data.csv", name=name)
    graph = parse_graph((folder / "graph.dagitty").read_text(encoding="utf-8"), "dagitty")
    _, body = _front_matter((folder / "README.md").read_text(encoding="utf-8"))
    bif = folder / "model.bif"
    return Sample(name=name, title=info.title, data=dataset.df, graph=graph, readme=body,
                  bif_path=bif if bif.is_file() else None, truth_known=info.truth_known,
                  summary=info.summary, fingerprint=dataset.fingerprint,
                  types=dict(dataset.types))


def load_sample(name: str) -> Sample:
    """Load a bundled sample (table, graph, README); the table is a fresh copy each call."""
    sample = _load(name)
    return replace(sample, data=sample.data.copy(), types=dict(sample.types))


__all__ = ["SAMPLE_DIR", "SAMPLE_NAMES", "Sample", "SampleInfo", "list_samples", "load_sample"]
