"""The account limits in a backtest bind at the close the live loop would see, also between two event bars.

As in test_simulation: 10,000 USDT, fee 0.1% per side, no slippage, a long signal known at the close of
bar 0 with entry 100, stop 95, target 110: 40 BTC bought at bar 1's open of 101 for 4,044.04 with the
fee, so the equity at a close c is 5,955.96 + 40 c. No bar below touches the stop or the target until
said, so the walk has no event bar of its own there: only the limits make one.
"""
from dataclasses import replace
from decimal import Decimal

from tests.fakes.backtest_bars import START_MS, long_signal, plain_config
from tests.fakes.market_views import bars
from trading.backtest.config import NO_BREAKER
from trading.backtest.history import MarketHistory
from trading.backtest.runner import simulate
from trading.domain.candles import Timeframe
from trading.risk.limits import LimitSettings

M15 = Timeframe.M15


def run(rows, limits: LimitSettings, signal_bars=(0,)):
    config = plain_config(breaker=NO_BREAKER)      # these bars move more than its 3% in 15 min
    config = replace(config, engine=replace(config.engine, limits=limits))
    signals = [long_signal(START_MS + (i + 1) * M15.ms, "100", "95", "110") for i in signal_bars]
    return simulate(MarketHistory("BTC/USDT", M15, bars(M15, rows, START_MS)), signals, config, strategy="A")


def test_a_daily_loss_that_closes_positions_closes_at_the_first_close_past_the_limit():
    # the day starts at 10,000 (the mark at the signal); 1% is lost at 9,900, a close of 98.601 or less
    rows = [(100, 101, 99, 100), (101, 102, 100, 101), (101, 101.5, 99, 99.5), (99.5, 100, 98.4, 98.5),
            (98.5, 99, 98, 98.8), (98.8, 99, 98, 98.2)]
    result = run(rows, LimitSettings(daily_loss_pct=Decimal(1), close_on_daily_loss=True))

    (trade,) = result.trades
    assert trade.exit_reason == "daily_loss"
    assert trade.exit_ms == START_MS + 4 * M15.ms                # bar 3's close, at 9,895.96
    assert trade.exit_price == Decimal("98.5")
    assert trade.pnl == Decimal("-107.98")                       # 40 x (98.5 - 101) - 4.04 - 3.94
    assert result.breaches == {"daily_loss": 1}


def test_a_drawdown_from_a_peak_between_two_event_bars_halts_new_entries():
    # bar 2 closes at 104: a peak of 10,115.96; bar 3's 101.3 is 10,007.96, 1.07% below it: the 1% halt
    rows = [(100, 101, 99, 100), (101, 102, 100, 101), (101, 104.5, 101, 104), (104, 104, 101, 101.3),
            (101.3, 111, 101, 110), (110, 111, 109, 110), (110, 111, 109, 110), (110, 111, 109, 110)]
    result = run(rows, LimitSettings(daily_loss_pct=Decimal(100), max_drawdown_pct=Decimal(1)), (0, 5))

    (trade,) = result.trades                                      # the target at 110, then flat at 10,351.56
    assert (trade.exit_reason, trade.pnl) == ("take_profit", Decimal("351.56"))
    assert result.breaches == {"max_drawdown": 1}
    assert result.rejections == {"max_drawdown": 1}              # the second signal, at a new equity high


def test_the_breaker_refuses_an_entry_after_a_jump_and_lets_it_through_when_no_move_can_trip_it():
    # bar 1 closes 8% above bar 0 within the breaker's 15 min: the signal at bar 1's close meets a tripped
    # breaker; with NO_BREAKER no window of these closes can move enough and none is fed to it at all
    rows = [(100, 101, 99, 100), (100, 109, 100, 108), (108, 109, 107, 108), (108, 109, 107, 108)]
    signals = [long_signal(START_MS + 2 * M15.ms, "108", "100", "125")]
    history = MarketHistory("BTC/USDT", M15, bars(M15, rows, START_MS))
    tripped = simulate(history, signals, plain_config(), strategy="A")
    calm = simulate(history, signals, plain_config(breaker=NO_BREAKER), strategy="A")

    assert tripped.trades == () and tripped.rejections == {"circuit_breaker": 1}
    assert len(calm.trades) == 1 and calm.rejections == {}
