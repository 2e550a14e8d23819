"""Fixtures for adapter tests against the fake Binance server on 127.0.0.1."""
from __future__ import annotations

from typing import AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import perp_market, spot_market
from trading.adapters.candle_backfill import CandleCache
from trading.adapters.ccxt_market_data import CcxtMarketData
from trading.adapters.clocks import ManualClock
from trading.adapters.exchange_requests import RetryPolicy

JULY_1_2025_MS = 1_751_328_000_000      # inside the real 1m sample (2025-05-20 .. 2025-08-18)


@pytest.fixture
def clock() -> ManualClock:
    """Return the simulated clock shared by the fake exchange and the adapter: 2025-07-01 00:00:30 UTC."""
    return ManualClock(JULY_1_2025_MS + 30_000)


@pytest.fixture
async def fake_binance(clock: ManualClock) -> AsyncIterator[FakeExchange]:
    """Serve real BTC/USDT spot and BTC/USDT:USDT perpetual data on 127.0.0.1."""
    async with FakeExchange([spot_market("BTC"), perp_market("BTC")], clock) as fake:
        yield fake


@pytest.fixture
def retry_waits() -> list[float]:
    """Return the list the adapter's retry sleeps are recorded in (they do not actually sleep)."""
    return []


def connect(fake: FakeExchange, clock: ManualClock, waits: list[float], *, exchange_id: str = "binance",
            cache: CandleCache | None = None, **kwargs: object) -> CcxtMarketData:
    """Return a CcxtMarketData on the fake with fast retries (waits recorded) and a 2 s client timeout.

    2 s, not less: under a loaded CI machine a healthy answer from the fake took over 400 ms and was retried, and
    the count of requests a fault test expects was off by one; a hang (3 s) still outlasts it.
    """
    async def record_sleep(seconds: float) -> None:
        waits.append(seconds)

    options = {**fake.options(), "rateLimit": 1, "timeout": 2_000}
    policy = RetryPolicy(attempts=4, base_delay_s=0.01, sleep=record_sleep)
    settings = {"close_grace_ms": 0, **kwargs}
    return CcxtMarketData(exchange_id, clock, options=options, cache=cache, retry=policy,
                          **settings)  # type: ignore[arg-type]


@pytest.fixture
async def market_data(fake_binance: FakeExchange, clock: ManualClock,
                      retry_waits: list[float]) -> AsyncIterator[CcxtMarketData]:
    """Return the ccxt binance adapter pointed at the fake."""
    adapter = connect(fake_binance, clock, retry_waits)
    yield adapter
    await adapter.close()
