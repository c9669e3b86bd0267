"""The saved-workspace file: one zip (``.ccw``) that reopens a workspace anywhere. Never pickle.

Format, version 1 (a plain zip archive; any unzip tool can look inside):

- ``workspace.json`` (required), UTF-8 JSON::

    {"format": "causal-canvas-workspace", "version": 1,
     "name": "Kidney stones, week 3", "saved_at": "2026-11-23T12:00:00Z", "app_version": "0.1.0",
     "graph": {...},             # the graph in Causal Canvas's JSON graph format (app.io "json")
     "dataset": null | {"kind": "sample" | "upload", "name": "...", "fingerprint": "...",
                        "rows": 700, "columns": 3,
                        "file": "data.csv" | null,   # embedded table, uploads only
                        "sha256": "..."},           # of data.csv, checked when opened
     "var_types": {"column": "binary", ...},
     "settings": {...},          # Workspace.settings (JSON values only)
     "page_state": {...},        # per-page memory that is plain JSON
     "omitted": ["settings.x"]}  # entries that were not JSON and so were not saved

- ``data.csv`` (optional): the uploaded table as UTF-8 CSV with a header row. Bundled samples
  are referenced by name instead, since every copy of the app ships them.
- ``README.txt``: a note for people who unzip the file.

A bare ``workspace.json`` (no zip) opens too. Older versions are upgraded on reading:
version 0 (the pre-release export: ``{"causal_canvas": 0, "dagitty": "...", "sample": ...,
"types": {...}}``) becomes version 1. A file from a newer app gets a clear message.

Reading is defensive: size caps before and while decompressing (a zip bomb stops at the cap
whatever the archive claims), a limit on entries, only known entry names are read, and every
problem is a WorkspaceFileError that says what is wrong.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import lzma
import math
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from app import settings
from app.errors import CausalCanvasError, WorkspaceFileError
from app.graph import CausalGraph
from app.workspace import DatasetRef, Workspace

FORMAT = "causal-canvas-workspace"
VERSION = 1
EXTENSION = ".ccw"
MIME = "application/zip"
MANIFEST = "workspace.json"
DATA = "data.csv"
README = "README.txt"
MAX_FILE_BYTES = settings.MAX_WORKSPACE_FILE_BYTES
MAX_MANIFEST_BYTES = settings.MAX_WORKSPACE_MANIFEST_BYTES
MAX_DATA_BYTES = settings.MAX_WORKSPACE_DATA_BYTES
MAX_ENTRIES = settings.MAX_WORKSPACE_ENTRIES
MAX_NAME = settings.MAX_WORKSPACE_NAME

_README_TEXT = """This is a Causal Canvas workspace (a zip archive).
workspace.json holds the graph, variable types and settings; data.csv, when present, holds the
uploaded table. Open the whole file in Causal Canvas: Classroom page, "My workspaces" tab.
"""


@dataclass(frozen=True, eq=False)
class OpenedWorkspace:
    """What a workspace file holds: the Workspace, the embedded table (if any), and notes."""

    workspace: Workspace
    data: pd.DataFrame | None
    name: str
    version: int                       # format version of the file as read (before upgrading)
    saved_at: str | None = None
    page_state: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        rows = None if self.data is None else len(self.data)
        return (f"OpenedWorkspace(name={self.name!r}, version={self.version}, "
                f"summary={self.workspace.summary()!r}, data_rows={rows}, notes={self.notes!r})")


def human_size(n: float) -> str:
    """1.2 MB, 340 KB: sizes in messages."""
    return f"{n / 1e6:,.0f} MB" if n >= 10e6 else f"{n / 1e6:,.1f} MB" if n >= 1e5 else \
        f"{n / 1e3:,.0f} KB"


# ---- writing ----------------------------------------------------------------------------------
def _json_value(value: Any) -> tuple[bool, Any]:
    """(ok, value as plain JSON) for settings and page state; tuples become lists."""
    if value is None or isinstance(value, (str, bool, int)):
        return True, value
    if isinstance(value, float):
        return (True, value) if math.isfinite(value) else (False, None)
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            ok, v = _json_value(v)
            if not ok:
                return False, None
            out.append(v)
        return True, out
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            ok, v = _json_value(v)
            if not isinstance(k, str) or not ok:
                return False, None
            out[k] = v
        return True, out
    return False, None


def _plain(mapping: Mapping[str, Any] | None, prefix: str, omitted: list[str]) -> dict:
    out = {}
    for k, v in (mapping or {}).items():
        ok, v = _json_value(v)
        if ok and isinstance(k, str):
            out[k] = v
        else:
            omitted.append(f"{prefix}.{k}")
    return out


def clean_workspace_name(name: Any) -> str:
    """A workspace name: 1–120 printable characters, spaces collapsed."""
    text = " ".join(str(name or "").split())
    if not text:
        raise WorkspaceFileError("Give the workspace a name.")
    if len(text) > MAX_NAME:
        raise WorkspaceFileError(f"A workspace name can have up to {MAX_NAME} characters.")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise WorkspaceFileError("The workspace name contains a control character.")
    return text


def write_workspace_file(ws: Workspace, data: pd.DataFrame | None = None, *,
                         name: str = "Workspace", page_state: Mapping[str, Any] | None = None,
                         embed_data: bool | None = None,
                         max_data_bytes: int = MAX_DATA_BYTES) -> bytes:
    """The workspace as a version-1 ``.ccw`` zip (bytes).

    The table is embedded as data.csv when the workspace uses an upload (or `embed_data` is
    True) and `data` is given; a bundled sample is referenced by name. Settings and page state
    that are not plain JSON are left out and listed under "omitted".
    """
    from app import __version__
    from app.io import write_graph

    name = clean_workspace_name(name)
    omitted: list[str] = []
    ref = ws.dataset
    embed = (ref is not None and data is not None and
             (ref.kind == "upload" if embed_data is None else embed_data))
    csv_bytes = None
    if embed:
        csv_bytes = data.to_csv(index=False, lineterminator="\n").encode("utf-8")
        if len(csv_bytes) > max_data_bytes:
            raise WorkspaceFileError(
                f"The table is {human_size(len(csv_bytes))} as CSV; a workspace file can embed "
                f"up to {human_size(max_data_bytes)}.",
                hint="Save without the data and keep the data file next to it.")
    dataset = None
    if ref is not None:
        dataset = {"kind": ref.kind, "name": ref.name, "fingerprint": ref.fingerprint,
                   "rows": int(ref.rows), "columns": int(ref.columns),
                   "file": DATA if csv_bytes is not None else None,
                   "sha256": hashlib.sha256(csv_bytes).hexdigest() if csv_bytes else None}
    manifest = {
        "format": FORMAT, "version": VERSION, "name": name,
        "saved_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "app_version": __version__,
        "graph": json.loads(write_graph(ws.graph, "json")),
        "dataset": dataset,
        "var_types": {str(k): str(v) for k, v in ws.var_types.items()},
        "settings": _plain(ws.settings, "settings", omitted),
        "page_state": _plain(page_state, "page_state", omitted),
        "omitted": omitted,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        zf.writestr(README, _README_TEXT)
        if csv_bytes is not None:
            zf.writestr(DATA, csv_bytes)
    return buf.getvalue()


def file_name(name: str) -> str:
    """A safe download file name for a workspace called `name`."""
    stem = "".join(c if c.isalnum() or c in "-_ " else "_" for c in name).strip()[:60]
    if not any(c.isalnum() for c in stem):
        stem = "workspace"
    return stem.replace(" ", "_") + EXTENSION


# ---- reading ----------------------------------------------------------------------------------
def _damaged(what: str) -> WorkspaceFileError:
    return WorkspaceFileError(f"The workspace file is damaged: {what}.",
                              hint="Download it again, or open an older copy.")


_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate",
            zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, what: str,
                 table: bool = False) -> bytes:
    """Decompress one entry, stopping as soon as it passes `cap` (whatever the header says).

    For a `table` (CSV) the rows × columns are counted as it inflates too, and reading stops
    at the cell budget: a few hundred KB can inflate to millions of rows under the byte cap.
    """
    if info.flag_bits & 0x1:
        raise WorkspaceFileError("The workspace file is password-protected; we cannot open it.")
    if info.compress_type not in _METHODS:
        raise WorkspaceFileError(
            f"The {what} in this file is compressed with zip method {info.compress_type}, which "
            "Causal Canvas does not read.",
            hint="Save the workspace from Causal Canvas again, or re-zip it with ordinary "
                 "(deflate) compression.")
    if info.file_size > cap:
        raise WorkspaceFileError(f"The {what} in this file is {human_size(info.file_size)}; "
                                 f"the limit is {human_size(cap)}.")
    out = bytearray()
    lines, width = 0, 0
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            out += chunk
            if len(out) > cap:
                raise WorkspaceFileError(f"The {what} in this file expands beyond "
                                         f"{human_size(cap)}; it is not a file we wrote.")
            if table:
                lines += chunk.count(b"\n")
                if not width and b"\n" in out:
                    header = out[:out.index(b"\n")].decode("utf-8", "replace")
                    width = max(1, len(next(csv.reader([header]), [])))
                if (lines - 1) * max(width, 1) > settings.MAX_CELLS:
                    raise WorkspaceFileError(
                        f"The {what} in this file unpacks to more than {settings.MAX_CELLS:,} "
                        f"values ({lines - 1:,} rows so far × {width:,} columns); the limit is "
                        f"{settings.MAX_CELLS:,}.")
    return bytes(out)


def _open_zip(raw: bytes) -> tuple[dict, bytes | None]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
            NotImplementedError, OverflowError):
        raise _damaged("it is not a complete zip archive") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise WorkspaceFileError(f"The file holds {len(infos)} entries; a workspace file "
                                     f"has at most {MAX_ENTRIES}.")
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise _damaged("an entry appears twice")
        by_name = {i.filename: i for i in infos}
        if MANIFEST not in by_name:
            raise WorkspaceFileError(f"This zip has no {MANIFEST}: it is not a Causal Canvas "
                                     "workspace file.")
        try:
            manifest_raw = _read_member(zf, by_name[MANIFEST], MAX_MANIFEST_BYTES,
                                        "workspace description")
            manifest = _parse_json(manifest_raw)
            ds = manifest.get("dataset") if isinstance(manifest, dict) else None
            data_name = ds.get("file") if isinstance(ds, dict) else None
            data = None
            if data_name is not None:
                if data_name != DATA or DATA not in by_name:
                    raise _damaged(f"the table {data_name!r} it refers to is missing")
                data = _read_member(zf, by_name[DATA], MAX_DATA_BYTES, "table", table=True)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                RuntimeError, ValueError, lzma.LZMAError):
            raise _damaged("an entry cannot be decompressed") from None
    return manifest, data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_json(raw: bytes) -> Any:
    """The manifest as JSON; NaN/Infinity and over-long integers count as damage, and lone
    surrogates ("\\ud800", which no page could show) become U+FFFD."""
    from app.data import without_surrogates

    try:
        return without_surrogates(json.loads(raw.decode("utf-8-sig"),
                                             parse_constant=_no_constant))
    except (UnicodeDecodeError, ValueError, RecursionError):   # JSONDecodeError is a ValueError
        raise _damaged("its description is not valid JSON") from None


def _upgrade_v0(doc: dict) -> dict:
    """Version 0 (pre-release export) → version 1: dagitty text becomes our JSON graph."""
    from app.io import parse_graph, write_graph

    text = doc.get("dagitty")
    if not isinstance(text, str):
        raise _damaged("the version-0 file has no graph text")
    graph = parse_graph(text, "dagitty")
    sample = doc.get("sample")
    dataset = None
    if isinstance(sample, str) and sample:
        dataset = {"kind": "sample", "name": sample, "fingerprint": f"sample-{sample}",
                   "rows": 0, "columns": 0, "file": None, "sha256": None}
    return {"format": FORMAT, "version": 1, "name": doc.get("name") or "Workspace",
            "saved_at": None, "graph": json.loads(write_graph(graph, "json")),
            "dataset": dataset, "var_types": doc.get("types") or {}, "settings": {},
            "page_state": {}, "omitted": []}


UPGRADES = {0: _upgrade_v0}   # version n → version n + 1


def _version_of(doc: Any) -> int:
    if isinstance(doc, dict) and doc.get("format") == FORMAT:
        version = doc.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version >= 1:
            return version
        raise _damaged("its format version is missing")
    if isinstance(doc, dict) and doc.get("causal_canvas") == 0:
        return 0
    raise WorkspaceFileError("This is not a Causal Canvas workspace file.",
                             hint=f"Workspace files end in {EXTENSION} and come from the "
                                  "'Download' button under My workspaces.")


def _mapping_of_str(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in value.items()):
        raise _damaged(f"{what} is not a list of names and values")
    return dict(value)


def read_workspace_file(raw: bytes) -> OpenedWorkspace:
    """Open a ``.ccw`` zip or a bare workspace.json of any known version (upgraded to current)."""
    if not isinstance(raw, (bytes, bytearray)):
        raise WorkspaceFileError("Expected the bytes of a workspace file.")
    if len(raw) > MAX_FILE_BYTES:
        raise WorkspaceFileError(f"The file is {human_size(len(raw))}; a workspace file can be "
                                 f"up to {human_size(MAX_FILE_BYTES)}.")
    raw = bytes(raw)
    if raw[:4] == b"PK\x03\x04" or raw[:4] == b"PK\x05\x06":
        doc, data_bytes = _open_zip(raw)
    elif raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        if len(raw) > MAX_MANIFEST_BYTES:
            raise WorkspaceFileError("This JSON file is too large to be a workspace description.")
        doc, data_bytes = _parse_json(raw), None
    else:
        raise WorkspaceFileError("This is not a Causal Canvas workspace file.",
                                 hint=f"Choose a {EXTENSION} file saved from Causal Canvas.")
    version = _version_of(doc)
    if version > VERSION:
        shown = f"version {version}" if version < 1_000_000 else "a version"
        raise WorkspaceFileError(
            f"This workspace was saved by a newer Causal Canvas (file format {shown}; "
            f"this app reads up to version {VERSION}).",
            hint="Update Causal Canvas to open it, or ask for a copy saved with this version.")
    try:
        for v in range(version, VERSION):
            doc = UPGRADES[v](doc)
        return _build(doc, data_bytes, version)
    except WorkspaceFileError:
        raise
    except CausalCanvasError as err:
        raise WorkspaceFileError(f"The workspace file holds a graph or table we cannot use: "
                                 f"{err.message}", hint=err.hint) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _damaged("its description is incomplete") from None


def _count(value: Any, what: str) -> int:
    """A row or column count from the manifest: a whole number from 0 to the table budget."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not \
            0 <= value <= settings.MAX_CELLS:
        raise _damaged(f"its dataset says it has {str(value)[:20]} {what}")
    return value


def _build(doc: dict, data_bytes: bytes | None, version: int) -> OpenedWorkspace:
    from app.io import parse_graph

    notes: list[str] = []
    if version < VERSION:
        notes.append(f"This file was saved in an older format (version {version}); it was "
                     "upgraded as it opened. Save it again to keep the new format.")
    name = clean_workspace_name(doc.get("name") or "Workspace")
    if not isinstance(doc.get("graph"), dict):
        raise _damaged("it has no graph")
    graph: CausalGraph = parse_graph(json.dumps(doc["graph"]), "json")
    var_types = _mapping_of_str(doc.get("var_types"), "the variable types")
    settings = doc.get("settings") or {}
    page_state = doc.get("page_state") or {}
    if not isinstance(settings, dict) or not isinstance(page_state, dict):
        raise _damaged("its settings are not a list of names and values")
    from app.models.options import check_settings

    settings = check_settings(settings)       # the model's options and edited tables
    omitted = doc.get("omitted") or []
    if omitted:
        notes.append("Some settings could not be saved in the file and start fresh: "
                     + ", ".join(map(str, omitted[:5])) + ("…" if len(omitted) > 5 else "") + ".")
    ds = doc.get("dataset")
    ref, data = None, None
    if ds is not None:
        if not isinstance(ds, dict) or ds.get("kind") not in ("sample", "upload") \
                or not isinstance(ds.get("name"), str):
            raise _damaged("its dataset reference is not readable")
        rows, columns = _count(ds.get("rows"), "rows"), _count(ds.get("columns"), "columns")
        if data_bytes is not None:
            expected = ds.get("sha256")
            if expected and hashlib.sha256(data_bytes).hexdigest() != expected:
                raise _damaged("the embedded table does not match its checksum")
            from app.data import load_data, with_types

            dataset = load_data(data_bytes, name=ds["name"], max_bytes=MAX_DATA_BYTES)
            misfits = []
            for col, vtype in var_types.items():
                try:
                    dataset = with_types(dataset, {col: vtype})
                except CausalCanvasError:
                    misfits.append(col)
            if misfits:
                notes.append("The saved variable type of " + ", ".join(misfits[:5]) +
                             " does not fit the table; it was inferred again.")
            data = dataset.df
            var_types = dict(dataset.types)
            ref = DatasetRef(kind=ds["kind"], name=ds["name"], fingerprint=dataset.fingerprint,
                             rows=dataset.rows, columns=dataset.columns)
        elif ds["kind"] == "sample":
            ref = DatasetRef(kind="sample", name=ds["name"],
                             fingerprint=str(ds.get("fingerprint") or f"sample-{ds['name']}"),
                             rows=rows, columns=columns)
        else:
            notes.append(f"The file refers to the uploaded table '{ds['name']}' but does not "
                         "contain it: upload it again on the Data page.")
    ws = Workspace(graph=graph, dataset=ref, var_types=var_types, settings=settings)
    saved_at = doc.get("saved_at") if isinstance(doc.get("saved_at"), str) else None
    return OpenedWorkspace(ws, data, name, version, saved_at, page_state, tuple(notes))


__all__ = ["FORMAT", "VERSION", "EXTENSION", "MIME", "OpenedWorkspace", "write_workspace_file",
           "read_workspace_file", "clean_workspace_name", "file_name", "human_size", "UPGRADES"]
