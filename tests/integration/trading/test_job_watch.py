"""The scheduler's jobs under watch: one alert per failure streak, one all-clear, the breaker on failing exits,
quiet cancellation at shutdown, and a shutdown that waits for the job in flight."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from tests.fakes.loop_rig import build_rig
from tests.fakes.market_stretches import SELL_OFF, SPOT, minutes_around
from tests.fakes.recording_notifier import RecordingNotifier
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.errors import NetworkFailure
from trading.domain.events import EventKind
from trading.engine.entry_gate import EntryOrigin
from trading.risk.verdicts import RiskRule
from trading.scheduling import Schedule
from trading.services.event_bus import EventBus
from trading.services.job_watch import JobWatch


class FlakyJob:
    """A job that fails while told to, and counts its runs."""

    def __init__(self) -> None:
        self.failing = True
        self.runs = 0

    async def __call__(self) -> None:
        self.runs += 1
        if self.failing:
            raise NetworkFailure("exchange unreachable: connection refused")


async def watch_in(folder):
    store = SqliteStore(folder / "trading.sqlite", ManualClock(0))
    await store.open()
    events, notes = EventBus(store), RecordingNotifier()
    events.attach(notes)
    return JobWatch(events, ManualClock(0)), notes, store


async def test_a_failing_job_alerts_once_per_streak_and_once_when_it_recovers(tmp_path):
    watch, notes, store = await watch_in(tmp_path)
    job = FlakyJob()
    run = watch.watched("market_refresh", "the market refresh", job)
    for _ in range(4):
        await run()
    job.failing = False
    await run()
    await run()
    assert notes.lines == [
        "The market refresh is failing (2 times in a row): exchange unreachable: connection refused. It keeps "
        "retrying; I will say when it works again.",
        "The market refresh works again after 4 failures."]
    assert job.runs == 6 and watch.streaks == {}
    await store.close()


async def test_a_single_blip_is_only_logged(tmp_path):
    watch, notes, store = await watch_in(tmp_path)
    job = FlakyJob()
    run = watch.watched("market_refresh", "the market refresh", job)
    await run()
    job.failing = False
    await run()
    assert notes.lines == []
    await store.close()


async def test_a_streak_of_protective_exit_failures_trips_the_circuit_breaker(tmp_path):
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), SPOT, SELL_OFF, [])
    watch = JobWatch(rig.loop.events, rig.clock)
    run = watch.watched("protective_exits", "the protective-exit job", FlakyJob(),
                        rig.loop.trip_on_protection_failures, 3)
    await run()
    await run()
    assert rig.loop.risk_status().entries_allowed
    await run()
    status = rig.loop.risk_status()
    assert not status.entries_allowed and status.breaker_tripped
    assert "the protective-exit job failed 3 times in a row (exchange unreachable" in status.blocked_because
    verdict = rig.engine.vet_new_position(rig.clock.now_ms(), EntryOrigin.MANUAL)
    assert verdict.rule is RiskRule.CIRCUIT_BREAKER
    assert [e.kind for e in rig.notes.events] == [EventKind.ERROR, EventKind.CIRCUIT_BREAKER]
    await rig.close()


async def test_a_job_cancelled_at_shutdown_ends_quietly(tmp_path, caplog):
    watch, notes, store = await watch_in(tmp_path)
    started, never = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        started.set()
        await never.wait()

    task = asyncio.create_task(watch.watched("heartbeat", "the heartbeat", slow)())
    await started.wait()
    with caplog.at_level(logging.INFO):
        task.cancel()
        await task                      # returns: the cancellation is not an error
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR] and notes.lines == []
    await store.close()


async def test_stopping_the_schedule_waits_for_the_job_in_flight(tmp_path):
    watch, notes, store = await watch_in(tmp_path)
    started, release, finished = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def saving() -> None:
        started.set()
        await release.wait()            # as a job inside a database write at shutdown
        finished.set()

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(watch.watched("heartbeat", "the heartbeat", saving), "interval", seconds=3600,
                      next_run_time=datetime.now(timezone.utc))
    schedule = Schedule(scheduler, watch)
    schedule.start()
    await started.wait()
    stopping = asyncio.create_task(schedule.stop(timeout_s=30))
    await asyncio.sleep(0)              # let stop() pause the scheduler and begin waiting
    assert not stopping.done()
    release.set()
    await stopping
    assert finished.is_set() and not scheduler.running
    await store.close()
