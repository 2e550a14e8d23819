from decimal import Decimal

from trading.domain.positions import PositionSide
from trading.engine.liquidation import is_liquidated, liquidation_price, maintenance_margin
from trading.engine.margin_tiers import BTCUSDT_TIERS

CENT = Decimal("0.01")


def test_long_at_10x_liquidates_where_binance_formula_puts_it():
    # 0.1 BTC at 60,000, 10x: notional 6,000 (tier 1: MMR 0.4%, cum 0), isolated margin WB = 600
    # LP = (WB + cum - side*size*EP) / (size*MMR - side*size)
    #    = (600 + 0 - 6,000) / (0.1*0.004 - 0.1) = -5,400 / -0.0996 = 54,216.867...
    lp = liquidation_price(PositionSide.LONG, Decimal("0.1"), Decimal(60_000), Decimal(600), BTCUSDT_TIERS)
    assert lp is not None and lp.quantize(CENT) == Decimal("54216.87")


def test_short_at_5x_liquidates_where_binance_formula_puts_it():
    # 0.1 BTC short at 60,000, 5x: WB = 1,200; side = -1
    # LP = (1,200 + 0 + 6,000) / (0.1*0.004 + 0.1) = 7,200 / 0.1004 = 71,713.147...
    lp = liquidation_price(PositionSide.SHORT, Decimal("0.1"), Decimal(60_000), Decimal(1_200), BTCUSDT_TIERS)
    assert lp is not None and lp.quantize(CENT) == Decimal("71713.15")


def test_large_position_is_recomputed_in_the_bracket_of_its_liquidation_price():
    # 10 BTC long at 60,100, 10x: notional 601,000 is in tier 3 (MMR 0.65%, cum 950), WB = 60,100.
    # Tier 3: LP = (60,100 + 950 - 601,000) / (10*0.0065 - 10) = -539,950 / -9.935 = 54,348.26...
    # but 10 * 54,348.26 = 543,482.6 is in tier 2 (MMR 0.5%, cum 50), so again with tier 2:
    # LP = (60,100 + 50 - 601,000) / (10*0.005 - 10) = -540,850 / -9.95 = 54,356.78...
    lp = liquidation_price(PositionSide.LONG, Decimal(10), Decimal(60_100), Decimal(60_100), BTCUSDT_TIERS)
    assert lp is not None and lp.quantize(CENT) == Decimal("54356.78")


def test_unlevered_long_has_no_liquidation_price():
    # 1x: WB = notional, so the numerator is 0 and no positive price liquidates it
    assert liquidation_price(PositionSide.LONG, Decimal(1), Decimal(60_000), Decimal(60_000), BTCUSDT_TIERS) is None


def test_maintenance_margin_uses_rate_and_amount_of_the_bracket():
    # 700,000 is tier 3: 700,000 * 0.0065 - 950 = 3,600
    assert maintenance_margin(Decimal(700_000), BTCUSDT_TIERS) == Decimal(3_600)


def test_long_is_liquidated_at_or_below_and_short_at_or_above_the_price():
    lp = Decimal(100)
    assert is_liquidated(PositionSide.LONG, Decimal(100), lp)
    assert not is_liquidated(PositionSide.LONG, Decimal("100.1"), lp)
    assert is_liquidated(PositionSide.SHORT, Decimal(100), lp)
    assert not is_liquidated(PositionSide.SHORT, Decimal("99.9"), lp)
    assert not is_liquidated(PositionSide.SHORT, Decimal(10**9), None)
