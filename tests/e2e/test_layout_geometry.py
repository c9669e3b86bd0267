"""Readable drawings, measured on the rendered canvas (issue 17, item 4).

For every bundled sample, each layout the editor offers (saved positions, Top-down, Force) and
the time-series lagged graph, the real editor.js and view.js draw the graph with the vendored
vis-network in Chromium; the node boxes, edge curves (vis-network's own control points) and
edge-label boxes are read back from the network and checked with app.layout_check: no two nodes
or labels overlap and no edge passes through a node that is not one of its ends. The same runs
in presenter mode, whose labels must come out larger on screen. A last test walks the real app.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path

import numpy as np
import pytest

from app.drawing import network_data
from app.editor import apply_event
from app.graph import CausalGraph
from app.layout_check import EdgeCurve, LabelBox, NodeBox, check_layout, via_point
from app.samples import SAMPLE_NAMES, load_sample
from app.timeseries import TimeSeriesLink, TimeSeriesResult
from app.timeseries.samples import load_series_sample
from app.workspace import encode_share
from components.dag_editor import editor_payload
from components.dag_editor.view import view_payload
from tests.e2e.conftest import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.e2e

FRONTEND = Path(__file__).resolve().parents[2] / "components" / "dag_editor" / "frontend"
ORIGIN = "http://localhost:9"          # served by page.route below: nothing leaves the browser
ASSETS = {"module_url": f"{ORIGIN}/editor.js", "css_url": f"{ORIGIN}/editor.css",
          "view_url": f"{ORIGIN}/view.js", "vis_url": f"{ORIGIN}/vendor/vis-network.min.js"}
HARNESS = """<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0;font:14px system-ui,sans-serif"><div id="host" style="width:870px"></div>
<script type="module">
import mountView from "/view.js";
import mountEditor from "/editor.js";
let cleanup = null;
let current = null;
// one element per kind and width, drawn again with each new graph (as Streamlit does)
window.ccMount = (kind, data, width) => {
  const host = document.getElementById("host");
  if (current !== `${kind}/${width}`) {
    if (cleanup) cleanup();
    host.style.width = `${width}px`;
    host.replaceChildren();
    window.ccElement = document.createElement("div");
    host.appendChild(window.ccElement);
    current = `${kind}/${width}`;
  }
  cleanup = (kind === "view" ? mountView : mountEditor)({ data, parentElement: window.ccElement, setTriggerValue() {} });
};
window.ccReady = true;
</script></body></html>"""

# What the browser reports: node boxes, each edge's control point (null when straight) and the
# box of each edge label, all in canvas coordinates; plus the zoom, for on-screen sizes.
READ_GEOMETRY = """async () => {
  const el = window.ccElement;
  const net = (el.__ccGraphView && el.__ccGraphView.network) || (el.__ccDagEditor && el.__ccDagEditor.network);
  if (!net) return null;
  await new Promise((r) => { net.once("afterDrawing", r); net.redraw(); });
  const nodes = net.body.nodeIndices.map((id) => {
    const n = net.body.nodes[id]; const b = net.getBoundingBox(id);
    return { id: String(id), x: n.x, y: n.y, w: b.right - b.left, h: b.bottom - b.top,
             shape: n.options.shape, font: n.options.font.size };
  });
  const edges = net.body.edgeIndices.map((id) => {
    const e = net.body.edges[id]; const s = e.options.smooth;
    const v = s && s.enabled ? e.edgeType.getViaNode() : null;
    const lab = e.labelModule && e.labelModule.elementOptions.label ? e.labelModule.size : null;
    return { from: String(e.fromId), to: String(e.toId), via: v ? [v.x, v.y] : null,
             smooth: s && s.enabled ? { type: s.type, roundness: s.roundness } : null,
             label: lab ? [lab.left + lab.width / 2, lab.top + lab.height / 2, lab.width, lab.height] : null };
  });
  const widths = net.body.edgeIndices.map((id) => net.body.edges[id].options.width);
  return { nodes, edges, scale: net.getScale(), edge_width: Math.min(...widths) };
}"""


def _serve(route):
    path = route.request.url[len(ORIGIN):].split("?")[0]
    if path in ("/", "/harness.html"):
        route.fulfill(status=200, content_type="text/html", body=HARNESS)
        return
    file = (FRONTEND / path.lstrip("/")).resolve()
    if FRONTEND not in file.parents or not file.is_file():
        route.fulfill(status=404, body="")
        return
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    route.fulfill(status=200, content_type=kind, body=file.read_bytes())


def check_rendered(geo: dict) -> tuple[list[str], float]:
    """The layout_check problems of a rendered drawing, and the largest gap between
    vis-network's control points and app.layout_check.via_point (our model of them)."""
    nodes = [NodeBox(n["id"], n["x"], n["y"], n["w"], n["h"],
                     "box" if n["shape"] == "box" else "ellipse") for n in geo["nodes"]]
    where = {n.name: (n.x, n.y) for n in nodes}
    edges, labels, model_gap = [], [], 0.0
    for i, e in enumerate(geo["edges"]):
        via = tuple(e["via"]) if e["via"] else None
        edges.append(EdgeCurve(e["from"], e["to"], via))
        if via:
            ours = via_point(where[e["from"]], where[e["to"]], {"enabled": True, **e["smooth"]})
            model_gap = max(model_gap, float(np.hypot(ours[0] - via[0], ours[1] - via[1])))
        if e["label"]:
            labels.append(LabelBox(f"edge{i}", *e["label"]))
    return [str(p) for p in check_layout(nodes, edges, labels).problems], model_gap


def _lagged_graphs():
    """The lagged graph of ts_simulated's known links, present-only and repeated."""
    s = load_series_sample("ts_simulated")
    variables = tuple(dict.fromkeys(a for a, _, _ in s.links))
    links = [TimeSeriesLink(a, b, lag, round(0.25 + 0.05 * i, 2), 0.001)
             for i, (a, b, lag) in enumerate(s.links)]
    n, max_lag = len(variables), max(lag for _, _, lag in s.links)
    strengths = np.zeros((n, n, max_lag + 1))
    for lk in links:
        strengths[variables.index(lk.source), variables.index(lk.target), lk.lag] = lk.strength
    res = TimeSeriesResult(variables=variables, links=tuple(links), method="pcmci",
                           test="parcorr", max_lag=max_lag, alpha=0.05, n_steps=500,
                           time_column="t", strengths=strengths,
                           p_values=np.full((n, n, max_lag + 1), 0.5), frequencies=None)
    return [res.lagged_graph(), res.lagged_graph(repeat=True)]


def _layouts(g):
    """The graph as each layout choice of the editor leaves it (the reducer's own layout)."""
    return {"saved": g,
            "top-down": apply_event(g, {"type": "layout", "kind": "hierarchical"}).graph,
            "force": apply_event(g, {"type": "layout", "kind": "force"}).graph}


@pytest.fixture
def harness(page):
    page.route(f"{ORIGIN}/**", _serve)
    page.goto(f"{ORIGIN}/harness.html")
    page.wait_for_function("() => window.ccReady === true")
    return page


def _draw(page, kind: str, data: dict, width: int) -> dict:
    page.evaluate("([k, d, w]) => window.ccMount(k, d, w)", [kind, data, width])
    if kind == "view":
        page.wait_for_function("h => window.ccElement.__ccGraphView && "
                               "window.ccElement.__ccGraphView.hash === h", arg=data["hash"])
    else:
        page.wait_for_function("([h, s]) => window.__ccDagEditor && window.__ccDagEditor.ready && "
                               "window.__ccDagEditor.truth.hash === h && "
                               "window.__ccDagEditor.truth.style === s",
                               arg=[data["graph"]["hash"], data["graph"]["style"]])
    return page.evaluate(READ_GEOMETRY)


def test_every_sample_in_every_layout_is_readable_in_the_editor_and_in_views(harness):
    failures, worst_gap, drawn = [], 0.0, 0
    for name in SAMPLE_NAMES:
        for layout, g in _layouts(load_sample(name).graph).items():
            for presenter in (False, True):
                what = f"{name}/{layout}{'/presenter' if presenter else ''}"
                editor = editor_payload(g, assets=ASSETS, height=540, high_contrast=presenter)
                view = {**view_payload(network_data(g, high_contrast=presenter), height=450,
                                       presenter=presenter), "vis_url": ASSETS["vis_url"]}
                for kind, data, width in (("editor", editor, 870), ("view", view, 700)):
                    geo = _draw(harness, kind, data, width)
                    assert len(geo["nodes"]) == len(g.nodes), what
                    problems, gap = check_rendered(geo)
                    worst_gap = max(worst_gap, gap)
                    failures += [f"{what} {kind}: {p}" for p in problems]
                    drawn += 1
    assert drawn == len(SAMPLE_NAMES) * 3 * 2 * 2
    assert not failures, "\n".join(failures)
    assert worst_gap < 0.5, worst_gap       # our model of vis-network's curves is exact


def test_time_series_lagged_graph_labels_and_nodes_do_not_overlap(harness):
    failures = []
    for lg in _lagged_graphs():
        for presenter in (False, True):
            data = network_data(lg.graph, edge_labels=lg.edge_labels, edge_styles=lg.edge_styles,
                                edge_widths=lg.edge_widths, high_contrast=presenter)
            view = {**view_payload(data, height=475, legend=False, presenter=presenter),
                    "vis_url": ASSETS["vis_url"]}
            geo = _draw(harness, "view", view, 860)
            assert sum(1 for e in geo["edges"] if e["label"]) == len(lg.edge_labels)
            failures += check_rendered(geo)[0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    harness.screenshot(path=str(ARTIFACTS / "layout-lagged-graph.png"))
    assert not failures, "\n".join(failures)


def test_front_door_draws_the_latent_arc_beside_the_arrows_and_presenter_labels_are_larger(harness):
    g = load_sample("smoking_tar_cancer").graph
    sizes = {}
    for presenter in (False, True):
        view = {**view_payload(network_data(g, high_contrast=presenter), height=450,
                               presenter=presenter), "vis_url": ASSETS["vis_url"]}
        editor = editor_payload(g, assets=ASSETS, height=540, high_contrast=presenter)
        for kind, data, width in (("view", view, 700), ("editor", editor, 870)):
            geo = _draw(harness, kind, data, width)
            arcs = [e for e in geo["edges"] if e["via"] is not None]
            assert len(arcs) == 1 and arcs[0]["smooth"]["type"] in ("curvedCW", "curvedCCW")
            # label size and line width on screen (canvas size × zoom)
            sizes[kind, presenter] = (max(n["font"] for n in geo["nodes"]) * geo["scale"],
                                      geo["edge_width"] * geo["scale"])
    for kind in ("view", "editor"):
        (font, line), (big_font, big_line) = sizes[kind, False], sizes[kind, True]
        assert big_font >= 1.3 * font and big_line >= 1.3 * line, (kind, sizes)


def test_the_real_editor_keeps_the_front_door_readable_through_each_layout_button(app_server, page):
    ed = "window.__ccDagEditor"
    g = load_sample("smoking_tar_cancer").graph
    page.goto(f"{app_server}/graph?g={encode_share(g)}")
    wait_for_app(page)
    page.wait_for_function(f"() => {ed} && {ed}.ready && {ed}.root.dataset.ready", timeout=60_000)
    page.evaluate(f"() => {{ window.ccElement = {{ __ccDagEditor: {ed} }}; }}")
    for button in (None, "Lay out top-down by causal order", "Force-directed layout"):
        if button:
            before = page.evaluate(f"() => {ed}.truth.hash")
            page.get_by_role("button", name=button, exact=True).click()
            page.wait_for_function(f"h => {ed}.truth.hash !== h && {ed}.outbox.length === 0",
                                   arg=before, timeout=30_000)
            wait_for_app(page)
        geo = page.evaluate(READ_GEOMETRY)
        problems, _ = check_rendered(geo)
        assert not problems, (button, problems)
        arc = [e for e in geo["edges"] if {e["from"], e["to"]} == {"smoking", "cancer"}]
        assert len(arc) == 1 and arc[0]["via"] is not None                  # ↔ is an arc
        page.screenshot(path=str(ARTIFACTS / f"layout-front-door-{(button or 'saved').split()[0]}.png"))


def test_a_long_chain_grows_the_view_rather_than_shrinking_its_labels_past_reading(harness):
    """A ten-layer chain fitted into a 450 px view came out at a third of its size, below
    vis-network's 5 px label threshold: Analyse showed nameless ovals (QA round 3). The view
    now grows (up to twice its height) so labels stay at least 10 px on screen."""
    names = ["age", "education_years", "income", "hours_worked", "stress", "sleep_hours",
             "health", "savings", "mood", "output"]
    g = CausalGraph.from_edges(list(zip(names, names[1:])))
    view = {**view_payload(network_data(g), height=450), "vis_url": ASSETS["vis_url"]}
    geo = _draw(harness, "view", view, 700)
    assert max(n["font"] for n in geo["nodes"]) * geo["scale"] >= 10, geo["scale"]
    stage = harness.evaluate("() => window.ccElement.querySelector('.cc-view-stage').clientHeight")
    assert 450 < stage <= 900
    # a drawing shrunk by a narrow column's width gains nothing from more height: none is added
    wide = CausalGraph.from_edges([(names[0], n) for n in names[1:]] +
                                  [(n, names[-1] + "_end") for n in names[1:]])
    view = {**view_payload(network_data(wide), height=300), "vis_url": ASSETS["vis_url"]}
    _draw(harness, "view", view, 320)
    stage = harness.evaluate("() => window.ccElement.querySelector('.cc-view-stage').clientHeight")
    assert stage == 300, stage
