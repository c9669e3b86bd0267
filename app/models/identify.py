"""do-queries with hidden common causes: identification from the observational distribution.

A graph with bidirected edges (or latent root nodes without data) cannot be fitted as a full
model, but P(y | do(x), z) may still be a function of the observed distribution. We evaluate
the ID algorithm (Shpitser & Pearl 2006, "Identification of joint interventional distributions
in recursive semi-Markovian causal models", Fig. 3) and its conditional version IDC (Shpitser &
Pearl 2006, UAI) numerically on the joint table of the observed variables; when the effect is
not identifiable the hedge found is reported.
"""
from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from app.errors import ModelError, QueryError
from app.graph import CausalGraph

MAX_JOINT_CELLS = 1_000_000


class NotIdentifiable(QueryError):
    """P(y | do(x)) cannot be computed from observational data in this graph (a hedge)."""

    def __init__(self, x: Iterable[str], y: Iterable[str], hedge: Iterable[str]) -> None:
        self.hedge = sorted(hedge)
        super().__init__(
            f"The effect of {', '.join(sorted(x))} on {', '.join(sorted(y))} is not identifiable "
            f"from observational data in this graph: hidden common causes tie together "
            f"{', '.join(self.hedge)} (a 'hedge'), so different hidden mechanisms fit the same "
            "data but give different answers.",
            hint="Measure one of the hidden common causes (make it a node with data), find a "
                 "mediator for a front-door argument, use an experiment, or — with an "
                 "instrument and a linear model — estimate it on the Estimate page.")


# ---- projecting latent nodes -------------------------------------------------------------------
def latent_projection(graph: CausalGraph, observed: Iterable[str]) -> CausalGraph:
    """The graph over `observed` nodes: each unobserved root becomes ↔ among its children."""
    observed = [n for n in graph.nodes if n in set(observed)]
    hidden = [n for n in graph.nodes if n not in set(observed)]
    bidirected = {tuple(sorted(e)) for e in graph.bidirected if set(e) <= set(observed)}
    for h in hidden:
        parents = graph.parents(h)
        children = graph.children(h)
        if parents:
            raise ModelError(
                f"The unmeasured node '{h}' has causes ({', '.join(parents)}) in the graph.",
                hint="Only hidden common causes without parents can be handled; give it data, or "
                     "draw its parents' influence as arrows to its children.")
        hidden_kids = [c for c in children if c in hidden]
        if hidden_kids or any(h in e for e in graph.bidirected):
            raise ModelError(f"The unmeasured node '{h}' is linked to other unmeasured nodes.",
                             hint="Merge hidden causes into one, or give them data.")
        for i, a in enumerate(children):
            for b in children[i + 1:]:
                bidirected.add(tuple(sorted((a, b))))
    return CausalGraph.from_edges(
        [e for e in graph.edges if set(e) <= set(observed)], nodes=observed,
        bidirected=sorted(bidirected),
        roles={n: r for n, r in graph.roles.items() if n in observed},
        positions={n: p for n, p in graph.positions.items() if n in observed})


def _c_component(nodes: set[str], bidirected: Iterable[tuple[str, str]], v: str) -> set[str]:
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(e for e in bidirected if set(e) <= nodes)
    return nx.node_connected_component(g, v)


def tian_parents(admg: CausalGraph) -> dict[str, list[str]]:
    """Parents that make a DAG whose factorisation fits any distribution of the ADMG:
    P(v_i | v^(i−1)) = P(v_i | (T_i ∪ Pa(T_i)) \\ {v_i}) with T_i the c-component of v_i in
    the graph of v_1..v_i (Tian & Pearl 2002)."""
    order = admg.topological_order()
    out = {}
    for i, v in enumerate(order):
        upto = set(order[: i + 1])
        comp = _c_component(upto, admg.bidirected, v)
        pa = set(comp)
        for c in comp:
            pa |= set(admg.parents(c))
        out[v] = sorted(pa - {v})
    return out


# ---- factors over named variables ------------------------------------------------------------
@dataclass(frozen=True)
class Factor:
    """A non-negative table over named variables (axis i belongs to vars[i])."""

    vars: tuple[str, ...]
    values: np.ndarray

    def sum_out(self, drop: Iterable[str]) -> Factor:
        drop = set(drop) & set(self.vars)
        if not drop:
            return self
        axes = tuple(i for i, v in enumerate(self.vars) if v in drop)
        return Factor(tuple(v for v in self.vars if v not in drop), self.values.sum(axis=axes))

    def keep(self, keep: Iterable[str]) -> Factor:
        keep = set(keep)
        return self.sum_out([v for v in self.vars if v not in keep])

    def divide(self, other: Factor) -> Factor:
        """self / other, where other's variables are a subset of self's; 0/0 counts as 0."""
        sub = [v for v in self.vars if v in other.vars]
        arr = np.transpose(other.values, [other.vars.index(v) for v in sub])
        arr = arr.reshape([self.values.shape[i] if v in other.vars else 1
                           for i, v in enumerate(self.vars)])
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(arr > 0, self.values / np.where(arr > 0, arr, 1.0), 0.0)
        return Factor(self.vars, out)

    def take(self, assignment: Mapping[str, int]) -> Factor:
        index = tuple(assignment[v] if v in assignment else slice(None) for v in self.vars)
        return Factor(tuple(v for v in self.vars if v not in assignment), self.values[index])


def product(factors: Sequence[Factor]) -> Factor:
    names: dict[str, None] = {}
    for f in factors:
        names.update(dict.fromkeys(f.vars))
    letters = {v: (string.ascii_letters[i]) for i, v in enumerate(names)}
    if len(letters) > len(string.ascii_letters):
        raise QueryError("Too many variables for identification (at most 52).")
    expr = ",".join("".join(letters[v] for v in f.vars) for f in factors)
    out = "".join(letters[v] for v in names)
    return Factor(tuple(names), np.einsum(expr + "->" + out, *(f.values for f in factors),
                                          optimize="greedy"))


# ---- the ID / IDC algorithms ---------------------------------------------------------------------
@dataclass(frozen=True)
class _G:
    nodes: frozenset[str]
    edges: frozenset[tuple[str, str]]
    bi: frozenset[tuple[str, str]]

    def sub(self, keep: Iterable[str]) -> _G:
        keep = frozenset(keep)
        return _G(keep, frozenset(e for e in self.edges if set(e) <= keep),
                  frozenset(e for e in self.bi if set(e) <= keep))

    def ancestors(self, ys: Iterable[str]) -> frozenset[str]:
        g = nx.DiGraph()
        g.add_nodes_from(self.nodes)
        g.add_edges_from(self.edges)
        out = set(ys)
        for y in ys:
            out |= nx.ancestors(g, y)
        return frozenset(out)

    def cut_incoming(self, xs: Iterable[str]) -> _G:
        xs = set(xs)
        return _G(self.nodes, frozenset(e for e in self.edges if e[1] not in xs),
                  frozenset(e for e in self.bi if not (set(e) & xs)))

    def components(self) -> list[frozenset[str]]:
        g = nx.Graph()
        g.add_nodes_from(self.nodes)
        g.add_edges_from(self.bi)
        return [frozenset(c) for c in nx.connected_components(g)]

    def d_separated(self, a: set[str], b: set[str], given: set[str]) -> bool:
        g = nx.DiGraph()
        g.add_nodes_from(self.nodes)
        g.add_edges_from(self.edges)
        for i, (u, v) in enumerate(sorted(self.bi)):
            h = f"\x00latent{i}"
            g.add_edges_from([(h, u), (h, v)])
        return nx.is_d_separator(g, set(a), set(b), set(given))


def _conditional(p: Factor, v: str, order: list[str], nodes: frozenset[str]) -> Factor:
    """P(v | variables before v) from a factor over `nodes` (other axes are parameters)."""
    here = [n for n in order if n in nodes]
    i = here.index(v)
    upto = set(here[: i + 1])
    num = p.sum_out(nodes - upto)
    den = num.sum_out([v])
    return num.divide(den)


def _id(y: frozenset[str], x: frozenset[str], p: Factor, g: _G, order: list[str]) -> Factor:
    v_all = g.nodes
    if not x:                                                                  # line 1
        return p.sum_out(v_all - y)
    an = g.ancestors(y)
    if v_all - an:                                                             # line 2
        return _id(y, x & an, p.sum_out(v_all - an), g.sub(an), order)
    w = (v_all - x) - g.cut_incoming(x).ancestors(y)
    if w:                                                                      # line 3
        r = _id(y, x | w, p, g, order)
        return _fix_any(r, w)
    comps = g.sub(v_all - x).components()
    if len(comps) > 1:                                                         # line 4
        parts = [_id(s, v_all - s, p, g, order) for s in comps]
        return product(parts).sum_out(v_all - (y | x))
    s = comps[0]
    comps_g = g.components()
    if len(comps_g) == 1 and comps_g[0] == v_all:                              # line 5
        raise _Hedge(v_all, s)
    here = [n for n in order if n in v_all]
    if s in comps_g:                                                           # line 6
        factors = [_conditional(p, v, order, v_all) for v in here if v in s]
        return product(factors).sum_out(s - y)
    s_big = next(c for c in comps_g if s < c)                                  # line 7
    factors = [_conditional(p, v, order, v_all) for v in here if v in s_big]
    return _id(y, x & s_big, product(factors), g.sub(s_big), order)


class _Hedge(Exception):
    def __init__(self, f: frozenset[str], s: frozenset[str]) -> None:
        super().__init__()
        self.f, self.s = f, s


def _fix_any(f: Factor, w: Iterable[str]) -> Factor:
    """Remove axes the answer does not depend on (line 3), at their best-supported value."""
    for v in w:
        if v in f.vars:
            mass = f.values.sum(axis=tuple(i for i, u in enumerate(f.vars) if u != v))
            f = f.take({v: int(np.argmax(mass))})
    return f


def identify(joint: Factor, admg: CausalGraph, y: Sequence[str], x: Sequence[str],
             z: Sequence[str] = ()) -> Factor:
    """A factor over y ∪ z (and x) proportional to P(y, z | do(x)) for every value of x, z.

    Evidence z is first moved into the intervention where Rule 2 allows (IDC).
    """
    g = _G(frozenset(admg.nodes), frozenset(admg.edges), frozenset(admg.bidirected))
    order = admg.topological_order()
    y, x, z = frozenset(y), frozenset(x), frozenset(z)
    moved = True
    while moved and z:
        moved = False
        for zi in sorted(z):
            gz = g.cut_incoming(x)
            gz = _G(gz.nodes, frozenset(e for e in gz.edges if e[0] != zi), gz.bi)
            if gz.d_separated(set(y), {zi}, set(x | (z - {zi}))):
                x, z, moved = x | {zi}, z - {zi}, True
                break
    try:
        return _id(y | z, x, joint, g, order)
    except _Hedge as hedge:
        raise NotIdentifiable(x, y, hedge.f) from None


def joint_factor(factors: Mapping[str, tuple[tuple[str, ...], np.ndarray]],
                 states: Mapping[str, Sequence]) -> Factor:
    """The full joint table of a network's tables, variable -> ((variable, *parents), array);
    only for small models."""
    variables = list(factors)
    cells = int(np.prod([len(states[v]) for v in variables], dtype=float))
    if cells > MAX_JOINT_CELLS:
        raise QueryError(
            f"With hidden common causes the answer is computed from the joint table of all "
            f"{len(variables)} variables ({cells:,} cells); the limit is {MAX_JOINT_CELLS:,}.",
            hint="Remove variables that do not matter for this question, or merge categories.")
    return product([Factor(tuple(axes), values) for axes, values in factors.values()])
