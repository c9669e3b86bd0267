"""Every path between X and Y, each with its status given Z and the reason it is open or blocked.

networkx can enumerate simple paths, but not in a mixed graph with ↔ edges (two different edges
may join the same pair) and not with d-separation status, so the walk below is our own. It
only extends a path when Y can still be reached without reusing a node (no dead ends), visits
nearer nodes first (short paths come first) and stops after `limit` paths or `max_steps`
steps, saying so in the result's `note`.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from app.analysis._core import (
    DAG_OR_MAG,
    Admg,
    Listing,
    admg,
    ancestors,
    descendants,
    disjoint,
    node_set,
)
from app.graph import CausalGraph

NON_COLLIDER_IN_Z = "non-collider in Z"
COLLIDER_NOT_IN_Z = "collider with no descendant in Z"

DEFAULT_LIMIT = 500
DEFAULT_MAX_STEPS = 200_000


@dataclass(frozen=True)
class Blocker:
    """A node that blocks a path, and why (one of the two d-separation rules)."""

    node: str
    reason: str

    def __str__(self) -> str:
        return f"{self.node} ({self.reason})"


@dataclass(frozen=True)
class PathInfo:
    """One path between X and Y: nodes, the arrow between each pair, and its status given Z.

    `arrows[i]` joins nodes[i] and nodes[i+1]: "→" (nodes[i] causes nodes[i+1]), "←" (the
    other way) or "↔" (a latent common cause). A blocked path lists every node blocking it;
    an open path lists the colliders that conditioning opened, with the Z node that opens them.
    """

    nodes: tuple[str, ...]
    arrows: tuple[str, ...]
    open: bool
    blockers: tuple[Blocker, ...] = ()
    colliders: tuple[str, ...] = ()
    opened_by: tuple[tuple[str, str], ...] = ()   # (collider, node of Z at or below it)

    @property
    def status(self) -> str:
        return "open" if self.open else "blocked"

    @property
    def causal(self) -> bool:
        """A directed path from the first node to the last (part of the causal effect)."""
        return all(a == "→" for a in self.arrows)

    @property
    def backdoor(self) -> bool:
        """Starts with an arrow into the first node (a back-door path)."""
        return bool(self.arrows) and self.arrows[0] in ("←", "↔")

    @property
    def text(self) -> str:
        parts = [self.nodes[0]]
        for arrow, node in zip(self.arrows, self.nodes[1:]):
            parts += [arrow, node]
        return " ".join(parts)

    @property
    def edges(self) -> list[tuple[str, str]]:
        """The graph edges on the path as CausalGraph stores them (↔ as a sorted pair)."""
        out = []
        for a, arrow, b in zip(self.nodes, self.arrows, self.nodes[1:]):
            if arrow == "→":
                out.append((a, b))
            elif arrow == "←":
                out.append((b, a))
            else:
                out.append((a, b) if a <= b else (b, a))
        return out

    def explanation(self) -> str:
        """The status in plain words."""
        if not self.open:
            return "Blocked by " + "; ".join(
                f"{b.node}, a {b.reason}" for b in self.blockers) + "."
        if self.causal:
            return "Open: a causal path (every arrow points towards the end)."
        if self.opened_by:
            opened = "; ".join(f"collider {c} is opened by conditioning on "
                               + (c if c == z else f"its descendant {z}")
                               for c, z in self.opened_by)
            return f"Open: {opened}."
        return "Open: no node on it is conditioned on and it has no collider."

    def __str__(self) -> str:
        return f"{self.text}  [{self.status}]"


class PathList(Listing):
    """A list of PathInfo with `truncated` (the listing stopped early) and a plain-words `note`."""


def _head_at_end(arrow: str) -> bool:
    return arrow in ("→", "↔")


def _head_at_start(arrow: str) -> bool:
    return arrow in ("←", "↔")


def path_status(adm: Admg, nodes: tuple[str, ...], arrows: tuple[str, ...],
                zs: frozenset[str], an_z: set[str]) -> PathInfo:
    """Classify one path given Z (the two d-separation rules) with the blocking reasons."""
    blockers, colliders, opened = [], [], []
    for i in range(1, len(nodes) - 1):
        v = nodes[i]
        collider = _head_at_end(arrows[i - 1]) and _head_at_start(arrows[i])
        if collider:
            colliders.append(v)
            if v not in an_z:
                blockers.append(Blocker(v, COLLIDER_NOT_IN_Z))
            else:
                z = v if v in zs else sorted(descendants(adm, [v]) & zs,
                                             key=adm.order.__getitem__)[0]
                opened.append((v, z))
        elif v in zs:
            blockers.append(Blocker(v, NON_COLLIDER_IN_Z))
    return PathInfo(nodes, arrows, not blockers, tuple(blockers), tuple(colliders), tuple(opened))


def _links(adm: Admg, v: str) -> list[tuple[str, str]]:
    out = [(c, "→") for c in adm.children[v]]
    out += [(p, "←") for p in adm.parents[v]]
    out += [(s, "↔") for s in adm.spouses[v]]
    return out


def enumerate_paths(adm: Admg, xs: frozenset[str], ys: frozenset[str], zs: frozenset[str],
                    *, only_open: bool = False, limit: int = DEFAULT_LIMIT,
                    max_steps: int = DEFAULT_MAX_STEPS) -> PathList:
    """Paths from X to Y whose inner nodes avoid X ∪ Y (enough to decide d-separation)."""
    an_z = ancestors(adm, zs)
    ends = xs | ys
    # distance to Y through allowed inner nodes: prunes walks that cannot reach Y at all
    dist = {y: 0 for y in ys}
    queue = deque(ys)
    while queue:
        v = queue.popleft()
        for w, _ in _links(adm, v):
            if w not in dist and (w not in ends or w in xs):
                dist[w] = dist[v] + 1
                if w not in xs:
                    queue.append(w)
    links = {v: sorted(_links(adm, v), key=lambda t: (dist.get(t[0], 1 << 30), adm.order[t[0]],
                                                       t[1]))
             for v in dist}
    found = PathList()
    steps = 0
    stopped = ""

    def reaches_y(start: str, used: set[str]) -> bool:
        """Can a path continue from `start` to Y without reusing a node? (prunes dead ends,
        so the walk spends its steps on paths, not on exploring detours that go nowhere)"""
        seen, stack = {start}, [start]
        while stack:
            v = stack.pop()
            for w, _ in links[v]:
                if w in ys:
                    return True
                if w not in seen and w not in used and w not in xs and w in dist:
                    seen.add(w)
                    stack.append(w)
        return False

    def passes(v: str, head_in: bool, arrow_out: str) -> bool:
        if head_in and _head_at_start(arrow_out):
            return v in an_z
        return v not in zs

    for x in adm.sorted(xs):
        if x not in dist:
            continue
        nodes, arrows, on_path = [x], [], {x}
        stack = [iter(links[x])]
        while stack and not stopped:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                on_path.discard(nodes.pop())
                if arrows:
                    arrows.pop()
                continue
            w, arrow = nxt
            if w in on_path or w not in dist or (w in xs):
                continue
            if only_open and len(nodes) > 1:
                v = nodes[-1]
                if not passes(v, _head_at_end(arrows[-1]), arrow):
                    continue
            if w not in ys and not reaches_y(w, on_path):
                continue
            steps += 1
            if steps > max_steps:
                stopped = (f"The search stopped after {max_steps:,} steps; the paths shown are "
                           "the ones found so far (shortest first).")
                break
            if w in ys:
                info = path_status(adm, (*nodes, w), (*arrows, arrow), zs, an_z)
                if info.open or not only_open:
                    found.append(info)
                    if len(found) >= limit:
                        stopped = (f"Only the first {limit:,} paths are listed; the graph has "
                                   "more.")
                continue
            nodes.append(w)
            arrows.append(arrow)
            on_path.add(w)
            stack.append(iter(links[w]))
        if stopped:
            break
    found.sort(key=lambda p: (len(p.nodes), p.text))
    found.truncated = bool(stopped)
    found.note = stopped
    return found


def open_paths(g: CausalGraph, x: str | Iterable[str], y: str | Iterable[str],
               given: str | Iterable[str] = (), *, only_open: bool = False,
               limit: int = DEFAULT_LIMIT, max_steps: int = DEFAULT_MAX_STEPS) -> PathList:
    """Every path between X and Y (↔ edges as latent forks), each open or blocked given Z.

    Blocked paths name each blocking node and the rule: "non-collider in Z" or "collider with
    no descendant in Z". Paths whose inner nodes include another X or Y node are left out: they
    contain a shorter listed path that decides the same thing. With `only_open=True` only the
    open paths are listed (much faster on big graphs). Long listings stop at `limit` paths or
    `max_steps` search steps; then `.truncated` is True, `.note` says so, and the open paths
    come first so none is hidden among blocked ones.
    """
    xs = node_set(g, x, "first set (X)")
    ys = node_set(g, y, "second set (Y)")
    zs = node_set(g, given, "conditioning set (Z)", allow_empty=True)
    disjoint(**{"first set (X)": xs, "second set (Y)": ys, "conditioning set (Z)": zs})
    adm = admg(g, DAG_OR_MAG, "Listing paths")
    zs = zs | (adm.selected - xs - ys)   # selected nodes are conditioned on always
    found = enumerate_paths(adm, xs, ys, zs, only_open=only_open, limit=limit,
                            max_steps=max_steps)
    if found.truncated and not only_open:
        # a cut listing could hide the open paths among many blocked ones: find those first
        opened = enumerate_paths(adm, xs, ys, zs, only_open=True, limit=limit,
                                 max_steps=max_steps)
        seen = {(p.nodes, p.arrows) for p in opened}
        rest = [p for p in found if (p.nodes, p.arrows) not in seen]
        merged = PathList([*opened, *rest][:limit])
        merged.sort(key=lambda p: (not p.open, len(p.nodes), p.text))
        merged.truncated, merged.note = True, found.note + " Every open path is listed first."
        if opened.truncated:
            merged.note = found.note + " There are too many open paths to list them all."
        return merged
    return found
