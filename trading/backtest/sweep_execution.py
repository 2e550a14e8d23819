"""Where a sweep's trials run: in this process, a local process pool (all cores), or a Dask cluster.

A runner is opened once per sweep and runs batches of (index, parameters) until it is closed, so a search
that asks for trials in rounds (TPE) keeps its workers and their data. The shared SweepData is pickled
once, in this process, and each worker unpickles it once and keeps it (a pool's initializer; the
cluster's scatter with broadcast: arrays a Dask worker rebuilds straight from its network frames can be
misaligned, which made every trial several times slower). Trials then travel in chunks, several to a
task, largest first and single ones at the end so no worker idles long at the tail. Results come back in
any order and are sorted by trial index, so every way of running gives the same list. A cancel event
stops the sweep between chunks: queued chunks are dropped (pool futures cancelled, cluster futures
released). Each runner adds up busy_s, the seconds its workers spent inside trials, which the benchmark
sets against the wall time to measure the dispatch overhead.
"""
from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import pickle
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Protocol, Sequence

from trading.backtest.sweep import Params, SweepData, TrialResult, run_trial
from trading.domain.errors import ConfigurationError, TradingError

Progress = Callable[[int, int], None]        # trials done, trials in all
Batch = Sequence[tuple[int, Params]]
Ran = tuple[list[TrialResult], float]        # a chunk's results and the seconds its trials took
POLL_S = 0.2
CONNECT_TIMEOUT_S = 10.0
MAX_CHUNK = 8
_worker_data: SweepData | None = None
_worker_stop: Any = None
_worker_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


class SweepCancelled(TradingError):
    """The sweep was stopped before all its trials ran."""


class TrialRunner(Protocol):
    """Runs batches of trials somewhere, the sweep's data already there."""

    busy_s: float

    def run(self, batch: Batch, progress: Progress | None = None,
            cancel: threading.Event | None = None) -> list[TrialResult]:
        """Run the batch; return its results in trial-index order."""
        ...


def run_chunk(data: SweepData, chunk: Batch, stop: Any = None) -> Ran:
    """Run a chunk of trials one after another (until stop is set); return their results and the seconds taken."""
    started, results = time.perf_counter(), []
    for index, params in chunk:
        if stop is not None and stop.is_set():
            break
        results.append(run_trial(data, index, params))
    return results, time.perf_counter() - started


def chunks(batch: Batch, workers: int) -> list[list[tuple[int, Params]]]:
    """Cut the batch into tasks: each a share of what is left (at most MAX_CHUNK), down to single trials."""
    out: list[list[tuple[int, Params]]] = []
    start = 0
    while start < len(batch):
        size = max(1, min(MAX_CHUNK, math.ceil((len(batch) - start) / (2 * workers))))
        out.append([(index, dict(params)) for index, params in batch[start:start + size]])
        start += size
    return out


class SerialTrials:
    """Runs trials in this process."""

    def __init__(self, data: SweepData) -> None:
        self.data, self.busy_s = data, 0.0

    def run(self, batch: Batch, progress: Progress | None = None,
            cancel: threading.Event | None = None) -> list[TrialResult]:
        """Run the batch one trial after another."""
        out: list[TrialResult] = []
        for index, params in batch:
            _check(cancel)
            results, seconds = run_chunk(self.data, [(index, params)])
            out += results
            self.busy_s += seconds
            if progress is not None:
                progress(len(out), len(batch))
        return out


class PoolTrials:
    """Runs trials on spawned processes (default one per core), the data sent once to each."""

    def __init__(self, data: SweepData, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)       # pickled once, not once per worker
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()             # a cancel ends the running chunks after their current trial
        self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_install,
                                         initargs=(blob, self._stop))
        self.busy_s = 0.0

    def run(self, batch: Batch, progress: Progress | None = None,
            cancel: threading.Event | None = None) -> list[TrialResult]:
        """Run the batch's chunks on the pool."""
        pending = {self._pool.submit(_chunk_here, chunk) for chunk in chunks(batch, self.workers)}
        return self._collect(pending, len(batch), progress, cancel)

    def close(self) -> None:
        """Stop the processes (queued chunks are dropped)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _collect(self, pending: set[Future], total: int, progress: Progress | None,
                 cancel: threading.Event | None) -> list[TrialResult]:
        results: list[TrialResult] = []
        try:
            while pending:
                if cancel is not None and cancel.is_set():
                    raise SweepCancelled(f"sweep stopped after {len(results)} of {total} trials")
                done, pending = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
                for future in done:
                    results += self._take(future.result(), total, len(results), progress)
        except BaseException:
            self._stop.set()                 # Ctrl-C or a cancel: running chunks end, queued ones never start
            for future in pending:
                future.cancel()
            raise
        return sorted(results, key=lambda r: r.index)

    def _take(self, ran: Ran, total: int, before: int, progress: Progress | None) -> list[TrialResult]:
        results, seconds = ran
        self.busy_s += seconds
        if progress is not None:
            progress(before + len(results), total)
        return results


class ClusterTrials:
    """Runs trials on a Dask distributed client's cluster, the data scattered once to every worker."""

    def __init__(self, data: SweepData, client: Any) -> None:
        blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        self.client, self.sweep_id = client, hashlib.sha256(blob).hexdigest()[:16]
        self._shared = client.scatter(blob, broadcast=True)
        self.workers = max(1, sum(info.get("nthreads", 1)
                                  for info in client.scheduler_info().get("workers", {}).values()))
        self.busy_s = 0.0
        self._tasks = 0
        # task keys unique to this run: two sweeps of the same data on one cluster must not share results
        self._run = uuid.uuid4().hex[:12]

    def run(self, batch: Batch, progress: Progress | None = None,
            cancel: threading.Event | None = None) -> list[TrialResult]:
        """Run the batch's chunks on the cluster."""
        from distributed import as_completed

        futures = []
        for chunk in chunks(batch, self.workers):
            self._tasks += 1
            futures.append(self.client.submit(_chunk_on_worker, self.sweep_id, self._shared, chunk,
                                              key=f"sweep-{self.sweep_id}-{self._run}-{self._tasks}",
                                              pure=False))
        results: list[TrialResult] = []
        try:
            for future in as_completed(futures):
                _check(cancel, f"sweep stopped after {len(results)} of {len(batch)} trials")
                ran, seconds = future.result()
                results += ran
                self.busy_s += seconds
                if progress is not None:
                    progress(len(results), len(batch))
        except BaseException:
            self.client.cancel(futures)
            raise
        return sorted(results, key=lambda r: r.index)

    def close(self) -> None:
        """Release the scattered data."""
        self.client.cancel([self._shared])


@contextmanager
def trial_runner(data: SweepData, *, cluster: str | None = None, workers: int | None = None,
                 connect_timeout_s: float = CONNECT_TIMEOUT_S, trials: int | None = None) -> Iterator[TrialRunner]:
    """Open the runner the settings say: the cluster at address cluster, else a local pool (or this process)."""
    if not cluster:
        count = min(workers or os.cpu_count() or 1, trials or 2 ** 31)
        if count <= 1:
            yield SerialTrials(data)
            return
        pool = PoolTrials(data, count)
        try:
            yield pool
        finally:
            pool.close()
        return
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
        runner = ClusterTrials(data, client)
        try:
            yield runner
        finally:
            runner.close()


def run_serial(data: SweepData, trials: Sequence[Params], progress: Progress | None = None,
               cancel: threading.Event | None = None) -> list[TrialResult]:
    """Run the trials one after another in this process."""
    return SerialTrials(data).run(list(enumerate(trials)), progress, cancel)


def run_local_pool(data: SweepData, trials: Sequence[Params], workers: int | None = None,
                   progress: Progress | None = None, cancel: threading.Event | None = None) -> list[TrialResult]:
    """Run the trials on a pool of spawned processes (default: one per core), the data sent once to each."""
    pool = PoolTrials(data, min(workers or os.cpu_count() or 1, max(1, len(trials))))
    try:
        return pool.run(list(enumerate(trials)), progress, cancel)
    finally:
        pool.close()


def run_on_cluster(data: SweepData, trials: Sequence[Params], client: Any, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> list[TrialResult]:
    """Run the trials on a Dask distributed client's cluster, the data scattered once to every worker."""
    runner = ClusterTrials(data, client)
    try:
        return runner.run(list(enumerate(trials)), progress, cancel)
    finally:
        runner.close()


def run_sweep(data: SweepData, trials: Sequence[Params], *, cluster: str | None = None, workers: int | None = None,
              progress: Progress | None = None, cancel: threading.Event | None = None,
              connect_timeout_s: float = CONNECT_TIMEOUT_S) -> list[TrialResult]:
    """Run the trials where the settings say: on the cluster at address cluster, else a local pool."""
    with trial_runner(data, cluster=cluster, workers=workers, connect_timeout_s=connect_timeout_s,
                      trials=len(trials)) as runner:
        return runner.run(list(enumerate(trials)), progress, cancel)


def _install(blob: bytes, stop: Any) -> None:
    """Keep the sweep's data and its stop event in this worker process (the pool's initializer)."""
    global _worker_data, _worker_stop
    _worker_data, _worker_stop = pickle.loads(blob), stop


def _chunk_here(chunk: Batch) -> Ran:
    assert _worker_data is not None, "the worker was started without the sweep's data"
    return run_chunk(_worker_data, chunk, _worker_stop)


def _chunk_on_worker(sweep_id: str, blob: bytes, chunk: Batch) -> Ran:
    """Run a chunk on a cluster worker, unpickling the sweep's data once per worker and sweep."""
    with _cache_lock:
        if _worker_cache.get("id") != sweep_id:       # one sweep's data kept at a time
            _worker_cache.clear()
            _worker_cache.update(id=sweep_id, data=pickle.loads(blob))
        data = _worker_cache["data"]
    return run_chunk(data, chunk)


def _check(cancel: threading.Event | None, message: str = "sweep stopped before all its trials ran") -> None:
    if cancel is not None and cancel.is_set():
        raise SweepCancelled(message)
