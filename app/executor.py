"""Where repeated independent work runs: on this machine, or on a Ray or Dask cluster.

The environment variable CAUSAL_CANVAS_EXECUTOR chooses:
- unset / "local": this machine (discovery bootstrap uses its own process pool, see
  app.discovery.bootstrap; refutations run in the app's process);
- "ray": a Ray cluster (`ray.init(address=$RAY_ADDRESS)`, or a local Ray if RAY_ADDRESS is unset);
- "dask": a Dask cluster (`Client($DASK_SCHEDULER_ADDRESS)`, or a local cluster if unset).
Ray and Dask are optional (pip install 'causal-canvas[distributed]' brings Dask) and the workers
must be able to `import app` (the same code on the cluster). Every task is seeded by its own
arguments, so results do not depend on where or in which order the tasks run.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from app import settings
from app.errors import Cancelled, CausalCanvasError

ENV_VAR = settings.ENV_EXECUTOR
POLL = 0.2          # seconds between cancel checks while tasks run
_dask_client = None
_dask_address: str | None = None

Progress = Callable[[int, int], None]


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:   # not on Linux
        return max(1, os.cpu_count() or 1)


def executor_name(error: type[CausalCanvasError] = CausalCanvasError) -> str:
    """"local", "ray" or "dask" from CAUSAL_CANVAS_EXECUTOR (`error` if the value is unknown)."""
    name = settings.env(ENV_VAR, "local").lower()
    if name in ("", "local", "processes"):
        return "local"
    if name in ("ray", "dask"):
        return name
    raise error(f"{ENV_VAR}={name!r} is not a known executor.",
                hint="Use 'local' (default), 'ray' or 'dask'.")


def cluster_map(fn: Callable[..., Any], shared: Any, calls: Sequence[tuple], *,
                progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                error: type[CausalCanvasError] = CausalCanvasError) -> list:
    """[fn(shared, *call) for call in calls] on the Ray or Dask cluster named by
    CAUSAL_CANVAS_EXECUTOR. `shared` (the data) is sent to the cluster once. Results come back in
    the order of `calls`; progress(done, total) as tasks finish; Cancelled (pending tasks
    dropped) as soon as cancel() returns True."""
    progress = progress or (lambda done, total: None)
    cancel = cancel or (lambda: False)
    name = executor_name(error)
    if name == "ray":
        return _run_ray(fn, shared, calls, progress, cancel, error)
    if name == "dask":
        return _run_dask(fn, shared, calls, progress, cancel, error)
    raise error(f"{ENV_VAR} names no cluster (it is '{name}').")


def _missing(name: str, package: str, install: str, error: type[CausalCanvasError]):
    return error(f"{ENV_VAR} is set to '{name}' but the {package} package is not installed.",
                 hint=f"Install it ({install}) or unset the variable to work on this machine.")


def _run_ray(fn, shared, calls, progress, cancel, error):
    try:
        import ray
    except ImportError as exc:
        raise _missing("ray", "ray", "pip install 'ray[default]'", error) from exc
    if not ray.is_initialized():
        ray.init(address=settings.env(settings.ENV_RAY_ADDRESS) or None, ignore_reinit_error=True,
                 log_to_driver=False)
    task = ray.remote(fn)
    data_ref = ray.put(shared)
    n = len(calls)
    refs = {task.remote(data_ref, *call): i for i, call in enumerate(calls)}
    results: list = [None] * n
    pending = list(refs)
    try:
        while pending:
            if cancel():
                raise Cancelled()
            done, pending = ray.wait(pending, num_returns=1, timeout=POLL)
            for r in done:
                results[refs[r]] = ray.get(r)
            if done:
                progress(n - len(pending), n)
    except BaseException:
        for r in pending:
            ray.cancel(r, force=True)
        raise
    return results


def dask_client():
    """The Dask client (kept between runs): $DASK_SCHEDULER_ADDRESS, or a local cluster."""
    global _dask_client, _dask_address
    from distributed import Client

    address = settings.env(settings.ENV_DASK_SCHEDULER) or None
    if _dask_client is None or _dask_client.status != "running" or address != _dask_address:
        if _dask_client is not None:
            _dask_client.close()
        _dask_client = (Client(address) if address else
                        Client(n_workers=available_cores(), threads_per_worker=1,
                               processes=True, dashboard_address=None))
        _dask_address = address
    return _dask_client


def _run_dask(fn, shared, calls, progress, cancel, error):
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise _missing("dask", "dask.distributed", "pip install 'causal-canvas[distributed]'",
                       error) from exc
    client = dask_client()
    data = client.scatter(shared, broadcast=True)
    n = len(calls)
    futures = {client.submit(fn, data, *call, pure=False): i for i, call in enumerate(calls)}
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
            progress(n - len(pending), n)
    except BaseException:
        client.cancel(list(pending))
        raise
    return results
