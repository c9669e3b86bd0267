"""Explain page in Chromium, on simulated data uploaded like a user would: the change is split
over the mechanisms, clicking a node's bar lights that node (the selectbox beside the chart
follows), and the unusual-row tab names the injected root cause. Screenshots kept."""
from __future__ import annotations

import pytest

from app.workspace import encode_share
from tests.e2e.conftest import ARTIFACTS, wait_for_app
from tests.ui.test_explain_page import SHOP, shop_csv

pytestmark = pytest.mark.e2e
MARK = '[role="graphics-symbol"]'


def _settled(page) -> None:
    page.wait_for_function("""() => !['running', 'rerunRequested'].includes(document
        .querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state'))""",
                           timeout=60_000)
    wait_for_app(page)


def _go(page, slug: str) -> None:
    before = page.evaluate("() => document.querySelector('h1')?.innerText || ''")
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{slug}"]').first.click()
    page.wait_for_function("t => (document.querySelector('h1')?.innerText || '') !== t",
                           arg=before, timeout=30_000)
    _settled(page)


def test_explain_on_uploaded_data_and_a_click_lights_the_node(app_server, page):
    page.goto(f"{app_server}/?g={encode_share(SHOP)}")
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("graph: 5 nodes").wait_for(timeout=60_000)
    _settled(page)
    _go(page, "data")
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(
        {"name": "shop.csv", "mimeType": "text/csv", "buffer": shop_csv()})
    wait_for_app(page)
    page.get_by_text("600 rows × 6 columns").first.wait_for(timeout=30_000)
    _go(page, "explain")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Most of it comes from").first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    text = main.inner_text()
    assert "The mean of sales went from" in text and "the change in the mechanism of ads" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 2600})   # Streamlit scrolls inside: show all
    _settled(page)
    page.screenshot(path=str(ARTIFACTS / "explain-change.png"), full_page=True)

    tab = page.locator('[role="tabpanel"]').first          # "Why did it change?"
    chosen = tab.get_by_role("combobox", name="Node lit up on the graph")
    assert chosen.input_value() == "ads"
    bar = tab.locator(f'{MARK}[aria-roledescription="bar"][aria-label*="node: price"]').last
    bar.wait_for(timeout=30_000)
    bar.scroll_into_view_if_needed()
    bar.click()
    wait_for_app(page)
    for _ in range(60):                       # the box is redrawn by the rerun: poll it
        if chosen.input_value() == "price":
            break
        page.wait_for_timeout(500)
    assert chosen.input_value() == "price"
    page.screenshot(path=str(ARTIFACTS / "explain-clicked.png"), full_page=True)

    page.get_by_role("tab", name="Why is this row unusual?").click()
    main.get_by_text("Row 7: sales = ").first.wait_for(timeout=30_000)
    text = main.inner_text()
    assert "noise of price" in text.lower()
    page.screenshot(path=str(ARTIFACTS / "explain-row.png"), full_page=True)
