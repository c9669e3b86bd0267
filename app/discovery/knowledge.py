"""Background knowledge (required edges, forbidden edges, tiers) and how each algorithm honours it.

Semantics, the same for every method:
- a forbidden edge a → b never appears in the result; if both directions are forbidden (or the
  pair is forbidden in one direction and the other direction is forbidden by tiers) the two
  variables are never adjacent;
- a required edge a → b always appears, oriented a → b;
- tiers are a temporal order: a variable in a later tier never causes one in an earlier tier
  (every edge from a later to an earlier tier is forbidden). Variables in no tier are free.
  Two per-tier flags from Tetrad's Knowledge: "forbidden within" (no edge between two members
  of that tier; Tetrad's `*` marker) and "only into the next tier" (no edge from that tier to
  any tier after the next one; Tetrad's `-` marker).
For PAGs (FCI), "a → b forbidden" is read as "a does not cause b": the mark at a becomes an
arrowhead, which is the PAG statement that a is not an ancestor of b (as Tetrad does).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import networkx as nx

from app.discovery.pdag import Pdag, meek_closure
from app.discovery.result import LearnedEdge
from app.errors import DiscoveryError

Edge = tuple[str, str]


@dataclass(frozen=True)
class Knowledge:
    """What the user knows before looking at the data: required / forbidden edges and tiers."""

    required: frozenset[Edge] = frozenset()
    forbidden: frozenset[Edge] = frozenset()
    tiers: tuple[tuple[str, ...], ...] = ()
    forbidden_within: frozenset[int] = frozenset()   # tier indices (0-based, into `tiers`)
    next_tier_only: frozenset[int] = frozenset()     # tier indices (0-based, into `tiers`)
    _tier_of: Mapping[str, int] = field(default_factory=dict, init=False, repr=False,
                                        compare=False)

    def __post_init__(self) -> None:
        required = frozenset((str(a), str(b)) for a, b in self.required)
        forbidden = frozenset((str(a), str(b)) for a, b in self.forbidden)
        kept = [i for i, tier in enumerate(self.tiers) if len(tier)]
        tiers = tuple(tuple(str(n) for n in self.tiers[i]) for i in kept)
        new_index = {old: new for new, old in enumerate(kept)}
        for name in ("forbidden_within", "next_tier_only"):
            flags = getattr(self, name)
            if any(not isinstance(i, int) or not 0 <= i < len(self.tiers) for i in flags):
                raise DiscoveryError(f"A tier flag ({name.replace('_', ' ')}) names a tier that "
                                     "does not exist.")
            object.__setattr__(self, name, frozenset(new_index[i] for i in flags if i in new_index))
        for a, b in required | forbidden:
            if a == b:
                raise DiscoveryError(f"Background knowledge has an edge from '{a}' to itself.",
                                     hint="Remove that row from the knowledge table.")
        tier_of: dict[str, int] = {}
        for i, tier in enumerate(tiers):
            for n in tier:
                if n in tier_of:
                    raise DiscoveryError(
                        f"'{n}' is in tier {tier_of[n] + 1} and tier {i + 1}.",
                        hint="Put each variable in at most one tier.")
                tier_of[n] = i
        object.__setattr__(self, "required", required)
        object.__setattr__(self, "forbidden", forbidden)
        object.__setattr__(self, "tiers", tiers)
        object.__setattr__(self, "_tier_of", tier_of)
        for a, b in sorted(required):
            if self.is_forbidden(a, b):
                ta, tb = tier_of.get(a), tier_of.get(b)
                why = ("it is also listed as forbidden" if (a, b) in forbidden else
                       f"'{a}' is in a later tier than '{b}'" if ta > tb else
                       f"tier {ta + 1} allows no edge between its own members" if ta == tb else
                       f"tier {ta + 1} may cause only the next tier")
                raise DiscoveryError(
                    f"The edge {a} → {b} is required, but {why}.",
                    hint="Remove one of the two contradicting statements.")
        g = nx.DiGraph(list(required))
        if not nx.is_directed_acyclic_graph(g):
            cycle = " → ".join(a for a, _ in nx.find_cycle(g))
            raise DiscoveryError(f"The required edges form a cycle ({cycle}).",
                                 hint="A causal graph cannot contain a cycle; drop one of them.")

    # ---- construction -----------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, object]],
                  tiers: Sequence[Sequence[str]] = ()) -> Knowledge:
        """Build from table rows {"from": a, "to": b, "kind": "required"|"forbidden"}; blank rows
        are skipped (the page's editable table always has one)."""
        required, forbidden = set(), set()
        for i, row in enumerate(rows, start=1):
            a, b, kind = (str(row.get(k) or "").strip() for k in ("from", "to", "kind"))
            if not a and not b:
                continue
            if not a or not b:
                raise DiscoveryError(f"Row {i} of the knowledge table needs both 'from' and 'to'.")
            kind = kind.lower() or "required"
            if kind not in ("required", "forbidden"):
                raise DiscoveryError(f"Row {i}: kind must be 'required' or 'forbidden', not '{kind}'.")
            (required if kind == "required" else forbidden).add((a, b))
        return cls(frozenset(required), frozenset(forbidden), tuple(tuple(t) for t in tiers))

    # ---- saved with the workspace (Workspace.settings["knowledge"]) ---------------------------
    def to_json(self) -> dict:
        """Plain JSON (lists and ints), as kept in the workspace settings and its file."""
        return {"required": [list(e) for e in sorted(self.required)],
                "forbidden": [list(e) for e in sorted(self.forbidden)],
                "tiers": [list(t) for t in self.tiers],
                "forbidden_within": sorted(self.forbidden_within),
                "next_tier_only": sorted(self.next_tier_only)}

    @classmethod
    def from_json(cls, doc: object) -> Knowledge:
        """Read `to_json`'s output back; None means no knowledge; anything malformed (a damaged
        or hand-edited workspace file) is a DiscoveryError, never a TypeError."""
        if doc is None:
            return cls()
        bad = DiscoveryError("The background knowledge saved in this workspace is damaged.",
                             hint="Clear it on the Discover page and draw it again.")
        if not isinstance(doc, Mapping):
            raise bad

        def names(value: object) -> tuple[str, ...]:
            if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
                raise bad
            return tuple(value)

        def edges(key: str) -> frozenset[Edge]:
            value = doc.get(key) or []
            if not isinstance(value, list):
                raise bad
            out = [names(e) for e in value]
            if any(len(e) != 2 for e in out):
                raise bad
            return frozenset((a, b) for a, b in out)

        def flags(key: str) -> frozenset[int]:
            value = doc.get(key) or []
            if not isinstance(value, list) or not all(
                    isinstance(i, int) and not isinstance(i, bool) for i in value):
                raise bad
            return frozenset(value)

        tiers = doc.get("tiers") or []
        if not isinstance(tiers, list):
            raise bad
        return cls(edges("required"), edges("forbidden"), tuple(names(t) for t in tiers),
                   forbidden_within=flags("forbidden_within"),
                   next_tier_only=flags("next_tier_only"))

    def restricted(self, variables: Iterable[str]) -> Knowledge:
        """Only the statements about `variables` (the ones chosen for a run); tier flags follow
        their tiers, a tier left empty is dropped."""
        keep = set(variables)
        kept = [i for i, t in enumerate(self.tiers) if any(n in keep for n in t)]
        index = {old: new for new, old in enumerate(kept)}
        return Knowledge(
            frozenset(e for e in self.required if set(e) <= keep),
            frozenset(e for e in self.forbidden if set(e) <= keep),
            tuple(tuple(n for n in self.tiers[i] if n in keep) for i in kept),
            forbidden_within=frozenset(index[i] for i in self.forbidden_within if i in index),
            next_tier_only=frozenset(index[i] for i in self.next_tier_only if i in index))

    def with_edge(self, a: str, b: str, kind: str) -> Knowledge:
        """a → b made required or forbidden (replacing what was said of a → b before); raises
        DiscoveryError when that contradicts the rest (a tier, a cycle of required edges)."""
        required = self.required - {(a, b)}
        forbidden = self.forbidden - {(a, b)}
        if kind == "required":
            required |= {(a, b)}
        elif kind == "forbidden":
            forbidden |= {(a, b)}
        else:
            raise DiscoveryError(f"Unknown kind of knowledge '{kind}'.")
        return replace(self, required=required, forbidden=forbidden)

    def without_edges(self, required: Iterable[Edge] = (), forbidden: Iterable[Edge] = ()
                      ) -> Knowledge:
        return replace(self, required=self.required - {tuple(e) for e in required},
                       forbidden=self.forbidden - {tuple(e) for e in forbidden})

    def with_tier(self, node: str, tier: int | None) -> Knowledge:
        """`node` moved to tier `tier` (0-based; len(tiers) opens a new last tier; None takes it
        out of every tier). Flags stay with their tiers; a tier left empty is dropped."""
        tiers = [[n for n in t if n != node] for t in self.tiers]
        if tier is not None:
            if not 0 <= tier <= len(tiers):
                raise DiscoveryError(f"There is no tier {tier + 1}.")
            if tier == len(tiers):
                tiers.append([])
            tiers[tier].append(node)
        return replace(self, tiers=tuple(tuple(t) for t in tiers))

    # ---- queries ----------------------------------------------------------------------------
    def with_forbidden(self, extra: Iterable[Edge]) -> Knowledge:
        """The same knowledge with more forbidden edges (tiers and their flags kept)."""
        return replace(self, forbidden=self.forbidden | frozenset(extra))

    @property
    def is_empty(self) -> bool:
        return not (self.required or self.forbidden or self.tiers)

    @property
    def nodes(self) -> set[str]:
        return {n for e in self.required | self.forbidden for n in e} | set(self._tier_of)

    def tier(self, node: str) -> int | None:
        return self._tier_of.get(node)

    def is_forbidden(self, a: str, b: str) -> bool:
        """True when the edge a → b may not appear (listed, or b is in an earlier tier)."""
        if (a, b) in self.forbidden:
            return True
        ta, tb = self._tier_of.get(a), self._tier_of.get(b)
        if ta is None or tb is None:
            return False
        return (ta > tb or (ta == tb and ta in self.forbidden_within)
                or (tb > ta + 1 and ta in self.next_tier_only))

    def is_required(self, a: str, b: str) -> bool:
        return (a, b) in self.required

    def forbids_pair(self, a: str, b: str) -> bool:
        """True when a and b may not be adjacent at all."""
        return self.is_forbidden(a, b) and self.is_forbidden(b, a)

    def forbidden_edges(self, nodes: Sequence[str]) -> set[Edge]:
        """Every forbidden directed edge among `nodes`, tiers expanded."""
        return {(a, b) for a in nodes for b in nodes if a != b and self.is_forbidden(a, b)}

    def check_nodes(self, nodes: Iterable[str]) -> None:
        """Raise DiscoveryError naming any variable the knowledge mentions but the data lacks."""
        unknown = sorted(self.nodes - set(nodes))
        if unknown:
            raise DiscoveryError(
                "Background knowledge mentions " + ", ".join(f"'{n}'" for n in unknown)
                + ", which is not among the chosen variables.",
                hint="Add the variable to the selection or remove it from the knowledge table.")

    def summary(self) -> str:
        if self.is_empty:
            return "none"
        parts = []
        if self.required:
            parts.append(f"{len(self.required)} required")
        if self.forbidden:
            parts.append(f"{len(self.forbidden)} forbidden")
        if self.tiers:
            parts.append(f"{len(self.tiers)} tiers")
        if self.forbidden_within:
            parts.append(f"{len(self.forbidden_within)} with no edges inside")
        if self.next_tier_only:
            parts.append(f"{len(self.next_tier_only)} causing only the next tier")
        return ", ".join(parts)

    # ---- library formats --------------------------------------------------------------------
    def to_causallearn(self, names: Sequence[str], nodes: Sequence | None = None):
        """causal-learn BackgroundKnowledge over GraphNode objects named like the columns."""
        from causallearn.graph.GraphNode import GraphNode
        from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge

        by_name = {n.get_name(): n for n in nodes} if nodes is not None else {
            n: GraphNode(n) for n in names}
        bk = BackgroundKnowledge()
        for a, b in sorted(self.forbidden):
            if a in by_name and b in by_name:
                bk.add_forbidden_by_node(by_name[a], by_name[b])
        for a, b in sorted(self.required):
            if a in by_name and b in by_name:
                bk.add_required_by_node(by_name[a], by_name[b])
        for name, t in self._tier_of.items():
            if name in by_name:
                bk.add_node_to_tier(by_name[name], t)
        if self.forbidden_within or self.next_tier_only:   # flags causal-learn's tiers lack
            for a, b in sorted(self.forbidden_edges([n for n in by_name if n in self._tier_of])):
                bk.add_forbidden_by_node(by_name[a], by_name[b])
        return bk

    def to_pgmpy(self, names: Sequence[str]):
        """pgmpy ExpertKnowledge with tiers expanded into forbidden edges (pgmpy's own temporal
        order needs every variable in a tier)."""
        from pgmpy.causal_discovery import ExpertKnowledge

        return ExpertKnowledge(forbidden_edges=self.forbidden_edges(names),
                               required_edges=set(self.required))

    def to_lingam(self, names: Sequence[str]):
        """lingam prior-knowledge matrix: tiers become "no directed path", required edges
        "directed path" (a direct edge implies a path). Forbidden direct edges are not paths
        statements, so they are enforced after the fit (see algorithms.run_lingam)."""
        import numpy as np

        idx = {n: i for i, n in enumerate(names)}
        pk = np.full((len(names), len(names)), -1)
        for a in names:
            for b in names:
                ta, tb = self._tier_of.get(a), self._tier_of.get(b)
                if a != b and ta is not None and tb is not None and ta > tb:
                    pk[idx[b], idx[a]] = 0          # no path a ⇝ b
        for a, b in self.required:
            pk[idx[b], idx[a]] = 1                  # path a ⇝ b
        return pk


# ---- post-hoc enforcement -------------------------------------------------------------------
def enforce_on_pdag(p: Pdag, k: Knowledge) -> tuple[Pdag, list[str]]:
    """Make a CPDAG/PDAG obey the knowledge, then propagate with Meek's rules R1–R4.

    Used after every DAG/CPDAG method as the guarantee (and as the only mechanism for GES,
    whose causal-learn search has no knowledge option). Returns the graph and what changed.
    """
    p = p.copy()
    notes: list[str] = []
    if k.is_empty:
        return p, notes
    nodes = list(p.nodes)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            if p.adjacent(a, b) and k.forbids_pair(a, b) and not (
                    k.is_required(a, b) or k.is_required(b, a)):
                p.remove_pair(a, b)
                notes.append(f"Removed {a} – {b}: both directions are forbidden.")
    flipped: set[tuple[str, str]] = set()
    for a, b in sorted(p.directed):
        if k.is_forbidden(a, b) and not k.is_required(a, b):
            p.orient(b, a)
            flipped.add((b, a))
            notes.append(f"Reversed {a} → {b}: that direction is forbidden.")
    for pair in sorted(p.undirected, key=sorted):
        a, b = sorted(pair)
        if k.is_forbidden(a, b):
            p.orient(b, a)
        elif k.is_forbidden(b, a):
            p.orient(a, b)
    for a, b in sorted(k.required):
        if a in p.nodes and b in p.nodes:
            if not p.adjacent(a, b):
                notes.append(f"Added the required edge {a} → {b} (the data alone did not show it).")
            p.orient(a, b)
    p = meek_closure(p, forbidden=lambda a, b: k.is_forbidden(a, b) or k.is_required(b, a))
    while (cycle := p.directed_cycle()) is not None:
        ring = list(zip(cycle, cycle[1:] + cycle[:1]))
        drop = next((e for e in ring if e in flipped), None) or next(
            (e for e in ring if not k.is_required(*e)), None)
        if drop is None:  # cannot happen: required edges are checked to be acyclic
            raise DiscoveryError("The background knowledge forces a cycle.")
        p.remove_pair(*drop)
        notes.append(f"Dropped {drop[0]} → {drop[1]}: with the knowledge applied it closed the "
                     "cycle " + " → ".join([*cycle, cycle[0]]) + ".")
    return p, notes


def enforce_on_pag(edges: Iterable[LearnedEdge], nodes: Sequence[str],
                   k: Knowledge) -> tuple[list[LearnedEdge], list[str]]:
    """Make a PAG obey the knowledge: forbidden pairs removed, "a → b forbidden" puts an arrowhead
    at a (a is not an ancestor of b), required a → b becomes tail at a and arrowhead at b."""
    notes: list[str] = []
    marks: dict[tuple[str, str], dict[str, str]] = {}
    for e in edges:
        marks[e.pair] = {e.a: e.mark_a, e.b: e.mark_b}
    if k.is_empty:
        return list(edges), notes
    for pair in list(marks):
        a, b = pair
        if k.forbids_pair(a, b) and not (k.is_required(a, b) or k.is_required(b, a)):
            del marks[pair]
            notes.append(f"Removed {a} – {b}: both directions are forbidden.")
            continue
        for x, y in ((a, b), (b, a)):
            if k.is_forbidden(x, y) and marks[pair][x] != "arrow":
                marks[pair][x] = "arrow"
    for a, b in sorted(k.required):
        if a not in nodes or b not in nodes:
            continue
        pair = (a, b) if a <= b else (b, a)
        if pair not in marks:
            notes.append(f"Added the required edge {a} → {b} (the data alone did not show it).")
        marks[pair] = {a: "tail", b: "arrow"}
    out = [LearnedEdge(a, b, m[a], m[b]) for (a, b), m in sorted(marks.items())]
    return out, notes
