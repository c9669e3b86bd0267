"""Analyse page in Chromium on a graph typed for this test (not a bundled sample): the path
colouring toggle, the equivalence class grid and the Markov blanket view draw and explain."""
from __future__ import annotations

import pytest

from app import parse_graph
from app.workspace import encode_share
from tests.e2e.conftest import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.e2e

GRAPH = """dag {
  ability [latent, pos="1,-1"]
  parent_edu [pos="0,-1"]
  region [pos="2,-1"]
  school [exposure, pos="0,0"]
  skills [pos="1,0"]
  income [outcome, pos="2,0"]
  job_type [pos="1,1"]
  health [pos="2,1"]
  parent_edu -> school
  parent_edu -> ability -> school
  ability -> income
  region -> school
  region -> income
  school -> skills -> income
  school -> job_type <- health
  health -> income
  job_type -> income
}"""


def test_colouring_equivalence_and_blanket_views(app_server, page):
    page.goto(f"{app_server}/analyse?g={encode_share(parse_graph(GRAPH))}")
    wait_for_app(page)
    page.get_by_text("Colour every causal and biasing path").click()
    wait_for_app(page)
    legends = page.locator(".cc-view-legend")
    page.get_by_text("biasing path (open, non-causal)").first.wait_for(timeout=30_000)
    assert "causal path" in legends.first.text_content()
    page.get_by_text("2 open causal path(s) (green) carry the effect; 3 open non-causal").wait_for(
        timeout=30_000)

    page.get_by_role("tab", name="Equivalence class").click()
    wait_for_app(page)
    page.get_by_text("Members 1–2 of 2").wait_for(timeout=30_000)
    page.get_by_text("Member 2: 1 arrow(s) reversed (orange)").wait_for(timeout=30_000)
    panel = page.get_by_role("tabpanel", name="Equivalence class")
    drawn = panel.locator("canvas")          # the CPDAG and both members (locators pierce
    for _ in range(60):                      # the components' shadow roots)
        if drawn.count() >= 3:
            break
        page.wait_for_timeout(500)
    assert drawn.count() >= 3

    page.get_by_role("tab", name="Blanket, moral & ancestral graphs").click()
    wait_for_app(page)
    page.get_by_text("is independent of every other node in the graph").wait_for(timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "analyse-views.png"), full_page=True)
    assert not page.cc_dialogs
