"""The `causal-canvas` command (app.cli) and where the app finds its own files (app.resources).

The installed-wheel side of both is exercised end to end by tests/e2e/test_wheel.py.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import app
from app import cli, resources
from app.lessons.loader import CONTENT_DIR

ROOT = Path(__file__).resolve().parents[2]


def test_checkout_is_found_and_holds_every_resource():
    assert resources.checkout_root() == ROOT
    assert resources.sample_dir() == ROOT / "sample_data"
    assert resources.streamlit_script().is_file()
    assert resources.streamlit_config().is_file()


def test_streamlit_flags_carry_the_config_file(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[server]\nheadless = true\nmaxUploadSize = 200\n'
                      '[theme]\nprimaryColor = "#2563eb"\n', encoding="utf-8")
    assert cli.streamlit_flags(config) == ["--server.headless", "true",
                                           "--server.maxUploadSize", "200",
                                           "--theme.primaryColor", "#2563eb"]


def test_packaged_config_keeps_usage_stats_off_and_headless():
    flags = cli.streamlit_flags(resources.streamlit_config())
    pairs = dict(zip(flags[::2], flags[1::2]))
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--server.headless"] == "true"
    assert pairs["--server.enableXsrfProtection"] == "true"


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"causal-canvas {app.__version__}"


def test_report_bad_input_is_a_message_not_a_traceback(tmp_path, capsys):
    code = cli.main(["report", str(tmp_path / "missing.csv"), "--treatment", "a",
                     "--outcome", "b", "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "Traceback" not in err


def test_run_refuses_a_port_in_use(capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        code = cli.main(["run", "--port", str(s.getsockname()[1])])
    assert code == 2
    assert "already in use" in capsys.readouterr().err


def _lesson(folder: Path, name: str, source: str = "01_confounding_simpson") -> Path:
    dest = folder / name
    shutil.copytree(CONTENT_DIR / source, dest)
    return dest


def test_lessons_check_passes_a_good_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CAUSAL_CANVAS_LESSONS", raising=False)
    _lesson(tmp_path, "09_mine")
    assert cli.main(["lessons", "check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "ok    09_mine" in out and "1 lesson(s) ok, 0 with problems." in out


def test_lessons_check_names_file_and_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CAUSAL_CANVAS_LESSONS", raising=False)
    bad = _lesson(tmp_path, "10_broken")
    lines = (bad / "checker.py").read_text(encoding="utf-8").splitlines()
    lines.insert(3, "x = = 1")       # a syntax error on line 4
    (bad / "checker.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    front = _lesson(tmp_path, "11_front")
    (front / "lesson.md").write_text("---\ntitle: x\nsummary: [never closed\n---\nText\n",
                                     encoding="utf-8")
    (tmp_path / "Misnamed").mkdir()
    (tmp_path / "Misnamed" / "lesson.md").write_text("---\n---\n", encoding="utf-8")
    assert cli.main(["lessons", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{bad / 'checker.py'}:4: ") for line in out), out
    assert any(line.startswith(f"{front / 'lesson.md'}:3: ") for line in out), out
    assert any(line.startswith(f"{tmp_path / 'Misnamed'}: ") for line in out), out
    assert out[-1] == "0 lesson(s) ok, 3 with problems."


def test_lessons_check_an_empty_folder_fails(tmp_path, capsys):
    assert cli.main(["lessons", "check", str(tmp_path)]) == 1
    assert "no lesson folders" in capsys.readouterr().out
