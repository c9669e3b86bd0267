"""Real headless Chromium: every page works offline, and a hostile node name never runs as code.

The `page` fixture (tests/e2e/conftest.py) records every request and every JS dialog: it fails
the test if a request leaves localhost or if any dialog (alert/confirm/prompt) opens.
"""
from __future__ import annotations

import pytest

from app.graph import CausalGraph
from app.workspace import encode_share
from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"


def _nav_hrefs(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=30_000)
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def _visit_every_page_in_session(page, on_page=None) -> list[str]:
    """Click each sidebar link in turn (same session, so the workspace stays loaded)."""
    hrefs = _nav_hrefs(page)
    assert len(hrefs) >= 8, hrefs
    for href in hrefs:
        page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').first.click()
        wait_for_app(page)
        assert page.locator('[data-testid="stException"]').count() == 0, href
        if on_page:
            on_page(href)
    return hrefs


def _injected_images(page) -> int:
    """<img src="x"> elements in the main document and every same-origin frame."""
    total = 0
    for frame in page.frames:
        try:
            total += frame.locator('img[src="x"]').count()
        except Exception:  # noqa: BLE001 - a frame that navigated away while we counted
            pass
    return total


def test_every_page_with_a_sample_loaded_makes_only_local_requests(app_server, page):
    page.goto(app_server)
    wait_for_app(page)
    page.get_by_text("kidney_stones").first.wait_for(timeout=30_000)
    _visit_every_page_in_session(page)
    assert page.cc_requests, "the recorder saw no requests at all"
    # (the fixture asserts on teardown that none of page.cc_requests left localhost)


def test_hostile_node_name_from_a_share_link_never_runs_on_any_page(app_server, page):
    graph = CausalGraph.from_edges([("stone_size", "treatment"), ("stone_size", "recovery"),
                                    ("treatment", "recovery"), (XSS, "recovery")])
    token = encode_share(graph, sample="kidney_stones")
    page.goto(f"{app_server}/?g={token}")
    wait_for_app(page)
    seen_name = []

    def check(href: str) -> None:
        assert _injected_images(page) == 0, f"an injected <img> appeared on {href}"
        assert not page.cc_dialogs, f"a dialog opened on {href}: {page.cc_dialogs}"
        if href.rstrip("/").endswith("/graph"):
            seen_name.append(XSS in page.locator("textarea").first.input_value())

    _visit_every_page_in_session(page, check)
    assert seen_name == [True], "the share link's hostile name never reached the Graph page"
    page.wait_for_timeout(500)  # give any late onerror handler a chance to fire
    assert not page.cc_dialogs


def test_read_only_views_draw_without_iframes_and_show_a_hostile_name_as_text(app_server, page):
    """The Analyse page's views are the shared components-v2 view (no 470 KB iframe each);
    the hostile name's tooltip is plain text."""
    graph = CausalGraph.from_edges([("Z", "X"), ("Z", "Y"), ("X", "Y"), (XSS, "Y")])
    page.goto(f"{app_server}/analyse?g={encode_share(graph)}")
    wait_for_app(page)
    view = page.locator('.cc-view[data-drawn="4"]').first     # (locators enter shadow roots)
    view.wait_for(timeout=30_000)
    assert page.locator("iframe").count() == 0
    where = view.evaluate("""(el, name) => {
        const v = el.parentNode.__ccGraphView, net = v.network;
        const node = v.nodes.get().find((n) => n.label === name);
        const p = net.canvasToDOM(net.getPosition(node.id)), r = v.net.getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y};
    }""", XSS)
    page.mouse.move(where["x"] - 30, where["y"] - 30)
    page.mouse.move(where["x"], where["y"], steps=5)
    tip = page.locator("div.vis-tooltip").first
    for _ in range(50):
        if tip.count() and tip.evaluate("t => t.style.visibility") == "visible":
            break
        page.wait_for_timeout(200)
    assert tip.text_content().startswith(XSS), tip.text_content()
    assert _injected_images(page) == 0 and not page.cc_dialogs
