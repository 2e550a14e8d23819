from decimal import Decimal

import pytest

from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import ReplayMarketData, load_replay_series
from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import BadSymbol, ConfigurationError

M = 60_000
H = 60 * M


def minute_series(n: int) -> Candles:
    return Candles.from_rows([(i * M, 100 + i, 101 + i, 99 + i, 100.5 + i, 2.0) for i in range(n)])


async def test_only_candles_closed_at_the_clock_are_served():
    clock = ManualClock(10 * M + 30_000)  # minute 10 is forming
    feed = ReplayMarketData({"BTC/USDT": minute_series(200)}, clock)
    minutes = await feed.candles("BTC/USDT", Timeframe.M1)
    assert minutes.open_ms[-1] == 9 * M
    assert len(await feed.candles("BTC/USDT", Timeframe.H1)) == 0
    clock.set(H)
    assert (await feed.candles("BTC/USDT", Timeframe.H1)).open_ms.tolist() == [0]


async def test_poll_emits_each_closed_candle_once_in_order():
    clock = ManualClock(5 * M)
    feed = ReplayMarketData({"BTC/USDT": minute_series(200)}, clock)
    assert await feed.poll(["BTC/USDT"], [Timeframe.M1, Timeframe.M15]) == []
    clock.set(20 * M)
    batches = await feed.poll(["BTC/USDT"], [Timeframe.M1, Timeframe.M15])
    assert [(tf, c.open_ms.tolist()) for _, tf, c in batches] == [
        (Timeframe.M1, [i * M for i in range(5, 20)]), (Timeframe.M15, [0])]
    assert await feed.poll(["BTC/USDT"], [Timeframe.M1, Timeframe.M15]) == []


async def test_ticker_reports_the_last_close_and_24h_change():
    clock = ManualClock(3 * M)
    feed = ReplayMarketData({"BTC/USDT": minute_series(10)}, clock)
    ticker = await feed.ticker("BTC/USDT")
    assert ticker.last == Decimal("102.5")
    assert ticker.change_24h_pct == (Decimal("102.5") / Decimal("100") - 1) * 100
    assert ticker.spread_bps is None


async def test_unknown_symbol_is_refused_with_a_suggestion():
    feed = ReplayMarketData({"BTC/USDT": minute_series(10)}, ManualClock(5 * M))
    with pytest.raises(BadSymbol, match="Did you mean BTC/USDT"):
        await feed.ticker("BTC/USD")


def test_bundled_sample_holds_a_month_of_btc_and_eth_minutes():
    series = load_replay_series("replay")
    assert set(series) == {"BTC/USDT", "ETH/USDT"}
    assert all(len(c) == 43_200 for c in series.values())


def test_a_missing_replay_path_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_replay_series(f"replay:{tmp_path}/nope.csv.gz")


async def test_the_assistant_says_once_when_the_replay_runs_out_of_candles(tmp_path):
    from pathlib import Path

    from trading.adapters.sqlite_store import SqliteStore
    from trading.domain.events import EventKind
    from trading.services.assistant import Assistant, Profile
    from trading.services.event_bus import EventBus

    clock = ManualClock(5 * M)
    feed = ReplayMarketData({"BTC/USDT": minute_series(30)}, clock)
    store = SqliteStore(tmp_path / "db.sqlite", clock)
    await store.open()
    assistant = Assistant(Profile("paper", "replay", "spot", ("BTC/USDT",)), clock, feed, EventBus(store), store,
                          Path(tmp_path))
    for _ in range(60):                      # one minute per refresh, past the 30 minutes of data
        clock.advance(M)
        await assistant.refresh_market()
    notices = [e.message for e in await store.events(EventKind.MARKET_DATA)]
    assert len(notices) == 1 and notices[0].startswith("No closed candle from replay: bundled sample for 5 minutes")
    await store.close()
