"""The recurring jobs of the process on APScheduler's asyncio scheduler."""
from __future__ import annotations

import time

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from trading.domain.errors import RetryableError
from trading.logs import get_logger
from trading.services.assistant import Assistant

log = get_logger(__name__)

HEARTBEAT_S = 10


def build_scheduler(assistant: Assistant, refresh_s: float) -> AsyncIOScheduler:
    """Return a scheduler (not started) with the heartbeat and market-refresh jobs."""
    scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 30})
    scheduler.add_job(_heartbeat, "interval", seconds=HEARTBEAT_S, args=[assistant], id="heartbeat",
                      next_run_time=_now())
    scheduler.add_job(_refresh_market, "interval", seconds=refresh_s, args=[assistant], id="market_refresh",
                      next_run_time=_now())
    return scheduler


async def _heartbeat(assistant: Assistant) -> None:
    assistant.heartbeat(time.time_ns() // 1_000_000)


async def _refresh_market(assistant: Assistant) -> None:
    # a job must never die: a failed refresh is logged and retried on the next run
    try:
        await assistant.refresh_market()
    except RetryableError as exc:
        log.warning("market refresh failed, will retry", error=str(exc))
    except Exception:
        log.exception("market refresh crashed, will retry")


def _now():
    from datetime import datetime, timezone
    return datetime.now(timezone.utc)
