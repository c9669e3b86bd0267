"""The visual DAG editor: a bidirectional Streamlit component (components v2, plain JavaScript,
the vendored vis-network) that draws a CausalGraph and sends back one edit event per user action.

How it fits together:
- `dag_editor(graph, on_events=...)` mounts the canvas with the graph drawn by app.drawing (the
  same colours, shapes and legend as every other view) and the undo/redo state.
- The browser numbers its events and resends them until Python acknowledges the number, so each
  is applied exactly once (`fresh_events`, `mark_seen`). The page's `on_events` applies them (app.editor is
  the reducer; the CausalGraph refuses cycles) and may return an EditorNotice shown on the canvas.
- The page passes the lock that guards what `on_events` changes (pages/graph.py: the session's
  workspace lock, shared with the text box and undo). This package imports nothing from app.ui.
- Streamlit 1.67 serves files of a v2 component only for installed packages; this app is not
  one, so the JavaScript, CSS and vis-network are served by the v1 static route of this folder
  (a declared, never-mounted v1 component). Nothing is loaded from the network.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import logging
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components_v1
from streamlit import config
from streamlit.components.v2 import component as _v2_component

from app.drawing import legend_html, network_data
from app.editor import EditorNotice
from app.graph import ROLES, CausalGraph
from app.graph_html import network_options

log = logging.getLogger("causal_canvas")

FRONTEND = Path(__file__).resolve().parent / "frontend"
COMPONENT_NAME = "causal_canvas_dag_editor"
MAX_EVENTS_PER_MESSAGE = 500
MAX_NONCES = 20
_notice_ids = itertools.count(1)

# The mounted v2 component is only this loader: the editor module itself is a cached static
# file, so a rerun sends the graph, not the code.
_LOADER_JS = """
export default async function (component) {
  const assets = component.data && component.data.assets;
  if (!assets || !assets.module_url) return undefined;
  const module = await import(new URL(assets.module_url, window.location.href).href);
  return module.default(component);
}
"""
_EDITOR = _v2_component(COMPONENT_NAME, js=_LOADER_JS)


# ---- pure helpers (no Streamlit): what goes to the browser and what comes back -------------
def fresh_events(payload: Any, seen: Mapping[str, int]) -> tuple[str, list[dict]]:
    """The nonce of a browser message and its events not applied yet, in order (`seen` maps
    nonce -> last applied seq and is not changed: see mark_seen).

    A message is {"nonce": str, "events": [{"seq": int, "type": str, ...}, ...]}; the browser
    resends unacknowledged events, so anything at or below the last seen number is dropped.
    Malformed messages are ignored (they come from the page, not from the user).
    """
    if not isinstance(payload, Mapping):
        return "", []
    nonce, events = payload.get("nonce"), payload.get("events")
    if not isinstance(nonce, str) or not 0 < len(nonce) <= 64 or not isinstance(events, list):
        return "", []
    last = seen.get(nonce, 0)
    fresh = sorted((e for e in events[:MAX_EVENTS_PER_MESSAGE]
                    if isinstance(e, dict) and isinstance(e.get("seq"), int)
                    and not isinstance(e.get("seq"), bool) and e["seq"] > last),
                   key=lambda e: e["seq"])
    return nonce, list({e["seq"]: e for e in fresh}.values())


def mark_seen(seen: dict[str, int], nonce: str, seq: int) -> None:
    """Record that `nonce`'s events up to `seq` are applied; the oldest page loads are forgotten."""
    seen.pop(nonce, None)
    seen[nonce] = seq
    while len(seen) > MAX_NONCES:
        seen.pop(next(iter(seen)))


def editor_graph(g: CausalGraph, *, high_contrast: bool = False) -> tuple[dict, list]:
    """The graph as the canvas draws it (node ids are the names) and the legend in use."""
    # positions made readable, edges routed; never stretched: the canvas works in graph units
    data = network_data(g, high_contrast=high_contrast, stretch=False)
    names = {item["id"]: item["name"] for item in data.nodes}
    nodes = []
    for item in data.nodes:
        node = {k: v for k, v in item.items() if k not in ("id", "name", "title")}
        node.update(id=item["name"], roles=sorted(g.roles.get(item["name"], ())))
        _keep_colour_on_hover(node)
        nodes.append(node)
    edges = []
    directed = set(g.edges)       # a pair may carry both X -> Y and X <-> Y: one item each
    # a PDAG's — edges ("u") and a PAG's edges with a circle mark ("c"), drawn with their marks
    marked = {**{e: "u" for e in g.undirected}, **{(a, b): "c" for a, _, b in g.circle}}
    for item in data.edges:
        a, b = names[item["from"]], names[item["to"]]
        if (a, b) in directed:
            directed.discard((a, b))
            kind = "d"
        else:
            kind = "b" if (a, b) in g.bidirected else marked.get((a, b))
        if kind:
            edges.append({**{k: v for k, v in item.items() if k not in ("from", "to")},
                          "from": a, "to": b, "kind": kind})
    # `style`: the same graph drawn for presenter mode must be drawn again, not skipped
    return {"hash": g.content_hash(), "style": "presenter" if high_contrast else "normal",
            "nodes": nodes, "edges": edges}, data.legend


def _keep_colour_on_hover(node: dict) -> dict:
    """vis-network paints a hovered node light blue, which reads as "ancestor of outcome" in
    our legend; hovering only outlines the node instead."""
    colour = node.get("color")
    if isinstance(colour, dict) and "hover" not in colour:
        highlight = colour.get("highlight", {})
        colour["hover"] = {"background": colour.get("background"),
                           "border": highlight.get("border", colour.get("border"))}
    return node


@lru_cache(maxsize=2)
def _templates(high_contrast: bool) -> dict:
    """How a fresh node of each role and a fresh edge look, for drawing before Python answers."""
    strip = ("id", "name", "title", "label", "x", "y", "from", "to")
    nodes = {}
    for cat in ("other", *ROLES):
        g = CausalGraph(nodes=("v",), roles={"v": {cat}} if cat != "other" else {})
        item = network_data(g, high_contrast=high_contrast).nodes[0]
        nodes[cat] = _keep_colour_on_hover({k: v for k, v in item.items() if k not in strip})
    directed = network_data(CausalGraph.from_edges([("a", "b")]), high_contrast=high_contrast)
    latent = network_data(CausalGraph.from_edges([], bidirected=[("a", "b")]),
                          high_contrast=high_contrast)
    edges = {"directed": {k: v for k, v in directed.edges[0].items() if k not in strip},
             "bidirected": {k: v for k, v in latent.edges[0].items() if k not in strip}}
    return {"nodes": nodes, "edges": edges}


@lru_cache(maxsize=1)
def _asset_version() -> str:
    digest = hashlib.sha256()
    for name in ("editor.js", "editor.css", "view.js", "vendor/vis-network.min.js"):
        digest.update((FRONTEND / name).read_bytes())
    return digest.hexdigest()[:12]


def _asset_urls() -> dict[str, str]:
    static = components_v1.declare_component("dag_editor_static", path=str(FRONTEND))
    if static.url:
        base = static.url.rstrip("/")
    else:
        prefix = str(config.get_option("server.baseUrlPath") or "").strip("/")
        base = "/" + "/".join(p for p in (prefix, "component", static.name) if p)
    v = _asset_version()
    return {"module_url": f"{base}/editor.js?v={v}", "css_url": f"{base}/editor.css?v={v}",
            "view_url": f"{base}/view.js?v={v}", "vis_url": f"{base}/vendor/vis-network.min.js?v={v}"}


def editor_payload(graph: CausalGraph, *, assets: Mapping[str, str], key: str = "dag_editor",
                   height: int = 520, history: Mapping[str, Any] | None = None,
                   high_contrast: bool = False, ack: Mapping[str, int] | None = None,
                   notice: dict | None = None) -> dict:
    """Everything editor.js needs to draw `graph` (JSON-ready; names stay data)."""
    drawn, legend = editor_graph(graph, high_contrast=high_contrast)
    return {
        "key": key,
        "assets": dict(assets),
        "graph": drawn,
        "legend": legend,
        "legend_html": legend_html(legend),
        "templates": _templates(high_contrast),
        "ack": dict(ack or {}),
        "notice": notice,
        "history": dict(history or {}),
        "options": {"height": int(height), "roles": list(ROLES),
                    "vis": json.loads(network_options(False))},
    }


# ---- the Streamlit part ---------------------------------------------------------------------


_LOCKS_GUARD = threading.Lock()


def editor_lock(key: str = "dag_editor") -> threading.RLock:
    """This session's lock for the editor `key` (one per key: two canvases never wait for each
    other), held while a browser message's events are applied and marked as seen.

    Streamlit may start a new run of the page while the previous one still finishes its
    callbacks (fast reruns), so two callbacks could apply the same events at once. A page whose
    `on_events` changes state that other widgets change too (the workspace: text pane, undo)
    passes that state's lock as `dag_editor(lock=...)` instead, so one lock covers them all;
    the component itself knows nothing of the app's state.
    """
    with _LOCKS_GUARD:
        lock = st.session_state.get(f"{key}__lock")
        if lock is None:
            lock = st.session_state[f"{key}__lock"] = threading.RLock()
    return lock


@dataclass
class _Inbox:
    """What the editor remembers per session: applied sequence numbers and the next notice.

    One plain object fetched once per callback, so recording an applied batch touches no
    Streamlit state (see _receive)."""

    seen: dict[str, int] = field(default_factory=dict)
    notice: dict | None = None


def _inbox(key: str) -> _Inbox:
    inbox = st.session_state.get(f"{key}__inbox")
    if not isinstance(inbox, _Inbox):
        inbox = st.session_state[f"{key}__inbox"] = _Inbox()
    return inbox


def _receive(key: str, on_events: Callable[[list[dict]], EditorNotice | None],
             lock: AbstractContextManager | None = None) -> None:
    """Apply a browser message's new events exactly once.

    Streamlit stops a callback with StopException at any st.session_state access when a newer
    run is requested (fast reruns), and it did so between two events of one batch after they
    were all marked as seen: the rest were acknowledged and never applied (the lost node of
    issue 4). So all Streamlit state is read first, `on_events` must change only plain Python
    objects (app.editor.apply_events does), and the batch is marked as seen right after it with
    no Streamlit call in between: a stopped callback leaves the events unacknowledged and the
    browser resends them. `lock` is the caller's (see editor_lock), else this editor's own.
    """
    value = st.session_state.get(key)
    payload = value.get("edit") if hasattr(value, "get") else None
    inbox = _inbox(key)
    if lock is None:
        lock = editor_lock(key)
    with lock:
        nonce, events = fresh_events(payload, inbox.seen)
        if not events:
            return
        try:
            notice = on_events(events)
        except Exception as err:  # noqa: BLE001 - never let a canvas event crash the page
            log.exception("editor events failed", exc_info=err)
            notice = EditorNotice("error", "Unexpected problem: the edit was not applied. "
                                           "Your graph is unchanged.")
        mark_seen(inbox.seen, nonce, events[-1]["seq"])
        if notice is not None:
            inbox.notice = {"id": next(_notice_ids), "kind": notice.kind, "text": notice.text}


def dag_editor(graph: CausalGraph, *, on_events: Callable[[list[dict]], EditorNotice | None],
               key: str = "dag_editor", height: int = 520,
               history: Mapping[str, Any] | None = None, high_contrast: bool = False,
               lock: AbstractContextManager | None = None) -> None:
    """Draw `graph` on the editing canvas; user edits arrive (before the next run of the page)
    as a list of events passed to `on_events`, which applies them and may return a notice.
    `lock` guards what `on_events` changes (default: this editor's own, see editor_lock).

    `history` tells the Undo/Redo buttons what is possible:
    {"can_undo": bool, "can_redo": bool, "undo_label": str | None, "redo_label": str | None}.
    """
    inbox = _inbox(key)
    notice, inbox.notice = inbox.notice, None     # shown once
    data = editor_payload(graph, assets=_asset_urls(), key=key, height=height, history=history,
                          high_contrast=high_contrast, ack=inbox.seen, notice=notice)
    _EDITOR(key=key, data=data, height="content",
            on_edit_change=lambda: _receive(key, on_events, lock))


# ---- the knowledge canvas: the same editor in "knowledge" mode ------------------------------
REQUIRED_STYLE = {"color": {"color": "#111827", "highlight": "#111827", "hover": "#111827"},
                  "width": 4.5, "arrows": {"to": {"enabled": True, "scaleFactor": 0.8}}}
FORBIDDEN_STYLE = {"color": {"color": "#dc2626", "highlight": "#b91c1c", "hover": "#b91c1c"},
                   "width": 2, "dashes": [7, 5], "arrows": {"to": {"enabled": True, "scaleFactor": 0.7}}}
KNOWLEDGE_LEGEND = [("k_required", "required edge (always in the result)",
                     {"color": "#111827"}),
                    ("k_forbidden", "forbidden edge, crossed (never in the result)",
                     {"color": "#dc2626", "dashes": True})]


def _passes_a_node(a: str, b: str, positions: Mapping[str, tuple[float, float]],
                   clearance: float = 42.0) -> bool:
    """True when the straight segment a–b runs within `clearance` of a third variable."""
    (ax, ay), (bx, by) = positions[a], positions[b]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy or 1.0
    for n, (x, y) in positions.items():
        if n in (a, b):
            continue
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        if (ax + t * dx - x) ** 2 + (ay + t * dy - y) ** 2 < clearance ** 2:
            return True
    return False


def _knowledge_edge(kind: str, a: str, b: str, bend: bool) -> dict:
    style = REQUIRED_STYLE if kind == "kr" else FORBIDDEN_STYLE
    # an edge that would run through a third variable bends around it
    smooth = ({"enabled": True, "type": "curvedCW", "roundness": 0.3} if bend
              else {"enabled": False})
    return {**json.loads(json.dumps(style)), "from": a, "to": b, "kind": kind, "smooth": smooth}


def knowledge_payload(drawing, *, assets: Mapping[str, str], key: str, height: int = 480,
                      history: Mapping[str, Any] | None = None,
                      ack: Mapping[str, int] | None = None, notice: dict | None = None) -> dict:
    """What editor.js needs to draw a KnowledgeDrawing (app.discovery.knowledge_view)."""
    g = CausalGraph(nodes=drawing.variables, positions=dict(drawing.positions))
    data = network_data(g, stretch=False)
    nodes = []
    for item in data.nodes:
        name = item["name"]
        node = {k: v for k, v in item.items() if k not in ("id", "name", "title")}
        x, y = drawing.positions[name]
        node.update(id=name, roles=[], x=x, y=y)
        nodes.append(_keep_colour_on_hover(node))
    edges = [_knowledge_edge(kind, a, b, _passes_a_node(a, b, drawing.positions))
             for kind, pairs in (("kr", drawing.required), ("kf", drawing.forbidden))
             for a, b in pairs]
    digest = hashlib.sha256(json.dumps([nodes, edges, [b.__dict__ for b in drawing.bands]],
                                       sort_keys=True, default=str).encode()).hexdigest()[:16]
    legend = [*data.legend, *KNOWLEDGE_LEGEND]
    templates = _templates(False)
    templates = {**templates, "edges": {**templates["edges"],
                                        "required": _knowledge_edge("kr", "", "", False),
                                        "forbidden": _knowledge_edge("kf", "", "", False)}}
    return {
        "key": key, "assets": dict(assets),
        "graph": {"hash": digest, "style": "knowledge", "nodes": nodes, "edges": edges},
        "legend": legend, "legend_html": legend_html(legend)
        + '<span style="white-space:nowrap">▭ band: a tier (earlier tiers above; nothing '
          'causes a variable in an earlier band)</span>',
        "templates": templates, "ack": dict(ack or {}), "notice": notice,
        "history": dict(history or {}),
        "options": {"height": int(height), "roles": list(ROLES),
                    "vis": json.loads(network_options(False)),
                    "knowledge": {
                        "bands": [{"label": b.label, "y0": b.y0, "y1": b.y1, "tier": b.tier}
                                  for b in drawing.bands],
                        "tiers": drawing.n_tiers,
                        "tier_of": sorted(drawing.tier_of.items()),
                        "within": sorted(drawing.forbidden_within)}},
    }


def knowledge_editor(drawing, *, on_events: Callable[[list[dict]], EditorNotice | None],
                     key: str = "knowledge_editor", height: int = 480,
                     history: Mapping[str, Any] | None = None,
                     lock: AbstractContextManager | None = None) -> None:
    """Draw background knowledge (a KnowledgeDrawing) on the editing canvas in knowledge mode:
    the toolbar switches between moving, "Draw: required" and "Draw: forbidden"; the node card
    sets a variable's tier. Events go to `on_events` exactly as for dag_editor."""
    inbox = _inbox(key)
    notice, inbox.notice = inbox.notice, None
    data = knowledge_payload(drawing, assets=_asset_urls(), key=key, height=height,
                             history=history, ack=inbox.seen, notice=notice)
    _EDITOR(key=key, data=data, height="content",
            on_edit_change=lambda: _receive(key, on_events, lock))
