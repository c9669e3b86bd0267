"""Two browser sessions (two AppTests in one server process) never see each other's work.

Each session keeps its own workspace history and tables (st.session_state); the shared
st.cache_data / st.cache_resource entries are keyed by content (graph hash, data fingerprint),
so two uploads with the same column names but different numbers get different results.
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

import app
from app.workspace import DatasetRef
from tests.ui.conftest import assert_no_exception, open_page


def _graph(at):
    return at.session_state["cc_history"].present.graph


def _ref(at):
    return at.session_state["cc_history"].present.dataset


def _upload(at, df: pd.DataFrame, name: str) -> str:
    """What the Data page's uploader does (AppTest cannot drive a file_uploader): load the bytes
    with app.load_data and push the table as a new undo step of this session only."""
    raw = df.to_csv(index=False).encode()
    ds = app.load_data(io.BytesIO(raw), name=name)
    tables = dict(at.session_state["cc_data"]) if "cc_data" in at.session_state else {}
    tables[ds.fingerprint] = ds.df
    at.session_state["cc_data"] = tables
    hist = at.session_state["cc_history"]
    ref = DatasetRef(kind="upload", name=name, fingerprint=ds.fingerprint, rows=ds.rows,
                     columns=ds.columns)
    hist.push(hist.present.with_dataset(ref, dict(ds.types)), f"upload {name}")
    return ds.fingerprint


def _table(n: int, seed: int, scale: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({"x": x * scale, "y": 2 * x + rng.normal(size=n), "z": rng.normal(size=n)})


def test_two_sessions_keep_their_own_graph_and_sample():
    a = open_page("pages/graph.py", sample="kidney_stones")
    b = open_page("pages/graph.py", sample="collider_selection")
    a.text_area(key="graph_text").set_value("dag { SecretA -> OnlyInA }").run()
    b.run()
    assert_no_exception(a)
    assert_no_exception(b)
    assert set(_graph(a).nodes) == {"SecretA", "OnlyInA"}
    assert "SecretA" not in _graph(b).nodes
    assert set(_graph(b).nodes) == set(app.load_sample("collider_selection").graph.nodes)
    assert "SecretA" not in b.text_area(key="graph_text").value
    assert _ref(a).name == "kidney_stones" and _ref(b).name == "collider_selection"
    assert a.session_state["cc_history"] is not b.session_state["cc_history"]


def test_two_uploads_with_same_columns_stay_apart_and_are_cached_by_content():
    a = open_page(None, sample=None)
    b = open_page(None, sample=None)
    df_a, df_b = _table(300, seed=1, scale=1.0), _table(300, seed=2, scale=1000.0)
    fp_a = _upload(a, df_a, "class.csv")        # same file name and columns,
    fp_b = _upload(b, df_b, "class.csv")        # different numbers
    assert fp_a != fp_b
    for at in (a, b):
        at.switch_page("pages/data.py").run()
        assert_no_exception(at)
    # each session's store holds only its own table
    assert set(a.session_state["cc_data"]) == {fp_a}
    assert set(b.session_state["cc_data"]) == {fp_b}
    pd.testing.assert_frame_equal(a.session_state["cc_data"][fp_a], app.load_data(
        df_a.to_csv(index=False).encode()).df)
    assert _ref(a).fingerprint == fp_a and _ref(b).fingerprint == fp_b
    # the Data page's profile comes from a shared cache_resource: each session must get the
    # profile of its own table (x's scale differs 1000x), never the other session's entry
    def profile_frame(at):
        return next(d.value for d in at.dataframe if "mean" in d.value.columns)

    for at, df in ((a, df_a), (b, df_b)):
        prof = profile_frame(at).set_index("column")
        assert abs(prof.loc["x", "mean"] - df["x"].mean()) < 1e-6 * max(1.0, abs(df["x"].mean()))
        assert abs(prof.loc["x", "std"] - df["x"].std()) < 1e-6 * df["x"].std()

def test_same_upload_in_two_sessions_gets_same_fingerprint():
    """Content keys: the same bytes give the same key (cache shared safely), so a hit can only
    ever return results for identical data."""
    df = _table(100, seed=3, scale=1.0)
    raw = df.to_csv(index=False).encode()
    assert app.load_data(raw, name="a.csv").fingerprint == app.load_data(raw, name="b.csv").fingerprint
    changed = df.copy()
    changed.loc[0, "x"] += 1e-3
    assert app.load_data(changed.to_csv(index=False).encode()).fingerprint != \
        app.load_data(raw).fingerprint
