"""Build hostile input files at test time (small on disk, huge once expanded); nothing committed.

Each builder returns bytes or text. Sizes are parameters so a test can build the real bomb (to
show it is refused quickly) or a small one with the limit lowered (to show the check exists).
"""
from __future__ import annotations

import io
import json
import zipfile

MANIFEST = "workspace.json"


def parquet_rows(rows: int, columns: int = 2, row_group: int = 50_000_000) -> bytes:
    """A Parquet file of `rows` × `columns` nulls: under 1 MB for 300 M rows (issue 23)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({f"c{i}": pa.nulls(rows) for i in range(columns)})
    buf = io.BytesIO()
    pq.write_table(table, buf, row_group_size=row_group)
    return buf.getvalue()


def parquet_with_column(kind: str, rows: int = 5) -> bytes:
    """A Parquet file with one plain column and one `kind` column: list, struct, map, binary."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    odd = {
        "list": pa.array([[1, 2]] * rows, type=pa.list_(pa.int64())),
        "struct": pa.array([{"a": 1, "b": "x"}] * rows),
        "map": pa.array([[("k", 1)]] * rows, type=pa.map_(pa.string(), pa.int64())),
        "binary": pa.array([b"\x00\x01"] * rows, type=pa.binary()),
    }[kind]
    table = pa.table({"x": pa.array(range(rows)), "odd": odd})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def zip_members(members: dict[str, bytes | str]) -> bytes:
    """A deflated zip with these members (text is UTF-8 encoded)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body.encode("utf-8") if isinstance(body, str) else body)
    return buf.getvalue()


def manifest(**dataset) -> str:
    """A version-1 workspace.json with an empty graph; `dataset` fields override a sample ref."""
    ds = {"kind": "sample", "name": "kidney_stones", "fingerprint": "f", "rows": 700,
          "columns": 3, "file": None, "sha256": None, **dataset}
    return json.dumps({"format": "causal-canvas-workspace", "version": 1, "name": "w",
                       "graph": {"nodes": [], "edges": []}, "dataset": ds})


def ccw_with_csv(uncompressed: int, line: bytes = b"0,0\n") -> bytes:
    """A .ccw whose data.csv inflates to about `uncompressed` bytes; built streaming."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(MANIFEST, manifest(kind="upload", name="bomb.csv", file="data.csv"))
        chunk = b"a,b\n" + line * ((1 << 20) // len(line))
        with zf.open("data.csv", "w", force_zip64=True) as fh:
            written = 0
            while written < uncompressed:
                fh.write(chunk)
                written += len(chunk)
                chunk = line * ((1 << 20) // len(line))
    return buf.getvalue()


def with_zip_method(raw: bytes, method: int) -> bytes:
    """The zip with every member's compression method field rewritten to `method` (e.g. 98)."""
    out = bytearray(raw)
    for sig, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = out.find(sig)
        while at != -1:
            out[at + offset:at + offset + 2] = method.to_bytes(2, "little")
            at = out.find(sig, at + 4)
    return bytes(out)


def yaml_alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The 'billion laughs' in YAML: a few KB of anchors that expand to width**levels items."""
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines.append(f"title: *a{levels}")
    return "\n".join(lines) + "\n"


def lesson(front: str, body: str = "Some text.\n") -> str:
    """A lesson.md with this YAML front matter and body."""
    return f"---\n{front.rstrip()}\n---\n{body}"
