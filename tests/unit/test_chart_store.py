"""app.ui.charts: a chart is built once per distinct content and drawn from the stored spec."""
from __future__ import annotations

import io

import altair as alt
import pandas as pd
import pyarrow as pa
import pytest

from app.ui import charts

CALLS: list[tuple] = []


def bars(df: pd.DataFrame, title: str) -> alt.Chart:
    CALLS.append((title, len(df)))
    return alt.Chart(df, title=title).mark_bar().encode(x="x:N", y="y:Q")


@pytest.fixture(autouse=True)
def fresh():
    charts.clear()
    CALLS.clear()
    yield
    charts.clear()


def rows_of(spec: dict) -> list[dict]:
    (data,) = spec["datasets"].values()
    table = pa.ipc.open_stream(io.BytesIO(data)).read_all().to_pandas()
    return table.reset_index(drop=True).to_dict("records")


def test_same_content_is_built_once_and_other_content_is_built_again():
    df = pd.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]})
    first = charts.chart_spec(bars, df, "T")
    assert charts.chart_spec(bars, df.copy(), "T") is first            # another session, same data
    assert CALLS == [("T", 2)]
    other = charts.chart_spec(bars, df.assign(y=[1.0, 3.0]), "T")
    assert other is not first and len(CALLS) == 2
    assert rows_of(first) == [{"x": "a", "y": 1.0}, {"x": "b", "y": 2.0}]
    assert rows_of(other) == [{"x": "a", "y": 1.0}, {"x": "b", "y": 3.0}]
    charts.chart_spec(bars, df, "U")                                    # an argument changed
    assert len(CALLS) == 3


def test_arguments_that_cannot_be_fingerprinted_are_built_every_time():
    class Opaque:
        pass

    def with_opaque(df, _thing):
        return bars(df, "O")

    df = pd.DataFrame({"x": ["a"], "y": [1.0]})
    charts.chart_spec(with_opaque, df, Opaque())
    charts.chart_spec(with_opaque, df, Opaque())
    assert len(CALLS) == 2


def test_large_data_is_not_refused_by_altairs_row_limit():
    df = pd.DataFrame({"x": [str(i % 7) for i in range(6000)], "y": range(6000)})
    spec = charts.chart_spec(bars, df, "big")
    assert len(rows_of(spec)) == 6000


def test_drawing_does_not_change_the_stored_spec():
    df = pd.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]})
    spec = charts.chart_spec(bars, df, "T")
    before = {k: (v if k != "datasets" else dict(v)) for k, v in spec.items()}
    charts.show_chart(bars, df, "T")            # bare mode: Streamlit marshals without a server
    charts.show_chart(bars, df, "T")
    assert spec == before and len(CALLS) == 1


def test_the_store_is_bounded(monkeypatch):
    monkeypatch.setattr(charts, "MAX_SPECS", 5)
    for i in range(12):
        charts.chart_spec(bars, pd.DataFrame({"x": ["a"], "y": [float(i)]}), "T")
    assert len(charts._specs) == 5
