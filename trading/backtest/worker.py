"""A worker process for backtest jobs, so a long backtest never holds up the event loop.

One spawned process (a fresh interpreter: nothing of the bot's asyncio state is copied) runs the jobs one
after another; its progress notes come back through a queue handed to it at start-up, and run() relays
those of its job to an async callback while it waits.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import queue
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Awaitable, Callable

from trading.backtest.jobs import BacktestJob, run_backtest_job, set_progress_queue
from trading.domain.errors import TradingError

PROGRESS_POLL_S = 0.2
OnProgress = Callable[[str, float], Awaitable[None]]


class BacktestWorker:
    """Runs BacktestJobs in one spawned worker process, started on first use and restarted if it dies."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._notes: Any = None

    def start(self) -> None:
        """Start the worker process now, so the first job does not wait for it (optional)."""
        self._executor().submit(_ready)

    async def run(self, job: BacktestJob, on_progress: OnProgress,
                  task: Callable[[BacktestJob], Any] = run_backtest_job) -> Any:
        """Run task(job) in the worker (a backtest by default); relay its progress notes until it is done."""
        try:
            future = asyncio.wrap_future(self._executor().submit(task, job))
            while not future.done():
                await asyncio.wait({future}, timeout=PROGRESS_POLL_S)
                for job_id, stage, fraction in self._drain():
                    if job_id == job.job_id:
                        await on_progress(stage, fraction)
            return future.result()
        except BrokenProcessPool:
            self.close()
            raise TradingError("the backtest worker stopped unexpectedly; try again") from None

    def close(self) -> None:
        """Stop the worker process (a job under way is abandoned)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._notes = context.Queue()
            self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=set_progress_queue,
                                             initargs=(self._notes,))
        return self._pool

    def _drain(self) -> list[tuple[str, str, float]]:
        notes = []
        while self._notes is not None:
            try:
                notes.append(self._notes.get_nowait())
            except queue.Empty:
                break
        return notes


def _ready() -> bool:
    """Return True: a no-op that makes the pool start its process."""
    return True
