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


def test_copies_and_exact_sums_of_series_are_refused():
    df = _series().assign(d=lambda d: 2 * d["a"] + 1)
    with pytest.raises(DataError) as err:
        prepare_series(df, "day")
    assert "'a' and 'd' are the same series" in err.value.message
    df = _series().assign(total=lambda d: d["a"] + d["b"] + d["c"])
    with pytest.raises(DataError) as err:
        prepare_series(df, "day")
    assert "exact linear combination" in err.value.message


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


def _panel(units: int = 4, n: int = 120, seed: int = 0) -> pd.DataFrame:
    """x → y at lag 1 in every unit; each unit with its own level (a unit effect)."""
    rng = np.random.default_rng(seed)
    frames = []
    for u in range(units):
        e = rng.standard_normal((n, 2))
        x, y = np.zeros(n), np.zeros(n)
        for t in range(1, n):
            x[t] = 0.5 * x[t - 1] + e[t, 0]
            y[t] = 0.6 * x[t - 1] + e[t, 1]
        frames.append(pd.DataFrame({"unit": f"u{u}", "year": np.arange(2000, 2000 + n),
                                    "x": x + 10 * u, "y": y - 5 * u}))
    return pd.concat(frames, ignore_index=True)


def test_panel_units_are_stacked_so_no_window_spans_two_units():
    df = _panel()
    with pytest.raises(DataError) as err:          # repeated years without the unit column
        prepare_series(df, "year", ["x", "y"])
    assert "unit column" in err.value.hint
    series = prepare_series(df, "year", ["x", "y"], max_lag=2, unit_column="unit")
    # 4 units of 120 rows, 2 × max_lag = 4 empty rows between consecutive units
    assert series.values.shape == (4 * 120 + 3 * 4, 2)
    x, _ = lagged_design(series.values, 2)
    assert len(x) == 4 * (120 - 2)                 # each unit's own windows, none across
    assert any("4 units" in n for n in series.notes)
    # unit levels (x + 10·u) are removed: every unit's series now has mean 0
    first = series.values[:120, 0]
    assert abs(first.mean()) < 1e-9 and abs(series.values[124:244, 0].mean()) < 1e-9


def test_panel_errors_name_the_unit():
    df = _panel()
    df.loc[130, "year"] = df.loc[131, "year"]      # a repeat inside unit u1
    with pytest.raises(DataError) as err:
        prepare_series(df, "year", ["x", "y"], unit_column="unit")
    assert err.value.message.startswith("In unit 'u1':")


def test_panel_discovery_pools_units_and_finds_the_shared_link():
    # seeds 0-4 all give exactly {x → x, x → y} at lag 1 (seed 5 adds a chance y → x, p = 0.001,
    # present in the data itself: Granger finds it too)
    res = discover_timeseries(_panel(), "year", ["x", "y"], max_lag=2, method="pcmci",
                              unit_column="unit")
    assert ("x", "y", 1) in res.lagged_links() and ("y", "x", 1) not in res.lagged_links()
