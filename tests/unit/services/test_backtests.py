"""/backtest's service: the request checked up front, the run in the worker process with its progress, the run kept."""
from decimal import Decimal

import pytest

from tests.fakes.paper_account import JULY_1_NOON_MS
from tests.fakes.shared_data import load_candles
from tests.unit.reports.png_checks import assert_phone_png
from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import ReplayMarketData
from trading.adapters.sqlite_backtests import BacktestArchive
from trading.adapters.sqlite_store import SqliteStore
from trading.backtest.metrics import DAY_MS
from trading.domain.errors import InvalidInput
from trading.services.backtests import BacktestService


@pytest.fixture
async def service(tmp_path):
    clock = ManualClock(JULY_1_NOON_MS)
    market = ReplayMarketData({"BTC/USDT": load_candles("BTCUSDT-1m.csv.gz")}, clock, "BTCUSDT-1m")
    store = SqliteStore(tmp_path / "db.sqlite", clock)
    await store.open()
    service = BacktestService(market, store, BacktestArchive(store), clock, starting_balance=Decimal("10000"))
    yield service
    service.close()
    await store.close()


async def test_a_backtest_runs_in_the_worker_reports_progress_and_is_stored(service):
    stages = []

    async def progress(stage):
        stages.append(stage)

    request = await service.request("a", "btc", "10d")
    report = await service.run(request, progress)

    assert (request.strategy, request.symbol, request.end_ms - request.start_ms) == ("A", "BTC/USDT", 10 * DAY_MS)
    assert stages[0] == "loading candles" and len(stages) >= 2
    assert report.text.startswith("A on BTC/USDT 1m, 2025-06-21 to 2025-07-01, 14,400 bars (replay: BTCUSDT-1m)")
    assert "Monte Carlo" in report.text
    assert_phone_png(report.chart)
    assert [r.id for r in await service.recent()] == [report.run.id] and report.run.strategy == "A"


@pytest.mark.parametrize("args, reply", [
    (("Z", "BTC/USDT", ""), "Unknown strategy 'Z'; use one of A, B, C, trend, ema_cross. Usage: /backtest"),
    (("A", "DOGE", ""), "Unknown symbol 'DOGE'. Try one of: BTC/USDT. Usage: /backtest"),
    (("A", "BTC/USDT", "soon"), "Period 'soon' is not like 30d, 4w or 2025-06-01..2025-07-31. Usage: /backtest"),
])
async def test_a_bad_request_says_what_to_type(service, args, reply):
    with pytest.raises(InvalidInput) as error:
        await service.request(*args)
    assert str(error.value).startswith(reply)


async def test_a_period_only_partly_covered_says_which_period_ran(service):
    async def progress(stage):
        pass

    report = await service.run(await service.request("B", "BTC/USDT", "2025-05-10..2025-05-25"), progress)

    assert report.text.startswith("B on BTC/USDT 15m, 2025-05-20 to 2025-05-25")
    assert ("Asked for 2025-05-10 to 2025-05-25; candles exist only from 2025-05-20 to 2025-05-25, so the run "
            "used those 6.0 days.") in report.text


async def test_a_period_without_candles_names_the_period_there_is(service):
    async def progress(stage):
        pass

    request = await service.request("A", "BTC/USDT", "2024-01-01..2024-01-31")
    with pytest.raises(InvalidInput) as error:
        await service.run(request, progress)

    assert str(error.value) == ("No 1m candles of BTC/USDT in the period asked for; the data covers 2025-05-20 to "
                                "2025-07-01. Try /backtest A BTC/USDT 2025-05-20..2025-07-01")
