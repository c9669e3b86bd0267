"""Background knowledge on a canvas: where each variable sits (one horizontal band per tier),
what is drawn (required edges bold, forbidden edges crossed), and the reducer for the knowledge
canvas's events. Plain Python; the component (components/dag_editor) draws it, the Discover
page keeps the knowledge in `Workspace.settings["knowledge"]` so it is saved with the workspace.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.discovery.knowledge import Edge, Knowledge
from app.editor import EditorNotice, replay
from app.errors import CausalCanvasError, DiscoveryError
from app.graph import show_name
from app.workspace import History, Workspace

SETTING = "knowledge"        # the Workspace.settings key
PER_ROW = 6                  # variables side by side in one band line
COL_GAP = 170.0
LINE_GAP = 110.0
BAND_PAD = 48.0
BAND_GAP = 12.0


@dataclass(frozen=True)
class Band:
    """One tier drawn as a horizontal band from y0 to y1 (canvas units)."""

    label: str
    y0: float
    y1: float
    tier: int | None          # 0-based tier, None for the variables in no tier


@dataclass(frozen=True)
class KnowledgeDrawing:
    """What the knowledge canvas shows: variables placed by tier, the stated edges, the bands."""

    variables: tuple[str, ...]
    positions: Mapping[str, tuple[float, float]]
    required: tuple[Edge, ...]
    forbidden: tuple[Edge, ...]
    bands: tuple[Band, ...]
    tier_of: Mapping[str, int]
    n_tiers: int
    forbidden_within: frozenset[int]

    def height(self, lo: int = 260, hi: int = 560) -> int:
        """Canvas pixels that show the drawing at about full size, within [lo, hi]."""
        ys = [y for _, y in self.positions.values()] or [0.0]
        span = max(ys) - min(ys) + 2 * BAND_PAD + 40
        return int(max(lo, min(hi, span)))


def knowledge_of(ws: Workspace) -> Knowledge:
    """The knowledge saved in the workspace (empty when none; DiscoveryError when damaged)."""
    return Knowledge.from_json(ws.settings.get(SETTING))


def with_knowledge(ws: Workspace, k: Knowledge) -> Workspace:
    return ws.with_setting(SETTING, None if k.is_empty else k.to_json())


def tier_label(i: int, n: int) -> str:
    return f"Tier {i + 1}" + (" (earliest)" if i == 0 and n > 1 else "")


def knowledge_drawing(k: Knowledge, variables: Sequence[str]) -> KnowledgeDrawing:
    """Place `variables` in bands, earliest tier on top, variables in no tier in a last band."""
    variables = tuple(dict.fromkeys(str(v) for v in variables))
    k = k.restricted(variables)
    groups: list[tuple[str, int | None, list[str]]] = [
        (tier_label(i, len(k.tiers)) + (" · no edges inside" if i in k.forbidden_within else ""),
         i, list(t)) for i, t in enumerate(k.tiers)]
    free = [v for v in variables if k.tier(v) is None]
    if free:
        groups.append(("No tier" if k.tiers else "", None, free))
    positions: dict[str, tuple[float, float]] = {}
    bands: list[Band] = []
    y = 0.0
    for g, (label, tier, members) in enumerate(groups):
        # many variables: wider lines, so the bands stay about as wide as they are tall
        per_row = max(PER_ROW, math.ceil(math.sqrt(2 * len(members))))
        lines = [members[i:i + per_row] for i in range(0, len(members), per_row)]
        top = y
        for line in lines:
            # every other band sits half a step to the right, so single variables of successive
            # tiers are not stacked in one column (an edge between two would cross the third)
            shift = COL_GAP / 2 if g % 2 else 0.0
            for j, name in enumerate(line):
                # alternate a little up and down so a straight edge never runs through a node
                wobble = 14.0 if (len(line) > 2 and j % 2) else 0.0
                positions[name] = ((j - (len(line) - 1) / 2) * COL_GAP + shift,
                                   y + BAND_PAD + wobble)
            y += LINE_GAP
        bottom = y - LINE_GAP + 2 * BAND_PAD + 14.0
        if label:
            bands.append(Band(label, top, bottom, tier))
        y = bottom + BAND_GAP
    return KnowledgeDrawing(
        variables=variables, positions=positions, required=tuple(sorted(k.required)),
        forbidden=tuple(sorted(k.forbidden)), bands=tuple(bands),
        tier_of={v: k.tier(v) for v in variables if k.tier(v) is not None},
        n_tiers=len(k.tiers), forbidden_within=k.forbidden_within)


# ---- the knowledge canvas's events ----------------------------------------------------------
def _pair(value: Any) -> Edge:
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(isinstance(n, str) for n in value)):
        raise DiscoveryError("The canvas sent an edge we cannot read.")
    return value[0], value[1]


def apply_knowledge_event(k: Knowledge, event: Mapping[str, Any], variables: Sequence[str]
                          ) -> tuple[Knowledge, str]:
    """One canvas event applied to `k`: (new knowledge, what it did, for the undo label).

    Events: add_knowledge {kind: required|forbidden, source, target}; delete {required: [[a, b]],
    forbidden: [[a, b]]}; set_tier {name, tier: 0-based int, or null for none}."""
    known = set(variables)
    kind = event.get("type")

    def name(value: Any) -> str:
        if not isinstance(value, str) or value not in known:
            raise DiscoveryError(f"{show_name(str(value)[:60])} is not one of the chosen "
                                 "variables.")
        return value

    if kind == "add_knowledge":
        what = event.get("kind")
        a, b = name(event.get("source")), name(event.get("target"))
        if a == b:
            raise DiscoveryError("An edge needs two different variables.")
        if what not in ("required", "forbidden"):
            raise DiscoveryError("Choose whether the edge is required or forbidden.")
        return k.with_edge(a, b, what), f"{what} {a} → {b}"
    if kind == "delete":
        req = [_pair(e) for e in event.get("required") or []]
        forb = [_pair(e) for e in event.get("forbidden") or []]
        if not req and not forb:
            raise DiscoveryError("Select a required or forbidden edge first, then delete it.")
        return k.without_edges(req, forb), "remove knowledge edges"
    if kind == "set_tier":
        n = name(event.get("name"))
        tier = event.get("tier")
        if tier is not None and (not isinstance(tier, int) or isinstance(tier, bool)):
            raise DiscoveryError("The canvas sent a tier we cannot read.")
        k2 = k.with_tier(n, tier)
        where = "no tier" if tier is None else f"tier {k2.tier(n) + 1}"
        return k2, f"put {n} in {where}"
    raise DiscoveryError("On the knowledge canvas you can draw required and forbidden edges "
                         "and set tiers; add or rename variables on the Graph page.")


def apply_knowledge_events(history: History, events: list[Mapping[str, Any]],
                           variables: Sequence[str]) -> EditorNotice | None:
    """Apply knowledge-canvas events in order to the workspace history (each one undo step).

    Plain Python only (called inside a Streamlit callback, like app.editor.apply_events)."""
    def step(ws: Workspace, event: Mapping[str, Any]) -> tuple[Workspace, str] | None:
        current = knowledge_of(ws)
        k, label = apply_knowledge_event(current, event, variables)
        return None if k == current else (with_knowledge(ws, k), label)

    return replay(history, events, step)


# ---- share links: the knowledge travels as Tetrad text in the link's extra fields -----------
SHARE_KEY = "knowledge"


def share_extra(ws: Workspace) -> dict[str, str]:
    """What a share link carries for the workspace's knowledge (nothing when there is none, or
    when it cannot be written: a name with a quotation mark; the link then carries the graph)."""
    from app.discovery.knowledge_file import write_tetrad_knowledge

    try:
        k = knowledge_of(ws)
        return {SHARE_KEY: write_tetrad_knowledge(k)} if not k.is_empty else {}
    except CausalCanvasError:
        return {}


def with_shared_knowledge(ws: Workspace, extra: Mapping[str, str]) -> Workspace:
    """`ws` with the knowledge a share link carries (unchanged when it carries none); a
    damaged one is a KnowledgeFileError (a ParseError), so the link is refused as a whole."""
    text = extra.get(SHARE_KEY)
    if not text:
        return ws
    from app.discovery.knowledge_file import read_tetrad_knowledge

    return with_knowledge(ws, read_tetrad_knowledge(text))
