"""A trade stopped at break-even nets zero or more, on a 0.1 tick with a 0.1% fee and 2 bps of slippage, by hand.

The costs a stop at break-even must cover: the entry fee, the exit fee and the exit's slippage, exactly
(exit_cost_rate = 1.001 / (0.999 x 0.9998) - 1 = 0.00220244...), and the exit's fill, which the venue rounds
onto the tick against the taker. The old level, entry x (1 + 0.0022) and not on the tick, lost a little.
"""
from dataclasses import replace
from decimal import Decimal as D

from tests.fakes.backtest_bars import PERP, PLAIN_EXITS, SPOT, START_MS, long_signal, plain_config
from tests.fakes.market_views import bars
from trading.backtest.history import MarketHistory
from trading.backtest.runner import simulate
from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.engine.slippage import SlippageModel

M15 = Timeframe.M15
TWO_BPS = SlippageModel(D(2), D(0), None, D(100))
BREAK_EVEN_AT_1R = replace(PLAIN_EXITS, break_even_r=D(1))
FEE = D("0.001")


def _trade(instrument, rows, signal):
    history = MarketHistory(instrument.symbol, M15, bars(M15, rows, START_MS))
    config = plain_config(replace(instrument, price_tick=D("0.1")), BREAK_EVEN_AT_1R, slippage=TWO_BPS)
    (trade,) = simulate(history, [signal], config, strategy="A").trades
    return trade


def test_a_long_stopped_at_break_even_on_a_coarse_tick_nets_zero_or_more():
    # buy at the open 101 x 1.0002 = 101.0202, up to the tick: 101.1; 1R = 101.1 - 95 = 6.1, so 1R up = 107.2.
    # break-even: 101.1 + 101.1 x 0.00220244 (0.22267) + one tick grown by the rate (0.10022) = 101.42289,
    # up to the tick: 101.5. The 108 high moves the stop there; the 101 low of the next bar sells at
    # 101.5 x 0.9998 = 101.4797, down to the tick: 101.4. Per unit 0.3 - fees 0.001 x (101.1 + 101.4) = +0.0975.
    # (The old stop 101.1 x 1.0022 = 101.32242 sold at 101.302 -> 101.3: 0.2 - 0.2024 = -0.0024 a unit.)
    rows = [(100, 101, 99, 100), (101, 104, 98, 103), (103, 108, 102, 107), (107, 107.5, 101, 102)]
    trade = _trade(SPOT, rows, long_signal(START_MS + M15.ms, "100", "95", "120"))

    assert (trade.exit_reason, trade.entry_price, trade.exit_price) == ("break_even", D("101.1"), D("101.4"))
    assert trade.pnl == trade.amount * (D("0.3") - FEE * (D("101.1") + D("101.4")))
    assert trade.pnl > 0


def test_a_short_stopped_at_break_even_on_a_coarse_tick_nets_zero_or_more():
    # sell at the open 99 x 0.9998 = 98.9802, down to the tick: 98.9; 1R = 105 - 98.9 = 6.1, so 1R down = 92.8.
    # break-even: 98.9 - 98.9 x 0.00220244 (0.21782) - 0.10022 = 98.58196, down to the tick: 98.5. The 92 low
    # moves the stop there; the 99 high of the next bar buys at 98.5 x 1.0002 = 98.5197, up to the tick: 98.6.
    # Per unit 0.3 - fees 0.001 x (98.9 + 98.6) = +0.1025.
    # (The old stop 98.9 x 0.9978 = 98.68242 bought at 98.70216 -> 98.8: 0.1 - 0.1977 = -0.0977 a unit.)
    rows = [(100, 101, 99, 100), (99, 100, 96, 97), (97, 98, 92, 93), (93, 99, 92.5, 98)]
    signal = long_signal(START_MS + M15.ms, "100", "105", "80", symbol=PERP.symbol, side=PositionSide.SHORT)
    trade = _trade(PERP, rows, signal)

    assert (trade.exit_reason, trade.entry_price, trade.exit_price) == ("break_even", D("98.9"), D("98.6"))
    assert trade.pnl == trade.amount * (D("0.3") - FEE * (D("98.9") + D("98.6")))
    assert trade.pnl > 0
