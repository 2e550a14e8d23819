"""Where a sweep's trials run: in this process, a local process pool (all cores), or a Dask cluster.

The shared SweepData goes to each worker once (a pool's initializer; the cluster's scatter with
broadcast, as one pickled blob each worker unpickles once and keeps: arrays a Dask worker rebuilds
straight from its network frames can be misaligned, which made every trial several times slower),
then only (index, parameters) travel per trial. Results come back in any order and are
sorted by trial index, so every way of running gives the same list. A cancel event stops the sweep
between trials: queued trials are dropped (pool futures cancelled, cluster futures released).
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Sequence

from trading.backtest.sweep import Params, SweepData, TrialResult, run_trial
from trading.domain.errors import ConfigurationError, TradingError

Progress = Callable[[int, int], None]        # trials done, trials in all
POLL_S = 0.2
CONNECT_TIMEOUT_S = 10.0
_worker_data: SweepData | None = None
_worker_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


class SweepCancelled(TradingError):
    """The sweep was stopped before all its trials ran."""


def run_serial(data: SweepData, trials: Sequence[Params], progress: Progress | None = None,
               cancel: threading.Event | None = None) -> list[TrialResult]:
    """Run the trials one after another in this process."""
    out = []
    for index, params in enumerate(trials):
        _check(cancel)
        out.append(run_trial(data, index, params))
        if progress is not None:
            progress(len(out), len(trials))
    return out


def run_local_pool(data: SweepData, trials: Sequence[Params], workers: int | None = None,
                   progress: Progress | None = None, cancel: threading.Event | None = None) -> list[TrialResult]:
    """Run the trials on a pool of spawned processes (default: one per core), the data sent once to each."""
    count = max(1, min(workers or os.cpu_count() or 1, len(trials)))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(count, mp_context=context, initializer=_install, initargs=(data,)) as pool:
        pending = {pool.submit(_trial_here, index, dict(params)) for index, params in enumerate(trials)}
        return _collect(pending, len(trials), progress, cancel, lambda futures: [f.cancel() for f in futures])


def run_on_cluster(data: SweepData, trials: Sequence[Params], client: Any, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> list[TrialResult]:
    """Run the trials on a Dask distributed client's cluster, the data scattered once to every worker."""
    blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    sweep_id = hashlib.sha256(blob).hexdigest()[:16]
    shared = client.scatter(blob, broadcast=True)
    futures = [client.submit(_trial_on_worker, sweep_id, shared, index, dict(params),
                             key=f"sweep-{sweep_id}-{index}", pure=False) for index, params in enumerate(trials)]
    results: list[TrialResult] = []
    try:
        from distributed import as_completed

        for future in as_completed(futures):
            _check(cancel)
            results.append(future.result())
            if progress is not None:
                progress(len(results), len(trials))
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        client.cancel([shared])
    return sorted(results, key=lambda r: r.index)


def run_sweep(data: SweepData, trials: Sequence[Params], *, cluster: str | None = None, workers: int | None = None,
              progress: Progress | None = None, cancel: threading.Event | None = None,
              connect_timeout_s: float = CONNECT_TIMEOUT_S) -> list[TrialResult]:
    """Run the trials where the settings say: on the cluster at address cluster, else a local pool."""
    if not cluster:
        if (workers or os.cpu_count() or 1) == 1 or len(trials) == 1:
            return run_serial(data, trials, progress, cancel)
        return run_local_pool(data, trials, workers, progress, cancel)
    try:
        from distributed import Client
    except ImportError:       # the sweeps extra: left out of requirements.lock and the Docker image
        raise ConfigurationError(f"SWEEP_CLUSTER={cluster} needs the Dask client, which this install leaves out: "
                                 "pip install 'trading-assistant[sweeps]' (or -r requirements-test.lock), or "
                                 "unset SWEEP_CLUSTER to run the trials on this machine") from None
    try:
        client = Client(cluster, timeout=f"{connect_timeout_s}s")
    except (OSError, TimeoutError) as exc:
        raise TradingError(f"cannot reach the Dask scheduler at {cluster} (SWEEP_CLUSTER): {exc}") from None
    with client:
        return run_on_cluster(data, trials, client, progress, cancel)


def _install(data: SweepData) -> None:
    """Keep the sweep's data in this worker process (the pool's initializer)."""
    global _worker_data
    _worker_data = data


def _trial_on_worker(sweep_id: str, blob: bytes, index: int, params: Params) -> TrialResult:
    """Run a trial on a cluster worker, unpickling the sweep's data once per worker and sweep."""
    with _cache_lock:
        if _worker_cache.get("id") != sweep_id:       # one sweep's data kept at a time
            _worker_cache.clear()
            _worker_cache.update(id=sweep_id, data=pickle.loads(blob))
        data = _worker_cache["data"]
    return run_trial(data, index, params)


def _trial_here(index: int, params: Params) -> TrialResult:
    assert _worker_data is not None, "the worker was started without the sweep's data"
    return run_trial(_worker_data, index, params)


def _collect(pending: set[Future], total: int, progress: Progress | None, cancel: threading.Event | None,
             drop: Callable[[set[Future]], object]) -> list[TrialResult]:
    results: list[TrialResult] = []
    try:
        while pending:
            if cancel is not None and cancel.is_set():
                raise SweepCancelled(f"sweep stopped after {len(results)} of {total} trials")
            done, pending = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
            for future in done:
                results.append(future.result())
                if progress is not None:
                    progress(len(results), total)
    except BaseException:
        drop(pending)            # Ctrl-C or a cancel: queued trials never start, the pool only ends running ones
        raise
    return sorted(results, key=lambda r: r.index)


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise SweepCancelled("sweep stopped before all its trials ran")
