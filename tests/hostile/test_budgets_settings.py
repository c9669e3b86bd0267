"""One settings module holds every limit and environment variable; the README documents them."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from app import settings

ROOT = Path(__file__).resolve().parents[2]


def _names(prefix: str = "") -> list[str]:
    return [n for n in vars(settings) if n.isupper() and n.startswith(prefix)]


def test_no_module_reads_the_environment_except_settings():
    readers = []
    for path in (ROOT / "app").rglob("*.py"):
        if path.name == "settings.py" and path.parent.name == "app":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"os\.environ|os\.getenv|getenv\(", text):
            readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_every_limit_and_variable_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    limits = readme.split("## Limits", 1)[1].split("\n## ", 1)[0]
    missing = [n for n in _names() if not n.startswith("ENV_") and f"`{n}`" not in limits]
    assert missing == []
    variables = [getattr(settings, n) for n in _names("ENV_")]
    project_vars = [v for v in variables if v.startswith("CAUSAL_CANVAS_")]
    assert [v for v in project_vars if f"`{v}`" not in readme] == []


def test_upload_cap_matches_streamlit_config():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings.MAX_UPLOAD_BYTES == cfg["server"]["maxUploadSize"] * 1024 * 1024


def test_old_names_still_import_from_their_modules():
    from app.data import CATEGORICAL_LIMIT, DEFAULT_MAX_BYTES, DEFAULT_MAX_COLUMNS
    from app.discovery.bootstrap import ENV_VAR as EXECUTOR
    from app.lessons.loader import ENV_VAR as LESSONS
    from app.store.engine import ENV_URL
    from app.workspace_file import MAX_DATA_BYTES

    assert (DEFAULT_MAX_BYTES, DEFAULT_MAX_COLUMNS, CATEGORICAL_LIMIT) == (
        settings.MAX_UPLOAD_BYTES, settings.MAX_COLUMNS, settings.MAX_CATEGORIES)
    assert (EXECUTOR, LESSONS, ENV_URL) == (
        settings.ENV_EXECUTOR, settings.ENV_LESSONS, settings.ENV_DB_URL)
    assert MAX_DATA_BYTES == settings.MAX_WORKSPACE_DATA_BYTES


def test_env_reads_at_call_time(monkeypatch):
    monkeypatch.setenv(settings.ENV_EXECUTOR, "  dask ")
    assert settings.env(settings.ENV_EXECUTOR) == "dask"
    monkeypatch.setenv(settings.ENV_EXECUTOR, "   ")
    assert settings.env(settings.ENV_EXECUTOR, "local") == "local"
