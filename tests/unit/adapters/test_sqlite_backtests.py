from decimal import Decimal

from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_backtests import BacktestArchive, StoredBacktest
from trading.adapters.sqlite_store import SqliteStore
from trading.backtest.metrics import DAY_MS as DAY, compute_metrics
from trading.backtest.trades import close_trade
from trading.domain.positions import PositionSide


async def test_runs_are_listed_newest_first_with_their_metrics_intact(tmp_path):
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    await store.open()
    archive = BacktestArchive(store)
    win = close_trade("BTC/USDT", PositionSide.LONG, (0, Decimal(100)), (60_000, Decimal(110)), Decimal(1),
                      Decimal("0.001"), stop=Decimal(95))
    metrics = compute_metrics([0, DAY, 2 * DAY], [Decimal(1000), Decimal(1005), Decimal("1009.79")], [win],
                              buy_hold=0.05)
    first = await archive.save(StoredBacktest(10, "A", "BTC/USDT", "1m", "file BTCUSDT-1m.csv.gz", metrics))
    second = await archive.save(StoredBacktest(20, "trend", "ETH/USDT", "15m", "cache", metrics,
                                               {"atr_stop": 2.0}))

    runs = await archive.recent(5)

    assert [r.id for r in runs] == [second, first]
    assert runs[0].params == {"atr_stop": 2.0} and runs[1].source == "file BTCUSDT-1m.csv.gz"
    assert runs[1].metrics == metrics and runs[1].metrics.profit_factor == float("inf")
    assert (runs[1].start_ms, runs[1].end_ms) == (0, 2 * DAY)
    await store.close()
