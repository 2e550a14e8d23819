"""A backtest's candles: the cache when it covers the period with its warm-up, else the market feed."""
import pytest

from tests.fakes.shared_data import load_candles
from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import ReplayMarketData
from trading.adapters.sqlite_store import SqliteStore
from trading.backtest.metrics import DAY_MS
from trading.domain.candles import Timeframe
from trading.domain.errors import ConfigurationError
from trading.services.backtest_data import history_from_store, strategy_timeframe, warmup_ms

JULY_1 = 1_751_328_000_000


@pytest.fixture
async def store(tmp_path):
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(0))
    await store.open()
    yield store
    await store.close()


def test_each_strategy_loads_its_finest_timeframe_with_enough_warm_up():
    assert [strategy_timeframe(s) for s in ("A", "B", "C", "trend")] == [Timeframe.M1, Timeframe.M15,
                                                                        Timeframe.M15, Timeframe.M15]
    assert (warmup_ms("A"), warmup_ms("trend")) == (7 * DAY_MS, 210 * DAY_MS)


async def test_the_market_feed_serves_a_period_the_cache_does_not_cover(store):
    market = ReplayMarketData({"BTC/USDT": load_candles("BTCUSDT-1m.csv.gz")}, ManualClock(JULY_1), "replay")

    loaded = await history_from_store("BTC/USDT", "B", None, JULY_1 - 10 * DAY_MS, None, JULY_1, cache=store,
                                      market=market, exchange="replay feed")

    assert loaded.source == "replay feed" and loaded.history.timeframe is Timeframe.M15
    assert loaded.history.candles.open_ms[0] == JULY_1 - 17 * DAY_MS       # seven days of warm-up first
    assert loaded.history.close_ms[-1] == JULY_1


async def test_the_cache_serves_a_period_it_covers_without_asking_the_market(store):
    await store.save_candles("BTC/USDT", Timeframe.M15, load_candles("BTCUSDT-15m.csv.gz"))
    first = int(load_candles("BTCUSDT-15m.csv.gz").open_ms[0])

    loaded = await history_from_store("BTC/USDT", "C", None, first + 30 * DAY_MS, first + 40 * DAY_MS, JULY_1,
                                      cache=store, market=None)

    assert loaded.source == "candle cache"
    assert loaded.history.candles.open_ms[0] == first + 23 * DAY_MS
    assert loaded.history.close_ms[-1] == first + 40 * DAY_MS


async def test_with_neither_the_error_says_to_give_a_file(store):
    with pytest.raises(ConfigurationError, match="pass --data PATH to a candle file"):
        await history_from_store("BTC/USDT", "A", None, None, None, JULY_1, cache=store, market=None)
