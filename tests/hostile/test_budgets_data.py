"""Data: infinities are named (profile) or refused (linear fit); lone surrogates never reach a
page (issue 23)."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from app import parse_graph
from app.data import dataset_from_frame, load_data, profile
from app.errors import ModelError
from app.models.fit import fit_model
from app.workspace import decode_share, encode_share
from app.workspace_file import read_workspace_file
from tests.hostile import bombs

CSV_WITH_INF = b"x,y\n1,2\n2,4\ninf,6\n4,8\n-inf,9\n"


def test_profile_of_a_column_with_inf_gives_finite_statistics_and_a_note():
    ds = load_data(CSV_WITH_INF, name="t.csv")
    col = profile(ds).column("x")
    assert col.infinite == 2
    assert (col.mean, col.min, col.max) == (pytest.approx(7 / 3), 1.0, 4.0)   # of 1, 2, 4
    assert col.std == pytest.approx(np.std([1, 2, 4], ddof=1))
    assert any("Infinite values" in n and "x (2)" in n for n in profile(ds).notes)
    assert any("Infinite values" in n for n in ds.notes)      # shown on the Data page
    assert "infinite" in profile(ds).to_frame().columns


def test_a_table_without_inf_has_no_infinity_note_or_column():
    ds = load_data(b"x,y\n1,2\n2,4\n3,6\n", name="t.csv")
    assert profile(ds).notes == () and not any("Infinite" in n for n in ds.notes)
    assert "infinite" not in profile(ds).to_frame().columns


def test_an_all_infinite_column_has_no_statistics_rather_than_nan():
    col = profile(pd.DataFrame({"a": [np.inf, -np.inf, np.inf], "b": [1, 2, 3]})).column("a")
    assert col.mean is None and col.std is None and col.infinite == 3


def _xy(bad_column: str):
    rng = np.random.default_rng(1)
    x = rng.normal(size=200)
    df = pd.DataFrame({"X": x, "Y": 2 * x + rng.normal(size=200)})
    df.loc[7, bad_column] = np.inf
    return df


@pytest.mark.parametrize("column", ["X", "Y"])
@pytest.mark.parametrize("kind", ["linear", "auto"])
def test_inf_given_to_a_linear_fit_is_a_clear_error(column, kind):
    with pytest.raises(ModelError, match=rf"Infinite values .* {column} \(1\)"):
        fit_model(parse_graph("dag { X -> Y }"), _xy(column), kind=kind)


def test_a_finite_linear_fit_still_recovers_its_coefficient():
    df = _xy("X").drop(index=7)
    model = fit_model(parse_graph("dag { X -> Y }"), df, kind="linear")
    # simulated ground truth: Y = 2 X + N(0, 1), 199 rows
    assert model.scm.coefficients["Y"]["X"] == pytest.approx(2.0, abs=0.2)


# ---- lone surrogates ---------------------------------------------------------------------------
def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_a_lone_surrogate_in_a_column_or_dataset_name_is_replaced():
    df = pd.DataFrame([[1, 4], [2, 5], [3, 6]], columns=pd.Index(["a\ud800b", "c"], dtype=object))
    ds = dataset_from_frame(df, name="data\udfff")
    assert all(_encodable(c) for c in ds.df.columns) and _encodable(ds.name)
    assert list(ds.df.columns) == ["a\ufffdb", "c"] and ds.name == "data\ufffd"
    assert all(_encodable(k) for k in ds.types)
    loaded = load_data(b"a,b\n1,2\n", name="up\ud83d.csv")
    assert loaded.name == "up\ufffd.csv"


def test_a_lone_surrogate_in_a_workspace_file_is_replaced():
    doc = json.loads(bombs.manifest())
    doc["name"] = "w\\ud800"
    doc["dataset"]["name"] = "kidney\\udc00"
    text = json.dumps(doc).replace("\\\\ud800", "\\ud800").replace("\\\\udc00", "\\udc00")
    opened = read_workspace_file(bombs.zip_members({"workspace.json": text}))
    assert opened.name == "w\ufffd" and opened.workspace.dataset.name == "kidney\ufffd"
    assert _encodable(repr(opened))


def test_a_lone_surrogate_in_a_share_link_is_replaced():
    import base64
    import zlib
    token = encode_share(parse_graph("dag { A -> B }"), sample="kidney_stones")
    raw = zlib.decompress(base64.urlsafe_b64decode(token[2:] + "=" * (-len(token[2:]) % 4)))
    raw = raw.replace(b'"kidney_stones"', b'"kid\\ud800"')
    bad = "1." + base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")
    payload = decode_share(bad)
    assert payload.sample == "kid\ufffd"


def test_no_nan_sneaks_into_a_profile_of_ordinary_numbers():
    col = profile(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0, 1, 0]})).column("a")
    assert not math.isnan(col.mean) and col.infinite == 0
