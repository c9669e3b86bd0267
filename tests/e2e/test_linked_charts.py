"""Estimate page in Chromium: the linked charts drive the numbers (click a bar, click a node).

Marks are found by the aria-label Vega gives each SVG mark, so the test clicks what a user sees.
"""
from __future__ import annotations

import pytest

from app import load_sample
from app.workspace import encode_share
from tests.e2e.conftest import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.e2e
MARK = '[role="graphics-symbol"]'


def open_estimate(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.get_by_text("No subgroup selected yet").wait_for(timeout=180_000)   # DoWhy loads once
    wait_for_app(page)


def test_clicking_the_small_stones_bars_estimates_that_subgroup(app_server, page):
    open_estimate(page, app_server + "/estimate")
    page.locator(f'{MARK}[aria-roledescription="bar"][aria-label^="stone_size: small"]').first.click()
    # Charig et al. (1986): 87 + 270 = 357 patients had small stones
    page.get_by_text("(n = 357)").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert page.get_by_text("No subgroup selected yet").count() == 0
    page.screenshot(path=str(ARTIFACTS / "estimate-subgroup.png"), full_page=True)


def test_clicking_a_node_on_the_map_makes_the_charts_follow_it(app_server, page):
    token = encode_share(load_sample("lalonde_nsw").graph, sample="lalonde_nsw")
    open_estimate(page, f"{app_server}/estimate?g={token}")
    # the map starts on the first adjustment variable (age); click another one
    target = "educ"
    node = page.locator(f'{MARK}[aria-label$="click to explore: {target}"]').first
    node.wait_for(timeout=30_000)
    node.click()
    # the covariate chart now plots the clicked variable and the map rings it
    page.locator(f'{MARK}[aria-roledescription="axis"][aria-label*="titled \'{target}\'"]').first.wait_for(
        timeout=30_000)
    wait_for_app(page)
    ring = page.locator(f'{MARK}[aria-label$="click to explore: {target}"]').first.get_attribute("aria-label")
    assert "ring: 3.5" in ring, ring
