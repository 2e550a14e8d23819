"""The ccxt feed on the exchange's measured time, with the machine's clock minutes away from the exchange's."""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import numpy as np
import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import perp_market, spot_market
from tests.fakes.shared_data import load_candles
from tests.fakes.skewed_machine import EXCHANGE_NOW_MS, JULY_1_2025_MS, SKEWS, measured_feed
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.candles import Candles, Timeframe
from trading.indicators.timeframes import resample

M1, M15, H1 = Timeframe.M1, Timeframe.M15, Timeframe.H1
SPOT = "BTC/USDT"


@pytest.fixture(params=list(SKEWS))
def skew_ms(request: pytest.FixtureRequest) -> int:
    """Return how far the exchange's clock runs ahead of the machine's (negative: behind)."""
    return SKEWS[request.param]


@pytest.fixture
def machine(skew_ms: int) -> ManualClock:
    """Return the machine's clock: the exchange's time minus the skew."""
    return ManualClock(EXCHANGE_NOW_MS - skew_ms)


@pytest.fixture
async def skewed_binance(machine: ManualClock, skew_ms: int) -> AsyncIterator[FakeExchange]:
    """Serve real BTC/USDT data on a server clock skew_ms away from the machine's."""
    async with FakeExchange([spot_market("BTC"), perp_market("BTC")], machine, server_offset_ms=skew_ms,
                            recv_window_checked=True) as fake:
        yield fake


def real_spot(timeframe: Timeframe) -> Candles:
    """Return Binance's own BTC/USDT candles of timeframe."""
    if timeframe is H1:
        return load_candles("BTCUSDT-1h.csv.gz")
    minutes = load_candles("BTCUSDT-1m.csv.gz")
    return minutes if timeframe is M1 else resample(minutes, timeframe)


def window(candles: Candles, first_ms: int, last_ms: int) -> Candles:
    """Return the candles opened in [first_ms, last_ms]."""
    inside = np.flatnonzero((candles.open_ms >= first_ms) & (candles.open_ms <= last_ms))
    return candles[int(inside[0]): int(inside[-1]) + 1]


async def test_the_clock_is_the_exchanges_time_measured_at_start(
        skewed_binance: FakeExchange, machine: ManualClock, skew_ms: int) -> None:
    feed, clock = await measured_feed(skewed_binance, machine)
    await feed.close()

    assert clock.offset_ms == skew_ms and clock.now_ms() == EXCHANGE_NOW_MS
    assert skewed_binance.count("/api/v3/time") == 1
    assert clock.sync_state().measured_ms == machine.now_ms()


@pytest.mark.parametrize("timeframe", [M1, M15, H1])
async def test_backfill_returns_the_exchanges_last_closed_candles(
        skewed_binance: FakeExchange, machine: ManualClock, timeframe: Timeframe) -> None:
    feed, _ = await measured_feed(skewed_binance, machine)

    candles = await feed.candles(SPOT, timeframe, limit=300)
    await feed.close()

    newest_closed = JULY_1_2025_MS - timeframe.ms           # the exchange is 30 s into a new hour
    assert candles.equals(window(real_spot(timeframe), newest_closed - 299 * timeframe.ms, newest_closed))


async def test_futures_feed_measures_the_futures_server_time(
        skewed_binance: FakeExchange, machine: ManualClock, skew_ms: int) -> None:
    feed, clock = await measured_feed(skewed_binance, machine, exchange_id="binanceusdm")

    candles = await feed.candles("BTC/USDT:USDT", H1, limit=24)
    await feed.close()

    assert clock.offset_ms == skew_ms and skewed_binance.count("/fapi/v1/time") == 1
    assert candles.open_ms.tolist() == [JULY_1_2025_MS - (24 - i) * H1.ms for i in range(24)]


async def test_each_closed_candle_is_seen_exactly_once_across_a_restart(
        skewed_binance: FakeExchange, machine: ManualClock, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "trading.sqlite", machine)
    await store.open()
    emitted: list[int] = []

    async def run_for_two_minutes() -> Candles:
        feed, _ = await measured_feed(skewed_binance, machine, store=store)
        history = await feed.candles(SPOT, M1, limit=10)
        for _ in range(6):                                   # a poll every 20 s
            machine.advance(20_000)
            emitted.extend(int(t) for _, _, c in await feed.poll([SPOT], [M1]) for t in c.open_ms)
        await feed.close()
        return history

    await run_for_two_minutes()                              # the exchange goes from 00:00:30 to 00:02:30
    machine.advance(5 * 60_000)                              # down for five minutes
    history = await run_for_two_minutes()                    # from 00:07:30 to 00:09:30
    cached = await store.load_candles(SPOT, M1, JULY_1_2025_MS)
    await store.close()

    assert emitted == [JULY_1_2025_MS + i * M1.ms for i in range(9)]        # 00:00 .. 00:08, each once
    assert int(history.open_ms[-1]) == JULY_1_2025_MS + 6 * M1.ms           # closed at 00:07 on the exchange
    assert cached.equals(window(real_spot(M1), JULY_1_2025_MS, JULY_1_2025_MS + 8 * M1.ms))   # no forming bar
