"""A graph typed over another in the Graph text box is drawn in full (QA round 3).

Typing a ten-node graph over the bundled kidney-stones graph remounted the editor, which then
restored the old graph's view: eight of the ten new nodes were off the canvas. The editor now
fits a mostly new graph, and the new nodes are laid out afresh rather than stacked in a column.
"""
from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e

GRAPH = """age -> education_years -> income
age -> income
income -> hours_worked
commute_km -> hours_worked -> stress -> sleep_hours -> health
commute_km -> stress -> health
age -> health
income -> savings
hours_worked -> savings
health -> "<b>x</b>*y*"
"""
ED = "window.__ccDagEditor"
OFF_CANVAS = f"""() => {{ const net = {ED}.network, el = {ED}.netEl; const out = [];
  for (const id of net.body.nodeIndices) {{ const p = net.canvasToDOM(net.getPositions([id])[id]);
    if (p.x < 0 || p.y < 0 || p.x > el.clientWidth || p.y > el.clientHeight) out.push(id); }}
  return [net.body.nodeIndices.length, out, new Set(net.body.nodeIndices.map(
    (id) => Math.round(net.getPositions([id])[id].x))).size]; }}"""


def test_a_graph_typed_over_the_sample_is_drawn_whole_and_laid_out(app_server, page):
    page.goto(f"{app_server}/graph")
    wait_for_app(page)
    page.wait_for_function(f"() => {ED} && {ED}.ready && {ED}.root.dataset.ready", timeout=60_000)
    text = page.get_by_role("textbox", name="Graph text")
    text.fill(GRAPH)
    text.press("Control+Enter")
    page.wait_for_function(f"() => {ED} && {ED}.ready && {ED}.network.body.nodeIndices.length === 10",
                           timeout=60_000)
    wait_for_app(page)
    page.wait_for_timeout(800)
    n, outside, columns = page.evaluate(OFF_CANVAS)
    assert n == 10 and outside == [], outside
    assert columns >= 3                       # a layered layout, not one column of new nodes
