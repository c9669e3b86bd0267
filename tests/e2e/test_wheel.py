"""The built wheel works outside the checkout: install it into a fresh venv in a temporary folder,
start `causal-canvas run` there, open Home, Graph and Intervene in Chromium with a sample, and
write a report with `causal-canvas report`.

Dependencies: the fresh venv gets only the wheel (pip --no-deps, no index). The already
installed stack (Streamlit, pgmpy, DoWhy, ... ~1 GB) is reached through a .pth file that lists the
project venv's site-packages: reinstalling it would cost minutes of CI and network. The isolation
that matters still holds: the venv's own site-packages comes first on sys.path and holds the only
`app` package (a directory named in a .pth file does not run the .pth files inside it, so the
project's editable install is not active), and nothing runs from the checkout or with it as the
working directory. The test checks both.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import site
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS, _free_port, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
# What setup.py packages: the sources the wheel is built from (tests, .git, .venv stay behind).
SOURCES = ["pyproject.toml", "setup.py", "README.md", "LICENSE", "streamlit_app.py", "app",
           "components", "pages", "sample_data", ".streamlit"]
SAMPLE = "smoking_tar_cancer"


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(HOME=str(tmp / "home"), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               CAUSAL_CANVAS_DATA_DIR=str(tmp / "data"))
    env.pop("CAUSAL_CANVAS_LESSONS", None)
    return env


def _sh(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 300
        ) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv, work folder, env): the wheel built from a copy of the sources, installed alone."""
    tmp = tmp_path_factory.mktemp("wheel")
    src, dist, venv, work = tmp / "src", tmp / "dist", tmp / "venv", tmp / "work"
    for d in (src, work, tmp / "home", tmp / "data"):
        d.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in SOURCES:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(
            ROOT / name, src / name, **({"ignore": ignore} if (ROOT / name).is_dir() else {}))
    started = time.monotonic()
    _sh([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(dist)], cwd=tmp)
    wheels = list(dist.glob("causal_canvas-*.whl"))
    assert len(wheels) == 1, wheels
    _sh([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    _sh([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--no-deps", "--no-index", "-q", str(wheels[0])], cwd=tmp)
    own = Path(_sh([str(venv / "bin" / "python"), "-c", "import sysconfig; "
                    "print(sysconfig.get_paths()['purelib'])"], cwd=work).stdout.strip())
    (own / "_project_stack.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    print(f"wheel built and installed in {time.monotonic() - started:.1f} s")
    return venv, work, _env(tmp)


def test_the_wheel_runs_from_its_own_files(installed):
    venv, work, env = installed
    probe = _sh([str(venv / "bin" / "python"), "-c", """
import app, components
from app import resources
from app.graph_html import vis_network_js
from app.samples import list_samples, load_sample
from app.timeseries.samples import SAMPLE_DIR as TS
print(app.__file__); print(components.__file__); print(resources.checkout_root())
print(resources.site_root()); print(len(list_samples())); print(TS)
print(load_sample("asia").graph.nodes.__len__()); print(len(vis_network_js()) > 100_000)
"""], cwd=work, env=env).stdout.splitlines()
    purelib = str(venv)
    assert probe[0].startswith(purelib) and probe[1].startswith(purelib), probe
    assert probe[2] == "None" and probe[3].startswith(purelib), probe
    assert int(probe[4]) >= 9 and probe[5].startswith(purelib), probe
    assert probe[6] == "8" and probe[7] == "True", probe
    cc = str(venv / "bin" / "causal-canvas")
    from app import __version__
    assert _sh([cc, "--version"], cwd=work, env=env).stdout.strip() == f"causal-canvas {__version__}"
    content = Path(probe[0]).parent / "lessons" / "content"
    out = _sh([cc, "lessons", "check", str(content)], cwd=work, env=env).stdout
    lessons = [d for d in content.iterdir() if (d / "lesson.md").exists()]
    assert out.strip().endswith(f"{len(lessons)} lesson(s) ok, 0 with problems."), out


def test_causal_canvas_report_on_a_sample(installed):
    venv, work, env = installed
    done = _sh([str(venv / "bin" / "causal-canvas"), "report", SAMPLE, "--treatment", "smoking",
                "--outcome", "cancer", "--graph", "sample", "--bootstrap", "0",
                "--refutations", "0", "-q"], cwd=work, env=env, timeout=180)
    assert f"Report: {SAMPLE}-report.html" in done.stdout
    html = (work / f"{SAMPLE}-report.html").read_text(encoding="utf-8")
    assert "<html" in html.lower() and "smoking" in html
    assert not re.search(r"""(src|href)\s*=\s*["']https?://""", html), "report links off-host"


@pytest.fixture(scope="module")
def wheel_server(installed):
    """`causal-canvas run` from the temporary folder; yields the URL it printed."""
    venv, work, env = installed
    port = _free_port()
    log_path = work / "run.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(venv / "bin" / "causal-canvas"), "run", "--port", str(port),
                                 "--data-dir", str(work / "store")], cwd=work, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wanted = f"Open http://127.0.0.1:{port} in your browser."
    deadline = time.monotonic() + 120
    while wanted not in log_path.read_text() and proc.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.3)
    text = log_path.read_text()
    if wanted not in text:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"causal-canvas run did not print its URL:\n{text[-3000:]}")
    yield f"http://127.0.0.1:{port}"
    proc.send_signal(signal.SIGTERM)   # the command stops its Streamlit server on SIGTERM
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)   # anything left of the group
    except ProcessLookupError:
        pass
    assert (work / "store").is_dir()


def _open_page(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0, title


def test_home_graph_intervene_in_chromium(wheel_server, page):
    from app.samples import load_sample

    page.goto(wheel_server)
    wait_for_app(page)
    page.get_by_role("heading", name="Sample datasets").wait_for(timeout=30_000)
    page.locator(f".st-key-home_load_{SAMPLE} button").click()
    wait_for_app(page)
    page.get_by_text("Loaded the sample “Smoking, tar and cancer”").wait_for(timeout=30_000)

    _open_page(page, "Graph")
    # The canvas is the packaged component drawing with the packaged vis-network.
    page.wait_for_function("() => window.__ccDagEditor && window.__ccDagEditor.ready"
                           " && window.__ccDagEditor.nodes.get().length > 0", timeout=30_000)
    names = page.evaluate("() => window.__ccDagEditor.nodes.get().map(n => n.label)")
    assert set(names) == set(load_sample(SAMPLE).graph.nodes)

    _open_page(page, "Intervene")
    page.get_by_role("heading", name="Intervene: seeing versus doing").wait_for(timeout=30_000)
    page.get_by_text("What mere observation suggests").wait_for(timeout=60_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wheel-intervene.png"), full_page=True)
