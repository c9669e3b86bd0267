"""What a discovery run returns: learned edges with explicit endpoint marks, bootstrap confidence,
and how the method and test were chosen; plus the conversion into a workspace CausalGraph.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from app.discovery.pdag import Pdag, dag_extension
from app.errors import DiscoveryError
from app.graph import CausalGraph

MARKS = ("tail", "circle", "arrow")
_RANK = {"tail": 0, "circle": 1, "arrow": 2}
_SYMBOLS = {
    ("tail", "arrow"): "-->", ("tail", "tail"): "---", ("arrow", "arrow"): "<->",
    ("circle", "arrow"): "o->", ("circle", "circle"): "o-o", ("tail", "circle"): "--o",
}
_KINDS = {
    "-->": "directed", "---": "undirected", "<->": "bidirected",
    "o->": "partially directed", "o-o": "nondirected", "--o": "partially undirected",
}
KIND_MEANING = {
    "directed": "{a} causes {b} (directly, relative to the measured variables)",
    "undirected": "adjacent, but the data cannot tell the direction (same equivalence class)",
    "bidirected": "a latent common cause of both; neither causes the other",
    "partially directed": "{b} does not cause {a}; {a} may cause {b}, or a latent cause "
                          "affects both",
    "nondirected": "adjacent; direction and latent causes undecided",
    "partially undirected": "{a} causes {b} or {b} causes {a} (possibly with selection); "
                            "undecided",
}


@dataclass(frozen=True, order=True)
class LearnedEdge:
    """One learned adjacency with the mark at each end: "tail", "arrow" or "circle" (PAG: unknown).

    Stored so that the end with the weaker mark comes first: a → b is (a, b, "tail", "arrow"),
    a o→ b is (a, b, "circle", "arrow"); symmetric edges are stored in name order.
    """

    a: str
    b: str
    mark_a: str = "tail"
    mark_b: str = "arrow"

    def __post_init__(self) -> None:
        if self.mark_a not in MARKS or self.mark_b not in MARKS:
            raise DiscoveryError(f"Unknown edge mark in {self.mark_a!r}/{self.mark_b!r}.")
        if self.a == self.b:
            raise DiscoveryError(f"An edge needs two different nodes, not '{self.a}' twice.")
        ra, rb = _RANK[self.mark_a], _RANK[self.mark_b]
        if ra > rb or (ra == rb and self.a > self.b):
            a, b, ma, mb = self.b, self.a, self.mark_b, self.mark_a
            object.__setattr__(self, "a", a)
            object.__setattr__(self, "b", b)
            object.__setattr__(self, "mark_a", ma)
            object.__setattr__(self, "mark_b", mb)

    @classmethod
    def directed(cls, a: str, b: str) -> LearnedEdge:
        return cls(a, b, "tail", "arrow")

    @classmethod
    def undirected(cls, a: str, b: str) -> LearnedEdge:
        return cls(a, b, "tail", "tail")

    @classmethod
    def bidirected(cls, a: str, b: str) -> LearnedEdge:
        return cls(a, b, "arrow", "arrow")

    @property
    def symbol(self) -> str:
        return _SYMBOLS[(self.mark_a, self.mark_b)]

    @property
    def kind(self) -> str:
        """directed, undirected, bidirected, partially directed, nondirected, partially undirected."""
        return _KINDS[self.symbol]

    @property
    def pair(self) -> tuple[str, str]:
        return (self.a, self.b) if self.a <= self.b else (self.b, self.a)

    @property
    def is_directed(self) -> bool:
        return self.symbol == "-->"

    @property
    def text(self) -> str:
        return f"{self.a} {self.symbol} {self.b}"

    def mark_at(self, node: str) -> str:
        if node == self.a:
            return self.mark_a
        if node == self.b:
            return self.mark_b
        raise DiscoveryError(f"'{node}' is not an end of {self.text}.")

    @property
    def meaning(self) -> str:
        """What the edge says, in words, with the node names filled in."""
        return KIND_MEANING[self.kind].replace("{a}", self.a).replace("{b}", self.b)

    def __str__(self) -> str:
        return self.text


def orientation_label(edge: LearnedEdge, pair: tuple[str, str]) -> str:
    """The edge written from the pair's first node: "A --> B", "A <-- B", "A o-> B", "A <-o B"..."""
    x, y = pair
    left = {"tail": "-", "arrow": "<", "circle": "o"}[edge.mark_at(x)]
    right = {"tail": "-", "arrow": ">", "circle": "o"}[edge.mark_at(y)]
    return f"{x} {left}-{right} {y}"


@dataclass(frozen=True)
class EdgeConfidence:
    """How often a pair was adjacent across bootstrap resamples, and with which orientation.

    `orientations` maps an edge written from the pair's first node (e.g. "A --> B", "A <-- B",
    "A --- B", "A <-> B", "A o-> B") to its frequency among all resamples.
    """

    pair: tuple[str, str]
    present: float
    orientations: Mapping[str, float] = field(default_factory=dict)
    resamples: int = 0

    def frequency(self, a: str, b: str) -> float:
        """Frequency of the directed edge a → b."""
        x, y = self.pair
        key = f"{x} --> {y}" if (a, b) == (x, y) else f"{x} <-- {y}"
        return self.orientations.get(key, 0.0)

    @property
    def undirected(self) -> float:
        x, y = self.pair
        return self.orientations.get(f"{x} --- {y}", 0.0)

    @property
    def most_common(self) -> tuple[str, float]:
        if not self.orientations:
            return ("", 0.0)
        return max(self.orientations.items(), key=lambda kv: (kv[1], kv[0]))

    def __str__(self) -> str:
        parts = ", ".join(f"{k}: {v:.0%}" for k, v in sorted(self.orientations.items(),
                                                               key=lambda kv: -kv[1]))
        return f"{self.pair[0]} – {self.pair[1]}: present in {self.present:.0%} ({parts})"


@dataclass(frozen=True)
class DiscoveryResult:
    """A learned graph (CPDAG, DAG or PAG) with how it was obtained and how sure we are of it."""

    nodes: tuple[str, ...]
    edges: tuple[LearnedEdge, ...]
    graph_type: str                 # "CPDAG", "DAG" or "PAG"
    method: str                     # "pc", "ges", "hc", "fci", "lingam", "cdnod"
    method_name: str
    reason: str                     # why this method (auto explains its choice)
    test: str | None = None         # "chisq", "gsq", "fisherz", "kci" for constraint-based
    test_reason: str = ""
    score: str | None = None        # "bic", "bdeu" for score-based
    alpha: float | None = None
    runtime: float = 0.0            # seconds, including bootstrap
    n_rows: int = 0                 # rows actually used
    variable_kinds: Mapping[str, str] = field(default_factory=dict)
    knowledge_summary: str = ""
    notes: tuple[str, ...] = ()
    bootstrap: int = 0              # resamples done
    confidence: Mapping[tuple[str, str], EdgeConfidence] = field(default_factory=dict)
    weights: Mapping[tuple[str, str], float] = field(default_factory=dict)  # LiNGAM coefficients
    max_depth: int | None = None    # conditioning-set limit the search ran with (None: none)
    search_cut: bool = False        # True when that limit left independence tests undone

    # ---- views ------------------------------------------------------------------------------
    @property
    def directed(self) -> frozenset[tuple[str, str]]:
        return frozenset((e.a, e.b) for e in self.edges if e.symbol == "-->")

    @property
    def undirected(self) -> frozenset[tuple[str, str]]:
        return frozenset(e.pair for e in self.edges if e.symbol == "---")

    @property
    def bidirected(self) -> frozenset[tuple[str, str]]:
        return frozenset(e.pair for e in self.edges if e.symbol == "<->")

    @property
    def circle_edges(self) -> tuple[LearnedEdge, ...]:
        """PAG edges with at least one circle (undecided) mark."""
        return tuple(e for e in self.edges if "circle" in (e.mark_a, e.mark_b))

    @property
    def adjacencies(self) -> frozenset[tuple[str, str]]:
        return frozenset(e.pair for e in self.edges)

    def edge(self, a: str, b: str) -> LearnedEdge | None:
        """The learned edge between a and b (any marks), or None."""
        key = (a, b) if a <= b else (b, a)
        return next((e for e in self.edges if e.pair == key), None)

    def confidence_of(self, a: str, b: str) -> EdgeConfidence | None:
        return self.confidence.get((a, b) if a <= b else (b, a))

    def above(self, threshold: float) -> DiscoveryResult:
        """The same result keeping only edges present in at least `threshold` of the resamples."""
        if not self.confidence:
            return self
        keep = tuple(e for e in self.edges
                     if (c := self.confidence.get(e.pair)) is not None and c.present >= threshold)
        return replace(self, edges=keep)

    def to_graph(self, **options) -> CausalGraph:
        """The learned graph as a typed CausalGraph (pdag/pag/dag), unoriented: see typed_graph."""
        return typed_graph(self, **options)

    def to_pdag(self) -> Pdag:
        """Directed and undirected edges as a Pdag (bidirected/circle edges left out)."""
        return Pdag(list(self.nodes), set(self.directed),
                    {frozenset(p) for p in self.undirected})

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for e in self.edges:
            counts[e.kind] = counts.get(e.kind, 0) + 1
        parts = (", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + " edges"
                 if counts else "no edges")
        how = self.method_name + (f" with {self.test}" if self.test else "") + (
            f" ({self.score})" if self.score else "")
        return (f"{how} on {self.n_rows:,} rows × {len(self.nodes)} variables: {self.graph_type} "
                f"with {parts}; {self.runtime:.2f} s")

    def __str__(self) -> str:
        lines = [self.summary(), f"Why: {self.reason}"]
        if self.test_reason:
            lines.append(f"Test: {self.test_reason}")
        for e in sorted(self.edges):
            conf = self.confidence.get(e.pair)
            lines.append(f"  {e.text}" + (f"   [{conf.present:.0%}]" if conf else ""))
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)


def to_causal_graph(result: DiscoveryResult, orient_undirected: str = "skip", *,
                    base: CausalGraph | None = None,
                    edges: Iterable[LearnedEdge | tuple[str, str]] | None = None,
                    min_confidence: float = 0.0) -> CausalGraph:
    """Turn learned edges into a CausalGraph (optionally merged into `base`, e.g. the workspace).

    Directed edges become edges and ↔ become bidirected (latent common cause). Edges whose
    direction was not learned (—, o-o, o→) follow `orient_undirected`:
    "skip" leaves them out; "extend" orients — edges as in a DAG of the learned equivalence
    class that adds no new collider (Dor & Tarsi) and reads o→ as →.
    `edges` restricts to the chosen pairs; merged edges replace whatever `base` had between the
    same two nodes. Raises CycleError (nothing changed) if the result would contain a cycle.
    """
    if orient_undirected not in ("skip", "extend"):
        raise DiscoveryError(f"orient_undirected must be 'skip' or 'extend', not {orient_undirected!r}.")
    chosen = list(result.edges)
    if edges is not None:
        wanted = {(e.pair if hasattr(e, "pair") else tuple(sorted(e))) for e in edges}
        chosen = [e for e in chosen if e.pair in wanted]
    if min_confidence > 0 and result.confidence:
        chosen = [e for e in chosen if (c := result.confidence.get(e.pair)) is not None
                  and c.present >= min_confidence]

    directed: set[tuple[str, str]] = set()
    bidirected: set[tuple[str, str]] = set()
    undirected: set[frozenset] = set()
    for e in chosen:
        if e.symbol == "-->":
            directed.add((e.a, e.b))
        elif e.symbol == "<->":
            bidirected.add(e.pair)
        elif e.symbol == "o->" and orient_undirected == "extend":
            directed.add((e.a, e.b))
        elif e.symbol in ("---", "o-o", "--o") and orient_undirected == "extend":
            undirected.add(frozenset(e.pair))
    if undirected:
        ext = dag_extension(Pdag(list(result.nodes), set(directed), set(undirected)))
        if ext is None:  # not a valid CPDAG (e.g. knowledge or a PAG): orient by learned order
            order = {n: i for i, n in enumerate(result.nodes)}
            ext = directed | {tuple(sorted(p, key=order.__getitem__)) for p in undirected}
        directed = set(ext)

    graph = base if base is not None else CausalGraph()
    touched = {frozenset(p) for p in directed} | {frozenset(p) for p in bidirected}
    nodes = list(graph.nodes)
    used = {n for p in touched for n in p}
    everything = base is None or not base.nodes     # into an empty graph: all variables
    nodes += [n for n in result.nodes if n not in graph.nodes and (everything or n in used)]
    keep_edges = {e for e in graph.edges if frozenset(e) not in touched}
    keep_bi = {e for e in graph.bidirected if frozenset(e) not in touched}
    return CausalGraph(nodes=tuple(nodes), edges=frozenset(keep_edges | directed),
                       bidirected=frozenset(keep_bi | bidirected), roles=graph.roles,
                       positions=graph.positions, **_kept_marks(graph, touched))


def _kept_marks(g: CausalGraph, touched: set[frozenset]) -> dict:
    """A typed base graph's — and o edges on the pairs an adoption leaves alone, and its kind
    (a PDAG with no — left is fully oriented: a DAG). For a DAG base: nothing changes."""
    undirected = frozenset(e for e in g.undirected if frozenset(e) not in touched)
    circle = frozenset(e for e in g.circle if frozenset((e[0], e[2])) not in touched)
    kind = "dag" if g.kind == "pdag" and not undirected else g.kind
    return {"kind": kind, "undirected": undirected, "circle": circle}


# A learned edge with a circle mark, as app.graph writes it: (a, mark, b) for the stored order
# of LearnedEdge (weaker mark first); "--o" (tail at a, circle at b) is b o-- a.
_CIRCLE_OF = {"o->": lambda e: (e.a, "@->", e.b), "o-o": lambda e: (e.a, "@-@", e.b),
              "--o": lambda e: (e.b, "@--", e.a)}


def typed_graph(result: DiscoveryResult, *,
                positions: Mapping[str, tuple[float, float]] | None = None,
                min_confidence: float = 0.0) -> CausalGraph:
    """The learned graph as it was learned, as a typed CausalGraph: nothing is oriented.

    A CPDAG (PC, GES, CD-NOD) becomes kind "pdag" (→ directed, — undirected: the data leave the
    direction undecided), a PAG (FCI) kind "pag" (o marks kept as circle marks), a DAG (hill
    climbing, LiNGAM) kind "dag". Every learned variable is a node; `min_confidence` keeps only
    edges present in at least that share of the bootstrap resamples. Raises GraphError (e.g.
    CycleError) if the marks do not make a graph of that type.
    """
    chosen = result.edges
    if min_confidence > 0 and result.confidence:
        chosen = tuple(e for e in chosen if (c := result.confidence.get(e.pair)) is not None
                       and c.present >= min_confidence)
    directed = [(e.a, e.b) for e in chosen if e.symbol == "-->"]
    bidirected = [e.pair for e in chosen if e.symbol == "<->"]
    undirected = [e.pair for e in chosen if e.symbol == "---"]
    circle = [_CIRCLE_OF[e.symbol](e) for e in chosen if e.symbol in _CIRCLE_OF]
    if circle or result.graph_type == "PAG":
        kind = "pag"
    elif undirected or result.graph_type == "CPDAG":
        kind = "pdag"
    else:
        kind = "dag"
    pos = {n: p for n, p in (positions or {}).items() if n in result.nodes}
    return CausalGraph.from_edges(directed, nodes=result.nodes, bidirected=bidirected,
                                  positions=pos, kind=kind, undirected=undirected, circle=circle)


UNDECIDED = ("---", "o-o", "--o", "o->")
AUTO = "auto"      # orientation choice: as in a DAG of the class, without a new collider


@dataclass(frozen=True)
class AdoptionPlan:
    """What adopting learned edges into a graph does, edge by edge: the new graph, the edges
    added or changed, the ones the graph already had, and the ones left out with why."""

    graph: CausalGraph
    adopted: tuple[str, ...]
    unchanged: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]     # (learned edge, why it was left out)

    @property
    def changed(self) -> bool:
        return bool(self.adopted)

    def summary(self) -> str:
        """One plain-language paragraph: what was and was not adopted, and why."""
        parts = []
        if self.adopted:
            parts.append(f"Adopted {len(self.adopted)} edge(s): " + ", ".join(self.adopted) + ".")
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} already in your graph: "
                         + ", ".join(self.unchanged) + ".")
        if self.skipped:
            parts.append(f"Not adopted ({len(self.skipped)}): "
                         + "; ".join(f"{e} ({why})" for e, why in self.skipped) + ".")
        return " ".join(parts) or "No edges were chosen."


def plan_adoption(result: DiscoveryResult, base: CausalGraph,
                  edges: Iterable[LearnedEdge], orientations: Mapping[tuple[str, str], str] | None = None
                  ) -> AdoptionPlan:
    """Adopt the chosen learned edges into `base`. An undecided edge (—, o-o, o→) follows
    `orientations[pair]`: the name of the node it should point INTO, AUTO (orient as one DAG of
    the class that adds no new collider; o→ read as →), or "" to leave it out (the default).
    Never raises for a cycle: an edge that would close one is left out and says so."""
    from app.errors import CycleError, GraphError

    orientations = dict(orientations or {})
    directed: list[tuple[str, str, str]] = []        # (a, b, why) in the order chosen
    bidirected: list[tuple[str, str]] = []
    auto: set[frozenset] = set()
    skipped: list[tuple[str, str]] = []
    chosen = sorted(set(edges))
    for e in chosen:
        if e.symbol == "-->":
            directed.append((e.a, e.b, ""))
        elif e.symbol == "<->":
            bidirected.append(e.pair)
        else:
            pick = orientations.get(e.pair, "")
            if pick == AUTO:
                auto.add(frozenset(e.pair))
            elif pick in e.pair:
                src = e.a if pick == e.b else e.b
                directed.append((src, pick, "your orientation"))
            else:
                skipped.append((e.text, "the data leave its direction undecided; choose one "
                                        "to adopt it"))
    if auto:
        fixed = {(a, b) for a, b, _ in directed}
        tails = {(e.a, e.b) for e in chosen if e.symbol == "o->" and frozenset(e.pair) in auto}
        und = {p for p in auto if tuple(sorted(p)) not in {tuple(sorted(t)) for t in tails}}
        ext = dag_extension(Pdag(list(result.nodes), fixed | tails, set(und)))
        if ext is None:
            order = {n: i for i, n in enumerate(result.nodes)}
            ext = fixed | tails | {tuple(sorted(p, key=order.__getitem__)) for p in und}
        for a, b in sorted(ext):
            if frozenset((a, b)) in auto:
                directed.append((a, b, "oriented for you, no new collider"))
    graph = base
    if not base.nodes:     # into an empty graph: every learned variable, even unconnected ones
        graph = CausalGraph(nodes=tuple(result.nodes), roles=base.roles, positions=base.positions)
    adopted: list[str] = []
    unchanged: list[str] = []

    def _touching(g: CausalGraph, a: str, b: str) -> CausalGraph:
        keep_e = {x for x in g.edges if frozenset(x) != frozenset((a, b))}
        keep_b = {x for x in g.bidirected if frozenset(x) != frozenset((a, b))}
        nodes = list(g.nodes) + [n for n in (a, b) if n not in g.nodes]
        return CausalGraph(nodes=tuple(nodes), edges=frozenset(keep_e),
                           bidirected=frozenset(keep_b), roles=g.roles, positions=g.positions,
                           **_kept_marks(g, {frozenset((a, b))}))

    for a, b, why in directed:
        text = f"{a} → {b}" + (f" ({why})" if why else "")
        if (a, b) in graph.edges:
            unchanged.append(f"{a} → {b}")
            continue
        if (b, a) in graph.edges:
            text += f" (replaces {b} → {a})"
        try:
            graph = _touching(graph, a, b).add_edge(a, b)
        except CycleError:
            skipped.append((f"{a} → {b}", "it would close a directed cycle in your graph"))
            continue
        except GraphError as err:      # e.g. a MAG that would stop being ancestral
            skipped.append((f"{a} → {b}", err.message))
            continue
        adopted.append(text)
    for a, b in bidirected:
        if (a, b) in graph.bidirected or (b, a) in graph.bidirected:
            unchanged.append(f"{a} ↔ {b}")
            continue
        graph = _touching(graph, a, b).add_bidirected(a, b)
        adopted.append(f"{a} ↔ {b}")
    return AdoptionPlan(graph, tuple(adopted), tuple(unchanged), tuple(skipped))
