"""A machine whose clock is minutes away from the fake exchange's, and a feed on the exchange's measured time.

The machine's clock is a ManualClock (injected, never the real one patched); the fake exchange serves on
it plus `skew_ms`, so the exchange's time is EXCHANGE_NOW_MS in every case.
"""
from __future__ import annotations

from typing import Any

from tests.fakes.exchange_api import FakeExchange
from trading.adapters.ccxt_market_data import CcxtMarketData
from trading.adapters.exchange_clock import ExchangeClock
from trading.adapters.exchange_requests import RetryPolicy
from trading.adapters.sqlite_store import SqliteStore
from trading.ports import Clock

JULY_1_2025_MS = 1_751_328_000_000
EXCHANGE_NOW_MS = JULY_1_2025_MS + 30_000          # 2025-07-01 00:00:30 UTC on the exchange
MACHINE_TODAY_MS = 1_767_225_600_000               # 2026-01-01 00:00:00 UTC: the machine of a replayed exchange
SKEWS = {"exchange 3 min ahead": 180_000, "exchange 3 min behind": -180_000,
         "exchange on a replayed 2025 date": EXCHANGE_NOW_MS - MACHINE_TODAY_MS}


async def _no_wait(seconds: float) -> None:
    return None


async def measured_feed(fake: FakeExchange, machine: Clock, *, exchange_id: str = "binance",
                        store: SqliteStore | None = None, **kwargs: Any) -> tuple[CcxtMarketData, ExchangeClock]:
    """Return a ccxt feed on the fake running on an ExchangeClock over machine, measured once (as at start-up)."""
    clock = ExchangeClock(machine)
    options = {**fake.options(), "rateLimit": 1, "timeout": 2_000, "timeout_on_exit": 0}
    feed = CcxtMarketData(exchange_id, clock, options=options, cache=store, progress=store, close_grace_ms=0,
                          retry=RetryPolicy(attempts=3, base_delay_s=0.01, sleep=_no_wait), **kwargs)
    clock.measure_with(feed.server_time)
    if not await clock.sync():
        raise AssertionError(f"the exchange clock was not measured: {clock.sync_state().last_error}")
    return feed, clock
