"""Presenter mode in Chromium: the same on every page (large type, no sidebar), left anywhere."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.e2e


def test_presenter_mode_hides_the_sidebar_on_any_page_and_its_button_brings_it_back(app_server, page):
    page.goto(app_server + "/intervene")
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]').first
    sidebar.wait_for(state="visible", timeout=30_000)
    page.get_by_text("Presenter mode").first.click()           # the sidebar's switch
    leave = page.get_by_role("button", name="Leave presenter mode")
    leave.wait_for(timeout=30_000)
    wait_for_app(page)
    sidebar.wait_for(state="hidden", timeout=10_000)
    size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert size == "20px", size
    page.screenshot(path=str(ARTIFACTS / "presenter-intervene.png"))
    leave.click()
    sidebar.wait_for(state="visible", timeout=30_000)
    wait_for_app(page)
    assert page.get_by_role("button", name="Leave presenter mode").count() == 0
