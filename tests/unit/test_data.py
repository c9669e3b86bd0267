"""app.data: loading (every bad input gives a clear DataError), types, discretisation, profile, export."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from app.data import (
    Dataset,
    allowed_types,
    dataset_from_frame,
    discretise,
    infer_types,
    load_data,
    profile,
    safe_csv,
    with_types,
)
from app.errors import DataError

GOOD = b"age,sex,income\n31,f,1200.5\n45,m,2300.0\n52,f,\n"


def error_of(source, **kw) -> str:
    with pytest.raises(DataError) as info:
        load_data(source, **kw)
    return info.value.user_message()


# ---- good files -----------------------------------------------------------------------------
def test_comma_csv_loads_with_columns_rows_and_missing_counts():
    ds = load_data(GOOD, name="people.csv")
    assert list(ds.df.columns) == ["age", "sex", "income"]
    assert ds.rows == 3 and ds.columns == 3
    assert ds.delimiter == "," and ds.encoding == "UTF-8"
    assert ds.missing == {"age": 0, "sex": 0, "income": 1}
    assert any("1 missing" in n for n in ds.notes)


@pytest.mark.parametrize("sep", ["\t", ";", "|"])
def test_other_delimiters_are_sniffed(sep):
    text = GOOD.decode().replace(",", sep).encode()
    ds = load_data(text, name="people.txt")
    assert ds.delimiter == sep
    assert list(ds.df.columns) == ["age", "sex", "income"]
    assert ds.df["age"].tolist() == [31, 45, 52]


def test_commas_inside_quotes_do_not_fool_the_sniffer():
    ds = load_data(b'name;city\n"Smith, J";Paris\n"Doe, A";Rome\n')
    assert ds.delimiter == ";"
    assert ds.df["name"].tolist() == ["Smith, J", "Doe, A"]


def test_semicolon_file_with_decimal_commas_reads_numbers():
    ds = load_data(b"x;y\n1,5;2\n2,25;3\n")
    assert ds.df["x"].tolist() == [1.5, 2.25]
    assert any("decimal commas" in n for n in ds.notes)


def test_utf8_with_bom_is_read_without_the_bom_in_the_first_name():
    ds = load_data("café,n\nnoir,1\nlait,2\n".encode("utf-8-sig"))
    assert list(ds.df.columns) == ["café", "n"]
    assert ds.encoding == "UTF-8 (with BOM)"
    assert ds.notes == ()


def test_cp1252_file_is_read_and_the_user_is_told():
    raw = "city,temp\nZürich,3\nSão Paulo,25\n“Quoted”,1\n".encode("cp1252")
    ds = load_data(raw)
    assert ds.df["city"].tolist() == ["Zürich", "São Paulo", "“Quoted”"]
    assert ds.encoding == "Windows-1252"
    assert any("Windows-1252" in n for n in ds.notes)


def test_latin1_bytes_undefined_in_cp1252_fall_back_to_latin1():
    raw = b"a,b\nx\x81y,1\nz,2\n"   # 0x81 is unassigned in Windows-1252
    ds = load_data(raw)
    assert ds.encoding.startswith("Latin-1")
    assert ds.df["a"].iloc[0] == "x\x81y"


def test_encoding_is_checked_over_the_whole_file_not_just_its_head():
    # 1.2 MB of ASCII, then one Windows-1252 byte: only the full check can see it
    raw = b"a,b\n" + b"x,1\n" * 300_000 + "caf\u00e9,2\n".encode("cp1252")
    ds = load_data(raw)
    assert ds.encoding == "Windows-1252"
    assert ds.df["a"].iloc[-1] == "caf\u00e9" and ds.rows == 300_001


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom_is_read(codec):
    raw = "name\tscore\nÅsa\t3\nBo\t4\n".encode(codec)
    ds = load_data(raw, name="scores.tsv")
    assert ds.df["name"].tolist() == ["Åsa", "Bo"]
    assert ds.encoding.startswith("UTF-16")
    assert any("UTF-16" in n for n in ds.notes)


def test_parquet_is_recognised_by_its_magic_bytes():
    df = pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "a"]})
    buf = io.BytesIO()
    df.to_parquet(buf)
    ds = load_data(buf.getvalue(), name="t.parquet")
    assert ds.delimiter is None and "Parquet" in ds.encoding
    assert ds.df["y"].tolist() == ["a", "b", "a"]


def test_path_and_file_like_sources_give_the_same_fingerprint(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD)
    a = load_data(path)
    b = load_data(io.BytesIO(GOOD), name="people.csv")
    c = load_data(GOOD, name="people.csv")
    assert a.name == "people.csv"
    assert a.fingerprint == b.fingerprint == c.fingerprint
    assert len(a.fingerprint) == 16


def test_fingerprint_is_stable_and_changes_with_content():
    assert load_data(GOOD).fingerprint == load_data(bytes(GOOD)).fingerprint
    assert load_data(GOOD).fingerprint != load_data(GOOD + b"60,m,1\n").fingerprint
    # sha256 of the raw bytes, first 16 hex digits (pinned so it never drifts silently)
    import hashlib
    assert load_data(GOOD).fingerprint == hashlib.sha256(GOOD).hexdigest()[:16]


def test_column_names_are_trimmed_and_normalised():
    ds = load_data(" a ,caf\u0065\u0301\n1,2\n3,4\n".encode())
    assert list(ds.df.columns) == ["a", "caf\u00e9"]   # NFC: e + combining acute -> é
    assert any("Tidied" in n for n in ds.notes)


def test_short_rows_are_filled_with_missing_values():
    ds = load_data(b"a,b,c\n1,2,3\n4,5\n")
    assert pd.isna(ds.df["c"].iloc[1])
    assert ds.missing["c"] == 1


# ---- bad files: each a DataError with a helpful message ---------------------------------------
def test_empty_file_is_refused():
    assert "empty" in error_of(b"", name="x.csv")
    assert "empty" in error_of(b"  \n\n", name="x.csv")


def test_header_only_is_refused_as_having_no_rows():
    msg = error_of(b"a,b,c\n", name="x.csv")
    assert "no data rows" in msg


def test_single_column_is_refused():
    msg = error_of(b"a\n1\n2\n", name="x.csv")
    assert "only one column" in msg and "two variables" in msg


def test_ragged_row_reports_its_line_and_counts():
    msg = error_of(b"a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n", name="x.csv")
    assert "Line 4" in msg and "4 values" in msg and "3 columns" in msg


def test_every_row_longer_than_the_header_is_refused():
    msg = error_of(b"a,b\n1,2,3\n4,5,6\n")
    assert "more values than the header" in msg


def test_unclosed_quote_is_a_data_error_not_a_pandas_error():
    with pytest.raises(DataError):
        load_data(b'a,b\n"unclosed,1\n2,3\n')


def test_duplicate_column_names_are_named_with_their_positions():
    msg = error_of(b"age,sex, age\n1,2,3\n")
    assert "'age' appears twice" in msg and "columns 1 and 3" in msg


def test_empty_column_name_names_the_position():
    msg = error_of(b"a,,c\n1,2,3\n")
    assert "Column 2 has no name" in msg


def test_ten_thousand_columns_are_refused_quickly():
    header = ",".join(f"c{i}" for i in range(10_000))
    row = ",".join("1" for _ in range(10_000))
    msg = error_of(f"{header}\n{row}\n".encode())
    assert "10,000 columns" in msg and "limit is 2,000" in msg


def test_column_cap_is_configurable():
    assert "limit is 2" in error_of(GOOD, max_columns=2)


def test_over_the_size_cap_is_refused_for_bytes_path_and_file_like(tmp_path):
    big = b"a,b\n" + b"1,2\n" * 100
    path = tmp_path / "big.csv"
    path.write_bytes(big)
    for source in (big, path, io.BytesIO(big)):
        msg = error_of(source, max_bytes=100)
        assert "too big" in msg and "100 bytes" in msg


def test_size_cap_reads_at_most_cap_plus_one_bytes_from_a_stream():
    class Counting(io.BytesIO):
        asked: list[int] = []

        def read(self, n=-1):
            self.asked.append(n)
            return super().read(n)

    stream = Counting(b"a,b\n" + b"1,2\n" * 10_000)
    with pytest.raises(DataError):
        load_data(stream, max_bytes=1000)
    assert stream.asked == [1001]


def test_size_cap_uses_stat_on_a_path_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 1000)
    opened = []
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a) or io.BytesIO(b""))
    with pytest.raises(DataError, match="too big"):
        load_data(path, max_bytes=100)
    assert opened == []


def test_binary_junk_is_refused():
    junk = bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8))
    msg = error_of(junk, name="junk.csv")
    assert "not look like a text table" in msg


def test_excel_workbook_is_recognised_and_explained():
    msg = error_of(b"PK\x03\x04" + b"\x00" * 100, name="book.xlsx")
    assert "Excel" in msg and "CSV" in msg


def test_damaged_parquet_is_a_data_error():
    assert "Parquet" in error_of(b"PAR1garbage", name="t.parquet")


def test_missing_path_is_a_data_error(tmp_path):
    assert "Cannot open" in error_of(tmp_path / "nope.csv")


def test_unsupported_source_type_is_a_data_error():
    assert "Cannot read data" in error_of(12345)


# ---- types ----------------------------------------------------------------------------------
def test_infer_types_follows_the_rules():
    n = 200
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "patient_id": np.arange(1000, 1000 + n),
        "flag": rng.integers(0, 2, n),
        "grade": rng.integers(1, 6, n),
        "weight": rng.normal(70, 10, n),
        "colour": rng.choice(["red", "green", "blue", "black"], n),
        "same": ["x"] * n,
        "note": [f"the patient said something different on visit {i}" for i in range(n)],
        "code": [f"K{i:05d}" for i in range(n)],
        "when": pd.date_range("2024-01-01", periods=n).strftime("%Y-%m-%d"),
        "rowno": np.arange(n),
    })
    assert infer_types(df) == {
        "patient_id": "id", "flag": "binary", "grade": "ordinal", "weight": "continuous",
        "colour": "categorical", "same": "constant", "note": "text", "code": "id",
        "when": "datetime", "rowno": "id",
    }


def test_integer_with_many_levels_is_continuous_and_unique_ints_not_named_id_are_not_ids():
    df = pd.DataFrame({"income": np.arange(100) * 37 + 5, "age": np.arange(100) % 50 + 18})
    assert infer_types(df) == {"income": "continuous", "age": "continuous"}


def test_string_levels_up_to_five_percent_of_rows_are_categorical():
    levels = [f"town{i}" for i in range(40)]
    df = pd.DataFrame({"town": levels * 25, "y": range(1000)})   # 40 levels = 4% of 1000 rows
    assert infer_types(df)["town"] == "categorical"


def test_with_types_accepts_a_fitting_override():
    ds = load_data(b"g,y\n1,2.5\n2,3.5\n3,1.0\n")
    assert ds.types["g"] == "ordinal"
    assert with_types(ds, {"g": "categorical"}).types["g"] == "categorical"
    assert ds.types["g"] == "ordinal"   # the original is unchanged


def test_with_types_refuses_to_make_text_continuous():
    ds = load_data(b"comment,y\ngreat service,1\nslow,2\nok I guess,3\n")
    with pytest.raises(DataError) as info:
        with_types(ds, {"comment": "continuous"})
    msg = info.value.user_message()
    assert "'comment' cannot be continuous" in msg and "numbers" in msg
    assert "Types that fit" in msg


def test_with_types_refuses_binary_for_three_levels_and_unknown_names():
    ds = load_data(b"a,b\nx,1\ny,2\nz,3\n")
    with pytest.raises(DataError, match="at most two"):
        with_types(ds, {"a": "binary"})
    with pytest.raises(DataError, match="not a variable type"):
        with_types(ds, {"a": "nominal"})
    with pytest.raises(DataError, match="no column 'zz'"):
        with_types(ds, {"zz": "binary"})


def test_load_data_applies_type_overrides():
    ds = load_data(b"a,b\n1,2\n2,3\n3,4\n", types={"a": "categorical"})
    assert ds.types["a"] == "categorical"


def test_allowed_types_for_numbers_and_text():
    assert "continuous" in allowed_types(pd.Series([1.5, 2.5, 3.0]))
    assert "continuous" not in allowed_types(pd.Series(["a b", "c", "d"]))
    assert "text" in allowed_types(pd.Series(["a b", "c", "d"]))


# ---- discretisation ---------------------------------------------------------------------------
def test_equal_width_bins_have_the_expected_edges_and_labels():
    s = pd.Series([0.0, 0.5, 1.0, 1.5, 2.0, 3.0], name="x")
    binned, edges = discretise(s, method="equal_width", bins=2)
    assert edges == (0.0, 1.5, 3.0)
    assert list(binned.cat.categories) == ["[0.0, 1.5)", "[1.5, 3.0]"]
    # 1.5 belongs to the upper bin (left-closed); the maximum to the last (closed) bin
    assert binned.astype(str).tolist() == ["[0.0, 1.5)"] * 3 + ["[1.5, 3.0]"] * 3


def test_quantile_bins_have_about_equal_counts_and_keep_missing_values():
    values = pd.Series(list(range(1, 301)) + [np.nan], dtype=float)
    binned, edges = discretise(values, bins=3)
    # numpy quantiles of 1..300 at 1/3 and 2/3: 100.666..., 200.333...
    assert edges[0] == 1.0 and edges[-1] == 300.0
    assert edges[1] == pytest.approx(100 + 2 / 3) and edges[2] == pytest.approx(200 + 1 / 3)
    assert binned.value_counts().tolist() == [100, 100, 100]
    assert pd.isna(binned.iloc[-1])
    assert binned.cat.ordered


def test_quantile_bins_merge_repeated_edges():
    s = pd.Series([0] * 90 + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    binned, edges = discretise(s, bins=4)
    assert len(edges) - 1 == len(binned.cat.categories) < 4


def test_discretise_takes_a_frame_and_column():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": list("wxyz")})
    binned, edges = discretise(df, "a", method="equal_width", bins=3)
    assert len(edges) == 4 and binned.notna().all()


def test_labels_get_enough_digits_to_differ():
    s = pd.Series([1.00001, 1.00002, 1.00003, 1.00004])
    binned, _ = discretise(s, method="equal_width", bins=3)
    assert len(set(binned.cat.categories)) == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"bins": 1}, "from 2 to"), ({"bins": 99}, "from 2 to"), ({"method": "kmeans"}, "Unknown"),
])
def test_discretise_refuses_bad_settings(kwargs, message):
    with pytest.raises(DataError, match=message):
        discretise(pd.Series([1.0, 2.0, 3.0]), **kwargs)


def test_discretise_refuses_text_and_constant_columns():
    with pytest.raises(DataError, match="not numeric"):
        discretise(pd.Series(["a", "b"], name="s"))
    with pytest.raises(DataError, match="only one value"):
        discretise(pd.Series([2.0, 2.0, 2.0], name="s"))


# ---- profile and export -----------------------------------------------------------------------
def test_profile_reports_counts_and_numeric_summaries():
    ds = load_data(GOOD)
    prof = profile(ds)
    assert (prof.rows, prof.columns, prof.missing_cells) == (3, 3, 1)
    age = prof.column("age")
    assert age.mean == pytest.approx((31 + 45 + 52) / 3)
    assert age.std == pytest.approx(np.std([31, 45, 52], ddof=1))
    assert (age.min, age.max, age.distinct, age.missing) == (31.0, 52.0, 3, 0)
    sex = prof.column("sex")
    assert sex.type == "binary" and sex.top == (("f", 2), ("m", 1))
    frame = prof.to_frame()
    assert list(frame["column"]) == ["age", "sex", "income"]


def test_profile_accepts_a_plain_dataframe():
    prof = profile(pd.DataFrame({"a": [1, 2, 2], "b": ["x", "y", "y"]}))
    assert prof.column("b").top == (("y", 2), ("x", 1))


def test_safe_csv_neutralises_formula_cells_but_not_numbers():
    df = pd.DataFrame({"=name": ["=cmd|' /C calc'!A0", "+1", "-x", "@sum", "\tx", "ok"],
                       "n": [-1, 2, 3, 4, 5, 6]})
    text = safe_csv(df)
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns) == ["'=name", "n"]
    assert back["'=name"].tolist()[:4] == ["'=cmd|' /C calc'!A0", "'+1", "'-x", "'@sum"]
    assert back["'=name"].iloc[5] == "ok"
    assert back["n"].tolist() == [-1, 2, 3, 4, 5, 6]


def test_dataset_prints_briefly_and_compares_by_content():
    ds = load_data(GOOD, name="p.csv")
    assert "3 rows × 3 columns" in repr(ds) and "age" not in repr(ds)
    assert ds == load_data(GOOD, name="p.csv")
    assert isinstance(hash(ds), int)


def test_dataset_from_frame_fingerprints_content():
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    a, b = dataset_from_frame(df), dataset_from_frame(df.copy())
    assert isinstance(a, Dataset) and a.fingerprint == b.fingerprint
    assert a.fingerprint != dataset_from_frame(df.assign(a=[1, 3])).fingerprint


# ---- profile charts (app.charts.profile) ------------------------------------------------------
def _chart_values(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def test_histogram_counts_every_finite_value_in_at_most_30_bins():
    from app.charts.profile import PRIMARY, histogram

    values = pd.Series(np.random.default_rng(1).normal(size=100_000), name="x")
    chart = histogram(values.where(values < 3))   # some missing values
    rows = _chart_values(chart)
    assert len(rows) <= 30
    assert sum(r["count"] for r in rows) == int((values < 3).sum())
    assert chart.to_dict()["mark"]["color"] == PRIMARY
    assert len(str(chart.to_dict())) < 10_000   # summaries, not raw rows, go to the browser


def test_bar_chart_lumps_rare_levels_into_other():
    from app.charts.profile import bar_chart, level_counts

    s = pd.Series([f"l{i:02d}" for i in range(40)] * 3 + ["l00"] * 5)
    counts = level_counts(s, top=15)
    assert len(counts) == 15 and counts["level"].iloc[0] == "l00"
    assert counts["level"].iloc[-1] == "other (26 levels)"
    assert counts["count"].sum() == len(s)
    assert len(_chart_values(bar_chart(s))) == 15


def test_level_counts_keep_the_order_of_discretised_bins():
    from app.charts.profile import level_counts

    binned, _ = discretise(pd.Series([5.0, 1.0, 2.0, 9.0, 7.0, 3.0]), method="equal_width",
                           bins=2)
    assert level_counts(binned)["level"].tolist() == list(binned.cat.categories)


def test_column_chart_picks_the_chart_for_the_type():
    from app.charts.profile import column_chart

    s = pd.Series([1.0, 2.0, 3.5, 4.0], name="v")
    assert column_chart(s, "continuous").to_dict()["mark"]["type"] == "bar"
    assert "x2" in column_chart(s, "continuous").to_dict()["encoding"]      # histogram
    assert "x2" not in column_chart(s, "ordinal").to_dict()["encoding"]     # level bars
    assert column_chart(s, "id") is None and column_chart(s, "text") is None
    dates = pd.Series(pd.date_range("2024-01-01", periods=90).strftime("%Y-%m-%d"))
    assert sum(r["count"] for r in _chart_values(column_chart(dates, "datetime"))) == 90


def test_missingness_chart_shows_each_columns_share():
    from app.charts.profile import missingness_chart

    rows = _chart_values(missingness_chart(profile(load_data(GOOD))))
    share = {r["column"]: r["share"] for r in rows}
    assert share == {"income": pytest.approx(1 / 3), "age": 0.0, "sex": 0.0}


# ---- robustness -------------------------------------------------------------------------------
_CSVISH = hs.lists(hs.sampled_from([b"a", b"b", b"1", b"2.5", b",", b";", b"\t", b"\n", b'"',
                                    b"\xe9", b"\xff", b"\x00", b" ", b"=", b"\r\n", b"x y"]),
                   max_size=60).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.one_of(_CSVISH, hs.binary(max_size=200)))
def test_any_bytes_give_a_dataset_or_a_data_error(raw):
    try:
        ds = load_data(raw, name="fuzz.csv")
    except DataError as err:
        assert err.user_message().strip()
    else:
        assert ds.rows >= 1 and ds.columns >= 2
        assert set(ds.types) == set(map(str, ds.df.columns))
        profile(ds)


@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.tuples(hs.integers(-10**6, 10**6),
                          hs.floats(allow_nan=False, allow_infinity=False, width=32),
                          hs.text(alphabet="abcxyz éü", min_size=1, max_size=8)
                          .filter(lambda t: t.strip() and t.strip() == t)),
                min_size=1, max_size=30))
def test_written_tables_read_back_unchanged(rows):
    df = pd.DataFrame(rows, columns=["n", "f", "s"])
    ds = load_data(df.to_csv(index=False).encode("utf-8"))
    assert ds.df["n"].tolist() == df["n"].tolist()
    assert np.allclose(ds.df["f"].to_numpy(dtype=float), df["f"].to_numpy(dtype=float))
    assert ds.df["s"].astype(str).tolist() == df["s"].tolist()
