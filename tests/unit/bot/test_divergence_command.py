"""`trading-assistant divergence`: the account's closed positions against the backtest of the same candles."""
import asyncio
from decimal import Decimal

import pytest

from bot.cli import main as cli_main
from tests.fakes.shared_data import load_candles
from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import replay_instrument
from trading.adapters.sqlite_store import SqliteStore
from trading.backtest.config import BacktestConfig
from trading.backtest.history import history_from_candles
from trading.backtest.runner import backtest
from trading.domain.candles import Timeframe
from trading.services.engine_settings import engine_settings, rules_settings
from trading.settings import load_settings

DAY, MIN = 86_400_000, 60_000


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                 # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MAX_FEE_TO_RISK_PCT", "0")   # C trades its tight stops, so there is something to match
    (tmp_path / "data").mkdir()
    return tmp_path / "data"


def _seed(data_dir, candles, rows):
    async def run():
        store = SqliteStore(data_dir / "trading.sqlite", ManualClock(0))
        await store.open()
        await store.save_candles("BTC/USDT", Timeframe.M1, candles)
        async with store.transaction() as db:
            for symbol, side, entry, pnl, fees, opened, closed in rows:
                await db.execute(
                    "INSERT INTO positions (venue, symbol, side, amount, entry_price, realized_pnl, fees_paid, "
                    "strategy, status, opened_ms, closed_ms) VALUES ('paper-spot', ?, ?, '0.05', ?, ?, ?, 'C', "
                    "'closed', ?, ?)", (symbol, side, entry, pnl, fees, opened, closed))
        await store.close()
    asyncio.run(run())


def test_the_paper_trades_are_set_against_the_backtest_of_the_same_candles(data_dir, capsys):
    candles = load_candles("BTCUSDT-1m.csv.gz")[:14 * 1440]       # 7 days warm the strategy up
    settings = load_settings()
    history = history_from_candles("BTC/USDT", candles)
    config = BacktestConfig(replay_instrument("BTC/USDT", float(candles.close[0])), Decimal(10000),
                            engine_settings(settings), rules_settings(settings))
    start = int(candles.open_ms[0]) + 9 * DAY
    twin = backtest(history, "C", config, start_ms=start).trades[0]
    dearer = twin.entry_price * Decimal("1.001")                  # 10 bps above the simulated fill
    _seed(data_dir, candles, [("BTC/USDT", "long", str(dearer), "12.5", "2.5", twin.entry_ms + 2 * MIN,
                               twin.exit_ms + 2 * MIN)])

    assert cli_main(["divergence", "--days", "100000"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("paper-spot, last 100000 days, against the backtest of the same candles:")
    assert "BTC/USDT C: actual " in out
    assert "entries +10.0 bps worse than simulated on average" in out
    assert "0 taken only by the account" in out
    fills = out.split("0 only by the backtest" if "0 only by the backtest" in out else "only by the backtest")[1]
    entry = next(line for line in fills.splitlines() if line.startswith("in "))
    assert entry.split()[-1] == "+10.0" and f"{dearer:,.2f}" in entry, "the fill's own line: actual, simulated, bps"
    assert "(both)" in out and "PnL" in out


def test_no_closed_positions_means_nothing_to_compare(data_dir, capsys):
    assert cli_main(["divergence"]) == 0
    assert "No positions closed on paper-spot in the last 7 days: nothing to compare." in capsys.readouterr().out
