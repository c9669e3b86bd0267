"""The visual editor's reducer: one edit event from the canvas in, a new CausalGraph out.

The canvas (components/dag_editor) sends plain JSON events; this module is the only place that
turns them into graph edits, so every rule (no cycles, unique names, known nodes) is the
CausalGraph's own. An event applies completely or raises a GraphError and changes nothing.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.drawing import display_positions, force_layout, layered_layout
from app.errors import CausalCanvasError, GraphError
from app.graph import ROLES, CausalGraph
from app.workspace import History, Workspace

LAYOUTS = ("hierarchical", "force")
MAX_EVENT_ITEMS = 5000        # nodes/edges/positions one event may carry
_FREE_GAP = 160.0             # pixels between a new unplaced node and the drawing


@dataclass(frozen=True)
class EditResult:
    """The graph after an edit and a short description of it (the undo label)."""

    graph: CausalGraph
    message: str

    def __str__(self) -> str:
        return f"{self.message} -> {len(self.graph.nodes)} nodes, {len(self.graph.edges)} edges"


@dataclass(frozen=True)
class EditorNotice:
    """A message for the canvas banner: kind is "error" (stays) or "info" (fades)."""

    kind: str
    text: str


# ---- payload readers: every malformed field becomes a GraphError that says what to send ----
def _field(event: Mapping[str, Any], key: str) -> Any:
    if key not in event:
        raise GraphError(f"The '{event.get('type')}' edit is missing '{key}'.")
    return event[key]


def _text(event: Mapping[str, Any], key: str) -> str:
    value = _field(event, key)
    if not isinstance(value, str):
        raise GraphError(f"'{key}' in a '{event.get('type')}' edit must be text, "
                         f"not {type(value).__name__}.")
    return value


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise GraphError(f"{what} must be a finite number, not {value!r}.")
    return float(value)


def _point(value: Any, what: str) -> tuple[float, float]:
    if isinstance(value, Mapping):
        value = (value.get("x"), value.get("y"))
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise GraphError(f"{what} must be a pair of numbers [x, y].")
    return _number(value[0], what), _number(value[1], what)


def _pairs(event: Mapping[str, Any], key: str) -> list[tuple[str, str]]:
    value = event.get(key, [])
    if not isinstance(value, list) or len(value) > MAX_EVENT_ITEMS:
        raise GraphError(f"'{key}' must be a list of [source, target] pairs.")
    out = []
    for item in value:
        if (not isinstance(item, (list, tuple)) or len(item) != 2
                or not all(isinstance(n, str) for n in item)):
            raise GraphError(f"'{key}' must be a list of [source, target] pairs of node names.")
        out.append((item[0], item[1]))
    return out


def _names(event: Mapping[str, Any], key: str) -> list[str]:
    value = event.get(key, [])
    if (not isinstance(value, list) or len(value) > MAX_EVENT_ITEMS
            or not all(isinstance(n, str) for n in value)):
        raise GraphError(f"'{key}' must be a list of node names.")
    return list(value)


def _require(g: CausalGraph, *names: str) -> None:
    for n in names:
        if n not in g.nodes:
            raise GraphError(f"There is no node called '{n}'.",
                             hint="It may have been renamed or removed; the drawing is refreshed.")


# ---- layout helpers ----------------------------------------------------------------------
def shown_positions(g: CausalGraph) -> dict[str, tuple[float, float]]:
    """Where the canvas draws each node: app.drawing.display_positions, except that a stored
    layout without extent (one node, or all on one spot) is kept as it is, not blown up."""
    if g.nodes and all(n in g.positions for n in g.nodes):
        xs = [p[0] for p in g.positions.values()]
        ys = [p[1] for p in g.positions.values()]
        if max(max(xs) - min(xs), max(ys) - min(ys)) < 1e-6:
            return {n: g.positions[n] for n in g.nodes}
    return display_positions(g)


def freeze_layout(g: CausalGraph) -> CausalGraph:
    """Store the positions the user sees, so placing one node never makes the others jump."""
    if not g.nodes:
        return g
    shown = shown_positions(g)
    if all(g.positions.get(n) == shown[n] for n in g.nodes):
        return g
    return g.with_positions(shown)


def free_spot(g: CausalGraph) -> tuple[float, float]:
    """A place right of the current drawing where a new node does not cover another."""
    if not g.nodes:
        return (0.0, 0.0)
    shown = shown_positions(g)
    xs = [p[0] for p in shown.values()]
    ys = [p[1] for p in shown.values()]
    return (max(xs) + _FREE_GAP, min(ys))


def place_new_nodes(old: CausalGraph, new: CausalGraph) -> CausalGraph:
    """Give nodes that appeared in `new` (e.g. typed in the text) a free place when `old` had a
    stored layout, instead of the automatic layout that could drop them on top of others."""
    if not old.nodes or not all(n in old.positions for n in old.nodes):
        return new
    missing = [n for n in new.nodes if n not in new.positions]
    if not missing or any(n not in new.positions for n in new.nodes if n in old.nodes):
        return new
    placed = new.subgraph([n for n in new.nodes if n in new.positions])
    if len(missing) > len(placed.nodes):
        # mostly a new graph (a whole graph typed over a sample's): stacking the new nodes in
        # one column beside the old ones drew ten nodes in a line; lay it all out afresh
        return new.without_positions()
    x0, y0 = free_spot(placed)
    return new.with_positions({n: (x0, y0 + i * 90.0) for i, n in enumerate(missing)})


# ---- the reducer ---------------------------------------------------------------------------
def _add_node(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    name = _text(e, "name")
    roles = _names(e, "roles")
    if ("x" in e) != ("y" in e):
        raise GraphError("A new node needs both x and y, or neither.")
    if "x" in e:
        pos = (_number(e["x"], "x"), _number(e["y"], "y"))
        base = freeze_layout(g)
    else:
        base = g
        pos = free_spot(g) if g.nodes and all(n in g.positions for n in g.nodes) else None
    new = base.add_node(name, pos=pos, roles=roles)
    return EditResult(new, f"add node {new.nodes[-1]}")


def _remove_node(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    name = _text(e, "name")
    _require(g, name)
    return EditResult(g.remove_node(name), f"remove node {name}")


def _rename_node(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    old, new_name = _text(e, "name"), _text(e, "new_name")
    _require(g, old)
    new = g.rename_node(old, new_name)
    renamed = next((n for n in new.nodes if n not in g.nodes), old)
    return EditResult(new, f"rename {old} to {renamed}")


def _endpoints(g: CausalGraph, e: Mapping[str, Any]) -> tuple[str, str]:
    a, b = _text(e, "source"), _text(e, "target")
    _require(g, a, b)
    return a, b


def _add_edge(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    a, b = _endpoints(g, e)
    return EditResult(g.add_edge(a, b), f"add edge {a} → {b}")


def _remove_edge(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    a, b = _endpoints(g, e)
    return EditResult(g.remove_edge(a, b), f"remove edge {a} → {b}")


def _reverse_edge(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    a, b = _endpoints(g, e)
    return EditResult(g.reverse_edge(a, b), f"reverse edge {a} → {b}")


def _add_bidirected(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    a, b = _endpoints(g, e)
    return EditResult(g.add_bidirected(a, b), f"add {a} ↔ {b}")


def _remove_bidirected(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    a, b = _endpoints(g, e)
    return EditResult(g.remove_bidirected(a, b), f"remove {a} ↔ {b}")


def _convert_edge(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    a, b = _endpoints(g, e)
    to = _text(e, "to")
    if to == "bidirected":
        return EditResult(g.remove_edge(a, b).add_bidirected(a, b), f"make {a} → {b} into {a} ↔ {b}")
    if to == "directed":
        return EditResult(g.remove_bidirected(a, b).add_edge(a, b), f"make {a} ↔ {b} into {a} → {b}")
    raise GraphError(f"An edge can become 'directed' or 'bidirected', not {to!r}.")


def _move(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    raw = _field(e, "positions")
    if not isinstance(raw, Mapping) or not raw or len(raw) > MAX_EVENT_ITEMS:
        raise GraphError("A move needs 'positions': a non-empty map from node name to [x, y].")
    moved = {}
    for name, p in raw.items():
        if not isinstance(name, str):
            raise GraphError("Moved nodes must be named by text.")
        _require(g, name)
        moved[name] = _point(p, f"The position of '{name}'")
    new = freeze_layout(g).with_positions(moved)
    what = next(iter(moved)) if len(moved) == 1 else f"{len(moved)} nodes"
    return EditResult(new, f"move {what}")


def _set_roles(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    name = _text(e, "name")
    roles = _names(e, "roles")
    _require(g, name)
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise GraphError(f"Unknown role '{unknown[0]}'.", hint="Roles are: " + ", ".join(ROLES) + ".")
    shown = ", ".join(r for r in ROLES if r in roles) or "no role"
    return EditResult(g.set_roles(name, roles), f"set roles of {name}: {shown}")


def _layout(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    kind = _text(e, "kind")
    if kind not in LAYOUTS:
        raise GraphError(f"Unknown layout {kind!r}.", hint="Layouts are: " + ", ".join(LAYOUTS) + ".")
    if not g.nodes:
        return EditResult(g, f"{kind} layout")
    pos = layered_layout(g) if kind == "hierarchical" else force_layout(g)
    label = "top-down layout" if kind == "hierarchical" else "force-directed layout"
    return EditResult(g.with_positions(pos), label)


def _delete(g: CausalGraph, e: Mapping[str, Any]) -> EditResult:
    nodes = _names(e, "nodes")
    edges = _pairs(e, "edges")
    bidirected = _pairs(e, "bidirected")
    # a PDAG's or PAG's edges: undirected (a -- b) and with circle marks (a @-> b, ...)
    undirected = list(dict.fromkeys(tuple(sorted(p)) for p in _pairs(e, "undirected")))
    circle = list(dict.fromkeys(tuple(sorted(p)) for p in _pairs(e, "circle")))
    if not (nodes or edges or bidirected or undirected or circle):
        raise GraphError("Nothing is selected to delete.", hint="Click a node or an edge first.")
    new = g
    _require(g, *nodes)
    gone = set(nodes)
    edges = list(dict.fromkeys(edges))
    bidirected = list(dict.fromkeys(tuple(sorted(p)) for p in bidirected))
    for a, b in edges:
        _require(g, a, b)
        if a in gone or b in gone:
            continue            # removed with its node
        new = new.remove_edge(a, b)
    for a, b in bidirected:
        _require(g, a, b)
        if a in gone or b in gone:
            continue
        new = new.remove_bidirected(a, b)
    for a, b in undirected:
        _require(g, a, b)
        if a not in gone and b not in gone:
            new = new.remove_undirected(a, b)
    for a, b in circle:
        _require(g, a, b)
        if a not in gone and b not in gone:
            new = new.remove_circle(a, b)
    for n in dict.fromkeys(nodes):
        new = new.remove_node(n)
    parts = []
    if nodes:
        parts.append(f"node {nodes[0]}" if len(nodes) == 1 else f"{len(set(nodes))} nodes")
    n_edges = len([p for p in [*edges, *bidirected, *undirected, *circle] if not gone & set(p)])
    if n_edges:
        parts.append("1 edge" if n_edges == 1 else f"{n_edges} edges")
    return EditResult(new, "delete " + " and ".join(parts))


REDUCERS: dict[str, Callable[[CausalGraph, Mapping[str, Any]], EditResult]] = {
    "add_node": _add_node, "remove_node": _remove_node, "rename_node": _rename_node,
    "add_edge": _add_edge, "remove_edge": _remove_edge, "reverse_edge": _reverse_edge,
    "add_bidirected": _add_bidirected, "remove_bidirected": _remove_bidirected,
    "convert_edge": _convert_edge, "move": _move, "set_roles": _set_roles,
    "layout": _layout, "delete": _delete,
}
EVENT_TYPES: tuple[str, ...] = tuple(REDUCERS)


def apply_event(graph: CausalGraph, event: Mapping[str, Any]) -> EditResult:
    """Apply one editor event to `graph`; a bad event raises GraphError and changes nothing.

    Events are JSON objects with a "type" (one of EVENT_TYPES) and its fields, e.g.
    {"type": "add_edge", "source": "Z", "target": "X"}; other keys (seq, ids) are ignored.
    """
    if not isinstance(graph, CausalGraph):
        raise GraphError("The editor can only edit a CausalGraph.")
    if not isinstance(event, Mapping):
        raise GraphError(f"An edit must be a JSON object, not {type(event).__name__}.")
    kind = event.get("type")
    reducer = REDUCERS.get(kind) if isinstance(kind, str) else None
    if reducer is None:
        raise GraphError(f"Unknown edit {kind!r}.", hint="Edits are: " + ", ".join(EVENT_TYPES) + ".")
    return reducer(graph, event)


def undo_or_redo(history: History, kind: str) -> EditorNotice:
    """Take one step back ("undo") or forward ("redo") and say what it was."""
    label = history.undo() if kind == "undo" else history.redo()
    word = "Undid" if kind == "undo" else "Redid"
    return EditorNotice("info", f"{word}: {label}." if label else f"Nothing to {kind}.")


def replay(history: History, events: list[Mapping[str, Any]],
           step: Callable[[Workspace, Mapping[str, Any]], tuple[Workspace, str] | None]
           ) -> EditorNotice | None:
    """Apply a canvas's events in order to `history`: undo/redo step through it, every other
    event goes through `step` (the new workspace and its undo label, or None for no change)
    and is one undo step; a refused event is skipped and said in the returned notice."""
    notice = None
    for event in events:
        kind = event.get("type") if isinstance(event, Mapping) else None
        if kind in ("undo", "redo"):
            notice = undo_or_redo(history, kind)
            continue
        try:
            changed = step(history.present, event)
        except CausalCanvasError as err:
            notice = EditorNotice("error", err.user_message())
            continue
        if changed is not None:
            history.push(*changed)
    return notice


def apply_events(history: History, events: list[Mapping[str, Any]]) -> EditorNotice | None:
    """Apply canvas events in order to `history` (each edit is one undo step; undo/redo events
    step through it); a refused edit is skipped and said in the returned notice.

    Plain Python only, by design: the page calls this inside a Streamlit callback, which Streamlit
    may stop at any session-state access; with none in here, a batch lands whole or not at all.
    """
    def step(ws: Workspace, event: Mapping[str, Any]) -> tuple[Workspace, str]:
        result = apply_event(ws.graph, event)
        return ws.with_graph(result.graph), result.message

    return replay(history, events, step)
