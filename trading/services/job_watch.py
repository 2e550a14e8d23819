"""The scheduler's jobs under watch: a failing job is told to the chat once per failure streak and once when it
works again; a job cancelled at shutdown ends quietly; the shutdown waits for the jobs still running.

A job that only logged its failures left positions without exits and nobody knew. Now the second failure in
a row (one may be a blip) sends one alert, the first success after it one all-clear; a streak of failures
of the protective-exit job also trips the circuit breaker, so no new position opens while exits may not run.
"""
from __future__ import annotations

import asyncio
import functools
from typing import Any, Awaitable, Callable

from trading.domain.errors import TradingError
from trading.domain.events import Event, EventKind, Severity
from trading.logs import REDACTOR, get_logger
from trading.ports import Clock
from trading.services.event_bus import EventBus

log = get_logger(__name__)

ALERT_AFTER = 2          # failures in a row before the chat is told (a single blip is only logged)
Job = Callable[..., Awaitable[None]]
OnStreak = Callable[[int, str], Awaitable[None]]


class JobWatch:
    """Wraps the scheduler's job functions; remembers each job's failure streak and the runs in flight."""

    def __init__(self, events: EventBus, clock: Clock, alert_after: int = ALERT_AFTER) -> None:
        self._events = events
        self._clock = clock
        self._alert_after = alert_after
        self.streaks: dict[str, int] = {}
        self._running: set[asyncio.Task[Any]] = set()

    def watched(self, name: str, label: str, job: Job, on_streak: OnStreak | None = None,
                streak_limit: int = 0) -> Job:
        """Return job as a coroutine function the scheduler runs under watch.

        label names the job in the chat ("the protective-exit job"); on_streak(failures, error) runs when a
        streak reaches streak_limit failures, and again at each further failure.
        """
        @functools.wraps(job)
        async def run(*args: Any, **kwargs: Any) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await job(*args, **kwargs)
            except asyncio.CancelledError:
                log.info("job cancelled at shutdown", job=name)   # not an error: the process is stopping
                return
            except Exception as exc:  # noqa: BLE001 - a job must never die; the failure is told, not hidden
                await self._failed(name, label, exc, on_streak, streak_limit)
                return
            finally:
                if task is not None:
                    self._running.discard(task)
            await self._succeeded(name, label)

        return run

    async def drain(self, timeout_s: float) -> None:
        """Wait up to timeout_s for the job runs in flight (at shutdown, before the database closes)."""
        running = [t for t in self._running if t is not asyncio.current_task()]
        if running:
            await asyncio.wait(running, timeout=timeout_s)

    async def _failed(self, name: str, label: str, exc: Exception, on_streak: OnStreak | None,
                      streak_limit: int) -> None:
        failures = self.streaks.get(name, 0) + 1
        self.streaks[name] = failures
        error = describe(exc)
        if isinstance(exc, TradingError):
            log.warning("job failed, will retry", job=name, failures=failures, error=error)
        else:
            log.error("job crashed, will retry", job=name, failures=failures, exc_info=exc)
        if failures == self._alert_after:
            await self._tell(Event(EventKind.ERROR, self._clock.now_ms(),
                                   f"{label.capitalize()} is failing ({failures} times in a row): {error}. It keeps "
                                   f"retrying; I will say when it works again.", {"job": name, "failures": failures},
                                   Severity.CRITICAL if on_streak is not None else Severity.WARNING))
        if on_streak is not None and failures >= streak_limit > 0:
            await self._guarded(on_streak(failures, error), name)

    async def _succeeded(self, name: str, label: str) -> None:
        failures = self.streaks.pop(name, 0)
        if failures >= self._alert_after:
            await self._tell(Event(EventKind.ERROR, self._clock.now_ms(),
                                   f"{label.capitalize()} works again after {failures} failures.",
                                   {"job": name, "recovered_after": failures}))

    async def _tell(self, event: Event) -> None:
        await self._guarded(self._events.emit(event), event.data.get("job", "?"))

    @staticmethod
    async def _guarded(step: Awaitable[None], name: str) -> None:
        try:
            await step
        except Exception:  # noqa: BLE001 - telling about a failure must not fail the job runner itself
            log.exception("could not report a job failure", job=name)


def describe(exc: BaseException) -> str:
    """Return a failure in a line fit for the chat: our own errors say what happened, others only their type."""
    if isinstance(exc, TradingError):
        return REDACTOR.mask_text(str(exc) or type(exc).__name__)[:200]
    return f"{type(exc).__name__} (details in the log)"
