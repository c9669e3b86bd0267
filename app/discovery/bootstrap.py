"""Bootstrap confidence: rerun the algorithm on resampled rows, in parallel, with progress and
cancel, and count how often each pair is adjacent and with which orientation.

Where resamples run is chosen by CAUSAL_CANVAS_EXECUTOR (see app.executor): by default worker
processes on this machine (a process pool kept between runs, its workers forked from a
forkserver that has the discovery code loaded); "ray" or "dask" sends them to a cluster.
"""
from __future__ import annotations

import os
import sys
import threading
import time
import types
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

import numpy as np

from app.discovery.algorithms import RunSpec, run
from app.discovery.quiet import quiet
from app.discovery.result import EdgeConfidence, LearnedEdge, orientation_label
from app.errors import Cancelled, CausalCanvasError, DiscoveryError
from app.executor import ENV_VAR as ENV_VAR
from app.executor import POLL as _POLL
from app.executor import available_cores, cluster_map
from app.executor import executor_name as _executor_name

EdgeTuple = tuple[str, str, str, str]


def executor_name() -> str:
    """"local", "ray" or "dask" from CAUSAL_CANVAS_EXECUTOR (DiscoveryError if unknown)."""
    return _executor_name(DiscoveryError)


def _pack(arrays: dict) -> dict:
    """Smaller integer codes for the trip to the workers."""
    out = dict(arrays)
    codes = arrays.get("codes")
    if codes is not None and codes.max() < 127:
        out["codes"] = codes.astype(np.int8)
    return out


def one_resample(spec: RunSpec, arrays: dict, i: int, seed: int) -> list[EdgeTuple] | None:
    """Run the algorithm on bootstrap resample `i` (rows drawn with replacement, seeded by
    (seed, i) so results do not depend on scheduling). None if this resample failed."""
    n = next(len(v) for v in arrays.values() if v is not None)
    rows = np.random.default_rng([seed, i]).integers(0, n, n)
    sample = {}
    for key, v in arrays.items():
        if v is None:
            sample[key] = None
        elif hasattr(v, "iloc"):
            sample[key] = v.iloc[rows].reset_index(drop=True)
        elif key == "codes":
            sample[key] = v[rows].astype(np.int64)
        else:
            sample[key] = v[rows]
    try:
        with quiet():
            out = run(spec, sample)
    except (CausalCanvasError, ValueError, np.linalg.LinAlgError, ZeroDivisionError):
        return None
    return [(e.a, e.b, e.mark_a, e.mark_b) for e in out.edges]


def _resample_task(arrays: dict, spec: RunSpec, i: int, seed: int) -> list[EdgeTuple] | None:
    """one_resample with the data first, as app.executor.cluster_map calls it."""
    return one_resample(spec, arrays, i, seed)


def bootstrap_edges(spec: RunSpec, arrays: dict, n: int, *, seed: int = 0,
                    progress: Callable[[int, int], None] | None = None,
                    cancel: Callable[[], bool] | None = None,
                    n_jobs: int | None = None,
                    notes: list[str] | None = None) -> list[list[EdgeTuple] | None]:
    """Edge lists of `n` resamples (None for a failed one). Calls progress(done, n) as they
    finish; raises Cancelled as soon as cancel() returns True (pending work is dropped).
    If worker processes cannot start, the resamples run here one after another and a
    sentence saying so is appended to `notes`."""
    progress = progress or (lambda done, total: None)
    cancel = cancel or (lambda: False)
    jobs = n_jobs or available_cores()
    packed = _pack(arrays)
    name = executor_name()
    if name != "local":
        return cluster_map(_resample_task, packed, [(spec, i, seed) for i in range(n)],
                           progress=progress, cancel=cancel, error=DiscoveryError)
    if jobs > 1:
        try:
            return _run_local(spec, packed, n, seed, progress, cancel, jobs)
        except (BrokenProcessPool, RuntimeError, OSError):
            _reset_pool()
            if notes is not None:
                notes.append("Worker processes could not start (in a script, put the code "
                             "under `if __name__ == \"__main__\":`), so the resamples ran "
                             "one after another.")
    results = []
    for i in range(n):
        if cancel():
            raise Cancelled()
        results.append(one_resample(spec, packed, i, seed))
        progress(i + 1, n)
    return results


_pool = None
_pool_lock = threading.Lock()
_warming = False
_PRELOAD = ["app.discovery.algorithms", "app.discovery.citests", "app.discovery.bootstrap",
            "causallearn.utils.PCUtils.SkeletonDiscovery", "causallearn.search.ConstraintBased.FCI"]


def _local_pool(jobs: int):
    """A process pool kept between runs. Workers fork from a forkserver that imported the
    discovery code once, so they start in milliseconds and never inherit the app's threads."""
    global _pool
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with _pool_lock:
        if _pool is None or getattr(_pool, "_broken", False) or _pool._max_workers != jobs:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            with _script_main_hidden():
                _pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)
                # start every worker now, while the script is hidden: later submits reuse them
                # (a worker busy for a moment makes the next submit start another one)
                for f in [_pool.submit(_busy_pid, 0.3) for _ in range(jobs)]:
                    f.result()
        return _pool


def _busy_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


@contextmanager
def _script_main_hidden():
    """Streamlit runs the app script as `__main__`; a new forkserver or worker process would
    run that whole script again on start (multiprocessing re-imports the parent's main file),
    which in a server logged ~190 'missing ScriptRunContext' warnings per bootstrap run.
    While the pool starts, `__main__` is a blank module, so the workers import only our code."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None or \
            not str(getattr(main, "__file__", "")).endswith(".py"):
        yield
        return
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def warm_up(n_jobs: int | None = None) -> None:
    """Start the local worker pool in the background (the first start imports the discovery
    code, a few seconds), so a later bootstrap begins at once. Safe to call on every rerun."""
    global _warming
    try:
        if _warming or executor_name() != "local":
            return
    except DiscoveryError:   # a bad executor setting is reported when a bootstrap runs
        return
    _warming = True

    def start() -> None:
        try:
            jobs = n_jobs or available_cores()
            pool = _local_pool(jobs)
            for f in [pool.submit(os.getpid) for _ in range(jobs)]:
                f.result()
        except Exception:  # noqa: BLE001 - warming is best effort; a real run reports errors
            _reset_pool()

    threading.Thread(target=start, name="discovery-warm-up", daemon=True).start()


def _reset_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def _run_local(spec, packed, n, seed, progress, cancel, jobs):
    from concurrent.futures import FIRST_COMPLETED, wait

    pool = _local_pool(jobs)
    futures = {pool.submit(one_resample, spec, packed, i, seed): i for i in range(n)}
    results: list = [None] * n
    pending = set(futures)
    done_count = 0
    try:
        while pending:
            if cancel():
                raise Cancelled()
            done, pending = wait(pending, timeout=_POLL, return_when=FIRST_COMPLETED)
            for f in done:
                results[futures[f]] = f.result()
                done_count += 1
            if done:
                progress(done_count, n)
    except BaseException:
        # queued resamples are dropped; the (at most jobs + 1) already started finish in
        # the background within about one resample's time
        for f in pending:
            f.cancel()
        raise
    return results


def confidence_from(edge_lists: list[list[EdgeTuple] | None]
                    ) -> tuple[dict[tuple[str, str], EdgeConfidence], int]:
    """Adjacency and orientation frequencies over the successful resamples."""
    ok = [e for e in edge_lists if e is not None]
    total = len(ok)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for edges in ok:
        for a, b, ma, mb in edges:
            e = LearnedEdge(a, b, ma, mb)
            label = orientation_label(e, e.pair)
            slot = counts.setdefault(e.pair, {})
            slot[label] = slot.get(label, 0) + 1
    conf = {}
    for pair, labels in counts.items():
        present = sum(labels.values())
        conf[pair] = EdgeConfidence(pair, present / total if total else 0.0,
                                    {k: v / total for k, v in labels.items()}, total)
    return conf, total
