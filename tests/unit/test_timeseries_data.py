"""Bad time-series input gives a DataError that says what is wrong, where, and what to do."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.errors import DataError, DiscoveryError
from app.timeseries import ROW_ORDER, discover_timeseries, minimum_rows, prepare_series
from app.timeseries.granger import lagged_design


def _series(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "day": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "a": rng.standard_normal(n), "b": rng.standard_normal(n), "c": rng.standard_normal(n)})


def test_no_time_column_names_the_likely_one():
    with pytest.raises(DataError) as err:
        prepare_series(_series(), None)
    assert "No time column" in err.value.message and "'day'" in err.value.hint


def test_unknown_time_column_lists_candidates():
    with pytest.raises(DataError) as err:
        prepare_series(_series(), "date")
    assert "no column called 'date'" in err.value.message and "day" in err.value.hint


def test_non_numeric_variables_are_named():
    df = _series().assign(city=["x"] * 200, kind=["y"] * 200)
    with pytest.raises(DataError) as err:
        prepare_series(df, "day", ["a", "city", "kind"])
    assert "city, kind" in err.value.message


def test_duplicate_time_stamps_say_which_and_where():
    df = _series()
    df.loc[5, "day"] = df.loc[4, "day"]
    with pytest.raises(DataError) as err:
        prepare_series(df, "day")
    msg = err.value.message
    assert "repeats" in msg and "2024-01-05" in msg and "rows 5, 6" in msg
    assert "panel" in err.value.hint


def test_unsorted_rows_are_reported_and_sorting_is_offered():
    df = _series().sample(frac=1.0, random_state=1)
    with pytest.raises(DataError) as err:
        prepare_series(df, "day")
    assert "not in time order" in err.value.message and "sort=True" in err.value.hint
    ok = prepare_series(df, "day", sort=True)
    assert list(ok.times[:3].strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert any("sorted" in n for n in ok.notes)
    # sorting really reorders the values with their time stamps
    assert ok.values[0, 0] == pytest.approx(_series()["a"].iloc[0])


def test_irregular_steps_say_where_the_gap_is():
    df = _series().drop(index=[50, 51]).reset_index(drop=True)
    with pytest.raises(DataError) as err:
        prepare_series(df, "day")
    msg = err.value.message
    assert "not evenly spaced" in msg and "1 day" in msg and "3 days" in msg
    assert "2024-02-19" in msg and "row 50" in msg


def test_calendar_months_of_unequal_length_count_as_regular():
    df = _series(120).assign(day=pd.date_range("2000-01-01", periods=120, freq="MS"))
    assert prepare_series(df, "day").step == "1 month"


def test_numeric_time_steps_and_row_order_are_accepted():
    df = _series().assign(day=np.arange(0, 400, 2))
    assert prepare_series(df, "day").step == "2"
    assert prepare_series(_series().drop(columns="day"), ROW_ORDER).n_steps == 200


def test_too_short_series_states_the_numbers():
    df = _series(50)
    with pytest.raises(DataError) as err:
        prepare_series(df, "day", max_lag=3)
    # (3 + 1) lags × 3 variables × 5 rows = 60 needed, 50 available
    assert minimum_rows(3, 3) == 60
    assert "50 usable time steps" in err.value.message and "at least 60" in err.value.message
    assert "Lower the maximum lag" in err.value.hint


def test_constant_series_is_named():
    df = _series().assign(b=4.0)
    with pytest.raises(DataError) as err:
        prepare_series(df, "day")
    assert "'b' is constant" in err.value.message


def test_missing_values_counted_then_dropped_or_interpolated():
    df = _series()
    df.loc[[10, 11, 30], "a"] = np.nan
    with pytest.raises(DataError) as err:
        prepare_series(df, "day")
    assert "3 missing value(s) (a: 3)" in err.value.message
    assert "drop" in err.value.hint and "interpolate" in err.value.hint
    filled = prepare_series(df, "day", missing="interpolate")
    # linear interpolation between rows 9 and 12 (two thirds of the way for row 11)
    a = _series()["a"].to_numpy()
    assert filled.values[11, 0] == pytest.approx(a[9] + 2 / 3 * (a[12] - a[9]))
    dropped = prepare_series(df, "day", missing="drop")
    assert np.isnan(dropped.values[:, 0]).sum() == 3
    # lag-1 windows (t-1, t) touching rows 10, 11 or 30: t = 10, 11, 12, 30, 31; 199 - 5 kept
    x, _ = lagged_design(dropped.values, 1)
    assert len(x) == 194
    res = discover_timeseries(df, "day", max_lag=1, method="granger", missing="drop")
    assert res.n_steps == 200 and any("left out" in n for n in res.notes)


def test_differencing_removes_a_trend_and_the_stationarity_warning():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"t": np.arange(300), "walk": np.cumsum(rng.standard_normal(300)),
                       "noise": rng.standard_normal(300)})
    res = discover_timeseries(df, "t", max_lag=1, method="granger")
    assert any("walk" in n and "Dickey" in n for n in res.notes)
    diffed = discover_timeseries(df, "t", max_lag=1, method="granger", difference=True)
    assert diffed.n_steps == 299 and not any("Dickey" in n for n in diffed.notes)


@pytest.mark.parametrize("kwargs, text", [
    ({"max_lag": 0}, "maximum lag"),
    ({"method": "lasso"}, "Unknown method"),
    ({"test": "kendall"}, "Unknown test"),
    ({"alpha": 1.5}, "significance level"),
    ({"bootstrap": -1}, "bootstrap"),
    ({"method": "granger", "test": "cmiknn"}, "no test choice"),
    ({"variables": ["a"]}, "at least two"),
    ({"variables": ["a", "zzz"]}, "Unknown column"),
])
def test_bad_settings_are_refused_with_a_reason(kwargs, text):
    with pytest.raises((DataError, DiscoveryError)) as err:
        discover_timeseries(_series(), "day", **kwargs)
    assert text in err.value.message


def test_nonparametric_test_refuses_data_too_large_with_the_limit():
    df = _series(1000)
    with pytest.raises(DiscoveryError) as err:
        discover_timeseries(df, "day", max_lag=2, test="cmiknn")
    assert "too slow" in err.value.message and "at most 222 time steps" in err.value.hint
