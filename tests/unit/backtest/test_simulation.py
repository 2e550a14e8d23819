"""Hand-built bars with known trades: what the backtest trades, at which prices, and what the account ends with.

Every scenario: 10,000 USDT, fee 0.1% per side, no slippage, a long signal known at the close of bar 0 with
entry 100, stop 95, target 110. Sizing risks 2% of equity on the 5-point stop: 200 / 5 = 40 BTC.
"""
from decimal import Decimal

import pytest

from tests.fakes.backtest_bars import PERP, START_MS, long_signal, plain_config
from tests.fakes.market_views import bars
from trading.backtest.history import MarketHistory
from trading.backtest.runner import simulate
from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide

M15 = Timeframe.M15
KNOWN_AT_BAR0_CLOSE = START_MS + M15.ms


def run(rows, minutes=None, signals=None, config=None):
    history = MarketHistory("BTC/USDT", M15, bars(M15, rows, START_MS), minutes)
    return simulate(history, signals or [long_signal(KNOWN_AT_BAR0_CLOSE, "100", "95", "110")],
                    config or plain_config(), strategy="A")


def test_the_entry_fills_at_the_next_bar_open_and_the_target_closes_the_trade():
    result = run([(100, 101, 99, 100), (101, 104, 98, 103), (103, 111, 102, 110), (110, 112, 109, 111)])

    (trade,) = result.trades
    assert (trade.entry_ms, trade.exit_ms) == (START_MS + M15.ms, START_MS + 2 * M15.ms)
    assert (trade.entry_price, trade.exit_price, trade.amount) == (Decimal("101"), Decimal("110"), Decimal("40"))
    # 40 x (110 - 101) = 360, fees 40 x 101 x 0.001 + 40 x 110 x 0.001 = 4.04 + 4.4
    assert trade.fees == Decimal("8.44")
    assert trade.pnl == Decimal("351.56")
    assert trade.r_multiple == Decimal("351.56") / 240     # 1R from the fill: 40 x (101 - 95)


def test_the_equity_curve_and_metrics_match_the_hand_computation():
    result = run([(100, 101, 99, 100), (101, 104, 98, 103), (103, 111, 102, 110), (110, 112, 109, 111)])

    # open of bar 0, then each close; bar 1 holds 40 BTC bought for 4,044.04 and marked at 103
    assert result.equity.tolist() == pytest.approx([10_000, 10_000, 10_075.96, 10_351.56, 10_351.56])
    assert result.times_ms.tolist() == [START_MS + i * M15.ms for i in range(5)]
    m = result.metrics
    assert m.total_return_pct == pytest.approx(3.5156)
    assert m.max_drawdown_pct == 0 and m.trades == 1 and m.win_rate_pct == 100
    assert m.profit_factor == float("inf") and m.fees_paid == Decimal("8.44")
    assert m.exposure_pct == pytest.approx(25.0)           # one bar of four
    assert m.buy_hold_return_pct == pytest.approx((0.999 * 0.999 * 111 / 100 - 1) * 100)


def test_a_bar_touching_stop_and_target_without_finer_bars_is_a_stop():
    result = run([(100, 101, 99, 100), (100, 104, 98, 103), (103, 111, 94, 105), (105, 106, 104, 105)])

    (trade,) = result.trades
    assert trade.exit_price == Decimal("95")
    assert trade.pnl == Decimal("-207.8")                 # -200 - 4 - 3.8


def minutes_of_bar2(path):
    """Return 1m bars inside bar 2 that visit the (open, high, low, close) rows given, 15 minutes in all."""
    start = START_MS + 2 * M15.ms
    rows = path + [(105, 105, 105, 105)] * (15 - len(path))
    return bars(Timeframe.M1, rows, start)


def test_a_bar_touching_stop_and_target_is_resolved_by_its_minutes_target_first():
    coarse = [(100, 101, 99, 100), (100, 104, 98, 103), (103, 111, 94, 105), (105, 106, 104, 105)]
    minutes = minutes_of_bar2([(103, 106, 102, 105), (105, 111, 104, 108), (108, 108, 94, 100)])

    (trade,) = run(coarse, minutes).trades

    assert trade.exit_price == Decimal("110")
    assert trade.exit_ms == START_MS + 2 * M15.ms + 60_000          # the second minute
    assert trade.pnl == Decimal("391.6")                              # 400 - 4 - 4.4


def test_a_bar_touching_stop_and_target_is_resolved_by_its_minutes_stop_first():
    coarse = [(100, 101, 99, 100), (100, 104, 98, 103), (103, 111, 94, 105), (105, 106, 104, 105)]
    minutes = minutes_of_bar2([(103, 104, 94, 96), (96, 111, 96, 108)])

    (trade,) = run(coarse, minutes).trades

    assert trade.exit_price == Decimal("95") and trade.exit_ms == START_MS + 2 * M15.ms


def test_a_gap_through_the_stop_exits_at_the_open():
    result = run([(100, 101, 99, 100), (100, 104, 98, 103), (93, 94, 90, 92), (92, 93, 91, 92)])

    assert result.trades[0].exit_price == Decimal("93")


def test_a_signal_while_a_position_is_open_is_skipped_by_the_engine():
    signals = [long_signal(KNOWN_AT_BAR0_CLOSE, "100", "95", "110"),
               long_signal(KNOWN_AT_BAR0_CLOSE + M15.ms, "103", "98", "120")]

    result = run([(100, 101, 99, 100), (100, 104, 98, 103), (103, 109, 102, 108), (108, 111, 107, 110)],
                 signals=signals)

    assert len(result.trades) == 1 and result.rejections == {"symbol_busy": 1}


def test_an_open_position_is_closed_at_the_last_close_with_its_fee():
    result = run([(100, 101, 99, 100), (100, 104, 98, 103), (103, 106, 102, 104)])

    (trade,) = result.trades
    assert trade.exit_price == Decimal("104")
    assert trade.pnl == Decimal("160") - Decimal("4") - Decimal("4.16")
    assert result.equity[-1] == pytest.approx(10_151.84)


def test_a_futures_short_receives_funding_and_takes_its_target():
    hour = Timeframe.H1
    rows = [(100, 101, 99, 100)] * 7 + [(100, 101, 99, 100), (99, 100, 95, 96), (96, 97, 89, 90), (90, 91, 89, 90)]
    history = MarketHistory("BTC/USDT:USDT", hour, bars(hour, rows, START_MS))
    signal = long_signal(START_MS + 7 * hour.ms, "100", "105", "90", "BTC/USDT:USDT", PositionSide.SHORT, "1h")

    result = simulate(history, [signal], plain_config(PERP), strategy="A")

    (trade,) = result.trades
    assert trade.side is PositionSide.SHORT and trade.entry_ms == START_MS + 7 * hour.ms
    assert trade.funding == Decimal("-0.396")          # 40 x 99 (08:00 open) x 0.0001, received by a short
    assert trade.exit_price == Decimal("90")
    assert trade.pnl == Decimal("400") - Decimal("4") - Decimal("3.6") + Decimal("0.396")
    assert result.metrics.funding_paid == Decimal("-0.396")


def test_a_fill_that_gaps_past_the_target_is_not_sent():
    # signal at 100 (target 110) but the next bar opens at 111: the order would fill beyond the target
    result = run([(100, 101, 99, 100), (111, 112, 109, 111), (111, 112, 109, 111)],
                 config=plain_config(min_reward_risk=Decimal("1.5")))

    assert result.trades == () and result.rejections == {"net_reward_risk": 1}


def test_an_entry_whose_fill_and_costs_leave_too_little_reward_is_not_sent():
    # the signal's own 2R (100, stop 95, target 110) becomes (110 - 101 - 0.211) / (101 - 95 + 0.196) = 1.42R
    # after the fill at 101 and two 0.1% fees: below 1.5, skipped; at 100 it is 1.92R and taken
    rows = [(100, 101, 99, 100), (101, 104, 98, 103), (103, 111, 102, 110), (110, 112, 109, 111)]
    gated = plain_config(min_reward_risk=Decimal("1.5"))

    assert run(rows, config=gated).rejections == {"net_reward_risk": 1}
    rows[1] = (100, 104, 98, 103)
    assert len(run(rows, config=gated).trades) == 1
