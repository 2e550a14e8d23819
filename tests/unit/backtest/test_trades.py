from decimal import Decimal

from trading.backtest.trades import close_trade
from trading.domain.positions import PositionSide


def test_long_round_trip_pays_fees_on_both_sides_and_measures_r_from_the_stop():
    # gross (110 - 100) * 2 = 20; fees (100 + 110) * 2 * 0.001 = 0.42; risk (100 - 95) * 2 = 10
    trade = close_trade("BTC/USDT", PositionSide.LONG, (0, Decimal(100)), (60_000, Decimal(110)),
                        Decimal(2), fee_rate=Decimal("0.001"), stop=Decimal(95))

    assert trade.gross_pnl == Decimal(20)
    assert trade.fees == Decimal("0.420")
    assert trade.pnl == Decimal("19.580")
    assert trade.r_multiple == Decimal("1.958")
    assert trade.is_win and trade.holding_ms == 60_000


def test_short_profits_from_a_fall_and_pays_its_funding():
    # (90 - 100) * 1 * -1 = 10 gross, minus 1.5 funding paid
    trade = close_trade("BTC/USDT:USDT", PositionSide.SHORT, (0, Decimal(100)), (1, Decimal(90)),
                        Decimal(1), funding=Decimal("1.5"))

    assert trade.pnl == Decimal("8.5")
    assert trade.r_multiple is None
