"""The saved-workspace file (.ccw): round trips, old versions, and hostile files."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import app.workspace_file as wf
from app import parse_graph
from app.errors import WorkspaceFileError
from app.workspace import DatasetRef, Workspace
from app.workspace_file import (
    VERSION,
    file_name,
    read_workspace_file,
    write_workspace_file,
)

FIXTURES = Path(__file__).parent / "fixtures"
GRAPH = parse_graph('dag { smoking [exposure,pos="0,0"]; cancer [outcome,pos="2,0"]; '
                    "smoking -> tar -> cancer; smoking <-> cancer; gene [latent]; "
                    "gene -> cancer }")
TABLE = pd.DataFrame({"smoking": [0, 1, 1, 0], "tar": [0.5, 2.25, 3.0, 0.125],
                      "cancer": [0, 1, 0, 0], "clinic": ["north", "south", "north", "east"]})


def _upload_ws(**settings) -> Workspace:
    return Workspace(graph=GRAPH, dataset=DatasetRef("upload", "study.csv", "f0", 4, 4),
                     var_types={"smoking": "binary", "tar": "continuous"},
                     settings=settings)


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_upload_round_trip_keeps_graph_layout_data_types_and_settings():
    raw = write_workspace_file(_upload_ws(alpha=0.05, method="backdoor", grid=(1, 2)), TABLE,
                               name="Smoking study", page_state={"analyse": {"x": "smoking"}})
    assert raw[:4] == b"PK\x03\x04"
    opened = read_workspace_file(raw)
    assert opened.name == "Smoking study" and opened.version == VERSION
    assert opened.workspace.graph == GRAPH                       # roles, ↔, positions too
    assert opened.workspace.graph.positions["cancer"] == (2.0, 0.0)
    pd.testing.assert_frame_equal(opened.data, TABLE, check_dtype=False)
    assert list(opened.data["tar"]) == [0.5, 2.25, 3.0, 0.125]     # floats exact
    assert opened.workspace.var_types["smoking"] == "binary"
    assert opened.workspace.settings == {"alpha": 0.05, "method": "backdoor", "grid": [1, 2]}
    assert opened.page_state == {"analyse": {"x": "smoking"}}
    ref = opened.workspace.dataset
    assert (ref.kind, ref.name, ref.rows, ref.columns) == ("upload", "study.csv", 4, 4)
    assert opened.notes == ()


def test_a_sample_is_referenced_by_name_not_embedded():
    ws = Workspace(graph=GRAPH, dataset=DatasetRef("sample", "smoking_tar_cancer",
                                                   "sample-smoking_tar_cancer-4", 4, 4))
    raw = write_workspace_file(ws, TABLE, name="Sample")
    assert "data.csv" not in zipfile.ZipFile(io.BytesIO(raw)).namelist()
    opened = read_workspace_file(raw)
    assert opened.data is None
    assert opened.workspace.dataset == ws.dataset


def test_settings_that_are_not_json_are_left_out_with_a_note():
    raw = write_workspace_file(_upload_ws(ok=1, model=object(), bad=float("nan")), TABLE)
    opened = read_workspace_file(raw)
    assert opened.workspace.settings == {"ok": 1}
    assert any("settings.model" in n and "settings.bad" in n for n in opened.notes)


def test_an_empty_workspace_round_trips():
    opened = read_workspace_file(write_workspace_file(Workspace(), name="Blank"))
    assert opened.workspace == Workspace() and opened.data is None


def test_version_0_export_is_upgraded_with_a_note():
    opened = read_workspace_file((FIXTURES / "workspace_v0.json").read_bytes())
    assert opened.version == 0
    g = opened.workspace.graph
    assert set(g.edges) == {("stone_size", "treatment"), ("stone_size", "recovery"),
                            ("treatment", "recovery")}
    assert g.exposures == {"treatment"} and g.positions["stone_size"] == (1.0, -1.0)
    assert opened.workspace.dataset.kind == "sample"
    assert opened.workspace.dataset.name == "kidney_stones"
    assert opened.workspace.var_types == {"treatment": "binary", "stone_size": "binary",
                                          "recovery": "binary"}
    assert any("older format (version 0)" in n for n in opened.notes)


def test_version_1_file_saved_earlier_still_opens():
    # A file written by this release and kept in the repo: later format changes must keep it
    # opening with the same content.
    opened = read_workspace_file((FIXTURES / "workspace_v1.ccw").read_bytes())
    assert opened.name == "Golden v1" and opened.version == 1
    assert set(opened.workspace.graph.bidirected) == {("dose", "site")}
    assert list(opened.data["response"]) == [1.25, 2.5, 3.0, -0.5, 2.0]
    assert opened.workspace.settings == {"alpha": 0.05, "method": "backdoor"}
    assert opened.page_state == {"analyse": {"x": "dose"}}


def test_a_bare_workspace_json_opens():
    raw = write_workspace_file(_upload_ws(), TABLE)
    manifest = zipfile.ZipFile(io.BytesIO(raw)).read("workspace.json")
    doc = json.loads(manifest)
    doc["dataset"]["file"] = None
    opened = read_workspace_file(json.dumps(doc).encode())
    assert opened.workspace.graph == GRAPH
    assert opened.workspace.dataset is None          # the upload itself is not in the file
    assert any("upload it again" in n for n in opened.notes)


def test_a_file_from_a_newer_app_says_so():
    doc = {"format": wf.FORMAT, "version": VERSION + 1, "graph": {"nodes": []}}
    with pytest.raises(WorkspaceFileError, match="newer Causal Canvas"):
        read_workspace_file(_zip({"workspace.json": json.dumps(doc).encode()}))


@pytest.mark.parametrize("raw,message", [
    (b"", "not a Causal Canvas workspace"),
    (b"col1,col2\n1,2\n", "not a Causal Canvas workspace"),
    (b"PK\x03\x04 truncated", "damaged"),
    (b'{"hello": "world"}', "not a Causal Canvas workspace"),
    (b'{"format": "causal-canvas-workspace", "version": 1', "damaged"),
    (b'{"format": "causal-canvas-workspace", "version": 1}', "damaged"),
    (b'{"format": "causal-canvas-workspace", "version": "1"}', "damaged"),
])
def test_files_that_are_not_workspaces_get_a_clear_message(raw, message):
    with pytest.raises(WorkspaceFileError, match=message):
        read_workspace_file(raw)


def test_a_zip_without_a_manifest_is_refused():
    with pytest.raises(WorkspaceFileError, match="no workspace.json"):
        read_workspace_file(_zip({"data.csv": b"a,b\n1,2\n"}))


def test_a_graph_with_a_cycle_inside_the_file_is_reported_not_raised_raw():
    doc = {"format": wf.FORMAT, "version": 1, "name": "x",
           "graph": {"nodes": ["A", "B"], "edges": [["A", "B"], ["B", "A"]]}}
    with pytest.raises(WorkspaceFileError, match="cycle"):
        read_workspace_file(_zip({"workspace.json": json.dumps(doc).encode()}))


def test_an_edited_embedded_table_fails_its_checksum():
    raw = write_workspace_file(_upload_ws(), TABLE)
    zf = zipfile.ZipFile(io.BytesIO(raw))
    entries = {n: zf.read(n) for n in zf.namelist()}
    entries["data.csv"] = entries["data.csv"].replace(b"north", b"west!")
    with pytest.raises(WorkspaceFileError, match="checksum"):
        read_workspace_file(_zip(entries))


def test_a_zip_bomb_stops_at_the_size_cap(monkeypatch):
    monkeypatch.setattr(wf, "MAX_DATA_BYTES", 1_000_000)
    bomb = b"0," * 2_500_000                       # 5 MB of zeros compresses to a few KB
    doc = json.loads(zipfile.ZipFile(io.BytesIO(write_workspace_file(_upload_ws(), TABLE)))
                     .read("workspace.json"))
    doc["dataset"]["sha256"] = None
    raw = _zip({"workspace.json": json.dumps(doc).encode(), "data.csv": bomb})
    assert len(raw) < 50_000
    with pytest.raises(WorkspaceFileError, match="5.0 MB; the limit is 1.0 MB"):
        read_workspace_file(raw)


def test_a_zip_whose_header_understates_the_size_is_still_capped(monkeypatch):
    monkeypatch.setattr(wf, "MAX_MANIFEST_BYTES", 100_000)
    raw = bytearray(_zip({"workspace.json": b" " * 1_000_000 + b"{}"}))
    # Rewrite the uncompressed size in the central directory to claim 10 bytes.
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    with pytest.raises(WorkspaceFileError):
        read_workspace_file(bytes(raw))


def test_archives_with_too_many_or_duplicate_entries_are_refused():
    many = _zip({f"f{i}.txt": b"x" for i in range(wf.MAX_ENTRIES + 1)})
    with pytest.raises(WorkspaceFileError, match="entries"):
        read_workspace_file(many)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("workspace.json", b"{}")
        zf.writestr("workspace.json", b"{}")
    with pytest.raises(WorkspaceFileError, match="twice"):
        read_workspace_file(buf.getvalue())


def test_an_oversized_file_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(wf, "MAX_FILE_BYTES", 1000)
    with pytest.raises(WorkspaceFileError, match="up to"):
        read_workspace_file(b"PK\x03\x04" + b"\0" * 2000)


def test_embedding_a_table_over_the_limit_says_what_to_do():
    with pytest.raises(WorkspaceFileError, match="can embed up to") as err:
        write_workspace_file(_upload_ws(), TABLE, max_data_bytes=10)
    assert "Save without the data" in err.value.hint


def test_names_are_validated_and_download_names_are_safe():
    with pytest.raises(WorkspaceFileError):
        write_workspace_file(Workspace(), name="   ")
    assert file_name("My study: week 3/4 <b>") == "My_study__week_3_4__b_.ccw"
    assert file_name("***") == "workspace.ccw"


def test_the_file_never_contains_a_pickle():
    raw = write_workspace_file(_upload_ws(obj=object()), TABLE)
    zf = zipfile.ZipFile(io.BytesIO(raw))
    assert set(zf.namelist()) == {"workspace.json", "README.txt", "data.csv"}
    for name in zf.namelist():
        assert b"\x80\x04" not in zf.read(name)[:2]   # pickle protocol header
