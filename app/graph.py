"""CausalGraph: an immutable causal diagram (DAG plus bidirected edges for latent confounding).

A graph carries its type (`kind`), as DAGitty's graphs do: "dag" (directed and bidirected
edges: a DAG with latent confounding), "pdag" (directed and undirected), "mag" (directed,
bidirected and undirected; ancestral) or "pag" (every mark, including circles). Each type
allows only the edge marks DAGitty's `GraphAnalyzer.validate` allows for it.

Every edit returns a new graph, so the workspace keeps old values for undo and nothing can be
half-changed by an error. Validity (no directed cycle, known nodes, sane names) is checked here
and nowhere else.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from app.errors import CycleError, GraphError
from app.settings import MAX_EDGES, MAX_NODES

ROLES: tuple[str, ...] = ("exposure", "outcome", "adjusted", "latent", "selected")
MAX_NAME_LENGTH = 200

KINDS: tuple[str, ...] = ("dag", "pdag", "mag", "pag")
KIND_NAMES = {"dag": "DAG", "pdag": "PDAG (partially directed graph)",
              "mag": "MAG (maximal ancestral graph)", "pag": "PAG (partial ancestral graph)"}
# Circle marks, as DAGitty writes them: "@->" is a o-> b, "@--" is a o-- b, "@-@" is a o-o b.
CIRCLE_MARKS: tuple[str, ...] = ("@->", "@--", "@-@")
# Which edge sets each kind may use (DAGitty, jslib/graph/GraphAnalyzer.js, `validate`).
_ALLOWED = {
    "dag": {"edges", "bidirected"},
    "pdag": {"edges", "undirected", "bidirected"},
    "mag": {"edges", "bidirected", "undirected"},
    "pag": {"edges", "bidirected", "undirected", "circle"},
}

Edge = tuple[str, str]
MarkedEdge = tuple[str, str, str]


def show_name(name: object, quote: bool = True) -> str:
    """A name for a message: 'X' (or X with quote=False), or its escaped ascii() form when it
    holds characters that cannot be shown (controls, lone surrogates, which break the page
    that renders them)."""
    text = str(name)
    text = text[:60] + ("…" if len(text) > 60 else "")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in text):
        return ascii(text)
    return f"'{text}'" if quote else text


def clean_name(name: object) -> str:
    """Return a valid node name (stripped, NFC) or raise GraphError saying what is wrong."""
    if not isinstance(name, str):
        raise GraphError(f"A node name must be text, not {type(name).__name__}.")
    if name.isascii() and name.isprintable() and 0 < len(name) <= MAX_NAME_LENGTH \
            and name[0] != " " and name[-1] != " ":
        return name    # the common case, decided without a per-character category scan
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        raise GraphError("A node name cannot be empty.")
    if any(unicodedata.category(c) == "Cs" for c in text):
        raise GraphError(f"The node name {ascii(text[:40])} contains a broken character (half "
                         "of a UTF-16 surrogate pair).", hint="Retype the name.")
    if len(text) > MAX_NAME_LENGTH:
        raise GraphError(
            f"The node name '{text[:40]}…' is {len(text)} characters long; "
            f"the limit is {MAX_NAME_LENGTH}."
        )
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        raise GraphError(
            f"The node name {text[:40]!r} contains a control character ({bad[0]!r}).",
            hint="Use letters, digits, spaces and punctuation only.",
        )
    return text


def _pair(a: str, b: str) -> Edge:
    return (a, b) if a <= b else (b, a)


def _circle(a: str, mark: str, b: str) -> MarkedEdge:
    if mark not in CIRCLE_MARKS:
        raise GraphError(f"Unknown edge mark {str(mark)[:10]!r}.",
                         hint="Circle marks are: " + ", ".join(CIRCLE_MARKS) + ".")
    if mark == "@-@" and b < a:
        a, b = b, a
    return (a, mark, b)


def _check_marks(kind: str, edges: frozenset[Edge], bidirected: frozenset[Edge],
                 undirected: frozenset[Edge], circle: frozenset[MarkedEdge]) -> None:
    """Only the marks the graph type allows; in a PDAG/MAG/PAG at most one edge per pair."""
    used = {"edges": edges, "bidirected": bidirected, "undirected": undirected,
            "circle": circle}
    symbol = {"edges": "->", "bidirected": "<->", "undirected": "--", "circle": "@"}
    for name, items in used.items():
        if items and name not in _ALLOWED[kind]:
            a, b = (lambda e: (e[0], e[-1]))(next(iter(sorted(items))))
            raise GraphError(
                f"A {KIND_NAMES[kind]} cannot have the edge {a} {symbol[name]} {b}.",
                hint="Change the graph type (dag, pdag, mag, pag) to one that allows this mark.")
    if kind == "dag":
        return
    seen: set[Edge] = set()
    for a, b in [*edges, *bidirected, *undirected, *((a, b) for a, _, b in circle)]:
        pair = _pair(a, b)
        if pair in seen:
            raise GraphError(f"A {KIND_NAMES[kind]} has at most one edge between two nodes; "
                             f"{a} and {b} have two.")
        seen.add(pair)


@dataclass(frozen=True)
class CausalGraph:
    """A causal diagram: named nodes, directed edges, bidirected edges, roles and positions.

    Use the edit methods (`add_node`, `add_edge`, ...) rather than the constructor; the
    constructor is validated too (see `__post_init__`), so no invalid graph can exist.
    """

    nodes: tuple[str, ...] = ()
    edges: frozenset[Edge] = frozenset()
    bidirected: frozenset[Edge] = frozenset()
    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    positions: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    kind: str = "dag"
    undirected: frozenset[Edge] = frozenset()        # a -- b, stored as a sorted pair
    circle: frozenset[MarkedEdge] = frozenset()      # (a, mark, b), mark in CIRCLE_MARKS

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise GraphError(f"Unknown graph type {str(self.kind)[:20]!r}.",
                             hint="Graph types are: " + ", ".join(KINDS) + ".")
        nodes = tuple(clean_name(n) for n in self.nodes)
        if len(set(nodes)) != len(nodes):
            dup = next(n for n in nodes if nodes.count(n) > 1)
            raise GraphError(f"The node '{dup}' appears twice.", hint="Each node name must be unique.")
        if len(nodes) > MAX_NODES:
            raise GraphError(f"The graph has {len(nodes)} nodes; the limit is {MAX_NODES}.")
        known = set(nodes)
        edges = frozenset((a, b) for a, b in self.edges)
        bidirected = frozenset(_pair(a, b) for a, b in self.bidirected)
        undirected = frozenset(_pair(a, b) for a, b in self.undirected)
        circle = frozenset(_circle(*e) for e in self.circle)
        total = len(edges) + len(bidirected) + len(undirected) + len(circle)
        if total > MAX_EDGES:
            raise GraphError(f"The graph has {total:,} edges; the limit is {MAX_EDGES:,}.")
        for a, b in [*edges, *bidirected, *undirected, *((a, b) for a, _, b in circle)]:
            for n in (a, b):
                if n not in known:
                    raise GraphError(f"The edge {show_name(a, False)} – {show_name(b, False)} uses the unknown "
                                     f"node {show_name(n)}.")
            if a == b:
                raise GraphError(f"The node '{a}' cannot point to itself.")
        _check_marks(self.kind, edges, bidirected, undirected, circle)
        roles = {}
        for n, rs in dict(self.roles).items():
            if n not in known:
                raise GraphError(f"A role was given to the unknown node {show_name(n)}.")
            rs = frozenset(rs)
            unknown = rs - set(ROLES)
            if unknown:
                raise GraphError(
                    f"Unknown role {show_name(sorted(map(str, unknown))[0])} for {show_name(n)}.",
                    hint="Roles are: " + ", ".join(ROLES) + ".",
                )
            if rs:
                roles[n] = rs
        positions = {}
        for n, p in dict(self.positions).items():
            if n not in known:
                raise GraphError(f"A position was given to the unknown node {show_name(n)}.")
            x, y = (float(v) for v in p)
            if x != x or y != y or abs(x) > 1e7 or abs(y) > 1e7:
                raise GraphError(f"The position of '{n}' is not a usable number.")
            positions[n] = (x, y)
        object.__setattr__(self, "nodes", nodes)
        object.__setattr__(self, "edges", edges)
        object.__setattr__(self, "bidirected", bidirected)
        object.__setattr__(self, "roles", roles)
        object.__setattr__(self, "positions", positions)
        object.__setattr__(self, "undirected", undirected)
        object.__setattr__(self, "circle", circle)
        _check_acyclic(nodes, edges)
        if self.kind == "mag":
            _check_ancestral(nodes, edges, bidirected, undirected)

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def from_edges(cls, edges: Iterable[Edge], nodes: Iterable[str] = (),
                   bidirected: Iterable[Edge] = (),
                   roles: Mapping[str, Iterable[str]] | None = None,
                   positions: Mapping[str, tuple[float, float]] | None = None, *,
                   kind: str = "dag", undirected: Iterable[Edge] = (),
                   circle: Iterable[MarkedEdge] = ()) -> CausalGraph:
        """Build a graph from edge pairs; nodes are taken from `nodes` then from the edges."""
        cleaned: dict[object, str] = {}

        def c(name: object) -> str:   # each distinct name is checked once
            try:
                return cleaned[name]
            except KeyError:
                cleaned[name] = out = clean_name(name)
                return out
            except TypeError:          # unhashable: clean_name says what is wrong
                return clean_name(name)

        edges = [(c(a), c(b)) for a, b in edges]
        bidirected = [(c(a), c(b)) for a, b in bidirected]
        undirected = [(c(a), c(b)) for a, b in undirected]
        circle = [(c(a), m, c(b)) for a, m, b in circle]
        order: dict[str, None] = {}
        for n in nodes:
            order[c(n)] = None
        for a, b in [*edges, *bidirected, *undirected, *((a, b) for a, _, b in circle)]:
            order.setdefault(a, None)
            order.setdefault(b, None)
        return cls(
            nodes=tuple(order),
            edges=frozenset(edges),
            bidirected=frozenset(bidirected),
            roles={n: frozenset(r) for n, r in (roles or {}).items()},
            positions=dict(positions or {}),
            kind=kind,
            undirected=frozenset(undirected),
            circle=frozenset(circle),
        )

    @classmethod
    def from_networkx(cls, g: nx.DiGraph) -> CausalGraph:
        """Build from a networkx DiGraph; node attributes `roles` and `pos` are kept."""
        roles = {str(n): d.get("roles", ()) for n, d in g.nodes(data=True) if d.get("roles")}
        pos = {str(n): tuple(d["pos"]) for n, d in g.nodes(data=True) if d.get("pos") is not None}
        bidirected = [(str(a), str(b)) for a, b, d in g.edges(data=True) if d.get("bidirected")]
        directed = [(str(a), str(b)) for a, b, d in g.edges(data=True) if not d.get("bidirected")]
        return cls.from_edges(directed, nodes=[str(n) for n in g.nodes], bidirected=bidirected,
                              roles=roles, positions=pos)

    # ---- views ----------------------------------------------------------------------------
    def to_networkx(self) -> nx.DiGraph:
        """The directed part as a networkx DiGraph (bidirected edges are left out)."""
        g = nx.DiGraph()
        for n in self.nodes:
            attrs = {"roles": sorted(self.roles.get(n, ()))}
            if n in self.positions:
                attrs["pos"] = self.positions[n]
            g.add_node(n, **attrs)
        g.add_edges_from(sorted(self.edges))
        return g

    def role_nodes(self, role: str) -> set[str]:
        """The nodes that carry `role`."""
        return {n for n, rs in self.roles.items() if role in rs}

    @property
    def exposures(self) -> set[str]:
        return self.role_nodes("exposure")

    @property
    def outcomes(self) -> set[str]:
        return self.role_nodes("outcome")

    @property
    def latents(self) -> set[str]:
        return self.role_nodes("latent")

    @property
    def adjusted(self) -> set[str]:
        return self.role_nodes("adjusted")

    def parents(self, node: str) -> list[str]:
        self._require(node)
        return sorted(a for a, b in self.edges if b == node)

    def children(self, node: str) -> list[str]:
        self._require(node)
        return sorted(b for a, b in self.edges if a == node)

    def ancestors(self, node: str) -> set[str]:
        self._require(node)
        return nx.ancestors(self.to_networkx(), node)

    def descendants(self, node: str) -> set[str]:
        self._require(node)
        return nx.descendants(self.to_networkx(), node)

    def topological_order(self) -> list[str]:
        """Nodes with every parent before its children; ties broken by the node order."""
        return list(nx.lexicographical_topological_sort(
            self.to_networkx(), key=self.nodes.index))

    def has_edge(self, a: str, b: str) -> bool:
        return (a, b) in self.edges

    def __contains__(self, node: object) -> bool:
        return node in self.nodes

    def __len__(self) -> int:
        return len(self.nodes)

    def content_hash(self) -> str:
        """A stable hash of the whole graph (structure, roles, positions) for caching."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()[:16]

    def _type_doc(self) -> dict:
        """Type and the marks beyond -> and <->; empty for a DAG, so DAG hashes stay as they were."""
        doc: dict = {}
        if self.kind != "dag":
            doc["kind"] = self.kind
        if self.undirected:
            doc["undirected"] = sorted(self.undirected)
        if self.circle:
            doc["circle"] = sorted(self.circle)
        return doc

    def structure_hash(self) -> str:
        """A stable hash of nodes and edges only: positions and roles do not change it."""
        doc = {"n": sorted(self.nodes), "e": sorted(self.edges), "b": sorted(self.bidirected),
               **self._type_doc()}
        return hashlib.sha256(json.dumps(doc, ensure_ascii=False).encode()).hexdigest()[:16]

    def canonical_json(self) -> str:
        doc = {
            "nodes": sorted(self.nodes),
            "edges": sorted(self.edges),
            "bidirected": sorted(self.bidirected),
            "roles": {n: sorted(r) for n, r in sorted(self.roles.items())},
            "positions": {n: list(p) for n, p in sorted(self.positions.items())},
            **self._type_doc(),
        }
        return json.dumps(doc, ensure_ascii=False, sort_keys=True)

    def __hash__(self) -> int:
        return hash(self.canonical_json())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CausalGraph):
            return NotImplemented
        return self.canonical_json() == other.canonical_json()

    def same_structure(self, other: CausalGraph) -> bool:
        """True when both graphs have the same nodes, edges and roles (layout ignored)."""
        return (set(self.nodes) == set(other.nodes) and self.edges == other.edges
                and self.bidirected == other.bidirected and dict(self.roles) == dict(other.roles)
                and self._type_doc() == other._type_doc())

    @property
    def is_dag(self) -> bool:
        """True for a DAG (possibly with <-> edges for latent confounding)."""
        return self.kind == "dag"

    # ---- edits (each returns a new graph) ------------------------------------------------
    def _replace(self, **changes) -> CausalGraph:
        fields = {"nodes": self.nodes, "edges": self.edges, "bidirected": self.bidirected,
                  "roles": self.roles, "positions": self.positions, "kind": self.kind,
                  "undirected": self.undirected, "circle": self.circle}
        fields.update(changes)
        return CausalGraph(**fields)

    def _require(self, *nodes: str) -> None:
        for n in nodes:
            if n not in self.nodes:
                raise GraphError(f"There is no node called {show_name(n)}.")

    def add_node(self, name: str, pos: tuple[float, float] | None = None,
                 roles: Iterable[str] = ()) -> CausalGraph:
        name = clean_name(name)
        if name in self.nodes:
            raise GraphError(f"A node called '{name}' already exists.",
                             hint="Choose another name.")
        positions = dict(self.positions)
        if pos is not None:
            positions[name] = pos
        new_roles = dict(self.roles)
        if roles:
            new_roles[name] = frozenset(roles)
        return self._replace(nodes=(*self.nodes, name), positions=positions, roles=new_roles)

    def remove_node(self, name: str) -> CausalGraph:
        self._require(name)
        return self._replace(
            nodes=tuple(n for n in self.nodes if n != name),
            edges=frozenset(e for e in self.edges if name not in e),
            bidirected=frozenset(e for e in self.bidirected if name not in e),
            undirected=frozenset(e for e in self.undirected if name not in e),
            circle=frozenset(e for e in self.circle if name not in (e[0], e[2])),
            roles={n: r for n, r in self.roles.items() if n != name},
            positions={n: p for n, p in self.positions.items() if n != name},
        )

    def rename_node(self, old: str, new: str) -> CausalGraph:
        self._require(old)
        new = clean_name(new)
        if new == old:
            return self
        if new in self.nodes:
            raise GraphError(f"A node called '{new}' already exists.", hint="Choose another name.")

        def r(n: str) -> str:
            return new if n == old else n

        return self._replace(
            nodes=tuple(r(n) for n in self.nodes),
            edges=frozenset((r(a), r(b)) for a, b in self.edges),
            bidirected=frozenset((r(a), r(b)) for a, b in self.bidirected),
            undirected=frozenset((r(a), r(b)) for a, b in self.undirected),
            circle=frozenset((r(a), m, r(b)) for a, m, b in self.circle),
            roles={r(n): v for n, v in self.roles.items()},
            positions={r(n): v for n, v in self.positions.items()},
        )

    def add_edge(self, a: str, b: str) -> CausalGraph:
        """Add the directed edge a → b; raises CycleError naming the cycle it would close."""
        self._require(a, b)
        if a == b:
            raise GraphError(f"The node '{a}' cannot point to itself.")
        if (a, b) in self.edges:
            raise GraphError(f"The edge {a} → {b} is already there.")
        return self._replace(edges=self.edges | {(a, b)})

    def remove_edge(self, a: str, b: str) -> CausalGraph:
        if (a, b) not in self.edges:
            raise GraphError(f"There is no edge {show_name(a, False)} → {show_name(b, False)}.")
        return self._replace(edges=self.edges - {(a, b)})

    def reverse_edge(self, a: str, b: str) -> CausalGraph:
        if (a, b) not in self.edges:
            raise GraphError(f"There is no edge {show_name(a, False)} → {show_name(b, False)} to reverse.")
        return self._replace(edges=(self.edges - {(a, b)}) | {(b, a)})

    def add_bidirected(self, a: str, b: str) -> CausalGraph:
        """Add a ↔ b: an unobserved common cause of a and b."""
        self._require(a, b)
        if a == b:
            raise GraphError(f"A bidirected edge needs two different nodes, not '{a}' twice.")
        if _pair(a, b) in self.bidirected:
            raise GraphError(f"The bidirected edge {a} ↔ {b} is already there.")
        return self._replace(bidirected=self.bidirected | {_pair(a, b)})

    def remove_bidirected(self, a: str, b: str) -> CausalGraph:
        if _pair(a, b) not in self.bidirected:
            raise GraphError(f"There is no bidirected edge {show_name(a, False)} ↔ {show_name(b, False)}.")
        return self._replace(bidirected=self.bidirected - {_pair(a, b)})

    def remove_undirected(self, a: str, b: str) -> CausalGraph:
        """Remove a -- b (a PDAG's, MAG's or PAG's undirected edge); the kind is kept."""
        if _pair(a, b) not in self.undirected:
            raise GraphError(f"There is no undirected edge {show_name(a, False)} — {show_name(b, False)}.")
        return self._replace(undirected=self.undirected - {_pair(a, b)})

    def remove_circle(self, a: str, b: str) -> CausalGraph:
        """Remove the edge with a circle mark between a and b (either order); the kind is kept."""
        gone = {e for e in self.circle if {e[0], e[2]} == {a, b}}
        if not gone or a == b:
            raise GraphError(f"There is no edge with a circle mark between {show_name(a, False)} "
                             f"and {show_name(b, False)}.")
        return self._replace(circle=self.circle - gone)

    def set_role(self, node: str, role: str, on: bool = True) -> CausalGraph:
        """Give `node` the role (or take it away with on=False)."""
        self._require(node)
        if role not in ROLES:
            raise GraphError(f"Unknown role {show_name(role)}.",
                             hint="Roles are: " + ", ".join(ROLES) + ".")
        roles = dict(self.roles)
        current = set(roles.get(node, ()))
        current = current | {role} if on else current - {role}
        roles[node] = frozenset(current)
        return self._replace(roles=roles)

    def set_roles(self, node: str, roles: Iterable[str]) -> CausalGraph:
        """Replace all roles of `node`."""
        self._require(node)
        new = dict(self.roles)
        new[node] = frozenset(roles)
        return self._replace(roles=new)

    def move(self, node: str, x: float, y: float) -> CausalGraph:
        self._require(node)
        return self._replace(positions={**self.positions, node: (x, y)})

    def with_positions(self, positions: Mapping[str, tuple[float, float]]) -> CausalGraph:
        """Set many positions at once (unknown nodes are ignored: layouts may be stale)."""
        merged = dict(self.positions)
        merged.update({n: p for n, p in positions.items() if n in self.nodes})
        return self._replace(positions=merged)

    def without_positions(self) -> CausalGraph:
        return self._replace(positions={})

    def subgraph(self, keep: Iterable[str]) -> CausalGraph:
        keep = set(keep)
        return self._replace(
            nodes=tuple(n for n in self.nodes if n in keep),
            edges=frozenset(e for e in self.edges if set(e) <= keep),
            bidirected=frozenset(e for e in self.bidirected if set(e) <= keep),
            undirected=frozenset(e for e in self.undirected if set(e) <= keep),
            circle=frozenset(e for e in self.circle if {e[0], e[2]} <= keep),
            roles={n: r for n, r in self.roles.items() if n in keep},
            positions={n: p for n, p in self.positions.items() if n in keep},
        )


def _check_acyclic(nodes: tuple[str, ...], edges: frozenset[Edge]) -> None:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    if nx.is_directed_acyclic_graph(g):
        return
    cycle = [a for a, _ in nx.find_cycle(g)]
    raise CycleError(cycle)


def _check_ancestral(nodes: tuple[str, ...], edges: frozenset[Edge],
                     bidirected: frozenset[Edge], undirected: frozenset[Edge]) -> None:
    """A MAG must be ancestral (Richardson & Spirtes 2002, Def. 3.7): no a <-> b where one is an
    ancestor of the other, and no arrowhead (parent or spouse) at either end of an a -- b."""
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    for a, b in sorted(bidirected):
        if nx.has_path(g, a, b) or nx.has_path(g, b, a):
            raise GraphError(f"In a MAG, {a} <-> {b} cannot join a node to its own ancestor "
                             "(an almost directed cycle).")
    heads = {b for _, b in edges} | {n for e in bidirected for n in e}
    for a, b in sorted(undirected):
        if a in heads or b in heads:
            n = a if a in heads else b
            raise GraphError(f"In a MAG, the undirected edge {a} -- {b} needs '{n}' to have no "
                             "parents and no <-> edges.")
