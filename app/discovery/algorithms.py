"""The discovery algorithms, each a plain function from prepared arrays to learned edges.

Engines: causal-learn's skeleton search, collider and Meek orientation (PC, CD-NOD), its FAS and
FCI rules (FCI) and its GES operators, all driven with our faster CI tests / local scores;
pgmpy for hill climbing; lingam for DirectLiNGAM. How each honours background knowledge is
written beside it; every result then goes through knowledge.enforce_on_pdag/enforce_on_pag,
which is the guarantee (forbidden never appears, required always does).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.discovery.knowledge import Knowledge, enforce_on_pag, enforce_on_pdag
from app.discovery.pdag import Pdag, cpdag_of_dag
from app.discovery.result import LearnedEdge
from app.errors import Cancelled, DiscoveryError

_MARK = {-1: "tail", 1: "arrow", 2: "circle"}


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs besides the data (picklable: sent to bootstrap workers)."""

    method: str
    names: tuple[str, ...]
    knowledge: Knowledge
    alpha: float = 0.05
    test: str | None = None
    score: str | None = None
    hc_score: str | None = None        # pgmpy scoring name
    domain_name: str | None = None
    seed: int = 0
    depth: int = -1                    # largest conditioning set PC/FCI/CD-NOD test (-1: any)
    max_path_length: int = -1          # FCI's possible-D-SEP and discriminating paths (-1: any)
    deadline: float | None = None      # time.time() at which the search stops (DiscoveryError)


@dataclass
class RunOutput:
    edges: list[LearnedEdge]
    graph_type: str
    nodes: tuple[str, ...]
    notes: list[str] = field(default_factory=list)
    weights: dict[tuple[str, str], float] = field(default_factory=dict)


def run(spec: RunSpec, arrays: dict, should_stop: Callable[[], bool] | None = None
        ) -> RunOutput:
    """Run one algorithm on one data set (the full table or a bootstrap resample).

    PC, FCI, CD-NOD and GES poll `should_stop` and `spec.deadline` as they search: the first
    ends the run with Cancelled, the second with a DiscoveryError that names the time limit.
    """
    stop = _stopper(spec, should_stop)
    if spec.method in ("pc", "fci", "cdnod", "ges"):
        fn = {"pc": run_pc, "fci": run_fci, "cdnod": run_cdnod, "ges": run_ges}[spec.method]
        return fn(spec, arrays, stop)
    return {"hc": run_hc, "lingam": run_lingam}[spec.method](spec, arrays)


def _stopper(spec: RunSpec, should_stop: Callable[[], bool] | None) -> Callable[[], None]:
    """A function the search calls now and then: raises when it is time to stop."""
    def stop() -> None:
        if should_stop is not None and should_stop():
            raise Cancelled()
        if spec.deadline is not None and time.time() > spec.deadline:
            raise DiscoveryError(
                f"{spec.method.upper()} was stopped at its time limit before it finished.",
                hint="Choose fewer variables, a smaller conditioning-set limit, or a faster "
                     "method (PC scales best).")
    return stop


CUT_NOTE = "The search was cut short"


def _cut_note(what: str, depth: int) -> str:
    return (f"{CUT_NOTE}: {what} with more than {depth} conditioning variables "
            "were not tested (the conditioning-set limit), so some edges may remain that a "
            "full search would remove.")


# ---- helpers --------------------------------------------------------------------------------
def _required_index_pairs(k: Knowledge, names) -> list[tuple[int, int]]:
    idx = {n: i for i, n in enumerate(names)}
    return [(idx[a], idx[b]) for a, b in k.required if a in idx and b in idx]


def _edges_from_matrix(graph: np.ndarray, names) -> list[LearnedEdge]:
    """causal-learn endpoint matrix (graph[i, j] = mark at i on the i–j edge) to LearnedEdges."""
    out = []
    p = len(names)
    for i in range(p):
        for j in range(i + 1, p):
            if graph[i, j] != 0 and graph[j, i] != 0:
                out.append(LearnedEdge(names[i], names[j], _MARK[int(graph[i, j])],
                                       _MARK[int(graph[j, i])]))
    return out


def _to_pdag(edges: list[LearnedEdge], names, notes: list[str]) -> Pdag:
    p = Pdag(list(names))
    for e in edges:
        if e.symbol == "-->":
            p.directed.add((e.a, e.b))
        else:
            if e.symbol != "---":
                notes.append(f"{e.a} – {e.b} got conflicting orientations; shown undirected.")
            p.undirected.add(frozenset((e.a, e.b)))
    return p


def _from_pdag(p: Pdag) -> list[LearnedEdge]:
    return sorted([LearnedEdge.directed(a, b) for a, b in p.directed]
                  + [LearnedEdge.undirected(*sorted(u)) for u in p.undirected])


def _finish_cpdag(edges: list[LearnedEdge], names, k: Knowledge, notes: list[str],
                  graph_type: str = "CPDAG") -> RunOutput:
    p, more = enforce_on_pdag(_to_pdag(edges, names, notes), k)
    return RunOutput(_from_pdag(p), graph_type, tuple(names), notes + more)


def _test_object(spec: RunSpec, arrays: dict, names, k: Knowledge, stop=None):
    from app.discovery.citests import make_test

    data = arrays["codes"] if spec.test in ("chisq", "gsq") else arrays["values"]
    test = make_test(spec.test, codes=arrays.get("codes"), values=arrays.get("values"),
                     dependent_pairs=_required_index_pairs(k, names))
    test.stop = stop
    return data, test


def _skeleton(data, spec: RunSpec, test, bk, names, notes: list[str]):
    """causal-learn's PC-stable skeleton search, up to `spec.depth` conditioning variables."""
    from causallearn.utils.PCUtils import SkeletonDiscovery

    max_k = None if spec.depth < 0 else spec.depth
    cg = SkeletonDiscovery.skeleton_discovery(data, spec.alpha, test, True,
                                              background_knowledge=bk, verbose=False,
                                              show_progress=False, node_names=list(names),
                                              max_k=max_k)
    if max_k is not None and cg.max_degree() - 1 > max_k:
        notes.append(_cut_note("adjacent pairs", max_k))
    return cg


def _pc_orient(cg, bk):
    """causal-learn's PC orientation after the skeleton: knowledge, colliders, Meek."""
    from causallearn.utils.PCUtils import Meek, UCSepset
    from causallearn.utils.PCUtils.BackgroundKnowledgeOrientUtils import (
        orient_by_background_knowledge,
    )

    cg.test = None   # not needed for uc_sepset; avoids deep-copying the p-value cache
    if bk is not None:
        orient_by_background_knowledge(cg, bk)
    cg = UCSepset.uc_sepset(cg, 2, background_knowledge=bk)
    return Meek.meek(cg, background_knowledge=bk)


# ---- PC --------------------------------------------------------------------------------------
def run_pc(spec: RunSpec, arrays: dict, stop=None) -> RunOutput:
    """PC-stable (causal-learn's skeleton search, uc_sepset with priority 2, Meek rules).

    Knowledge: causal-learn's BackgroundKnowledge removes pairs forbidden both ways during the
    skeleton search and steers collider/Meek orientation; required pairs are kept in the
    skeleton by our CI test (reported dependent); the final enforce_on_pdag adds R4 and the
    guarantee."""
    names, k = spec.names, spec.knowledge
    data, test = _test_object(spec, arrays, names, k, stop)
    bk = None if k.is_empty else k.to_causallearn(names)
    notes: list[str] = []
    cg = _pc_orient(_skeleton(data, spec, test, bk, names, notes), bk)
    return _finish_cpdag(_edges_from_matrix(cg.G.graph, names), names, k, notes)


# ---- CD-NOD ----------------------------------------------------------------------------------
def run_cdnod(spec: RunSpec, arrays: dict, stop=None) -> RunOutput:
    """CD-NOD (Huang et al. 2020): PC on the data plus the domain/time index C, with C → X for
    every X adjacent to C (X's mechanism changes across domains), then colliders and Meek.
    Same steps as causal-learn's cdnod_alg; knowledge as in PC, plus "nothing causes C"."""
    from app.discovery.citests import make_test

    c = spec.domain_name or "domain"
    names = (*spec.names, c)
    k = spec.knowledge
    k = k.with_forbidden((n, c) for n in spec.names)
    domain = arrays["domain"]
    pairs = _required_index_pairs(k, names)
    if spec.test in ("chisq", "gsq"):
        d = np.unique(domain[:, 0], return_inverse=True)[1].reshape(-1, 1)
        data = np.concatenate([arrays["codes"], d], axis=1).astype(np.int64)
        test = make_test(spec.test, codes=data, dependent_pairs=pairs)
    else:
        data = np.concatenate([arrays["values"], domain.astype(float)], axis=1)
        test = make_test(spec.test, values=data, dependent_pairs=pairs)
    test.stop = stop
    bk = k.to_causallearn(names)
    notes: list[str] = []
    cg = _skeleton(data, spec, test, bk, names, notes)
    cg = _pc_orient(cg, bk)   # "nothing causes C" orients C → X for every neighbour X
    out = _finish_cpdag(_edges_from_matrix(cg.G.graph, names), names, k, notes)
    changing = sorted(b for a, b in ((e.a, e.b) for e in out.edges if e.is_directed) if a == c)
    out.notes.append(
        f"'{c}' is the domain/time index: an edge {c} → X means X's causal mechanism changes "
        f"across {c}" + (f" (here: {', '.join(changing)})." if changing else
                         "; none was found."))
    return out


# ---- FCI -------------------------------------------------------------------------------------
def run_fci(spec: RunSpec, arrays: dict, stop=None) -> RunOutput:
    """FCI (Spirtes et al.; Zhang 2008 rules) from causal-learn's FAS and orientation rules,
    run in the same order as causal-learn's fci().

    Knowledge: pairs forbidden both ways are removed in FAS (causal-learn); required pairs stay
    adjacent (our CI test); after the collider step the knowledge marks are set with the
    Tetrad reading (a → b forbidden: arrowhead at a; required: tail at a, arrowhead at b)
    before the rules propagate them; enforce_on_pag guarantees the end result."""
    names, k = spec.names, spec.knowledge
    data, test = _test_object(spec, arrays, names, k, stop)
    edges, notes = fci_with_test(data, test, names, spec.alpha, k, depth=spec.depth,
                                 max_path_length=spec.max_path_length)
    return RunOutput(edges, "PAG", tuple(names), notes)


def fci_with_test(data: np.ndarray, test, names, alpha: float, k: Knowledge, *,
                  depth: int = -1, max_path_length: int = -1
                  ) -> tuple[list[LearnedEdge], list[str]]:
    """FCI's steps with a given CI test object (also used with a d-separation oracle to get the
    true PAG of a graph with latent variables, see compare.true_pag).

    `depth` limits the conditioning sets of the adjacency search and of the possible-D-SEP
    step; `max_path_length` the paths of possible-D-SEP and of discriminating paths (rule 4);
    -1 means no limit. A note says when a limit left tests undone."""
    from causallearn.graph.Endpoint import Endpoint
    from causallearn.graph.GraphNode import GraphNode
    from causallearn.search.ConstraintBased import FCI as F
    from causallearn.utils.FAS import fas

    nodes = []
    for i, n in enumerate(names):
        node = GraphNode(n)
        node.add_attribute("id", i)
        nodes.append(node)
    bk = None if k.is_empty else k.to_causallearn(names, nodes)
    graph, sep_sets, _ = fas(data, nodes, independence_test_method=test, alpha=alpha,
                             knowledge=bk, depth=depth, verbose=False, show_progress=False)
    notes: list[str] = []
    if depth >= 0 and max((len(graph.get_adjacent_nodes(n)) for n in nodes), default=0) - 1 > depth:
        notes.append(_cut_note("adjacent pairs", depth))
    F.reorientAllWith(graph, Endpoint.CIRCLE)
    F.rule0(graph, nodes, sep_sets, None, False)
    if _remove_by_possible_dsep(graph, test, alpha, sep_sets, depth, max_path_length):
        notes.append(_cut_note("possible-D-SEP sets", depth))
    F.reorientAllWith(graph, Endpoint.CIRCLE)
    F.rule0(graph, nodes, sep_sets, None, False)
    if not k.is_empty:
        _orient_pag_knowledge(graph, nodes, k)
    change, first = True, True
    while change:
        change = False
        change = F.rulesR1R2cycle(graph, None, change, False)
        change = F.ruleR3(graph, sep_sets, None, change, False)
        if change or first:
            change = F.ruleR4B(graph, max_path_length, data, test, alpha, sep_sets, change,
                               None, False)
            first = False
        change = F.ruleR5(graph, change, False)
        change = F.ruleR6(graph, change, False)
        change = F.ruleR7(graph, change, False)
        change = F.rule8(graph, nodes, change)
        change = F.rule9(graph, nodes, change)
        change = F.rule10(graph, change)
    edges, more = enforce_on_pag(_edges_from_matrix(graph.graph, names), names, k)
    return edges, notes + more


def _remove_by_possible_dsep(graph, test, alpha: float, sep_sets: dict, depth: int,
                             max_path_length: int) -> bool:
    """FCI's possible-D-SEP step (Spirtes et al. 2000, as causal-learn's removeByPossibleDsep:
    for each edge, both directions, subsets of size >= 2 in increasing size and lexicographic
    order, skipping subsets of either end's neighbours), with subsets of at most `depth`
    variables (-1: all). Returns True when the limit left some subsets untested."""
    from itertools import combinations

    from causallearn.search.ConstraintBased.FCI import getPossibleDsep

    index = graph.get_node_map()
    cut = False
    for edge in graph.get_graph_edges():
        a, b = edge.get_node1(), edge.get_node2()
        for x, y in ((a, b), (b, a)):
            if not graph.contains_edge(edge):
                break
            pdsep = getPossibleDsep(x, y, graph, max_path_length)
            largest = len(pdsep) if depth < 0 else min(depth, len(pdsep))
            adj_a, adj_b = set(graph.get_adjacent_nodes(a)), set(graph.get_adjacent_nodes(b))
            for size in range(2, largest + 1):
                if not graph.contains_edge(edge):
                    break
                for combo in combinations(pdsep, size):
                    if set(combo) <= adj_a or set(combo) <= adj_b:
                        continue
                    cond = tuple(index[n] for n in combo)
                    if test(index[a], index[b], cond) > alpha:
                        graph.remove_edge(edge)
                        sep_sets[(index[a], index[b])] = set(cond)
                        break
            cut |= largest < len(pdsep) and graph.contains_edge(edge)
    return cut


def _orient_pag_knowledge(graph, nodes, k: Knowledge) -> None:
    from causallearn.graph.Edge import Edge
    from causallearn.graph.Endpoint import Endpoint

    by_name = {n.get_name(): n for n in nodes}
    for edge in list(graph.get_graph_edges()):
        a, b = edge.get_node1(), edge.get_node2()
        ea = edge.get_proximal_endpoint(a)
        eb = edge.get_proximal_endpoint(b)
        na, nb = a.get_name(), b.get_name()
        if k.is_required(na, nb):
            ea, eb = Endpoint.TAIL, Endpoint.ARROW
        elif k.is_required(nb, na):
            ea, eb = Endpoint.ARROW, Endpoint.TAIL
        else:
            if k.is_forbidden(na, nb):
                ea = Endpoint.ARROW
            if k.is_forbidden(nb, na):
                eb = Endpoint.ARROW
        graph.remove_edge(edge)
        graph.add_edge(Edge(by_name[na], by_name[nb], ea, eb))


# ---- GES -------------------------------------------------------------------------------------
class DiscreteScore:
    """Local BDeu or BIC score of a node given its parents, from integer codes; cached by
    (node, parents). Defaults match causal-learn's local_score_BDeu (equivalent sample size 1,
    its structure prior); with ess=10 and structure_prior=False they match pgmpy's BDeu, and
    "bic" matches pgmpy's bic-d (penalty ½·log n per free parameter, all parent states)."""

    def __init__(self, codes: np.ndarray, kind: str = "bdeu", ess: float = 1.0,
                 structure_prior: bool = True) -> None:
        self.cols = [np.ascontiguousarray(codes[:, j], dtype=np.int64)
                     for j in range(codes.shape[1])]
        self.card = [int(c.max()) + 1 for c in self.cols]
        self.n, self.p = codes.shape
        self.kind = kind
        self.ess = ess
        self.structure_prior = structure_prior
        self.cache: dict[tuple[int, tuple[int, ...]], float] = {}

    def score(self, i: int, parents) -> float:
        key = (int(i), tuple(sorted(int(v) for v in parents)))
        s = self.cache.get(key)
        if s is None:
            s = self._score(*key)
            self.cache[key] = s
        return s

    def _counts(self, i: int, pa: tuple[int, ...]) -> tuple[np.ndarray, int]:
        r = self.card[i]
        if not pa:
            return np.bincount(self.cols[i], minlength=r).reshape(1, r), 1
        idx = self.cols[pa[0]].copy()
        q = self.card[pa[0]]
        for v in pa[1:]:
            idx *= self.card[v]
            idx += self.cols[v]
            q *= self.card[v]
        if q * r > 2_000_000:
            _, idx = np.unique(idx, return_inverse=True)
            rows = int(idx.max()) + 1
        else:
            rows = q
        counts = np.bincount(idx * r + self.cols[i], minlength=rows * r).reshape(rows, r)
        return counts[counts.sum(axis=1) > 0], q

    def _score(self, i: int, pa: tuple[int, ...]) -> float:
        from scipy.special import gammaln

        counts, q = self._counts(i, pa)
        r = self.card[i]
        nij = counts.sum(axis=1)
        if self.kind == "bic":
            with np.errstate(divide="ignore", invalid="ignore"):
                ll = np.where(counts > 0, counts * np.log(counts / nij[:, None]), 0.0).sum()
            return float(ll - 0.5 * math.log(self.n) * (r - 1) * q)
        a_j, a_jk = self.ess / q, self.ess / (r * q)
        s = float(np.sum(gammaln(a_j) - gammaln(nij + a_j))
                  + np.sum(gammaln(counts + a_jk) - gammaln(a_jk)))
        vm = self.p - 1
        if self.structure_prior and vm > 1:   # causal-learn's term (degenerate with 2 variables)
            s += len(pa) * math.log(1 / vm) + (vm - len(pa)) * math.log(1 - 1 / vm)
        return s


def run_ges(spec: RunSpec, arrays: dict, stop=None) -> RunOutput:
    """GES (Chickering 2002; app.discovery.ges, causal-learn's operators and order) scored by
    a local BIC (linear-Gaussian, causal-learn's function) or discrete BDeu/BIC (ours).

    Knowledge: causal-learn's GES has none, so the search skips Insert operators that would
    create a forbidden edge and Delete operators on required pairs, starts from the required
    edges, and enforce_on_pdag applies the rest after the search (orientation + Meek)."""
    from app.discovery.ges import ges_search

    names, k = spec.names, spec.knowledge
    if spec.score == "bic-g":
        from causallearn.score.LocalScoreFunction import local_score_BIC_from_cov
        from causallearn.score.LocalScoreFunctionClass import LocalScoreClass

        scorer = LocalScoreClass(data=arrays["values"], local_score_fun=local_score_BIC_from_cov,
                                 parameters={"lambda_value": 0.5})
    else:
        scorer = DiscreteScore(arrays["codes"], "bic" if spec.score == "bic" else "bdeu")
    forb = [[k.is_forbidden(a, b) for b in names] for a in names]
    calls = [0]

    def score(*args):
        calls[0] += 1
        if stop is not None and calls[0] % 64 == 0:
            stop()
        return scorer.score(*args)

    directed, undirected = ges_search(
        len(names), score, forbidden=lambda a, b: forb[a][b],
        required=set(_required_index_pairs(k, names)))
    edges = [LearnedEdge.directed(names[a], names[b]) for a, b in directed]
    edges += [LearnedEdge.undirected(*(names[i] for i in sorted(u))) for u in undirected]
    return _finish_cpdag(edges, names, k, [])


# ---- Hill climbing ------------------------------------------------------------------------------
def run_hc(spec: RunSpec, arrays: dict) -> RunOutput:
    """Greedy hill climbing over DAGs with tabu list (pgmpy's search), shown as the DAG's CPDAG
    because BIC and BDeu cannot tell DAGs of one equivalence class apart. Local scores for
    categorical BIC/BDeu and Gaussian BIC are ours (same values as pgmpy's bic-d / bdeu, and
    bic-g up to a constant per node, so the same search path), computed from counts or the
    covariance matrix instead of a regression per call; the conditional-Gaussian score is
    pgmpy's.

    Knowledge: native in pgmpy (ExpertKnowledge: forbidden edges never added, required edges
    fixed from the start; tiers expanded into forbidden edges); orientation inside the CPDAG
    is then fixed by enforce_on_pdag."""
    from pgmpy.causal_discovery import HillClimbSearch

    names, k = spec.names, spec.knowledge
    frame = arrays["frame"]
    score = spec.hc_score
    if score in ("bic-d", "bdeu", "bic-g"):
        score = _pgmpy_score(spec.hc_score, names, arrays)
    hc = HillClimbSearch(scoring_method=score, expert_knowledge=k.to_pgmpy(names),
                         return_type="dag", show_progress=False)
    try:
        hc.fit(frame)
    except ValueError as exc:
        raise DiscoveryError(f"Hill climbing could not run on this data: {exc}") from exc
    dag_edges = [(str(a), str(b)) for a, b in hc.causal_graph_.edges()]
    cp = cpdag_of_dag(names, dag_edges)
    return _finish_cpdag(_from_pdag(cp), names, k, [])


def _pgmpy_score(kind: str, names, arrays: dict):
    """A pgmpy structure score backed by our cached local scores."""
    from causallearn.score.LocalScoreFunction import local_score_BIC_from_cov
    from causallearn.score.LocalScoreFunctionClass import LocalScoreClass
    from pgmpy.structure_score import BaseStructureScore

    if kind == "bic-g":
        inner = LocalScoreClass(data=arrays["values"], local_score_fun=local_score_BIC_from_cov,
                                parameters={"lambda_value": 0.5})
    else:
        inner = DiscreteScore(arrays["codes"], "bic" if kind == "bic-d" else "bdeu",
                              ess=10.0, structure_prior=False)
    index = {n: i for i, n in enumerate(names)}

    class _Score(BaseStructureScore):
        def __init__(self) -> None:   # no pgmpy preprocessing: the data are already coded
            self.data = None

        def local_score(self, variable, parents) -> float:
            # Moves that score the same in exact arithmetic (a → b vs b → a) differ by float
            # noise, and pgmpy visits moves in set order (which changes with Python's hash
            # seed), so runs would differ. Rounding makes such ties exact and the 1e-7 bonus
            # per parent earlier in the column order breaks them the same way every time.
            i = index[variable]
            pa = [index[p] for p in parents]
            return round(inner.score(i, pa), 6) + 1e-7 * sum(j < i for j in pa)

    return _Score()


# ---- DirectLiNGAM --------------------------------------------------------------------------------
def run_lingam(spec: RunSpec, arrays: dict) -> RunOutput:
    """DirectLiNGAM (Shimizu et al. 2011, lingam package): a full DAG for linear models with
    non-Gaussian noise, edge weights = causal coefficients.

    Knowledge: tiers ("no directed path backwards") and required edges ("a directed path")
    go in lingam's prior-knowledge matrix, which constrains the causal order; forbidden direct
    edges are not path statements, so after the fit the affected variables are re-regressed
    (least squares) on their parents without the forbidden ones, and on the required ones."""
    import lingam

    names, k = spec.names, spec.knowledge
    X = arrays["values"]
    pk = None if (not k.tiers and not k.required) else k.to_lingam(names)
    model = lingam.DirectLiNGAM(random_state=spec.seed, prior_knowledge=pk)
    try:
        model.fit(X)
    except ValueError as exc:
        raise DiscoveryError(f"DirectLiNGAM could not run on this data: {exc}") from exc
    B = np.array(model.adjacency_matrix_, dtype=float)
    idx = {n: i for i, n in enumerate(names)}
    notes: list[str] = []
    touched = set()
    for a, b in k.forbidden_edges(names):
        if B[idx[b], idx[a]] != 0:
            B[idx[b], idx[a]] = 0.0
            touched.add(idx[b])
    for a, b in k.required:
        if B[idx[b], idx[a]] == 0:
            B[idx[b], idx[a]] = np.nan   # placeholder: refitted below
            touched.add(idx[b])
    Xc = X - X.mean(axis=0)
    for t in sorted(touched):
        parents = [j for j in range(len(names)) if B[t, j] != 0]
        B[t, :] = 0.0
        if parents:
            coef, *_ = np.linalg.lstsq(Xc[:, parents], Xc[:, t], rcond=None)
            B[t, parents] = coef
    if touched:
        notes.append("Coefficients of " + ", ".join(names[t] for t in sorted(touched))
                     + " were re-estimated after applying the background knowledge.")
    edges, weights = [], {}
    for i in range(len(names)):
        for j in range(len(names)):
            if B[i, j] != 0:
                edges.append(LearnedEdge.directed(names[j], names[i]))
                weights[(names[j], names[i])] = float(B[i, j])
    out = _finish_cpdag(edges, names, k, notes, graph_type="DAG")
    out.weights = {e: w for e, w in weights.items() if e in {(x.a, x.b) for x in out.edges}}
    return out
