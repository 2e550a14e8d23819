"""The recurring jobs of the process on APScheduler's asyncio scheduler."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from trading.domain.errors import RetryableError
from trading.logs import get_logger
from trading.bootstrap import Core
from trading.services.assistant import Assistant
from trading.services.daily_report import record_equity, send_daily_report
from trading.services.exchange_time import ExchangeTimeKeeper
from trading.services.loop_jobs import check_kill_file, watch_prices
from trading.services.trading_loop import TradingLoop

log = get_logger(__name__)

HEARTBEAT_S = 10
PROTECT_S = 5.0
EXCHANGE_TIME_CHECK_S = 60


def build_scheduler(core: Core) -> AsyncIOScheduler:
    """Return a scheduler (not started) with the heartbeat, market refresh, equity sampling and daily report."""
    assistant, settings = core.assistant, core.settings
    scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 30})
    scheduler.add_job(_heartbeat, "interval", seconds=HEARTBEAT_S, args=[core], id="heartbeat",
                      next_run_time=_now())
    scheduler.add_job(_refresh_market, "interval", seconds=core.refresh_s, args=[assistant, core.loop],
                      id="market_refresh", next_run_time=_now())
    if core.streams is not None:      # a streamed close runs the candle job at once; the interval is the fallback
        core.streams.when_due(lambda: scheduler.modify_job("market_refresh", next_run_time=_now()))
    # protective exits run on their own fast job and never wait for the candle job or a decision maker
    scheduler.add_job(_protect, "interval", seconds=min(PROTECT_S, core.refresh_s), args=[core.loop],
                      id="protective_exits")
    scheduler.add_job(record_equity, "interval", minutes=5, args=[core.reports], id="equity_sample",
                      next_run_time=_now())
    if core.exchange_time is not None:     # due every EXCHANGE_TIME_SYNC_MINUTES, a minute after a failure
        scheduler.add_job(_keep_exchange_time, "interval", seconds=EXCHANGE_TIME_CHECK_S, args=[core.exchange_time],
                          id="exchange_time", next_run_time=_now())
    hour, minute = settings.report_hour_minute
    scheduler.add_job(send_daily_report, "cron", hour=hour, minute=minute, timezone=settings.timezone,
                      args=[core.reports, core.events], id="daily_report")
    return scheduler


async def _heartbeat(core: Core) -> None:
    core.assistant.heartbeat(time.time_ns() // 1_000_000)
    try:
        await check_kill_file(core.loop, core.settings.data_dir)
    except Exception:
        log.exception("kill-file check failed")


async def _refresh_market(assistant: Assistant, loop: TradingLoop) -> None:
    # a job must never die: a failed refresh is logged and retried on the next run
    try:
        batches = await assistant.refresh_market()
        await loop.on_candles_closed(batches)   # the loop feeds the venue, then trades
    except RetryableError as exc:
        log.warning("market refresh failed, will retry", error=str(exc))
        await loop.observe_error()
    except Exception:
        log.exception("market refresh crashed, will retry")


async def _keep_exchange_time(keeper: ExchangeTimeKeeper) -> None:
    try:
        await keeper.tick()
    except Exception:
        log.exception("exchange time job crashed, will retry")


async def _protect(loop: TradingLoop) -> None:
    try:
        await watch_prices(loop)
    except Exception:
        log.exception("protective-exit job crashed, will retry")


def _now() -> datetime:
    return datetime.now(timezone.utc)
