"""The report in real headless Chromium: the HTML file renders offline (every section, every
figure drawn, no request anywhere), and the Report page runs the analysis and embeds it."""
from __future__ import annotations

import pytest

from app.report import make_report, render_html
from app.samples import load_sample
from tests.e2e.conftest import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.e2e

SECTION_IDS = ["summary", "data", "discovery", "graph", "implications", "identification",
               "estimation", "refutation", "sensitivity", "what-if", "assumptions", "reproduce"]


def test_report_file_renders_offline_with_every_section_and_figure(page):
    s = load_sample("lalonde_nsw")
    result = make_report(s.to_dataset(), "treat", "re78", graph=s.graph, bootstrap=5,
                         refutation_simulations=20)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "report-lalonde.html"
    path.write_text(render_html(result), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    for sid in SECTION_IDS:
        assert page.locator(f"section#{sid} h2").is_visible(), sid
    # every inline SVG is laid out with a real size (drawn, not an empty box)
    sizes = page.evaluate("""() => [...document.querySelectorAll('svg')].map(s => {
        const r = s.getBoundingClientRect(); return [r.width, r.height]; })""")
    assert len(sizes) >= 8 and all(w > 100 and h > 40 for w, h in sizes), sizes
    assert page.locator("svg.graph g.node").count() >= 20           # two graphs of 10 nodes
    assert "Verdict." in page.locator(".callout.verdict").inner_text()
    page.locator('nav.toc a[href="#sensitivity"]').click()          # contents links work
    assert page.evaluate("location.hash") == "#sensitivity"
    page.screenshot(path=str(ARTIFACTS / "report-lalonde.png"), full_page=True)
    assert all(u.startswith("file://") for u in page.cc_requests), page.cc_requests


def test_report_page_runs_and_embeds_the_report(app_server, page):
    page.goto(app_server + "/report")
    wait_for_app(page)
    slider = page.get_by_role("slider").first          # bootstrap resamples → 0 for speed
    slider.focus()
    slider.press("Home")
    wait_for_app(page)
    page.get_by_role("button", name="Run the analysis").click()
    frame = page.frame_locator("iframe").first
    frame.locator("section#reproduce").wait_for(timeout=240_000)
    wait_for_app(page)
    assert page.get_by_role("button", name="Download HTML").is_visible()
    assert page.get_by_role("button", name="Download Markdown").is_visible()
    assert "Effect of treatment on recovery" in frame.locator("p.subtitle").inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "report-page.png"), full_page=True)
