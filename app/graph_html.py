"""Self-contained HTML for drawing a graph with the vendored vis-network (no CDN, no network).

Used for the read-only graph views in the pages and for the downloadable interactive HTML.
pyvis supplies the network options; the page template is ours because pyvis's own template
links Bootstrap from a CDN, and no request may leave localhost.
"""
from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path

from app.drawing import NetworkData, legend_html

VENDOR = Path(__file__).resolve().parent.parent / "components" / "dag_editor" / "frontend" / "vendor"


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    return (VENDOR / "vis-network.min.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def vis_network_css() -> str:
    return (VENDOR / "vis-network.css").read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def network_options(physics: bool = False) -> str:
    """vis-network options built with pyvis (our single source of drawing options)."""
    from pyvis.network import Network

    net = Network(directed=True)
    net.toggle_physics(physics)
    options = json.loads(net.options.to_json())
    options["edges"].update({"smooth": {"enabled": True, "type": "continuous"},
                             "arrows": {"to": {"enabled": True, "scaleFactor": 0.8}}})
    options["nodes"] = {"margin": 10, "font": {"face": "system-ui, sans-serif"}}
    options["interaction"] = {"hover": True, "tooltipDelay": 150, "dragNodes": True,
                              "navigationButtons": False, "keyboard": False}
    options["layout"] = {"randomSeed": 7}
    return json.dumps(options)


_TEMPLATE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>{css}
html,body{{margin:0;padding:0;font:13px system-ui,sans-serif;color:#111827;background:#fff}}
#graph{{width:100%;height:{height}px;border:1px solid #e5e7eb;border-radius:8px;box-sizing:border-box}}
#legend{{padding:6px 2px;line-height:1.9}}
#empty{{position:absolute;top:40%;width:100%;text-align:center;color:#6b7280}}
</style></head>
<body><div id="legend" aria-label="legend">{legend}</div><div id="graph" role="img" aria-label="{title}"></div>{empty}
<script>{js}</script>
<script>
(function(){{
  var data = {data};
  var nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);
  var net = new vis.Network(document.getElementById("graph"), {{nodes: nodes, edges: edges}}, {options});
  net.once("afterDrawing", function(){{ net.fit({{animation:false}}); document.body.setAttribute("data-drawn", data.nodes.length); }});
  window.ccNetwork = net;
}})();
</script></body></html>"""


def graph_page_html(data: NetworkData, *, height: int = 450, title: str = "Causal graph",
                    legend: bool = True, physics: bool = False) -> str:
    """A complete HTML document drawing `data`; every user string is escaped or JSON-encoded."""
    empty = ('<div id="empty">The graph is empty: add a node to start.</div>'
             if not data.nodes else "")
    return _TEMPLATE.format(
        title=html.escape(title), css=vis_network_css(), height=int(height),
        legend=legend_html(data.legend) if legend else "", empty=empty,
        js=vis_network_js(), data=data.to_json(), options=network_options(physics),
    )
