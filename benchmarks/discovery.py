"""Discovery benchmark: app.discover against raw causal-learn and raw pgmpy in the same process.

Data: 5,000 rows sampled (seed 0) from pgmpy's alarm, child and sachs networks and from a
20-node linear-Gaussian SEM (plus a uniform-noise copy for DirectLiNGAM). For each algorithm:
wall time (best of `--repeat`) and SHD to the true graph (Tsamardinos 2006, CPDAG vs CPDAG;
FCI against the true PAG; LiNGAM DAG vs DAG). Targets: time ≤ 1.0× raw causal-learn for the
same algorithm, SHD ≤ causal-learn's; a 50-resample bootstrap of PC on alarm < 60 s.

    .venv/bin/python benchmarks/discovery.py            # ~3–4 min on 2 idle cores
    .venv/bin/python benchmarks/discovery.py --full     # also raw causal-learn GES on alarm (slow)
"""
from __future__ import annotations

import argparse
import contextlib
import io
import logging
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.discovery import DiscoveryResult, LearnedEdge, compare_graphs, discover  # noqa: E402
from app.discovery.bootstrap import available_cores  # noqa: E402
from app.discovery.simulate import linear_sem, random_dag  # noqa: E402
from app.graph import CausalGraph  # noqa: E402

_MARK = {-1: "tail", 1: "arrow", 2: "circle"}
ROWS = 5000


def quiet():
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    return stack


def as_result(edges, names, graph_type) -> DiscoveryResult:
    return DiscoveryResult(nodes=tuple(names), edges=tuple(edges), graph_type=graph_type,
                           method="raw", method_name="raw", reason="")


def from_matrix(matrix, names, graph_type="CPDAG") -> DiscoveryResult:
    edges = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if matrix[i, j] != 0:
                edges.append(LearnedEdge(names[i], names[j], _MARK[int(matrix[i, j])],
                                         _MARK[int(matrix[j, i])]))
    return as_result(edges, names, graph_type)


def from_pgmpy(model, names, graph_type="CPDAG") -> DiscoveryResult:
    if hasattr(model, "undirected_edges"):
        edges = [LearnedEdge.directed(str(a), str(b)) for a, b in model.directed_edges]
        edges += [LearnedEdge.undirected(str(a), str(b)) for a, b in model.undirected_edges]
        seen, unique = set(), []
        for e in edges:
            if e.pair not in seen:
                seen.add(e.pair)
                unique.append(e)
        return as_result(unique, names, graph_type)
    return as_result([LearnedEdge.directed(str(a), str(b)) for a, b in model.edges()], names,
                     "DAG")


def timed(fn, repeat: int):
    best, value = float("inf"), None
    for _ in range(repeat):
        with quiet():
            start = time.perf_counter()
            value = fn()
            best = min(best, time.perf_counter() - start)
    return best, value


def datasets():
    from pgmpy.sampling import BayesianModelSampling
    from pgmpy.utils import get_example_model

    out = []
    for name in ("alarm", "child", "sachs"):
        with quiet():
            model = get_example_model(name)
            df = BayesianModelSampling(model).forward_sample(size=ROWS, seed=0,
                                                             show_progress=False)
        truth = CausalGraph.from_edges([(str(a), str(b)) for a, b in model.edges()],
                                       nodes=[str(n) for n in model.nodes()])
        out.append((name, df, truth, "discrete"))
    g = random_dag(20, expected_degree=2.0, seed=7)
    out.append(("gauss20", linear_sem(g, ROWS, seed=8), g, "continuous"))
    return out


def one_dataset(name, df, truth, kind, args, record) -> None:
    """PC, FCI, GES and HC on one data set: raw libraries, then app.discover."""
    from causallearn.search.ConstraintBased.FCI import fci
    from causallearn.search.ConstraintBased.PC import pc
    from causallearn.search.ScoreBased.GES import ges
    from pgmpy.causal_discovery import PC as PgmpyPC
    from pgmpy.causal_discovery import HillClimbSearch

    names = list(df.columns)
    codes = np.column_stack([pd.factorize(df[c], sort=True)[0] for c in names])
    values = df.to_numpy(float) if kind == "continuous" else None
    data = codes if kind == "discrete" else values
    test = "chisq" if kind == "discrete" else "fisherz"
    print(f"{name}: {df.shape[0]} rows × {df.shape[1]} variables", flush=True)

    t, r = timed(lambda: pc(data, 0.05, test, show_progress=False, node_names=names),
                 args.repeat)
    record(name, "PC", "causal-learn", t, from_matrix(r.G.graph, names), truth)
    t, r = timed(lambda: discover(df, "pc", test=test), args.repeat)
    record(name, "PC", "app", t, r, truth)
    pg_test = "chi_square" if kind == "discrete" else "fisher_z"
    t, r = timed(lambda: PgmpyPC(variant="stable", ci_test=pg_test, significance_level=0.05,
                                 return_type="pdag", show_progress=False, n_jobs=1).fit(df),
                 1)
    record(name, "PC", "pgmpy", t, from_pgmpy(r.causal_graph_, names), truth)

    t, r = timed(lambda: fci(data, test, 0.05, show_progress=False, node_names=names), 1)
    record(name, "FCI", "causal-learn", t, from_matrix(r[0].graph, names, "PAG"), truth)
    t, r = timed(lambda: discover(df, "fci", test=test), 1)
    record(name, "FCI", "app", t, r, truth)

    score = "local_score_BDeu" if kind == "discrete" else "local_score_BIC"
    app_score = "bdeu" if kind == "discrete" else "bic"
    if name != "alarm" or args.full:
        t, r = timed(lambda: ges(data, score, node_names=names), 1)
        record(name, "GES", "causal-learn", t, from_matrix(r["G"].graph, names), truth)
    t, r = timed(lambda: discover(df, "ges", score=app_score), 1)
    record(name, "GES", "app", t, r, truth)

    hc_score = "bic-d" if kind == "discrete" else "bic-g"
    t, r = timed(lambda: HillClimbSearch(scoring_method=hc_score, show_progress=False,
                                         return_type="dag").fit(df), 1)
    record(name, "HC", "pgmpy", t, from_pgmpy(r.causal_graph_, names), truth)
    t, r = timed(lambda: discover(df, "hc", score="bic"), 1)
    record(name, "HC", "app", t, r, truth)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    rows = []

    def record(data, algo, engine, seconds, result, truth, as_cpdag=True):
        shd = compare_graphs(truth, result, as_cpdag=as_cpdag).shd
        rows.append({"data": data, "algorithm": algo, "engine": engine,
                     "seconds": round(seconds, 3), "SHD": shd})
        print(f"  {data:8s} {algo:7s} {engine:12s} {seconds:8.3f} s   SHD {shd}", flush=True)

    with quiet():   # imports and first-call costs out of the timings
        discover(linear_sem(random_dag(4, seed=0), 300, seed=0), "pc")
    sets = datasets()
    for name, df, truth, kind in sets:
        one_dataset(name, df, truth, kind, args, record)

    import lingam

    g = random_dag(20, expected_degree=2.0, seed=7)
    df = linear_sem(g, ROWS, seed=8, noise="uniform")
    print("uniform20 (non-Gaussian noise, for DirectLiNGAM)", flush=True)
    t, m = timed(lambda: lingam.DirectLiNGAM(random_state=0).fit(df.to_numpy()), 1)
    B = m.adjacency_matrix_
    names = list(df.columns)
    raw = as_result([LearnedEdge.directed(names[j], names[i]) for i in range(20)
                     for j in range(20) if B[i, j] != 0], names, "DAG")
    record("uniform20", "LiNGAM", "lingam", t, raw, g, as_cpdag=False)
    t, r = timed(lambda: discover(df, "lingam"), 1)
    record("uniform20", "LiNGAM", "app", t, r, g, as_cpdag=False)

    alarm_df = sets[0][1]
    print(f"bootstrap: 50 resamples of PC on alarm, {available_cores()} cores", flush=True)
    start = time.perf_counter()
    with quiet():
        boot = discover(alarm_df, "pc", bootstrap=50)
    boot_s = time.perf_counter() - start
    print(f"  {boot_s:.1f} s (target < 60 s); {boot.bootstrap} resamples analysed")
    # CPU cost of one resample, measured here, tells what an otherwise idle machine needs
    from app.discovery.bootstrap import _pack, one_resample
    from app.discovery.engine import plan
    from app.discovery.knowledge import Knowledge
    from app.discovery.prepare import prepare

    spec, arrays, _, _ = plan(prepare(alarm_df, None, "pc"), "pc", "auto", "bic", 0.05,
                              Knowledge(), 0)
    packed = _pack(arrays)
    cpu = time.process_time()
    for i in range(3):
        one_resample(spec, packed, i, 0)
    per = (time.process_time() - cpu) / 3
    print(f"  CPU per resample {per:.2f} s → {50 * per / available_cores():.1f} s for 50 on "
          f"{available_cores()} idle cores (the rest of the wall time is other load and "
          "starting the workers)")

    table = pd.DataFrame(rows)
    print("\nSummary (time ratio app / reference; SHD app vs reference):")
    for (data, algo), grp in table.groupby(["data", "algorithm"], sort=False):
        app = grp[grp.engine == "app"].iloc[0]
        for _, ref in grp[grp.engine != "app"].iterrows():
            ratio = app.seconds / ref.seconds if ref.seconds else float("nan")
            print(f"  {data:9s} {algo:7s} vs {ref.engine:12s} time {ratio:5.2f}×   "
                  f"SHD {app.SHD} vs {ref.SHD}")
    print(f"  bootstrap 50× PC on alarm: {boot_s:.1f} s")


if __name__ == "__main__":
    main()
