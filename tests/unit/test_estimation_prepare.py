"""Data preparation for estimation: coding conventions and clear errors on unusable columns."""
import numpy as np
import pandas as pd
import pytest

from app.errors import EstimationError
from app.estimation.prepare import prepare


def _df():
    return pd.DataFrame({
        "treatment": ["A", "B", "A", "B", "A", "B", "A", "B", "A", "B", "A", "B"],
        "size": ["small", "large"] * 6,
        "recovery": [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1],
    })


def test_two_text_levels_code_later_level_as_treated_and_say_so():
    p = prepare(_df(), "treatment", "recovery", ["size"])
    assert (p.treatment_label, p.control_label) == ("B", "A")
    assert list(p.data["treatment"][:2]) == [0, 1]
    assert any("B → 1" in n for n in p.notes)
    assert any("size" in n and "→ 1" in n for n in p.notes)


def test_treatment_value_override_swaps_the_coding():
    p = prepare(_df(), "treatment", "recovery", treatment_value="A")
    assert (p.treatment_label, p.control_label) == ("A", "B")
    assert list(p.data["treatment"][:2]) == [1, 0]


def test_positive_sounding_level_is_treated():
    df = pd.DataFrame({"t": ["yes", "no"] * 6, "y": np.arange(12.0)})
    assert prepare(df, "t", "y").treatment_label == "yes"


def test_many_text_levels_need_both_values_and_keep_only_those_rows():
    df = pd.DataFrame({"t": ["a", "b", "c"] * 5, "y": np.arange(15.0)})
    with pytest.raises(EstimationError, match="3 categories") as err:
        prepare(df, "t", "y")
    assert "'a'" in err.value.hint
    p = prepare(df, "t", "y", treatment_value="c", control_value="a")
    assert p.n == 10 and set(p.data["t"]) == {0, 1}


def test_unknown_treatment_value_lists_the_real_ones():
    with pytest.raises(EstimationError, match="does not occur") as err:
        prepare(_df(), "treatment", "recovery", treatment_value="C")
    assert "'A'" in err.value.hint and "'B'" in err.value.hint


def test_rows_with_missing_values_are_dropped_with_a_note():
    df = _df()
    df.loc[0, "size"] = None
    p = prepare(df, "treatment", "recovery", ["size"])
    assert p.n == 11 and p.n_dropped == 1
    assert any("missing" in n for n in p.notes)


def test_constant_treatment_is_an_error():
    df = _df().assign(treatment="A")
    with pytest.raises(EstimationError, match="only one value"):
        prepare(df, "treatment", "recovery")


def test_text_outcome_with_two_levels_becomes_a_share():
    df = _df().assign(recovery=["well", "ill"] * 6)
    p = prepare(df, "treatment", "recovery")
    assert p.binary_outcome and set(p.data["recovery"]) == {0.0, 1.0}


def test_text_outcome_with_many_levels_is_refused():
    df = _df().assign(recovery=["a", "b", "c"] * 4)
    with pytest.raises(EstimationError, match="outcome 'recovery' is text with 3"):
        prepare(df, "treatment", "recovery")


def test_numeric_treatment_is_per_unit_by_default():
    df = pd.DataFrame({"dose": np.arange(12.0), "y": np.arange(12.0)})
    p = prepare(df, "dose", "y")
    assert not p.binary_treatment and (p.control_value, p.treatment_value) == (0.0, 1.0)
    assert any("one-unit increase" in n for n in p.notes)


def test_too_few_complete_rows_is_an_error():
    df = pd.DataFrame({"t": [0, 1, 0, 1], "y": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(EstimationError, match="at least 10"):
        prepare(df, "t", "y")
