from decimal import Decimal

import numpy as np
import pytest

from tests.fakes.shared_data import load_candles
from tests.fakes.ema_cross_oracle import closed_trades, ema, ema_cross, equity_curve
from trading.domain.candles import Candles

KEEP = 0.999 * 0.999          # what a round trip keeps after 0.1% on each side

# With fast period 1 (alpha 1: the close itself) and slow period 3 (alpha 0.5, seeded with 10):
#   bar    0    1    2    3    4    5    6     7      8       9
#   close  10   12   9    8    11   12   10    10     11      12
#   slow   10   11   10   9    10   11   10.5  10.25  10.625  11.3125
#   trend  =    +    -    -    +    +    -     -      +       +
# bar 1 rises off the seed (not a cross), bar 2's cross below closes nothing, bar 4 crosses above
# (buy at bar 5's open 11.5), bar 6 below (sell at bar 7's open 9.5), bar 8 above (buy at bar 9's
# open 11), and that position is closed at the last close, 12.
CLOSES = [10, 12, 9, 8, 11, 12, 10, 10, 11, 12]
OPENS = [10, 10, 12, 9, 8, 11.5, 12, 9.5, 10, 11]


def hand_built() -> Candles:
    return Candles.from_rows([(i * 60_000, o, max(o, c), min(o, c), c, 1.0)
                              for i, (o, c) in enumerate(zip(OPENS, CLOSES))])


def test_ema_is_seeded_with_the_first_value():
    assert ema(np.array([10.0, 12, 9, 8]), 3).tolist() == [10.0, 11.0, 10.0, 9.0]


def test_hand_built_series_gives_the_hand_computed_trades():
    result = ema_cross(hand_built(), fast=1, slow=3)

    assert result.entry_index.tolist() == [5, 9]
    assert result.exit_index.tolist() == [7, 9]
    assert result.entry_price.tolist() == [11.5, 11.0]
    assert result.exit_price.tolist() == [9.5, 12.0]
    assert result.closed_at_end
    assert result.trade_return.tolist() == pytest.approx([KEEP * 9.5 / 11.5 - 1, KEEP * 12 / 11 - 1])
    assert result.total_return == pytest.approx(KEEP * 9.5 / 11.5 * KEEP * 12 / 11 - 1)


def test_equity_is_marked_at_each_close_and_ends_at_the_compounded_return():
    after_first = KEEP * 9.5 / 11.5
    expected = [1, 1, 1, 1, 1, 0.999 * 12 / 11.5, 0.999 * 10 / 11.5, after_first, after_first,
                after_first * KEEP * 12 / 11]

    equity = equity_curve(hand_built(), ema_cross(hand_built(), fast=1, slow=3))

    assert equity.tolist() == pytest.approx(expected)


def test_closed_trades_carry_fees_and_add_up_to_the_final_equity():
    candles = hand_built()
    result = ema_cross(candles, fast=1, slow=3)

    trades = closed_trades(candles, result, "BTC/USDT", Decimal(1000))

    # first trade: 1 fee in, 999 / 11.5 BTC out at 9.5 with a 0.1% fee
    assert trades[0].fees == pytest.approx(Decimal(1) + Decimal(999) / Decimal("11.5") * Decimal("0.0095"))
    assert (trades[0].entry_ms, trades[0].exit_ms) == (5 * 60_000, 7 * 60_000)
    assert trades[1].exit_ms == 10 * 60_000                    # closed at the last bar's close
    final = 1000 + sum(t.pnl for t in trades)
    assert float(final) == pytest.approx(1000 * (1 + result.total_return))


def test_an_entry_signal_on_the_last_bar_does_not_fill():
    result = ema_cross(hand_built()[:9], fast=1, slow=3)      # bar 8's cross would fill at bar 9

    assert result.trades == 1 and not result.closed_at_end


def test_fewer_than_two_bars_trade_nothing():
    assert ema_cross(hand_built()[:1]).trades == 0


def test_real_btc_file_reproduces_the_yardstick_of_other_backtesters():
    result = ema_cross(load_candles("BTCUSDT-1m.csv.gz"))

    assert result.trades == 2249
    assert round(result.total_return * 100, 2) == -98.85
