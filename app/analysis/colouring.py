"""DAGitty's path colouring: which edges carry the causal effect and which carry bias.

For exposure X, outcome Y and the set Z conditioned on (DAGitty's "adjusted" nodes):
- an edge is *causal* when it lies on an open causal path X → … → Y (DAGitty colours it green;
  its causalFlowGraph leaves out paths through an adjusted node);
- an edge is *biasing* when it lies on an open non-causal path between X and Y (DAGitty colours
  it red; its activeBiasGraph: "all open simple non-causal routes").
Paths are the ones the d-separation tab lists (inner nodes outside X and Y, selected nodes always
conditioned on), found by `app.analysis.paths`. An edge on both kinds counts as biasing first.

DAGitty also marks as biasing the routes a conditioned descendant of a mediator opens (not simple
paths); this colouring does not: the adjustment check names those nodes instead.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.analysis.paths import DEFAULT_MAX_STEPS, open_paths
from app.graph import CausalGraph
from app.settings import MAX_COLOURED_PATHS

Edge = tuple[str, str]
CAUSAL, BIASING = "causal_path", "biasing_path"     # the drawing's style names


@dataclass(frozen=True)
class PathColouring:
    """Edges on open causal paths and on open biasing paths (as CausalGraph stores them)."""

    causal: frozenset[Edge]
    biasing: frozenset[Edge]
    causal_paths: int
    biasing_paths: int
    note: str = ""                 # set when the search stopped early (colouring incomplete)

    def styles(self) -> dict[Edge, str]:
        """Edge styles for the drawing: biasing over causal where an edge is on both."""
        out = {e: CAUSAL for e in self.causal}
        out.update({e: BIASING for e in self.biasing})
        return out

    def sentence(self) -> str:
        """The colouring in one sentence."""
        causal = (f"{self.causal_paths} open causal path(s) (green) carry the effect"
                  if self.causal_paths else "no open causal path carries an effect")
        if not self.biasing_paths:
            return causal.capitalize() + "; no open path carries bias, so this set of " \
                "conditioned variables leaves the estimate unbiased."
        return (causal.capitalize() + f"; {self.biasing_paths} open non-causal path(s) (red) "
                "carry bias: block each by conditioning on a non-collider on it, or stop "
                "conditioning on the collider (or its descendant) that opens it.")


def path_colouring(g: CausalGraph, x: str | Iterable[str], y: str | Iterable[str],
                   given: str | Iterable[str] = ()) -> PathColouring:
    """Colour the edges on open causal and open biasing paths between X and Y given Z."""
    paths = open_paths(g, x, y, given, only_open=True, limit=MAX_COLOURED_PATHS,
                       max_steps=DEFAULT_MAX_STEPS)
    causal: set[Edge] = set()
    biasing: set[Edge] = set()
    n_causal = 0
    for p in paths:
        if p.causal:
            causal.update(p.edges)
            n_causal += 1
        else:
            biasing.update(p.edges)
    note = ("The colouring may be incomplete: " + paths.note) if paths.truncated else ""
    return PathColouring(frozenset(causal), frozenset(biasing), n_causal,
                         len(paths) - n_causal, note)
