"""app.samples and sample_data/: the nine samples, their graphs and READMEs, and the build script."""
from __future__ import annotations

import importlib.util
import re

import pandas as pd
import pytest

import app
from app import samples
from app.errors import DataError
from app.io import read_bif_model

NAMES = ["kidney_stones", "smoking_tar_cancer", "asia", "sachs", "lalonde_nsw", "nhefs",
         "college_proximity", "collider_selection", "m_bias"]

COLUMNS = {
    "kidney_stones": ["treatment", "stone_size", "recovery"],
    "smoking_tar_cancer": ["smoking", "tar", "cancer"],
    "asia": ["asia", "tub", "smoke", "lung", "bronc", "either", "xray", "dysp"],
    "sachs": ["Akt", "Erk", "Jnk", "Mek", "P38", "PIP2", "PIP3", "PKA", "PKC", "Plcg", "Raf"],
    "lalonde_nsw": ["treat", "age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75",
                    "re78"],
    "college_proximity": ["nearc4", "educ", "black", "smsa", "south", "married", "exper",
                          "lwage"],
    "collider_selection": ["talent", "study", "admitted"],
    "m_bias": ["X", "M", "Y"],
}

ROLES = {  # name -> (exposure, outcome)
    "kidney_stones": ("treatment", "recovery"), "smoking_tar_cancer": ("smoking", "cancer"),
    "lalonde_nsw": ("treat", "re78"), "nhefs": ("qsmk", "wt82_71"),
    "college_proximity": ("educ", "lwage"), "m_bias": ("X", "Y"),
}

NHEFS_CONFOUNDERS = {"sex", "age", "race", "education", "smokeintensity", "smokeyrs",
                     "exercise", "active", "wt71"}


def _build_module():
    spec = importlib.util.spec_from_file_location("sample_build", samples.SAMPLE_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- listing --------------------------------------------------------------------------------
def test_list_samples_gives_the_nine_names_in_order():
    assert [s.name for s in app.list_samples()] == NAMES
    # every cross-sectional folder with a graph is registered; time-series samples (their
    # README front matter names a time_column) have their own registry in app.timeseries
    with_graph = {p.parent.name for p in samples.SAMPLE_DIR.glob("*/graph.dagitty")
                  if "time_column:" not in (p.parent / "README.md").read_text(encoding="utf-8")}
    assert with_graph == set(NAMES)
    for name in NAMES:
        assert (samples.SAMPLE_DIR / name / "data.csv").is_file()
        assert (samples.SAMPLE_DIR / name / "README.md").is_file()


def test_listing_reads_no_data_file(monkeypatch):
    samples._info.cache_clear()
    monkeypatch.setattr(samples, "load_data", lambda *a, **k: pytest.fail("read a CSV"))
    monkeypatch.setattr(pd, "read_csv", lambda *a, **k: pytest.fail("read a CSV"))
    infos = samples.list_samples()
    assert all(i.title and i.summary and i.rows > 0 for i in infos)


@pytest.mark.parametrize("name", NAMES)
def test_front_matter_matches_the_data(name):
    info = next(i for i in app.list_samples() if i.name == name)
    sample = app.load_sample(name)
    assert info.rows == len(sample.data)
    assert info.columns == sample.data.shape[1]
    assert list(info.variables) == list(sample.data.columns)
    assert sample.title == info.title and sample.truth_known == info.truth_known


# ---- contents -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(COLUMNS))
def test_sample_has_the_contract_columns(name):
    assert list(app.load_sample(name).data.columns) == COLUMNS[name]


def test_nhefs_keeps_the_graph_columns_plus_a_few():
    df = app.load_sample("nhefs").data
    assert {"qsmk", "wt82_71", *NHEFS_CONFOUNDERS} <= set(df.columns)
    assert len(df.columns) <= 16 and len(df) == 1566


@pytest.mark.parametrize("name", NAMES)
def test_graph_uses_data_columns_and_every_node_has_a_position(name):
    s = app.load_sample(name)
    observed = [n for n in s.graph.nodes if n not in s.graph.latents]
    assert set(observed) <= set(s.data.columns)
    assert set(s.graph.positions) == set(s.graph.nodes)
    assert len(set(s.graph.positions.values())) == len(s.graph.nodes)  # no two nodes overlap
    assert s.graph.exposures and s.graph.outcomes


@pytest.mark.parametrize("name", list(ROLES))
def test_graph_roles(name):
    exposure, outcome = ROLES[name]
    g = app.load_sample(name).graph
    assert set(g.exposures) == {exposure} and set(g.outcomes) == {outcome}


def test_kidney_graph_is_the_textbook_confounding_triangle():
    g = app.load_sample("kidney_stones").graph
    assert g.edges == {("stone_size", "treatment"), ("stone_size", "recovery"),
                       ("treatment", "recovery")}


def test_smoking_graph_is_the_front_door_model():
    g = app.load_sample("smoking_tar_cancer").graph
    assert g.edges == {("smoking", "tar"), ("tar", "cancer")}
    assert g.bidirected == {("cancer", "smoking")}


def test_nhefs_graph_has_the_nine_standard_confounders():
    g = app.load_sample("nhefs").graph
    assert set(g.parents("qsmk")) == NHEFS_CONFOUNDERS
    assert set(g.parents("wt82_71")) == NHEFS_CONFOUNDERS | {"qsmk"}


def test_college_graph_has_instrument_confounders_and_latent_ability():
    g = app.load_sample("college_proximity").graph
    assert ("nearc4", "educ") in g.edges and ("educ", "lwage") in g.edges
    assert ("nearc4", "lwage") not in g.edges and not g.parents("nearc4")
    assert g.bidirected == {("educ", "lwage")}
    for c in ("exper", "black", "south", "smsa", "married"):
        assert (c, "educ") in g.edges and (c, "lwage") in g.edges


def test_lalonde_graph_has_nothing_pointing_into_the_randomised_treatment():
    g = app.load_sample("lalonde_nsw").graph
    assert ("treat", "re78") in g.edges and not g.parents("treat")


def test_collider_graph_has_admitted_as_a_collider():
    g = app.load_sample("collider_selection").graph
    assert g.edges == {("talent", "admitted"), ("study", "admitted")}


def test_m_bias_graph_and_data_hide_the_latents():
    s = app.load_sample("m_bias")
    assert s.graph.edges == {("U1", "X"), ("U1", "M"), ("U2", "M"), ("U2", "Y"), ("X", "Y")}
    assert set(s.graph.latents) == {"U1", "U2"}
    assert not {"U1", "U2"} & set(s.data.columns)


@pytest.mark.parametrize("name", ["asia", "sachs"])
def test_bif_samples_graph_is_the_bif_structure(name):
    s = app.load_sample(name)
    assert s.bif_path is not None and s.bif_path.name == "model.bif"
    model = read_bif_model(s.bif_path.read_text())
    assert s.graph.edges == {(str(a), str(b)) for a, b in model.edges()}
    assert set(s.graph.nodes) == set(map(str, model.nodes())) == set(s.data.columns)
    for node in model.nodes():   # every sampled value is a state of the BIF variable
        assert set(s.data[node].unique()) <= set(model.get_cpds(node).state_names[node])


def test_samples_without_a_network_have_no_bif():
    assert [n for n in NAMES if app.load_sample(n).bif_path] == ["asia", "sachs"]


EXPECTED_TYPES = {
    "kidney_stones": {"treatment": "binary", "stone_size": "binary", "recovery": "binary"},
    "smoking_tar_cancer": dict.fromkeys(["smoking", "tar", "cancer"], "binary"),
    "asia": dict.fromkeys(COLUMNS["asia"], "binary"),
    "sachs": dict.fromkeys(COLUMNS["sachs"], "categorical"),
    "lalonde_nsw": {"treat": "binary", "age": "continuous", "educ": "continuous",
                    "black": "binary", "hisp": "binary", "marr": "binary",
                    "nodegree": "binary", "re74": "continuous", "re75": "continuous",
                    "re78": "continuous"},
    "nhefs": {"seqn": "id", "qsmk": "binary", "wt82_71": "continuous", "sex": "binary",
              "age": "continuous", "race": "binary", "education": "ordinal",
              "smokeintensity": "continuous", "smokeyrs": "continuous",
              "exercise": "ordinal", "active": "ordinal", "wt71": "continuous",
              "wt82": "continuous", "death": "binary", "income": "continuous"},
    "college_proximity": {"nearc4": "binary", "educ": "continuous", "black": "binary",
                          "smsa": "binary", "south": "binary", "married": "ordinal",
                          "exper": "continuous", "lwage": "continuous"},
    "collider_selection": {"talent": "continuous", "study": "continuous",
                           "admitted": "binary"},
    "m_bias": dict.fromkeys(["X", "M", "Y"], "continuous"),
}


@pytest.mark.parametrize("name", NAMES)
def test_type_inference_on_each_sample(name):
    s = app.load_sample(name)
    assert app.infer_types(s.data) == EXPECTED_TYPES[name]
    assert dict(s.types) == EXPECTED_TYPES[name]


@pytest.mark.parametrize("name", NAMES)
def test_files_are_small_and_readme_has_the_required_sections(name):
    folder = samples.SAMPLE_DIR / name
    assert (folder / "data.csv").stat().st_size < 2 * 1024 * 1024
    readme = app.load_sample(name).readme
    assert not readme.startswith("---")   # front matter is stripped
    for section in ("## Source", "Licence", "## What to try"):
        assert section in readme or section.lower() in readme.lower(), section
    assert re.search(r"\b(19|20)\d\d\b", readme)   # cites a year: a real source


# ---- loading behaviour ------------------------------------------------------------------------
def test_unknown_sample_is_a_data_error_listing_the_valid_names():
    with pytest.raises(DataError) as info:
        app.load_sample("titanic")
    msg = info.value.user_message()
    assert "'titanic'" in msg and all(n in msg for n in NAMES)


def test_loaded_table_is_a_copy_the_cache_cannot_be_mutated():
    a = app.load_sample("kidney_stones")
    a.data.loc[0, "recovery"] = 99
    a.data.drop(columns=["treatment"], inplace=True)
    b = app.load_sample("kidney_stones")
    assert list(b.data.columns) == COLUMNS["kidney_stones"]
    assert set(b.data["recovery"].unique()) == {0, 1}


def test_samples_are_cached_in_process():
    samples._load.cache_clear()
    app.load_sample("asia")
    app.load_sample("asia")
    assert samples._load.cache_info().hits >= 1


def test_sample_fingerprint_is_that_of_its_data_file():
    s = app.load_sample("kidney_stones")
    assert s.fingerprint == app.load_data(samples.SAMPLE_DIR / "kidney_stones" / "data.csv").fingerprint
    ds = s.to_dataset()
    assert ds.fingerprint == s.fingerprint and ds.rows == 700


# ---- the build script -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["kidney_stones", "smoking_tar_cancer", "collider_selection",
                                  "m_bias", "asia"])
def test_build_regenerates_the_committed_files_bit_for_bit(name, tmp_path):
    build = _build_module()
    first = build.build(name, tmp_path / "one")
    second = build.build(name, tmp_path / "two")
    committed = samples.SAMPLE_DIR / name
    files = sorted(p.name for p in first.iterdir())
    assert "data.csv" in files
    for f in files:
        assert (first / f).read_bytes() == (second / f).read_bytes(), f"{name}/{f} differs"
        assert (first / f).read_bytes() == (committed / f).read_bytes(), f"{name}/{f} drifted"


def test_build_knows_every_sample():
    assert list(_build_module().BUILDERS) == NAMES
