"""Read-only graph views: the editor's vendored vis-network, loaded once per browser tab.

Each view used to be an st.iframe carrying its own 470 KB copy of vis-network, parsed again
whenever the drawing changed (a highlighted path, another do-query). This components-v2 view
sends only the drawing data; the library comes from the same local static route as the editor
and stays cached in the tab. The standalone HTML export (app.graph_html) keeps the inline copy.
"""
from __future__ import annotations

import hashlib
import json

from streamlit.components.v2 import component as _v2_component

from app.drawing import NetworkData, legend_html
from app.graph_html import network_options
from app.layout_check import check_network_data

from . import _asset_urls

_LOADER_JS = """
export default async function (component) {
  const data = component.data;
  if (!data || !data.view_url) return undefined;
  const module = await import(new URL(data.view_url, window.location.href).href);
  return module.default(component);
}
"""
_VIEW = _v2_component("causal_canvas_graph_view", js=_LOADER_JS)


# how far a small view may pull a wide layout together (view.js `compact`), tried in this order
_SCALES = (1 / 3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def min_scale(data: NetworkData) -> float:
    """The smallest factor by which the view may pull the positions together and keep the
    drawing readable (no overlap, no edge through a third node; app.layout_check)."""
    if len(data.nodes) < 2:
        return _SCALES[0]
    for k in _SCALES:
        if check_network_data(data.nodes, data.edges, scale=k).ok:
            return k
    return 1.0


def view_payload(data: NetworkData, *, height: int, legend: bool = True,
                 title: str = "Causal graph", presenter: bool = False) -> dict:
    """What the browser needs to draw `data` (JSON-ready; user strings stay data).

    The view may grow taller (up to twice `height`) rather than shrink the drawing past
    reading: a long chain, or presenter mode's enlarged labels."""
    options = json.loads(network_options(False))
    drawing = {"nodes": data.nodes, "edges": data.edges}
    digest = hashlib.sha256(json.dumps([drawing, presenter], sort_keys=True,
                                       default=str).encode()).hexdigest()
    return {**drawing, "hash": digest[:16], "options": options, "height": int(height),
            "legend_html": legend_html(data.legend) if legend else "", "title": title,
            "min_scale": min_scale(data), "presenter": bool(presenter)}


def graph_view(payload: dict, *, key: str | None = None) -> None:
    """Mount (or update) a read-only view of a payload from view_payload."""
    assets = _asset_urls()
    _VIEW(key=key, data={**payload, "view_url": assets["view_url"], "vis_url": assets["vis_url"]},
          height="content")
