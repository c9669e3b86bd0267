"""Compressed inputs are checked against their budgets before they are expanded (issue 23)."""
from __future__ import annotations

import time
import tracemalloc

import pytest

import app.data as data_mod
import app.workspace_file as wf
from app.data import load_data
from app.errors import CausalCanvasError, DataError, WorkspaceFileError
from app.workspace_file import read_workspace_file
from tests.hostile import bombs


# ---- Parquet --------------------------------------------------------------------------------
def test_a_300_million_row_parquet_is_refused_from_its_metadata():
    raw = bombs.parquet_rows(300_000_000)
    assert len(raw) < 1_500_000                     # under 1 MB on disk (issue 23: 0.9 MB)
    start = time.perf_counter()
    with pytest.raises(DataError, match="300,000,000 rows"):
        load_data(raw, name="bomb.parquet")
    assert time.perf_counter() - start < 2.0        # no data was decoded


def test_the_row_budget_applies_to_parquet(monkeypatch):
    monkeypatch.setattr(data_mod, "MAX_CELLS", 100_000)
    with pytest.raises(DataError, match="the limit is"):
        load_data(bombs.parquet_rows(60_000), name="t.parquet")


def test_parquet_that_decodes_past_the_memory_budget_stops_while_decoding(monkeypatch):
    monkeypatch.setattr(data_mod, "MAX_DECODED_BYTES", 200_000)
    import io

    import pandas as pd
    buf = io.BytesIO()
    pd.DataFrame({"a": ["x" * 1000] * 2000, "b": range(2000)}).to_parquet(buf)
    assert len(buf.getvalue()) < 50_000             # dictionary-encoded: tiny on disk
    with pytest.raises(DataError, match="unpacks to more than"):
        load_data(buf.getvalue(), name="t.parquet")


@pytest.mark.parametrize("kind", ["list", "struct", "map", "binary"])
def test_parquet_columns_that_are_not_single_values_are_refused(kind):
    with pytest.raises(DataError, match="'odd' holds") as err:
        load_data(bombs.parquet_with_column(kind), name="t.parquet")
    assert kind.split()[0] in err.value.message or "binary" in err.value.message


def test_plain_parquet_still_reads():
    import io

    import pandas as pd
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"], "c": [0.5, None, 1.5]})
    buf = io.BytesIO()
    df.to_parquet(buf)
    got = load_data(buf.getvalue(), name="t.parquet").df
    pd.testing.assert_frame_equal(got, df)


def test_the_cell_budget_applies_to_csv_before_parsing(monkeypatch):
    monkeypatch.setattr(data_mod, "MAX_CELLS", 1_000)
    with pytest.raises(DataError, match="rows × 2 columns"):
        load_data(b"a,b\n" + b"1,2\n" * 600, name="t.csv")
    assert load_data(b"a,b\n" + b"1,2\n" * 400, name="t.csv").rows == 400


# ---- .ccw workspace files ---------------------------------------------------------------------
def test_a_small_ccw_whose_table_inflates_to_199_mb_is_refused_without_parsing_it():
    raw = bombs.ccw_with_csv(199 * 1024 * 1024)
    assert len(raw) < 400_000                        # issue 23: 203 KB
    tracemalloc.start()
    try:
        with pytest.raises(WorkspaceFileError, match="rows so far"):
            read_workspace_file(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 80 * 1024 * 1024                  # stopped at the cell budget, not 199 MB


def test_a_ccw_table_over_the_cell_budget_is_refused(monkeypatch):
    monkeypatch.setattr(data_mod, "MAX_CELLS", 10_000)
    with pytest.raises(WorkspaceFileError, match="the limit is"):
        read_workspace_file(bombs.ccw_with_csv(200_000))


def test_zip_method_98_is_a_clear_error():
    raw = bombs.with_zip_method(bombs.zip_members({"workspace.json": bombs.manifest()}), 98)
    with pytest.raises(WorkspaceFileError, match="zip method 98"):
        read_workspace_file(raw)


@pytest.mark.parametrize("method", [12, 14])   # bzip2 and LZMA headers over deflated bytes
def test_a_member_that_does_not_match_its_method_is_damaged(method):
    raw = bombs.with_zip_method(bombs.zip_members({"workspace.json": bombs.manifest()}), method)
    with pytest.raises(WorkspaceFileError):
        read_workspace_file(raw)


def test_a_5000_digit_version_is_a_clear_error():
    doc = bombs.manifest().replace('"version": 1', '"version": ' + "9" * 5000)
    with pytest.raises(WorkspaceFileError):
        read_workspace_file(bombs.zip_members({"workspace.json": doc}))
    doc = bombs.manifest().replace('"version": 1', '"version": ' + "9" * 4000)
    with pytest.raises(WorkspaceFileError, match="newer Causal Canvas") as err:
        read_workspace_file(bombs.zip_members({"workspace.json": doc}))
    assert len(err.value.message) < 300


@pytest.mark.parametrize("rows", ["Infinity", "-Infinity", "NaN", "-5", "1e400", "2.5", "true",
                                  '"7"', "9" * 30])
def test_impossible_row_counts_are_refused(rows):
    doc = bombs.manifest().replace('"rows": 700', f'"rows": {rows}')
    with pytest.raises(WorkspaceFileError):
        read_workspace_file(bombs.zip_members({"workspace.json": doc}))


def test_negative_columns_are_refused_and_a_good_file_still_opens():
    doc = bombs.manifest(columns=-5)
    with pytest.raises(WorkspaceFileError, match="-5 columns"):
        read_workspace_file(bombs.zip_members({"workspace.json": doc}))
    opened = read_workspace_file(bombs.zip_members({"workspace.json": bombs.manifest()}))
    assert (opened.workspace.dataset.rows, opened.workspace.dataset.columns) == (700, 3)


def test_every_damaged_variant_is_a_causal_canvas_error():
    good = bombs.zip_members({"workspace.json": bombs.manifest()})
    for method in (1, 6, 9, 19, 93, 95, 97, 98, 99, 65535):
        with pytest.raises(CausalCanvasError):
            read_workspace_file(bombs.with_zip_method(good, method))
    assert wf.MAX_ENTRIES >= 3


def test_parquet_decimals_are_read_as_numbers():
    import decimal
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq
    table = pa.table({"price": pa.array([decimal.Decimal("1.25"), decimal.Decimal("2.50")],
                                        type=pa.decimal128(5, 2)), "n": [1, 2]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    df = load_data(buf.getvalue(), name="t.parquet").df
    assert df["price"].tolist() == [1.25, 2.5]


def test_a_parquet_with_too_many_columns_is_refused_before_decoding():
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq
    table = pa.table({f"c{i}": pa.nulls(3) for i in range(2_500)})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    with pytest.raises(DataError, match="2,500 columns; the limit is 2,000"):
        load_data(buf.getvalue(), name="wide.parquet")
