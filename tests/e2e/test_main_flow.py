"""Main flow in real headless Chromium: open the app, type a DAG on the Graph page, see it drawn."""
import pytest

from tests.e2e.conftest import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.e2e


def test_type_a_dag_and_see_it_drawn(app_server, page):
    page.goto(app_server + "/graph")
    wait_for_app(page)
    box = page.get_by_role("textbox", name="Graph text")
    box.fill("dag {\n  Smoking [exposure]\n  Cancer [outcome]\n  Smoking -> Tar -> Cancer\n"
             "  Smoking <-> Cancer\n  \"<img src=x onerror=alert(1)>\" -> Tar\n}")
    box.press("Control+Enter")
    wait_for_app(page)
    page.get_by_text("4 nodes, 3 directed and 1 bidirected edges").wait_for(timeout=30_000)
    # The canvas (components/dag_editor) exposes its state for tests once it has drawn.
    page.wait_for_function("() => window.__ccDagEditor && window.__ccDagEditor.ready"
                           " && window.__ccDagEditor.summary().nodes.length === 4", timeout=30_000)
    names = page.evaluate("() => window.__ccDagEditor.nodes.get().map(n => n.label)")
    assert set(names) == {"Smoking", "Cancer", "Tar", "<img src=x onerror=alert(1)>"}
    legend = page.evaluate("() => window.__ccDagEditor.legendEl.textContent")
    assert "exposure" in legend and "outcome" in legend and "latent common cause" in legend
    assert page.locator('img[src="x"]').count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "graph-page.png"), full_page=True)
    # Undo in the sidebar brings back the sample's graph text; Redo restores the typed one.
    page.get_by_role("button", name="↶ Undo").click()
    wait_for_app(page)
    page.wait_for_function("() => !document.querySelector('textarea').value.includes('Smoking')",
                           timeout=30_000)
    page.get_by_role("button", name="↷ Redo").click()
    wait_for_app(page)
    page.wait_for_function("() => document.querySelector('textarea').value.includes('Smoking')",
                           timeout=30_000)
    assert not page.cc_dialogs


def test_every_page_opens_without_error(app_server, page):
    page.goto(app_server)
    wait_for_app(page)
    links = page.locator('[data-testid="stSidebarNav"] a')
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 3
    for href in hrefs:
        page.goto(href if href.startswith("http") else app_server + href)
        wait_for_app(page)
        assert page.locator('[data-testid="stException"]').count() == 0, href
    page.screenshot(path=str(ARTIFACTS / "last-page.png"), full_page=True)
