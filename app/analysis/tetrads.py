"""What a linear model on a DAG implies for covariances: the implied covariance matrix and the
vanishing tetrads, listed and tested on data (DAGitty's impliedCovarianceMatrix,
vanishingTetrads and localTests(type="tetrads")).

Tetrads are the testable implications of a linear model with latent variables that conditional
independencies miss (e.g. four indicators of one latent factor have no independence among them,
yet σ12·σ34 = σ13·σ24). A tetrad σ_ab·σ_cd − σ_ac·σ_bd vanishes for every choice of edge
coefficients exactly when the 2×2 submatrix Σ_{{a,d},{b,c}} has rank ≤ 1 generically, i.e. when a
single node, on the left side or on the right side of the treks, cuts every trek from {a, d} to
{b, c} (Spirtes, Glymour & Scheines 2000, tetrad representation theorem; Sullivant, Talaska &
Draisma 2010, Ann. Statist. 38, Thm 2.8: rank = the smallest t-separating pair). As DAGitty
does, that size is a minimum vertex cut in the trek graph — a copy of each node for the left
("up") and the right ("down") side of a trek — computed as a maximum flow.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd
from networkx.algorithms.flow import edmonds_karp

from app.analysis._core import DAG_ONLY, Listing, admg, fmt_set
from app.errors import DataError, QueryError
from app.graph import CausalGraph
from app.settings import MAX_QUADRUPLES

Edge = tuple[str, str]
DEFAULT_LIMIT = 2000


@dataclass(frozen=True)
class Tetrad:
    """σ_ab·σ_cd − σ_ac·σ_bd = 0 (DAGitty's and LISREL's order a, b, c, d)."""

    a: str
    b: str
    c: str
    d: str

    @property
    def text(self) -> str:
        return (f"cov({self.a}, {self.b})·cov({self.c}, {self.d}) = "
                f"cov({self.a}, {self.c})·cov({self.b}, {self.d})")

    def __str__(self) -> str:
        return self.text


def dag_with_latent_roots(g: CausalGraph, what: str) -> tuple[nx.DiGraph, list[str]]:
    """The DAG with each <-> as a latent parent of both ends, and the measured nodes."""
    adm = admg(g, DAG_ONLY, what)
    if adm.selected:
        raise QueryError(f"{what} assumes an unselected sample; {fmt_set(adm.selected)} is "
                         "marked selected.", hint="Remove the selected mark to see them.")
    d = nx.DiGraph()
    d.add_nodes_from(g.nodes)
    d.add_edges_from(g.edges)
    for a, b in g.bidirected:      # a tuple name: never a user's node
        d.add_edges_from([(("<->", a, b), a), (("<->", a, b), b)])
    return d, [n for n in g.nodes if n not in adm.latent]


def _trek_graph(d: nx.DiGraph) -> nx.DiGraph:
    """Trek graph with unit vertex capacities (each vertex split into in -> out): a trek from
    a to b is up from a to its top, then down to b."""
    t = nx.DiGraph()
    for v in d.nodes:
        for side in ("up", "down"):
            t.add_edge((side, v, "in"), (side, v, "out"), capacity=1)
        t.add_edge(("up", v, "out"), ("down", v, "in"))       # the top of a trek
    for p, c in d.edges:
        t.add_edge(("up", c, "out"), ("up", p, "in"))
        t.add_edge(("down", p, "out"), ("down", c, "in"))
    return t


def _rank_at_most_one(t: nx.DiGraph, left: tuple[str, str], right: tuple[str, str]) -> bool:
    """Does one node (either side) cut every trek from `left` to `right`? (Source and sink
    are added to `t` for the query and removed again.)"""
    for v in left:
        t.add_edge("<s>", ("up", v, "in"))
    for v in right:
        t.add_edge(("down", v, "out"), "<t>")
    try:
        return nx.maximum_flow_value(t, "<s>", "<t>", flow_func=edmonds_karp, cutoff=2) <= 1
    finally:
        t.remove_nodes_from(["<s>", "<t>"])


TETRAD_TYPES = ("all", "within", "between", "epistemic")


def vanishing_tetrads(g: CausalGraph, kind: str = "all", *, limit: int = DEFAULT_LIMIT
                      ) -> Listing:
    """Every tetrad among measured nodes that vanishes in every linear model on `g` (see
    module), as DAGitty lists them: for each four nodes i < j < k < l the three splits
    ({i,j},{k,l}), ({i,k},{j,l}), ({i,l},{j,k}). Latent nodes take part in treks only; a <->
    edge is a latent common cause. Stops after `limit` tetrads or MAX_QUADRUPLES sets of four
    nodes (`.truncated`, `.note`).

    kind (DAGitty's `type`, for measurement models; each of the four nodes then has exactly
    one parent): "within" — the four share that parent (indicators of one factor); "between"
    — each side's two nodes share one parent and the sides' parents differ (two factors);
    "epistemic" — one side's nodes have one parent between them, the other side's two."""
    if kind not in TETRAD_TYPES:
        raise QueryError(f"Unknown kind of tetrads '{str(kind)[:20]}'.",
                         hint="Use " + ", ".join(f"'{k}'" for k in TETRAD_TYPES) + ".")
    d, measured = dag_with_latent_roots(g, "Vanishing tetrads")
    if kind != "all":
        measured = [v for v in measured if len(d.pred[v]) == 1]
    t = _trek_graph(d)
    out = Listing()
    for seen, (i1, i2, i3, i4) in enumerate(combinations(measured, 4)):
        if seen >= MAX_QUADRUPLES:
            out.truncated = True
            out.note = (f"Only the first {MAX_QUADRUPLES:,} sets of four variables were "
                        "examined; the graph has more.")
            return out
        if kind == "within" and not set(d.pred[i1]) == set(d.pred[i2]) == set(d.pred[i3]) \
                == set(d.pred[i4]):
            continue
        for (a, dd), (b, c) in (((i1, i2), (i3, i4)), ((i1, i3), (i2, i4)),
                                ((i1, i4), (i2, i3))):
            if kind in ("between", "epistemic"):
                left = set(d.pred[a]) | set(d.pred[dd])
                right = set(d.pred[b]) | set(d.pred[c])
                if kind == "between" and (len(left) != 1 or len(right) != 1 or left == right):
                    continue
                if kind == "epistemic" and sorted((len(left), len(right))) != [1, 2]:
                    continue
            if _rank_at_most_one(t, (a, dd), (b, c)):
                out.append(Tetrad(a, b, c, dd))
                if len(out) >= limit:
                    out.truncated = True
                    out.note = f"Only the first {limit:,} tetrads are listed; there may be more."
                    return out
    return out


def implied_covariance(g: CausalGraph, coefficients: Mapping[Edge, float] | None = None, *,
                       seed: int = 0, low: float = -0.6, high: float = 0.6,
                       standardized: bool = True) -> pd.DataFrame:
    """The covariance (or correlation) matrix of the measured nodes in a linear model on `g`.

    Each node is Σ b·parent + its own noise; a <-> edge with coefficient c is a latent common
    cause with √|c| on one side and ±√|c| (the sign of c) on the other, so it adds c to the
    two nodes' covariance (DAGitty's construction). `coefficients` maps (parent, child) and
    (a, b) of a <-> edge to their coefficients; the rest are drawn uniformly from [low, high]
    (DAGitty's impliedCovarianceMatrix defaults, −0.6 to 0.6). With standardized=True every variable has variance 1 (noise
    variance 1 − explained variance, as DAGitty; refused when that is not positive), else
    every noise has variance 1. Σ = (I − B)⁻¹ Ω (I − B)⁻ᵀ with B[child, parent] = b.
    """
    d, measured = dag_with_latent_roots(g, "The implied covariance matrix")
    coefficients = dict(coefficients or {})
    known = set(g.edges) | {tuple(e) for e in g.bidirected}
    for e in coefficients:
        if tuple(e) not in known and tuple(e)[::-1] not in g.bidirected:
            raise QueryError(f"There is no edge {e[0]} -> {e[1]} to give a coefficient.",
                             hint="Give coefficients for the graph's edges only.")
    rng = np.random.default_rng(seed)
    order = list(nx.topological_sort(d))
    index = {v: i for i, v in enumerate(order)}
    n = len(order)
    b = np.zeros((n, n))
    for p, c in sorted(d.edges, key=lambda e: (index[e[0]], index[e[1]])):
        if isinstance(p, tuple):       # a <-> b: set once, from its latent root's first edge
            continue
        b[index[c], index[p]] = float(coefficients[(p, c)]) if (p, c) in coefficients \
            else rng.uniform(low, high)
    for x, y in sorted(g.bidirected):
        given = coefficients.get((x, y), coefficients.get((y, x)))
        cov_xy = float(rng.uniform(low, high) if given is None else given)
        root = index[("<->", x, y)]
        b[index[x], root] = np.sqrt(abs(cov_xy))
        b[index[y], root] = np.sign(cov_xy) * np.sqrt(abs(cov_xy))
    omega = np.ones(n)
    if standardized:
        cov = np.zeros((n, n))
        for v in order:          # in causal order: the explained variance is known by then
            i = index[v]
            explained = b[i] @ cov @ b[i]
            if explained >= 1:
                raise QueryError(f"With these coefficients the parents of {v} explain all of "
                                 "its variance, so it cannot be standardized.",
                                 hint="Use smaller coefficients, or standardized=False.")
            omega[i] = 1 - explained
            row = cov @ b[i]
            cov[i, :] = row
            cov[:, i] = row
            cov[i, i] = 1.0
    inv = np.linalg.inv(np.eye(n) - b)
    sigma = inv @ np.diag(omega) @ inv.T
    keep = [index[v] for v in measured]
    return pd.DataFrame(sigma[np.ix_(keep, keep)], index=measured, columns=measured)


@dataclass(frozen=True)
class TetradTest:
    """One implied tetrad checked on data: its sample value, Wishart's (1928) standard error,
    the two-sided p-value of "it is zero" (normal approximation) and a confidence interval."""

    tetrad: Tetrad
    estimate: float
    std_error: float
    p_value: float
    low: float
    high: float

    def sentence(self, alpha: float = 0.05) -> str:
        """The result in plain words."""
        verdict = ("is far from zero: the data contradict this implication" if self.p_value < alpha
                   else "is compatible with zero: the data agree with this implication")
        return (f"{self.tetrad.text}: the difference is {self.estimate:.3g} "
                f"(p = {self.p_value:.3g}), which {verdict}.")


def test_tetrads(g: CausalGraph, df: pd.DataFrame, alpha: float = 0.05, *, kind: str = "all",
                 limit: int = DEFAULT_LIMIT) -> list[TetradTest]:
    """Test each vanishing tetrad of `g` on the numeric columns of `df` (DAGitty's
    localTests(type="tetrads"), `kind` as in vanishing_tetrads): the tetrad of the sample covariance matrix over Wishart's
    standard error sqrt((D12·D34·(n+1)/(n−1) − D)/(n−2)), D the determinant of the four
    variables' covariance matrix, D12 and D34 of the two sides' (multivariate normal data)."""
    from scipy.stats import norm

    if not 0 < alpha < 1:
        raise QueryError(f"The significance level must be between 0 and 1, not {alpha}.")
    tetrads = vanishing_tetrads(g, kind, limit=limit)
    names = sorted({v for t in tetrads for v in (t.a, t.b, t.c, t.d)})
    missing = [v for v in names if v not in df.columns]
    if missing:
        raise DataError(f"The data have no column '{missing[0]}', which the tetrads use.",
                        hint="Load a table with a column for every measured node.")
    table = df[names]
    text = [v for v in names if not pd.api.types.is_numeric_dtype(table[v])]
    if text:
        raise DataError(f"The column '{text[0]}' is not numeric; tetrads are tested on "
                        "covariances of numeric variables.", hint="Use numeric columns only.")
    table = table.dropna()
    n = len(table)
    if n < 10:
        raise DataError(f"Only {n} complete rows; testing tetrads needs at least 10.")
    cov = table.cov()
    z = norm.ppf(1 - alpha / 2)
    out = []
    for t in tetrads:
        order = [t.a, t.b, t.c, t.d]            # rows {a, d}, columns {b, c}
        sub = cov.loc[order, order].to_numpy()
        value = float(np.linalg.det(cov.loc[[t.a, t.d], [t.b, t.c]].to_numpy()))
        d12 = np.linalg.det(sub[np.ix_([0, 3], [0, 3])])
        d34 = np.linalg.det(sub[np.ix_([1, 2], [1, 2])])
        var = (d12 * d34 * (n + 1) / (n - 1) - np.linalg.det(sub)) / (n - 2)
        se = float(np.sqrt(max(var, 0.0)))
        p = float(2 * norm.sf(abs(value) / se)) if se > 0 else float(value == 0)
        out.append(TetradTest(t, value, se, p, value - z * se, value + z * se))
    return out


test_tetrads.__test__ = False  # a library function, not a pytest test
