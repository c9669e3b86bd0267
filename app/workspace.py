"""The Workspace (what the user is working on), its undo/redo history, and share links.

A Workspace is an immutable value: every user action makes a new one and the History keeps
the old ones, so undo is exact and an error can never leave half an edit behind. The data
table itself is not inside (it is big); the Workspace names it by a content fingerprint.
The model's options and hand-edited tables are settings (app.models.options), so undo,
autosave, saved files and share links carry them like the graph.
"""
from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from app import settings
from app.errors import CausalCanvasError, ShareLinkError
from app.graph import CausalGraph
from app.io.dagitty import write_dagitty

SHARE_VERSION = 1
MAX_SHARE_TOKEN = settings.MAX_SHARE_TOKEN
MAX_SHARE_JSON = settings.MAX_SHARE_JSON


@dataclass(frozen=True)
class DatasetRef:
    """Which table the workspace uses: a bundled sample or an upload, named by content."""

    kind: str            # "sample" or "upload"
    name: str            # sample name or uploaded file name
    fingerprint: str     # content hash of the loaded table
    rows: int = 0
    columns: int = 0


@dataclass(frozen=True)
class Workspace:
    """Everything that defines the user's current analysis, as one immutable value."""

    graph: CausalGraph = field(default_factory=CausalGraph)
    dataset: DatasetRef | None = None
    var_types: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)

    def with_graph(self, graph: CausalGraph) -> Workspace:
        return replace(self, graph=graph)

    def with_dataset(self, dataset: DatasetRef | None,
                     var_types: Mapping[str, str] | None = None) -> Workspace:
        return replace(self, dataset=dataset, var_types=dict(var_types or {}))

    def with_var_types(self, var_types: Mapping[str, str]) -> Workspace:
        return replace(self, var_types=dict(var_types))

    def with_setting(self, key: str, value: Any) -> Workspace:
        return replace(self, settings={**self.settings, key: value})

    def without_setting(self, key: str) -> Workspace:
        return replace(self, settings={k: v for k, v in self.settings.items() if k != key})

    def model_options(self):
        """How the pages build the model (app.models.options.ModelOptions)."""
        from app.models.options import MODEL_OPTIONS, read_options

        return read_options(self.settings.get(MODEL_OPTIONS))

    def with_model_options(self, options) -> Workspace:
        from app.models.options import MODEL_OPTIONS

        return self.with_setting(MODEL_OPTIONS, options.to_json())

    def cpt_edits(self) -> dict:
        """The probability tables edited by hand for this graph (variable -> table). Edits made
        for another structure of the graph wait, unused, until it is back (e.g. by undo)."""
        from app.models.options import CPT_EDITS, read_edits

        graph_key, tables = read_edits(self.settings.get(CPT_EDITS))
        return tables if graph_key == self.graph.structure_hash() else {}

    def with_cpt_edits(self, tables: Mapping) -> Workspace:
        """This workspace with these edited tables (none: the fitted tables are used again)."""
        from app.models.options import CPT_EDITS, edits_to_json

        if not tables:
            return self.without_setting(CPT_EDITS)
        return self.with_setting(CPT_EDITS, edits_to_json(self.graph.structure_hash(), tables))

    def summary(self) -> str:
        """One line for the sidebar: data source and graph size."""
        data = (f"{self.dataset.name} ({self.dataset.rows:,} rows)" if self.dataset
                else "no data loaded")
        g = self.graph
        n_edges = len(g.edges) + len(g.bidirected) + len(g.undirected) + len(g.circle)
        return f"{data} · graph: {len(g.nodes)} nodes, {n_edges} edges"


@dataclass
class History:
    """Bounded undo/redo over Workspace values; `present` is what the user sees."""

    present: Workspace = field(default_factory=Workspace)
    past: list[tuple[Workspace, str]] = field(default_factory=list)
    future: list[tuple[Workspace, str]] = field(default_factory=list)
    limit: int = 100

    def push(self, workspace: Workspace, label: str = "edit") -> None:
        """Make `workspace` current; the previous one can be restored with undo."""
        if workspace == self.present:
            return
        self.past.append((self.present, label))
        if len(self.past) > self.limit:
            del self.past[0]
        self.present = workspace
        self.future.clear()

    def undo(self) -> str | None:
        """Step back; returns the label of the undone action, or None when nothing to undo."""
        if not self.past:
            return None
        previous, label = self.past.pop()
        self.future.append((self.present, label))
        self.present = previous
        return label

    def redo(self) -> str | None:
        if not self.future:
            return None
        nxt, label = self.future.pop()
        self.past.append((self.present, label))
        self.present = nxt
        return label

    @property
    def can_undo(self) -> bool:
        return bool(self.past)

    @property
    def can_redo(self) -> bool:
        return bool(self.future)

    def undo_label(self) -> str | None:
        return self.past[-1][1] if self.past else None

    def redo_label(self) -> str | None:
        return self.future[-1][1] if self.future else None


@dataclass(frozen=True)
class SharePayload:
    """What a share link carries: the graph, optionally a sample, where to open, and the
    model's settings (options and edited tables, checked as they were read)."""

    graph: CausalGraph
    sample: str | None = None
    page: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)

    def apply_to(self, ws: Workspace) -> Workspace:
        """`ws` with this link's graph and model settings."""
        from app.models.options import SHARED_SETTINGS

        kept = {k: v for k, v in ws.settings.items() if k not in SHARED_SETTINGS}
        return replace(ws, graph=self.graph, settings={**kept, **self.settings})


def _token(doc: dict[str, Any]) -> str:
    raw = zlib.compress(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), 9)
    return f"{SHARE_VERSION}." + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_share(graph: CausalGraph, sample: str | None = None, page: str | None = None,
                 extra: Mapping[str, str] | None = None,
                 settings: Mapping[str, Any] | None = None) -> str:
    """A compact URL-safe token: version, then base64url(zlib(JSON)). Of `settings`, the
    model's options and edited tables go along; edited tables too large for a link stay out."""
    doc: dict[str, Any] = {"v": SHARE_VERSION, "g": write_dagitty(graph)}
    if sample:
        doc["s"] = sample
    if page:
        doc["p"] = page
    if extra:
        doc["x"] = {str(k): str(v) for k, v in extra.items()}
    from app.models.options import CPT_EDITS, SHARED_SETTINGS

    shared = {k: v for k, v in (settings or {}).items() if k in SHARED_SETTINGS}
    if shared:
        doc["w"] = shared
    token = _token(doc)
    if len(token) > MAX_SHARE_TOKEN and CPT_EDITS in shared:
        doc["w"] = {k: v for k, v in shared.items() if k != CPT_EDITS}
        token = _token(doc)
    return token


def decode_share(token: str) -> SharePayload:
    """Read a share token back; any damage or tampering raises ShareLinkError, never more."""
    if not isinstance(token, str) or not token:
        raise ShareLinkError("The share link is empty.")
    if len(token) > MAX_SHARE_TOKEN:
        raise ShareLinkError("The share link is too long to be one of ours.")
    version, _, body = token.partition(".")
    if version != str(SHARE_VERSION) or not body:
        raise ShareLinkError("This share link was made by another version of Causal Canvas or "
                             "has been cut short.", hint="Ask for the link again.")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, MAX_SHARE_JSON)
        if inflater.unconsumed_tail:
            raise ShareLinkError("The share link holds too much data.")
        from app.data import without_surrogates

        doc = without_surrogates(json.loads(text.decode("utf-8")))   # "\ud800" cannot be shown
    except ShareLinkError:
        raise
    except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError, ValueError,
            RecursionError):  # RecursionError: a tiny link can inflate to deeply nested JSON
        raise ShareLinkError("The share link is damaged (it may have been cut or edited).",
                             hint="Copy the whole link again from the sidebar.") from None
    if not isinstance(doc, dict) or doc.get("v") != SHARE_VERSION or not isinstance(doc.get("g"), str):
        raise ShareLinkError("The share link does not contain a graph.")
    sample, page, extra = doc.get("s"), doc.get("p"), doc.get("x", {})
    if sample is not None and not isinstance(sample, str):
        raise ShareLinkError("The share link names its sample in a way we cannot read.")
    if page is not None and not isinstance(page, str):
        raise ShareLinkError("The share link names its page in a way we cannot read.")
    if not isinstance(extra, dict) or not all(isinstance(v, str) for v in extra.values()):
        raise ShareLinkError("The share link has settings we cannot read.")
    shared = doc.get("w", {})
    from app.models.options import SHARED_SETTINGS, check_settings

    if not isinstance(shared, dict) or set(shared) - set(SHARED_SETTINGS):
        raise ShareLinkError("The share link has model settings we cannot read.")

    try:
        shared = check_settings(shared)
    except CausalCanvasError as err:
        raise ShareLinkError(f"The share link's model settings are not usable: {err.message}",
                             hint=err.hint) from None
    from app.io import parse_graph

    try:
        graph = parse_graph(doc["g"], "dagitty")
    except CausalCanvasError as err:
        raise ShareLinkError(f"The graph in the share link is not valid: {err.message}") from None
    return SharePayload(graph=graph, sample=sample, page=page, extra=extra, settings=shared)


@dataclass(frozen=True)
class GraphDataFit:
    """How the graph's variables and the data's columns line up."""

    missing: tuple[str, ...]     # measured graph variables that are not data columns
    unused: tuple[str, ...]      # data columns the graph does not name

    @property
    def disjoint(self) -> bool:
        """The graph names data only by accident: most of its variables are not columns."""
        return bool(self.missing)


def graph_data_fit(graph: CausalGraph, columns) -> GraphDataFit:
    """Which graph variables have no column (latent ones are meant to have none) and which
    columns are not in the graph."""
    cols = [str(c) for c in columns]
    have = set(cols)
    missing = tuple(n for n in graph.nodes if n not in have and n not in graph.latents)
    unused = tuple(c for c in cols if c not in set(graph.nodes))
    return GraphDataFit(missing, unused)


def graph_from_columns(columns) -> CausalGraph:
    """A graph with one node per column and no edges, on a circle: a start to draw on. On a
    circle no straight arrow drawn later between two nodes can pass through a third."""
    import math

    cols = [str(c) for c in columns]
    n = len(cols)
    radius = max(160.0, n * 120.0 / (2 * math.pi))
    pos = {c: (round(radius * math.cos(2 * math.pi * i / n - math.pi / 2), 1),
               round(radius * math.sin(2 * math.pi * i / n - math.pi / 2), 1))
           for i, c in enumerate(cols)}
    return CausalGraph(nodes=tuple(cols), positions=pos)
