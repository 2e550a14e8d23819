"""The ccxt market-data adapter under faults injected by the fake Binance: retried, never losing a candle."""
from __future__ import annotations

from typing import Callable

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.integration.adapters.conftest import JULY_1_2025_MS, connect
from trading.adapters.ccxt_market_data import CcxtMarketData
from trading.adapters.clocks import ManualClock
from trading.domain.candles import Timeframe
from trading.domain.errors import AuthenticationFailed, VenueUnavailable

M1 = Timeframe.M1
KLINES = "/api/v3/klines"
FAULTS: dict[str, Callable[[FakeExchange], None]] = {
    "http_503": lambda fake: fake.inject_server_error(path=KLINES, status=503),
    "http_502": lambda fake: fake.inject_server_error(path=KLINES, status=502),
    "http_500": lambda fake: fake.inject_server_error(path=KLINES, status=500),
    "http_429": lambda fake: fake.inject_rate_limit(retry_after_s=3, path=KLINES),
    "timeout": lambda fake: fake.inject_hang(seconds=3, path=KLINES),
    "malformed_json": lambda fake: fake.inject_malformed_json(path=KLINES),
}


async def backfill_then_miss_ten_minutes(adapter: CcxtMarketData, clock: ManualClock) -> None:
    """Backfill 1m, then move the clock on ten minutes and ten seconds."""
    await adapter.candles("BTC/USDT", M1, limit=500)
    clock.advance(10 * 60_000 + 10_000)


async def polled_minutes(adapter: CcxtMarketData) -> list[int]:
    """Return the open times of the 1m candles one poll emits."""
    return [ms for _, _, candles in await adapter.poll(["BTC/USDT"], [M1]) for ms in candles.open_ms.tolist()]


TEN_MINUTES = [JULY_1_2025_MS + i * 60_000 for i in range(10)]


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_poll_retries_a_transient_fault_and_emits_each_candle_once(
        market_data: CcxtMarketData, fake_binance: FakeExchange, clock: ManualClock, fault: str) -> None:
    await backfill_then_miss_ten_minutes(market_data, clock)
    FAULTS[fault](fake_binance)

    emitted = await polled_minutes(market_data)

    assert emitted == TEN_MINUTES
    assert fake_binance.count(KLINES) == 1 + 2                      # backfill, failed attempt, retry
    assert market_data.health()["fetch_ohlcv"].errors == 1


async def test_rate_limit_waits_as_long_as_retry_after_says(
        market_data: CcxtMarketData, fake_binance: FakeExchange, clock: ManualClock,
        retry_waits: list[float]) -> None:
    await backfill_then_miss_ten_minutes(market_data, clock)
    fake_binance.inject_rate_limit(retry_after_s=7, path=KLINES)

    await polled_minutes(market_data)

    assert retry_waits == [7.0]


async def test_backoff_doubles_between_attempts(market_data: CcxtMarketData, fake_binance: FakeExchange,
                                                clock: ManualClock, retry_waits: list[float]) -> None:
    await backfill_then_miss_ten_minutes(market_data, clock)
    fake_binance.inject_server_error(count=3, path=KLINES)

    emitted = await polled_minutes(market_data)

    assert retry_waits == [0.01, 0.02, 0.04] and emitted == TEN_MINUTES


async def test_added_latency_below_the_timeout_is_measured_not_retried(
        market_data: CcxtMarketData, fake_binance: FakeExchange, clock: ManualClock) -> None:
    await backfill_then_miss_ten_minutes(market_data, clock)
    fake_binance.inject_latency(0.15, path=KLINES)

    emitted = await polled_minutes(market_data)

    stats = market_data.health()["fetch_ohlcv"]
    assert emitted == TEN_MINUTES and fake_binance.count(KLINES) == 2
    assert stats.errors == 0 and stats.max_latency_ms >= 150


async def test_a_poll_that_gives_up_loses_nothing_and_the_next_poll_catches_up(
        market_data: CcxtMarketData, fake_binance: FakeExchange, clock: ManualClock) -> None:
    await backfill_then_miss_ten_minutes(market_data, clock)
    fake_binance.inject_server_error(count=4, path=KLINES)             # as many as the attempts allowed

    with pytest.raises(VenueUnavailable):
        await polled_minutes(market_data)
    emitted = await polled_minutes(market_data)

    assert emitted == TEN_MINUTES
    assert market_data.health()["fetch_ohlcv"].consecutive_errors == 0


@pytest.mark.parametrize("code", [-2015, -2014])
async def test_auth_error_is_raised_at_once_without_retry(
        market_data: CcxtMarketData, fake_binance: FakeExchange, clock: ManualClock,
        retry_waits: list[float], code: int) -> None:
    await backfill_then_miss_ten_minutes(market_data, clock)
    fake_binance.inject_auth_error(code=code, path=KLINES)

    with pytest.raises(AuthenticationFailed, match=str(code)):
        await polled_minutes(market_data)

    assert fake_binance.count(KLINES) == 1 + 1 and retry_waits == []


async def test_markets_load_through_a_garbled_exchange_info(
        market_data: CcxtMarketData, fake_binance: FakeExchange) -> None:
    fake_binance.inject_malformed_json(path="/api/v3/exchangeInfo")

    instruments = await market_data.instruments()

    assert "BTC/USDT" in instruments and fake_binance.count("/api/v3/exchangeInfo") == 2


async def test_ticker_retries_a_garbled_answer(market_data: CcxtMarketData, fake_binance: FakeExchange) -> None:
    fake_binance.inject_malformed_json(path="/api/v3/ticker/24hr")

    ticker = await market_data.ticker("BTC/USDT")

    assert ticker.last > 0 and fake_binance.count("/api/v3/ticker/24hr") == 2


async def test_failed_market_refresh_keeps_the_markets_loaded_earlier(
        market_data: CcxtMarketData, fake_binance: FakeExchange, clock: ManualClock) -> None:
    await market_data.instruments()
    clock.advance(86_400_000)
    fake_binance.inject_server_error(count=4, path="/api/v3/exchangeInfo")

    instruments = await market_data.instruments()

    assert "BTC/USDT" in instruments
    assert market_data.health()["load_markets"].consecutive_errors == 4


async def test_perp_candles_survive_faults_on_the_futures_api(
        fake_binance: FakeExchange, clock: ManualClock, retry_waits: list[float]) -> None:
    adapter = connect(fake_binance, clock, retry_waits, exchange_id="binanceusdm")
    await adapter.candles("BTC/USDT:USDT", Timeframe.H1, limit=500)
    clock.advance(3 * 3_600_000)
    fake_binance.inject_rate_limit(retry_after_s=1, path="/fapi/v1/klines")
    fake_binance.inject_hang(seconds=3, path="/fapi/v1/klines")

    polled = await adapter.poll(["BTC/USDT:USDT"], [Timeframe.H1])
    await adapter.close()

    assert [c.open_ms.tolist() for _, _, c in polled] == [[JULY_1_2025_MS + i * 3_600_000 for i in range(3)]]
    assert fake_binance.count("/fapi/v1/klines") == 1 + 3
