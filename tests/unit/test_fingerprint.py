"""app.fingerprint: equal content, equal key; any difference a chart could show, another key.

A shared chart store keyed by these (app.ui.charts) must never hand one session's chart to
another session with different data, so every case here that *could* collide is asserted apart.
"""
from __future__ import annotations

import dataclasses
import enum

import numpy as np
import pandas as pd
import pytest

from app.fingerprint import content_key
from app.graph import CausalGraph


def test_equal_content_in_different_objects_gives_the_same_key():
    a = pd.DataFrame({"x": [1, 2, 3], "s": ["a", "b", None]})
    assert content_key(a, "t", 1.5) == content_key(a.copy(), "t", 1.5)
    g1 = CausalGraph.from_edges([("Z", "X"), ("X", "Y")])
    g2 = CausalGraph.from_edges([("X", "Y"), ("Z", "X")])
    assert content_key(g1) == content_key(g2)


@pytest.mark.parametrize("a,b", [
    (1, "1"), (1, 1.0), (True, 1), (0.0, -0.0), (None, "None"), (float("nan"), None),
    ([1, 2], (1, 2)), ([1, [2, 3]], [[1, 2], 3]), ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
    (("ab", "c"), ("a", "bc")), (np.int64(3), np.float64(3.0)), (b"x", "x"),
])
def test_values_that_print_alike_but_differ_get_different_keys(a, b):
    assert content_key(a) != content_key(b)


@pytest.mark.parametrize("change", [
    lambda d: d.assign(x=[1, 2, 4]),                          # one value
    lambda d: d.rename(columns={"x": "y"}),                   # a column name
    lambda d: d[["s", "x"]],                                  # column order
    lambda d: d.assign(x=d["x"].astype("float64")),           # dtype only
    lambda d: d.assign(s=["a", "b", "None"]),                 # missing versus the text "None"
    lambda d: d.set_axis([5, 6, 7]),                          # the index
    lambda d: d.iloc[:2],                                     # fewer rows
    lambda d: d.assign(s=pd.Categorical(["a", "b", None], categories=["b", "a"])),
])
def test_any_change_a_chart_could_show_changes_the_key(change):
    base = pd.DataFrame({"x": [1, 2, 3], "s": pd.array(["a", "b", None], dtype="string")})
    assert content_key(base) != content_key(change(base))


def test_string_columns_keep_1_and_text_1_apart_and_object_columns_too():
    assert content_key(pd.Series([1, 2], dtype=object)) != content_key(pd.Series(["1", "2"], dtype=object))
    assert content_key(pd.Series(["1"], dtype="string")) != content_key(pd.Series([1], dtype="Int64"))


def test_category_order_is_part_of_the_key():
    a = pd.Series(pd.Categorical(["a", "b"], categories=["a", "b"]))
    b = pd.Series(pd.Categorical(["a", "b"], categories=["b", "a"]))
    assert content_key(a) != content_key(b)


def test_dataclasses_by_compared_fields_and_their_type():
    @dataclasses.dataclass(frozen=True)
    class R:
        value: float
        handle: object = dataclasses.field(default=None, compare=False)

    @dataclasses.dataclass(frozen=True)
    class S:
        value: float

    assert content_key(R(1.0, object())) == content_key(R(1.0, lambda: 0))   # handle not compared
    assert content_key(R(1.0)) != content_key(R(2.0))
    assert content_key(R(1.0)) != content_key(S(1.0))


def test_unknown_objects_make_the_key_none_so_nothing_is_cached():
    class Opaque:
        pass

    assert content_key(Opaque()) is None
    assert content_key([1, {"a": Opaque()}]) is None
    assert content_key(lambda: 1) is None


def test_arrays_enums_and_sets():
    class Colour(enum.Enum):
        RED = 1
        BLUE = 2

    assert content_key(np.array([1, 2])) != content_key(np.array([1, 2], dtype=np.int32))
    assert content_key(np.array([[1, 2]])) != content_key(np.array([[1], [2]]))
    assert content_key(Colour.RED) != content_key(Colour.BLUE)
    assert content_key({"b", "a"}) == content_key({"a", "b"})
    assert content_key({1}) != content_key({"1"})


def test_large_object_columns_of_text_are_keyed_and_large_mixed_ones_are_not():
    from app.fingerprint import MAX_OBJECT_ITEMS

    n = MAX_OBJECT_ITEMS + 10
    text = pd.Series(["x", "y"] * (n // 2), dtype=object)
    changed = text.copy()
    changed.iloc[-1] = "z"
    assert content_key(text) is not None and content_key(text) != content_key(changed)
    assert content_key(pd.Series([1, "1"] * (n // 2), dtype=object)) is None    # not read 1 by 1
    assert content_key(pd.Series([1, "1"], dtype=object)) is not None            # small: exact
