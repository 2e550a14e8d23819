"""The recurring jobs of the process on APScheduler's asyncio scheduler, each under watch (services/job_watch.py)."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from trading.bootstrap import Core
from trading.domain.errors import RetryableError
from trading.logs import get_logger
from trading.services.assistant import Assistant
from trading.services.daily_report import record_equity, send_daily_report
from trading.services.exchange_time import ExchangeTimeKeeper
from trading.services.job_watch import JobWatch
from trading.services.loop_jobs import check_kill_file, watch_prices
from trading.services.trading_loop import TradingLoop
from trading.services.universe import UniverseService

log = get_logger(__name__)

HEARTBEAT_S = 10
PROTECT_S = 5.0
EXCHANGE_TIME_CHECK_S = 60
PROTECTION_FAILURES_TRIP = 3      # protective-exit runs failed in a row before new entries are paused
SHUTDOWN_WAIT_S = 10.0


class Schedule:
    """The scheduler and the watch over its jobs: start it, and stop it without cutting a job in half."""

    def __init__(self, scheduler: AsyncIOScheduler, watch: JobWatch) -> None:
        self.scheduler = scheduler
        self.watch = watch

    def start(self) -> None:
        """Start running the jobs."""
        self.scheduler.start()

    async def stop(self, timeout_s: float = SHUTDOWN_WAIT_S) -> None:
        """Run no new job, let the ones running finish (up to timeout_s), then shut the scheduler down."""
        if self.scheduler.running:
            self.scheduler.pause()
            await self.watch.drain(timeout_s)
            self.scheduler.shutdown(wait=False)


def build_scheduler(core: Core) -> Schedule:
    """Return the schedule (not started): heartbeat, market refresh, protective exits, equity, daily report."""
    settings, loop = core.settings, core.loop
    watch = JobWatch(core.events, core.clock)
    scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 30})
    scheduler.add_job(watch.watched("heartbeat", "the heartbeat (and the KILL file check)", _heartbeat),
                      "interval", seconds=HEARTBEAT_S, args=[core], id="heartbeat", next_run_time=_now())
    scheduler.add_job(watch.watched("market_refresh", "the market refresh", _refresh_market), "interval",
                      seconds=core.refresh_s, args=[core.assistant, loop], id="market_refresh", next_run_time=_now())
    if core.streams is not None:      # a streamed close runs the candle job at once; the interval is the fallback
        core.streams.when_due(lambda: scheduler.modify_job("market_refresh", next_run_time=_now()))
    # protective exits run on their own fast job and never wait for the candle job or a decision maker
    scheduler.add_job(watch.watched("protective_exits", "the protective-exit job (open positions may have no "
                                    "exits meanwhile)", watch_prices, loop.trip_on_protection_failures,
                                    PROTECTION_FAILURES_TRIP),
                      "interval", seconds=min(PROTECT_S, core.refresh_s), args=[loop], id="protective_exits")
    scheduler.add_job(watch.watched("equity_sample", "the equity sampling", record_equity), "interval", minutes=5,
                      args=[core.reports], id="equity_sample", next_run_time=_now())
    if core.exchange_time is not None:     # due every EXCHANGE_TIME_SYNC_MINUTES, a minute after a failure
        scheduler.add_job(watch.watched("exchange_time", "the exchange clock check", _keep_exchange_time), "interval",
                          seconds=EXCHANGE_TIME_CHECK_S, args=[core.exchange_time], id="exchange_time",
                          next_run_time=_now())
    if core.universe is not None and core.universe.dynamic:
        scheduler.add_job(watch.watched("universe_refresh", "the symbol universe refresh", _refresh_universe),
                          "interval", minutes=settings.universe_refresh_minutes, args=[core.universe],
                          id="universe_refresh", next_run_time=_now())
    # the watchdog (a stalled loop, a failing decider, a degraded exchange), and the digest of what quiet hours held
    scheduler.add_job(watch.watched("watchdog", "the watchdog (stalls and failures would go unreported)", _watch),
                      "interval", seconds=max(1, min(30, core.watchdog.stall_ms // 3000)), args=[core],
                      id="watchdog")
    hour, minute = settings.report_hour_minute
    scheduler.add_job(watch.watched("daily_report", "the daily report", send_daily_report), "cron", hour=hour,
                      minute=minute, timezone=settings.timezone, args=[core.reports, core.events, core.decisions],
                      id="daily_report")
    return Schedule(scheduler, watch)


async def _heartbeat(core: Core) -> None:
    core.assistant.heartbeat(time.time_ns() // 1_000_000)
    await check_kill_file(core.loop, core.settings.data_dir)


async def _refresh_market(assistant: Assistant, loop: TradingLoop) -> None:
    try:
        batches = await assistant.refresh_market()
    except RetryableError:
        await loop.observe_error()      # a burst of exchange errors trips the circuit breaker
        raise
    await loop.on_candles_closed(batches)   # the loop feeds the venue, then trades


async def _keep_exchange_time(keeper: ExchangeTimeKeeper) -> None:
    await keeper.tick()


async def _refresh_universe(universe: UniverseService) -> None:
    selection = await universe.refresh()
    log.info("symbol universe chosen", symbols=list(selection.symbols), by=selection.decided_by)


async def _watch(core: Core) -> None:
    await core.watchdog.check()
    digest = core.notifications.digest()
    if digest is not None:
        await core.events.emit(digest)


def _now() -> datetime:
    return datetime.now(timezone.utc)
