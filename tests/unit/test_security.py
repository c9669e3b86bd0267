"""Security settings and guarantees: CSV-injection-safe exports, Streamlit config, upload cap."""
from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import app
from app.data import safe_csv
from app.errors import DataError

ROOT = Path(__file__).resolve().parents[2]


def test_safe_csv_neutralises_spreadsheet_formulas_in_cells_and_headers():
    df = pd.DataFrame({"=HYPERLINK(\"http://x\")": ["=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3",
                                                    "@SUM(A1)", "\tx", "plain"],
                       "n": [1, -2, 3, 4, 5, 6]})
    back = pd.read_csv(io.StringIO(safe_csv(df)), keep_default_na=False)
    assert back.columns[0] == "'=HYPERLINK(\"http://x\")"
    assert list(back.iloc[:, 0]) == ["'=cmd|' /C calc'!A0", "'+SUM(A1)", "'-2+3", "'@SUM(A1)",
                                     "'\tx", "plain"]
    # numbers stay numbers: a negative number is not a formula
    assert list(back["n"]) == [1, -2, 3, 4, 5, 6]


def test_safe_csv_on_a_loaded_formula_file_has_no_cell_starting_with_a_formula_sign():
    ds = app.load_data((ROOT / "tests/corpus/tables/formula_cmd.csv").read_bytes())
    lines = safe_csv(ds.df).splitlines()
    cells = [c for line in lines for c in line.split(",")]
    assert not [c for c in cells if c.lstrip('"').startswith(("=", "+", "@"))]


def test_streamlit_config_is_locked_down():
    cfg = tomllib.loads((ROOT / ".streamlit/config.toml").read_text())
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["browser"]["gatherUsageStats"] is False
    assert isinstance(cfg["server"]["maxUploadSize"], int) and 0 < cfg["server"]["maxUploadSize"] <= 200
    assert cfg.get("client", {}).get("showErrorDetails") in ("none", False)


class _Spy(io.RawIOBase):
    """A file-like of `size` bytes that records how much was asked for and handed out."""

    def __init__(self, size: int) -> None:
        self.size_left = size
        self.handed_out = 0
        self.calls: list[int] = []

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        self.calls.append(n)
        take = self.size_left if n is None or n < 0 else min(n, self.size_left)
        self.size_left -= take
        self.handed_out += take
        return (b"a,b\n" + b"1,2\n" * (take // 4 + 1))[:take]


def test_upload_cap_is_enforced_before_reading_the_whole_file():
    cap = 1_000
    spy = _Spy(size=50_000_000)
    with pytest.raises(DataError, match="too big"):
        app.load_data(spy, name="big.csv", max_bytes=cap)
    assert spy.handed_out <= cap + 1, spy.calls


def test_upload_cap_uses_the_declared_size_of_an_uploaded_file():
    class Upload(io.BytesIO):
        size = 10_000_000
    up = Upload(b"a,b\n1,2\n")
    with pytest.raises(DataError, match="too big"):
        app.load_data(up, name="u.csv", max_bytes=1_000)


def test_default_upload_cap_matches_streamlit_setting():
    from app.data import DEFAULT_MAX_BYTES
    cfg = tomllib.loads((ROOT / ".streamlit/config.toml").read_text())
    assert DEFAULT_MAX_BYTES == cfg["server"]["maxUploadSize"] * 1024 * 1024


def test_no_unsafe_html_rendering_of_user_text_in_pages():
    """Pages never pass user text through unsafe_allow_html with an f-string (names are escaped)."""
    import ast
    bad = []
    for p in [*(ROOT / "pages").glob("*.py"), *(ROOT / "app/ui").glob("*.py")]:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            unsafe = any(k.arg == "unsafe_allow_html" and isinstance(k.value, ast.Constant)
                         and k.value.value is True for k in node.keywords)
            if unsafe and node.args and isinstance(node.args[0], ast.JoinedStr):
                src = ast.get_source_segment(p.read_text(encoding="utf-8"), node.args[0]) or ""
                if "escape" not in src:
                    bad.append(f"{p.name}:{node.lineno}")
    assert not bad, f"f-string HTML without escaping: {bad}"


def test_no_other_code_loading_deserialisers_in_app_or_pages():
    """Beyond test_layering's pickle/eval/exec rule: no marshal/shelve/dill/joblib/read_pickle,
    no yaml.load (only safe_load) and no builtin compile/__import__ on anything."""
    import ast
    banned_modules = {"marshal", "shelve", "dill", "joblib", "cloudpickle"}
    bad = []
    for p in [*(ROOT / "app").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                bad += [f"{p.name} imports {a.name}" for a in node.names
                        if a.name.split(".")[0] in banned_modules]
            elif isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.split(".")[0] in banned_modules:
                bad.append(f"{p.name} imports {node.module}")
            elif isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Name) and f.id in ("compile", "__import__"):
                    bad.append(f"{p.name}:{node.lineno} {f.id}")
                if isinstance(f, ast.Attribute) and f.attr in ("read_pickle", "load") and \
                        isinstance(f.value, ast.Name) and f.value.id in ("pd", "yaml", "np", "numpy"):
                    allow = f.attr == "load" and f.value.id in ("np", "numpy") and any(
                        k.arg == "allow_pickle" and isinstance(k.value, ast.Constant)
                        and k.value.value is False for k in node.keywords)
                    if not allow:
                        bad.append(f"{p.name}:{node.lineno} {f.value.id}.{f.attr}")
    assert not bad, bad
