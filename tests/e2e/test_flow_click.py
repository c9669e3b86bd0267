"""Intervene page in Chromium: clicking a path's bar in 'Where the effect flows' selects that
path (the path box follows), and the section is drawn at a readable size (screenshot kept)."""
from __future__ import annotations

import pytest

from app import load_sample
from app.models import fit_model
from app.models.flow import path_effects
from app.workspace import encode_share
from tests.e2e.conftest import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.e2e
MARK = '[role="graphics-symbol"]'


def test_clicking_a_bar_selects_its_path(app_server, page):
    sample = load_sample("lalonde_nsw")
    g = sample.graph.set_role("treat", "exposure", on=False).set_role("age", "exposure")
    paths = path_effects(fit_model(g, sample.data, kind="linear"), "age", "re78").paths
    first, target = paths[0].text, paths[-1].text       # the default path, and another one
    assert first != target
    page.goto(f"{app_server}/intervene?g={encode_share(g, sample='lalonde_nsw')}")
    wait_for_app(page)
    page.get_by_text("Model", exact=True).first.click()
    page.get_by_text("linear", exact=True).first.click()
    wait_for_app(page)
    heading = page.get_by_text("Where the effect flows")
    heading.wait_for(timeout=60_000)
    heading.scroll_into_view_if_needed()
    bar = page.locator(f'{MARK}[aria-roledescription="bar"][aria-label*="{target}"]').last
    bar.wait_for(timeout=30_000)
    box = bar.bounding_box()        # the row's click band, whatever the bar's own width
    assert box and box["height"] >= 20 and box["width"] >= 100, box
    chosen = page.get_by_role("combobox", name="Path drawn on the graph")
    assert chosen.input_value() == first
    bar.click()
    wait_for_app(page)
    page.wait_for_function("([el, want]) => el.value === want", arg=[chosen.element_handle(), target],
                           timeout=30_000)
    page.get_by_text("Raising age by one unit").evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "intervene-flow.png"), full_page=True)
