"""d-separation: is every path between X and Y blocked by Z? (bidirected edges included)."""
from __future__ import annotations

from collections.abc import Iterable

from app.analysis._core import SEPARATION_KINDS, disjoint, m_separated, node_set, separation_view
from app.graph import CausalGraph


def d_separated(g: CausalGraph, xs: str | Iterable[str], ys: str | Iterable[str],
                given: str | Iterable[str] = ()) -> bool:
    """True when X and Y are d-separated by `given` in `g` (Pearl 1988; m-separation for ↔).

    Every path between a node of X and a node of Y must be blocked: by a non-collider in Z, or
    by a collider that is not in Z and has no descendant in Z. A bidirected edge a ↔ b is read as
    a ← U → b with U unmeasured. Latent nodes take part like any other node (a what-if: "if we could measure U").
    Uses our own linear-time reachability because networkx's is_d_separator has no ↔ edges.

    Nodes marked `selected` are always conditioned on (the data exist only for the selected
    units; DAGitty's dConnected callers add them to Z). In a MAG this is m-separation
    (Richardson & Spirtes 2002), which the same reachability decides; a MAG's -- edges (from
    selection, as `to_mag` draws them) join nodes with no arrowhead into them, so the walk
    passes them as non-colliders. In a CPDAG (or a
    maximally oriented PDAG) every member DAG has the same answer, which this gives.
    """
    x = node_set(g, xs, "first set (X)")
    y = node_set(g, ys, "second set (Y)")
    z = node_set(g, given, "conditioning set (Z)", allow_empty=True)
    disjoint(**{"first set (X)": x, "second set (Y)": y, "conditioning set (Z)": z})
    view = separation_view(g, SEPARATION_KINDS, "d-separation")
    return m_separated(view, x, y, z | (view.selected - x - y))
