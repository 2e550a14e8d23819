"""A whole backtest job: its outcome reads in a line, whatever the number of trades."""
from decimal import Decimal

from tests.fakes.shared_data import load_candles
from trading.adapters.replay_market_data import replay_instrument
from trading.backtest.config import BacktestConfig
from trading.backtest.history import history_from_candles
from trading.backtest.jobs import BacktestJob, run_backtest_job


def test_an_outcome_reads_in_one_short_line_naming_the_run():
    candles = load_candles("BTCUSDT-1m.csv.gz")[:2 * 1440]
    config = BacktestConfig(replay_instrument("BTC/USDT", float(candles.close[0])), Decimal(10_000))
    job = BacktestJob("cli", "ema_cross", history_from_candles("BTC/USDT", candles), config, "file")

    outcome = run_backtest_job(job)

    # asyncio.run puts the finished task's result in texts it makes and drops at its end: every trade's repr
    # made that 1.8 MB for the real file's run, twice per backtest command
    trades = outcome.result.metrics.trades
    assert trades > 20
    assert repr(outcome) == (f"BacktestOutcome(job_id='cli', strategy='ema_cross', symbol='BTC/USDT', "
                             f"timeframe='1m', trades={trades}, seconds={outcome.seconds:.3f})")
