"""Names that are Markdown or HTML never make the browser fetch anything (issue 23, item 3).

A node, column and dataset named `![t](http://198.51.100.7/x.png)` used to become an <img> the
browser requested, through captions, headlines, labels and error messages. Here one session
opens a share link with such nodes, uploads a CSV whose columns are such names, walks every page,
types a cycle through such a node, runs the Report, and opens a `.ccw` workspace file whose
dataset has such a name. The `page` fixture (tests/e2e/conftest.py) fails the test if any
request leaves localhost; each step also checks that the name is shown as the literal text.
198.51.100.0/24 is TEST-NET-2 (RFC 5737): it never answers, so only the attempt is recorded.
"""
from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from app.data import load_data
from app.graph import CausalGraph
from app.markup import WORD_JOINER
from app.workspace import DatasetRef, Workspace, encode_share
from app.workspace_file import write_workspace_file
from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e

IMG = "![t](http://198.51.100.7/x.png)"
HTML = "<img src=http://198.51.100.7/y.png>"
LINK = "[link](http://198.51.100.7/)"
OUTCOME = "y"
# A file name cannot hold "/": as Markdown this one is an <img> (src "http:198.51.100.7", which
# the browser resolves on this host), caught by the markup check; the .ccw's dataset name below
# is a full off-host URL.
FILE_NAME = "![d](http:198.51.100.7) .csv"


def _table() -> pd.DataFrame:
    """300 rows: HTML confounds IMG (a 0/1 treatment) and y; LINK also causes y."""
    rng = np.random.default_rng(23)
    c = rng.normal(size=300)
    t = (c + rng.normal(size=300) > 0).astype(int)
    link = rng.normal(size=300)
    y = 1.5 * t + c + 0.5 * link + rng.normal(size=300)
    return pd.DataFrame({IMG: t, HTML: c, LINK: link, OUTCOME: y})


def _graph() -> CausalGraph:
    g = CausalGraph.from_edges([(HTML, IMG), (HTML, OUTCOME), (IMG, OUTCOME), (LINK, OUTCOME)])
    return g.set_role(IMG, "exposure").set_role(OUTCOME, "outcome")


def _csv() -> bytes:
    return _table().to_csv(index=False).encode("utf-8")


def _ccw() -> bytes:
    """A workspace file whose embedded table and dataset name are hostile."""
    ds = load_data(_csv(), name=IMG)
    ref = DatasetRef(kind="upload", name=IMG, fingerprint=ds.fingerprint, rows=ds.rows,
                     columns=ds.columns)
    return write_workspace_file(Workspace(graph=_graph(), dataset=ref, var_types=dict(ds.types)),
                                ds.df, name=LINK)


def _shown(page, where: str = '[data-testid="stMain"]') -> str:
    """The text on screen (app.markup puts an invisible word joiner into URL prefixes)."""
    return page.locator(where).first.inner_text().replace(WORD_JOINER, "")


def _no_injected_markup(page, where: str) -> None:
    """No <img> or link to the test host anywhere in the document (the fixture checks requests)."""
    bad = page.evaluate("""() => [...document.querySelectorAll('img[src], a[href]')]
        .filter(e => (e.getAttribute('src') || e.getAttribute('href')).includes('198.51.100.7'))
        .map(e => e.outerHTML)""")
    assert not bad, f"markup from a name on {where}: {bad}"
    assert page.locator('[data-testid="stException"]').count() == 0, where


def _follow(page, link) -> None:
    """Click a sidebar link (same session, so the workspace stays) and wait until the new page
    has drawn its title and finished running."""
    before = page.evaluate("() => document.querySelector('h1')?.innerText || ''")
    link.click()
    page.wait_for_function("t => (document.querySelector('h1')?.innerText || '') !== t", arg=before,
                           timeout=30_000)
    _settled(page)


def _settled(page) -> None:
    """Wait until the script run has finished (Streamlit marks the app element)."""
    page.wait_for_function("""() => !['running', 'rerunRequested'].includes(document
        .querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state'))""",
                           timeout=60_000)
    wait_for_app(page)


def _go(page, slug: str) -> None:
    _follow(page, page.locator(f'[data-testid="stSidebarNav"] a[href$="/{slug}"]').first)


def test_hostile_names_are_shown_literally_and_fetch_nothing(app_server, page):
    started = time.monotonic()
    page.goto(f"{app_server}/?g={encode_share(_graph())}")
    wait_for_app(page)
    # a fresh server's first run switches to our navigation and reruns: wait for the graph
    page.locator('[data-testid="stSidebar"]').get_by_text("graph: 4 nodes, 4 edges").wait_for(
        timeout=60_000)
    _settled(page)
    _no_injected_markup(page, "the share link")

    # 1. upload the CSV: its file name is the dataset name, its columns are the hostile names
    _go(page, "data")
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(
        {"name": FILE_NAME, "mimeType": "text/csv", "buffer": _csv()})
    wait_for_app(page)
    page.get_by_text("300 rows × 4 columns").first.wait_for(timeout=30_000)
    assert FILE_NAME in _shown(page)          # the subheader shows the file name as text
    _no_injected_markup(page, "the Data page")

    # 2. every page, with the hostile graph and table loaded
    hrefs = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stSidebarNav"] a')].map(a => a.getAttribute('href'))""")
    assert len(hrefs) >= 8, hrefs
    for href in [h for h in hrefs if not h.rstrip("/").endswith("/data")]:   # Data: seen above
        _follow(page, page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').first)
        _no_injected_markup(page, href)
        if href.rstrip("/").endswith(("/analyse", "/estimate")):    # sentences name X and Y
            assert IMG in _shown(page), href

    # 3. a cycle typed through a hostile node: the error names it, as text
    _go(page, "graph")
    box = page.get_by_role("textbox", name="Graph text")
    box.fill(f'dag {{\n  "{HTML}" -> "{IMG}" -> y\n  y -> "{HTML}"\n}}')
    box.press("Control+Enter")
    wait_for_app(page)
    alert = page.locator('[data-testid="stAlertContentError"]').first
    alert.wait_for(timeout=30_000)
    message = alert.inner_text().replace(WORD_JOINER, "")
    assert "cycle" in message and IMG in message and HTML in message, message
    _no_injected_markup(page, "the cycle error")

    # 4. the Report on the hostile table: verdict, headline and the HTML report
    _go(page, "report")
    boot = page.locator('[data-testid="stSlider"]').first.get_by_role("slider")
    boot.focus()
    boot.press("Home")                           # no bootstrap, no refutations: stays fast
    wait_for_app(page)
    page.get_by_text("More settings").click()
    for attempt in range(4):     # a rerun can close the list as it opens: open it again
        page.get_by_role("combobox", name="Refutation re-estimates").click()
        try:
            page.get_by_role("option", name="skip refutations").click(timeout=8_000)
            break
        except PlaywrightTimeout:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)
    wait_for_app(page)
    page.get_by_role("button", name="Run the analysis").click()
    page.get_by_role("button", name="Download Markdown").wait_for(timeout=80_000)
    wait_for_app(page)
    assert IMG in _shown(page)                   # the verdict and headline name the treatment
    _no_injected_markup(page, "the Report page")
    for frame in page.frames:                    # the report itself (an iframe)
        if frame != page.main_frame:
            assert not frame.locator('img, [src*="198.51.100.7"]').count(), "report markup"

    # 5. a .ccw workspace file whose dataset is named like an image
    _go(page, "classroom")
    page.get_by_role("tab", name="My workspaces").click()
    page.locator('[data-testid="stFileUploader"] input[type=file]').last.set_input_files(
        {"name": "hostile.ccw", "mimeType": "application/zip", "buffer": _ccw()})
    wait_for_app(page)
    page.get_by_role("button", name="Open this file").click()
    wait_for_app(page)
    _no_injected_markup(page, "the opened workspace file")
    sidebar = _shown(page, '[data-testid="stSidebar"]')
    assert IMG in sidebar, sidebar                # the workspace summary names the dataset
    _go(page, "data")
    assert re.search(re.escape(IMG) + r" · 300 rows", _shown(page))
    _no_injected_markup(page, "the Data page after the workspace file")
    page.wait_for_timeout(300)     # any late image load would be recorded before teardown
    print(f"hostile-names walk: {time.monotonic() - started:.0f} s")
