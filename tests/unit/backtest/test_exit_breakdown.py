"""Each exit rule's share of the results: the partial profit and the break-even stop of one trade, by hand."""
from decimal import Decimal

from tests.fakes.backtest_bars import PLAIN_EXITS, START_MS, long_signal, plain_config
from tests.fakes.market_views import bars
from trading.backtest.exit_breakdown import exit_breakdown, exit_breakdown_text
from trading.backtest.history import MarketHistory
from trading.backtest.runner import simulate
from trading.domain.candles import Timeframe

M15 = Timeframe.M15
PARTIAL_THEN_BREAK_EVEN = PLAIN_EXITS.__class__(**{**{f: getattr(PLAIN_EXITS, f) for f in PLAIN_EXITS.__slots__},
                                                   "partial_take_profit_r": Decimal(1),
                                                   "break_even_r": Decimal(1)})


def test_a_partial_then_break_even_trade_books_each_part_under_its_rule():
    # signal 100 / stop 95 / target 120: 40 BTC (200 at risk over 5), filled at 101, so 1R = 6 and 1R up = 107;
    # at 107 half (20) is sold and the stop moves to break-even: 101 + 101 x 0.002002 (1.001 / 0.999 - 1: both
    # fees, no slippage here) = 101.2022, plus one tick grown by that rate (0.01002) = 101.21222, up to the 0.01
    # tick: 101.22, hit on the next bar
    rows = [(100, 101, 99, 100), (101, 104, 98, 103), (103, 108, 102, 107), (107, 107.5, 101, 102)]
    history = MarketHistory("BTC/USDT", M15, bars(M15, rows, START_MS))
    result = simulate(history, [long_signal(START_MS + M15.ms, "100", "95", "120")],
                      plain_config(protection=PARTIAL_THEN_BREAK_EVEN), strategy="A")

    (trade,) = result.trades
    rows = {row.rule: row for row in exit_breakdown(result.trades)}
    partial, even = rows["partial_take_profit"], rows["break_even"]
    # partial: 20 x 6 = 120 - exit fee 2.14 - half the entry fee (4.04 / 2) = 115.84
    assert (partial.rule, partial.exits, partial.pnl) == ("partial_take_profit", 1, Decimal("115.84"))
    # break-even: the stop sells at 101.22: 20 x 0.22 = 4.4 - exit fee 20 x 101.22 x 0.001 = 2.0244 - half the entry
    # fee 2.02 = +0.3556 (the old stop 101.202 sold on the tick at 101.20 and netted -0.044)
    assert (even.rule, even.exits, even.pnl) == ("break_even", 1, Decimal("0.3556"))
    assert partial.pnl + even.pnl == trade.pnl
    assert partial.average_r == Decimal("115.84") / 240
    assert "partial take profit    1     +115.84  +0.48R" in exit_breakdown_text(result.trades)


def test_no_trades_no_breakdown():
    assert exit_breakdown([]) == [] and exit_breakdown_text([]) == ""
