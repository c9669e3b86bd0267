"""The twin network of a counterfactual and the assumptions that decide one.

Probability tables do not determine counterfactuals, so a discrete model states a functional
assumption ("monotone" or "independent", below) and couples each variable with its starred
copy accordingly (`coupling`); a linear model's additive noise decides them by itself.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from app.graph import CausalGraph

ASSUMPTIONS = {
    "monotone": (
        "Each variable has one hidden 'noise' number, shared by the factual and the "
        "counterfactual world, and its states are taken in the order listed (e.g. 0 before 1). "
        "For yes/no variables this is monotonicity: changing a cause moves a unit's outcome only "
        "in the direction it moves the probability — nobody is harmed by what helps on average. "
        "The probability tables alone cannot decide counterfactuals; this assumption does."
    ),
    "independent": (
        "A unit's response to the parent values it actually had says nothing about how it "
        "would respond to other parent values (independent response functions): variables "
        "whose causes do not change keep their factual values, the others are drawn afresh "
        "from their probability tables. The probability tables alone cannot decide "
        "counterfactuals; this assumption does."
    ),
}
LINEAR_ASSUMPTION = (
    "Each variable equals its fitted linear equation plus its own noise, and that noise is the "
    "same in the factual and the counterfactual world (additive noise). With every variable "
    "of the unit observed the noise is recovered exactly."
)


# ---- the twin network, as a graph to draw ------------------------------------------------------
def fresh_name(name: str, taken: set[str]) -> str:
    """`name`, starred until it is not in `taken` (then taken)."""
    while name in taken:
        name += "*"
    taken.add(name)
    return name


def twin_network(graph: CausalGraph, do: Iterable[str]) -> tuple[CausalGraph, dict[str, str]]:
    """The twin network for do(): factual nodes, starred copies of what the action changes,
    and a shared noise node U_V for each copied variable. Returns (graph, copy names)."""
    do = set(do)
    affected = set(do)
    for x in do:
        affected |= graph.descendants(x)
    taken = set(graph.nodes)
    star = {v: fresh_name(f"{v}*", taken) for v in graph.topological_order() if v in affected}
    noise = {v: fresh_name(f"U_{v}", taken) for v in star if v not in do}
    edges = set(graph.edges)
    for v, v_star in star.items():
        if v in do:
            continue
        edges |= {(noise[v], v), (noise[v], v_star)}
        for p in graph.parents(v):
            edges.add((star.get(p, p), v_star))
    from app.drawing import display_positions

    pos = display_positions(graph)
    xs = [p[0] for p in pos.values()] or [0.0]
    shift = (max(xs) - min(xs)) + 260.0
    positions = dict(pos)
    for v, v_star in star.items():
        positions[v_star] = (pos[v][0] + shift, pos[v][1])
        if v in noise:
            positions[noise[v]] = (pos[v][0] + shift / 2, pos[v][1] - 55.0)
    roles: dict[str, set[str]] = {n: {"latent"} for n in noise.values()}
    for x in do:
        roles[star[x]] = {"exposure"}
    nodes = [*graph.nodes, *noise.values(), *star.values()]
    twin = CausalGraph.from_edges(sorted(edges), nodes=nodes, roles=roles, positions=positions)
    return twin, star


# ---- discrete counterfactuals ------------------------------------------------------------------
def coupling(p: np.ndarray, q: np.ndarray, same: np.ndarray, assumption: str) -> np.ndarray:
    """P(V* = t | V = s) for columns of factual (p) and counterfactual (q) distributions.

    p, q: (k, N) probability columns; same: (N,) whether both parent settings are equal.
    Returns (k_t, k_s, N).
    """
    k, n = p.shape
    if assumption == "independent":
        out = np.broadcast_to(q[:, None, :], (k, k, n)).copy()
        eye = np.eye(k)[:, :, None]
        out = np.where(same[None, None, :], eye, out)
        return out
    cp = np.vstack([np.zeros((1, n)), np.cumsum(p, axis=0)])
    cq = np.vstack([np.zeros((1, n)), np.cumsum(q, axis=0)])
    cp[-1], cq[-1] = 1.0, 1.0
    lo = np.maximum(cq[:-1, None, :], cp[None, :-1, :])       # (t, s, N)
    hi = np.minimum(cq[1:, None, :], cp[None, 1:, :])
    overlap = np.clip(hi - lo, 0.0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        cond = overlap / p[None, :, :]
    fallback = np.broadcast_to(q[:, None, :], cond.shape)
    cond = np.where(p[None, :, :] > 1e-15, cond, fallback)
    return cond / cond.sum(axis=0, keepdims=True)
