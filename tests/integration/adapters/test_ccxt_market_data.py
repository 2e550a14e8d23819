"""The ccxt market-data adapter with the real ccxt binance classes over HTTP to the fake Binance."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import perp_market, spot_market
from tests.fakes.shared_data import load_candles
from tests.integration.adapters.conftest import JULY_1_2025_MS, connect
from trading.adapters.ccxt_market_data import CcxtMarketData
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import BadSymbol, VenueUnavailable
from trading.domain.instruments import MarketKind
from trading.indicators.timeframes import resample

M1, M15, H1 = Timeframe.M1, Timeframe.M15, Timeframe.H1
SPOT_KLINES = "/api/v3/klines"


def real_spot(timeframe: Timeframe) -> Candles:
    """Return Binance's own BTC/USDT candles of timeframe (15m resampled from 1m, as Binance builds them)."""
    if timeframe is H1:
        return load_candles("BTCUSDT-1h.csv.gz")
    minutes = load_candles("BTCUSDT-1m.csv.gz")
    return minutes if timeframe is M1 else resample(minutes, timeframe)


def window(candles: Candles, first_ms: int, last_ms: int) -> Candles:
    """Return the candles opened in [first_ms, last_ms]."""
    inside = np.flatnonzero((candles.open_ms >= first_ms) & (candles.open_ms <= last_ms))
    return candles[int(inside[0]): int(inside[-1]) + 1] if len(inside) else Candles.empty()


async def test_instruments_carry_binance_filters_as_decimal_precision(market_data: CcxtMarketData) -> None:
    instruments = await market_data.instruments()

    spot, perp = instruments["BTC/USDT"], instruments["BTC/USDT:USDT"]
    assert (spot.kind, spot.price_tick, spot.amount_step) == (MarketKind.SPOT, Decimal("0.01"), Decimal("0.00001"))
    assert (spot.min_amount, spot.min_notional) == (Decimal("0.00001"), Decimal("5"))
    assert (spot.maker_fee, spot.taker_fee) == (Decimal("0.001"), Decimal("0.001"))
    assert (perp.kind, perp.price_tick, perp.amount_step) == (MarketKind.PERP, Decimal("0.1"), Decimal("0.001"))
    assert (perp.min_notional, perp.maker_fee, perp.taker_fee) == (Decimal("100"), Decimal("0.0002"),
                                                                   Decimal("0.0005"))
    assert perp.round_price(Decimal("104832.87")) == Decimal("104832.9")


@pytest.mark.parametrize("timeframe", [M1, M15, H1])
async def test_backfill_pages_through_klines_and_returns_the_real_closed_candles(
        market_data: CcxtMarketData, fake_binance: FakeExchange, timeframe: Timeframe) -> None:
    candles = await market_data.candles("BTC/USDT", timeframe, limit=1500)

    newest_closed = JULY_1_2025_MS - timeframe.ms            # the clock is 30 s into a new hour
    assert len(candles) == 1500
    assert candles.equals(window(real_spot(timeframe), newest_closed - 1499 * timeframe.ms, newest_closed))
    requests = fake_binance.requests_to(SPOT_KLINES)
    assert [r.query["limit"] for r in requests] == ["1000", "1000"]     # 1000 + 500 bars
    assert int(requests[1].query["startTime"]) == int(candles.open_ms[1000])


async def test_backfill_honours_a_smaller_page_size(fake_binance: FakeExchange, clock: ManualClock,
                                                    retry_waits: list[float]) -> None:
    adapter = connect(fake_binance, clock, retry_waits, page_size=200)

    candles = await adapter.candles("BTC/USDT", M1, limit=500)
    await adapter.close()

    assert len(candles) == 500 and bool(np.all(np.diff(candles.open_ms) == M1.ms))
    assert fake_binance.count(SPOT_KLINES) == 3                       # 200 + 200 + 100


async def test_backfill_never_returns_the_forming_candle(market_data: CcxtMarketData, clock: ManualClock) -> None:
    clock.set(JULY_1_2025_MS + 59_999)                                # the 00:00 minute is still forming

    candles = await market_data.candles("BTC/USDT", M1, limit=3)

    assert candles.open_ms.tolist() == [JULY_1_2025_MS - 3 * 60_000, JULY_1_2025_MS - 2 * 60_000,
                                        JULY_1_2025_MS - 60_000]


async def test_candle_counts_as_closed_only_after_the_grace_period(
        fake_binance: FakeExchange, clock: ManualClock, retry_waits: list[float]) -> None:
    adapter = connect(fake_binance, clock, retry_waits, close_grace_ms=1_000)
    clock.set(JULY_1_2025_MS + 60_500)                                # 00:00 closed 0.5 s ago

    before = await adapter.candles("BTC/USDT", M1, limit=1)
    clock.set(JULY_1_2025_MS + 61_000)
    after = await adapter.candles("BTC/USDT", M1, limit=1)
    await adapter.close()

    assert before.open_ms.tolist() == [JULY_1_2025_MS - 60_000]
    assert after.open_ms.tolist() == [JULY_1_2025_MS]


async def test_backfill_reads_the_cache_first_and_downloads_only_the_missing_tail(
        fake_binance: FakeExchange, clock: ManualClock, retry_waits: list[float], tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "cache.db", clock)
    await store.open()
    newest = JULY_1_2025_MS - M1.ms
    await store.save_candles("BTC/USDT", M1, window(real_spot(M1), newest - 599 * M1.ms, newest - 100 * M1.ms))
    adapter = connect(fake_binance, clock, retry_waits, cache=store)

    candles = await adapter.candles("BTC/USDT", M1, limit=500)
    again = await adapter.candles("BTC/USDT", M1, limit=500)
    cached = await store.load_candles("BTC/USDT", M1)
    await adapter.close()
    await store.close()

    assert candles.equals(window(real_spot(M1), newest - 499 * M1.ms, newest)) and again.equals(candles)
    requests = fake_binance.requests_to(SPOT_KLINES)
    assert [int(r.query["startTime"]) for r in requests] == [newest - 99 * M1.ms]
    assert len(cached) == 600


async def test_poll_after_downtime_emits_every_missed_candle_once_in_order(
        market_data: CcxtMarketData, clock: ManualClock) -> None:
    for timeframe in (M1, M15, H1):
        await market_data.candles("BTC/USDT", timeframe, limit=500)
    clock.advance(5 * 3_600_000 + 20_000)                             # down for five hours

    polled = {tf: c for _, tf, c in await market_data.poll(["BTC/USDT"], [M1, M15, H1])}
    again = await market_data.poll(["BTC/USDT"], [M1, M15, H1])

    for timeframe, bars in ((M1, 300), (M15, 20), (H1, 5)):
        expected = window(real_spot(timeframe), JULY_1_2025_MS, JULY_1_2025_MS + (bars - 1) * timeframe.ms)
        assert len(polled[timeframe]) == bars and polled[timeframe].equals(expected)
    assert again == []


async def test_poll_emits_a_candle_only_once_it_has_closed(market_data: CcxtMarketData, clock: ManualClock) -> None:
    await market_data.candles("BTC/USDT", M1, limit=10)
    emitted: list[int] = []

    for _ in range(6):                                               # 20 s steps: 2 minutes close
        clock.advance(20_000)
        for _, _, candles in await market_data.poll(["BTC/USDT"], [M1]):
            emitted += candles.open_ms.tolist()

    assert emitted == [JULY_1_2025_MS, JULY_1_2025_MS + 60_000]


async def test_first_poll_without_backfill_emits_only_the_newest_closed_candle(
        market_data: CcxtMarketData) -> None:
    polled = await market_data.poll(["BTC/USDT:USDT"], [H1])

    assert [(s, tf, c.open_ms.tolist()) for s, tf, c in polled] == [
        ("BTC/USDT:USDT", H1, [JULY_1_2025_MS - H1.ms])]


async def test_spot_ticker_reports_last_price_top_of_book_and_spread(
        market_data: CcxtMarketData, fake_binance: FakeExchange) -> None:
    ticker = await market_data.ticker("BTC/USDT")

    minutes = real_spot(M1)
    last = Decimal(repr(float(window(minutes, JULY_1_2025_MS - 60_000, JULY_1_2025_MS - 60_000).close[0])))
    assert ticker.last == last
    assert (ticker.bid, ticker.ask) == (last - Decimal("0.05"), last + Decimal("0.05"))   # five ticks each side
    assert ticker.spread_bps == Decimal("0.1") / last * 10_000
    assert ticker.funding_rate is None and ticker.quote_volume_24h > 0
    assert fake_binance.count("/api/v3/depth") == 0                  # spot 24h tickers carry the book


async def test_a_ticker_without_a_last_price_is_refused_by_name(market_data: CcxtMarketData) -> None:
    with pytest.raises(VenueUnavailable, match=r"ticker of BTC/USDT: malformed response \(no last price\)"):
        await market_data.ticker_from("BTC/USDT", {"bid": 100.0, "ask": 100.1, "last": None})


async def test_perp_ticker_adds_funding_rate_and_next_funding_time(
        market_data: CcxtMarketData, fake_binance: FakeExchange, clock: ManualClock) -> None:
    clock.set(JULY_1_2025_MS + 9 * 3_600_000)                       # 09:00, after the 08:00 funding

    ticker = await market_data.ticker("BTC/USDT:USDT")

    assert ticker.next_funding_ms == JULY_1_2025_MS + 16 * 3_600_000
    assert ticker.funding_rate == Decimal("0.00004334")               # settled 2025-07-01 08:00 (data file)
    assert ticker.bid is not None and ticker.ask is not None and ticker.bid < ticker.ask
    assert fake_binance.count("/fapi/v1/depth") == 1                  # futures 24h tickers carry no book


async def test_unknown_symbol_is_refused_with_a_suggestion_and_no_kline_request(
        market_data: CcxtMarketData, fake_binance: FakeExchange) -> None:
    with pytest.raises(BadSymbol, match="Did you mean BTC/USDT"):
        await market_data.candles("BTCUSD", M1)

    assert fake_binance.count(SPOT_KLINES) == 0


async def test_markets_are_loaded_once_and_refreshed_after_a_day(
        market_data: CcxtMarketData, fake_binance: FakeExchange, clock: ManualClock) -> None:
    await market_data.instruments()
    await market_data.ticker("BTC/USDT")
    clock.advance(86_400_000)
    await market_data.instruments()

    assert fake_binance.count("/api/v3/exchangeInfo") == 2


async def test_instruments_carry_the_markets_own_price_band(clock: ManualClock) -> None:
    async with FakeExchange([replace(spot_market("BTC"), price_band=("0.8", "1.25")), perp_market("BTC")],
                            clock) as fake:
        adapter = connect(fake, clock, [])
        try:
            instruments = await adapter.instruments()
        finally:
            await adapter.close()

    assert instruments["BTC/USDT"].price_band == (Decimal("0.8"), Decimal("1.25"))       # PERCENT_PRICE_BY_SIDE
    assert instruments["BTC/USDT:USDT"].price_band == (Decimal("0.95"), Decimal("1.05"))  # PERCENT_PRICE
