"""The bundled time-series samples (sample_data/ts_*): one simulated with known links, one real.

Kept apart from `app.samples` (cross-sectional tables): a series needs its time column, and
the truth of a simulated series is a list of lagged links, not only a DAG.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from app.errors import DataError
from app.graph import CausalGraph
from app.resources import sample_dir

SAMPLE_DIR = sample_dir()   # the checkout's sample_data/, or the installed wheel's copy
SERIES_SAMPLES = ("ts_simulated", "ts_macro")


@dataclass(frozen=True, eq=False)
class SeriesSample:
    """A bundled series: its table, time column, known graphs where known, and README."""

    name: str
    title: str
    summary: str
    data: pd.DataFrame
    time_column: str
    readme: str
    graph: CausalGraph | None = None                       # the known summary graph
    links: tuple[tuple[str, str, int], ...] | None = None  # the known lagged links
    settings: dict = field(default_factory=dict)           # suggested method, max_lag

    @property
    def truth_known(self) -> bool:
        return self.links is not None

    def __repr__(self) -> str:
        return (f"SeriesSample({self.name!r}, {len(self.data)} steps, "
                f"variables {[c for c in self.data.columns if c != self.time_column]})")


def _front_matter(text: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    if text.startswith("---"):
        head = text.split("---", 2)[1]
        for line in head.strip().splitlines():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
    return meta


def list_series_samples() -> list[dict[str, str]]:
    """Name, title and one-line summary of every bundled series (read from the READMEs only)."""
    out = []
    for name in SERIES_SAMPLES:
        meta = _front_matter((SAMPLE_DIR / name / "README.md").read_text(encoding="utf-8"))
        out.append({"name": name, "title": meta.get("title", name),
                    "summary": meta.get("summary", ""), "time_column": meta.get("time_column", "")})
    return out


def load_series_sample(name: str) -> SeriesSample:
    """Load a bundled series by name (see `list_series_samples`)."""
    if name not in SERIES_SAMPLES:
        raise DataError(f"There is no time-series sample called '{name}'.",
                        hint="Samples: " + ", ".join(SERIES_SAMPLES) + ".")
    folder = SAMPLE_DIR / name
    readme = (folder / "README.md").read_text(encoding="utf-8")
    meta = _front_matter(readme)
    data = pd.read_csv(folder / "data.csv")
    graph = None
    if (folder / "graph.dagitty").exists():
        from app.io import parse_graph
        graph = parse_graph((folder / "graph.dagitty").read_text(encoding="utf-8"))
    links = None
    if (folder / "links.csv").exists():
        table = pd.read_csv(folder / "links.csv")
        links = tuple((str(r.cause), str(r.effect), int(r.lag)) for r in table.itertuples())
    return SeriesSample(name=name, title=meta.get("title", name), summary=meta.get("summary", ""),
                        data=data, time_column=meta["time_column"], readme=readme,
                        graph=graph, links=links, settings=_settings(meta))


def _settings(meta: dict[str, str]) -> dict:
    out: dict = {}
    if meta.get("method"):
        out["method"] = meta["method"]
    if meta.get("max_lag"):
        out["max_lag"] = int(meta["max_lag"])
    return out
