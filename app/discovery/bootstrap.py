"""Bootstrap confidence: rerun the algorithm on resampled rows, in parallel, with progress and
cancel, and count how often each pair is adjacent and with which orientation.

Where resamples run is chosen by the environment variable CAUSAL_CANVAS_EXECUTOR:
- unset / "local": worker processes on this machine (a process pool kept between runs, its
  workers forked from a forkserver that has the discovery code loaded);
- "ray": a Ray cluster (`ray.init(address=$RAY_ADDRESS)`, or a local Ray if RAY_ADDRESS is unset);
- "dask": a Dask cluster (`Client($DASK_SCHEDULER_ADDRESS)`, or a local cluster if unset).
Ray and Dask must be installed (they are not dependencies of the app) and the workers must be
able to `import app` (same code on the cluster); otherwise a DiscoveryError says so.
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

from app import settings
from app.discovery.algorithms import RunSpec, run
from app.discovery.quiet import quiet
from app.discovery.result import EdgeConfidence, LearnedEdge, orientation_label
from app.errors import Cancelled, CausalCanvasError, DiscoveryError

ENV_VAR = settings.ENV_EXECUTOR
_POLL = 0.2          # seconds between cancel checks while resamples run
_dask_client = None

EdgeTuple = tuple[str, str, str, str]


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:   # not on Linux
        return max(1, os.cpu_count() or 1)


def executor_name() -> str:
    """"local", "ray" or "dask" from CAUSAL_CANVAS_EXECUTOR (DiscoveryError if unknown)."""
    name = settings.env(ENV_VAR, "local").strip().lower()
    if name in ("", "local", "processes"):
        return "local"
    if name in ("ray", "dask"):
        return name
    raise DiscoveryError(f"{ENV_VAR}={name!r} is not a known executor.",
                         hint="Use 'local' (default), 'ray' or 'dask'.")


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
    if name == "ray":
        return _run_ray(spec, packed, n, seed, progress, cancel)
    if name == "dask":
        return _run_dask(spec, packed, n, seed, progress, cancel)
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


def _run_ray(spec, packed, n, seed, progress, cancel):
    try:
        import ray
    except ImportError as exc:
        raise DiscoveryError(
            f"{ENV_VAR} is set to 'ray' but the ray package is not installed.",
            hint="Install it (pip install 'ray[default]') or unset the variable to use local "
                 "processes.") from exc
    if not ray.is_initialized():
        ray.init(address=settings.env(settings.ENV_RAY_ADDRESS) or None, ignore_reinit_error=True,
                 log_to_driver=False)
    task = ray.remote(one_resample)
    data_ref = ray.put(packed)
    refs = {task.remote(spec, data_ref, i, seed): i for i in range(n)}
    results: list = [None] * n
    pending = list(refs)
    try:
        while pending:
            if cancel():
                raise Cancelled()
            done, pending = ray.wait(pending, num_returns=1, timeout=_POLL)
            for r in done:
                results[refs[r]] = ray.get(r)
            if done:
                progress(n - len(pending), n)
    except BaseException:
        for r in pending:
            ray.cancel(r, force=True)
        raise
    return results


def _run_dask(spec, packed, n, seed, progress, cancel):
    global _dask_client
    try:
        from distributed import Client
    except ImportError as exc:
        raise DiscoveryError(
            f"{ENV_VAR} is set to 'dask' but dask.distributed is not installed.",
            hint="Install it (pip install 'dask[distributed]') or unset the variable to use "
                 "local processes.") from exc
    if _dask_client is None or _dask_client.status != "running":
        address = settings.env(settings.ENV_DASK_SCHEDULER)
        _dask_client = (Client(address) if address else
                        Client(n_workers=available_cores(), threads_per_worker=1,
                               processes=True, dashboard_address=None))
    client = _dask_client
    data = client.scatter(packed, broadcast=True)
    futures = {client.submit(one_resample, spec, data, i, seed, pure=False): i for i in range(n)}
    results: list = [None] * n
    pending = set(futures)
    try:
        while pending:
            if cancel():
                raise Cancelled()
            done = {f for f in pending if f.done()}
            if not done:
                time.sleep(0.05)
                continue
            pending -= done
            for f in done:
                results[futures[f]] = f.result()
            if done:
                progress(n - len(pending), n)
    except BaseException:
        client.cancel(list(pending))
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
