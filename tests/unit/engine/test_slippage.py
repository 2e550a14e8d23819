from decimal import Decimal

from trading.domain.orders import Side
from trading.engine.slippage import SlippageModel

MODEL = SlippageModel(fixed_bps=Decimal(5), participation_bps=Decimal(10), max_bps=Decimal(50))


def test_slippage_is_fixed_plus_participation_in_percent_of_volume():
    # 0.5 BTC of a 100 BTC bar = 0.5% -> 5 + 10 * 0.5 = 10 bps
    assert MODEL.bps(Decimal("0.5"), Decimal(100)) == Decimal(10)


def test_slippage_stops_at_the_cap():
    # 10 of 100 = 10% -> 5 + 100 = 105 bps, capped at 50
    assert MODEL.bps(Decimal(10), Decimal(100)) == Decimal(50)


def test_without_volume_only_the_fixed_part_applies():
    assert MODEL.bps(Decimal(10), None) == Decimal(5)
    assert MODEL.bps(Decimal(10), Decimal(0)) == Decimal(5)


def test_buys_pay_more_and_sells_receive_less():
    # 10 bps of 60,000 = 60,000 * 0.001 = 60
    assert MODEL.price(Side.BUY, Decimal(60_000), Decimal("0.5"), Decimal(100)) == Decimal(60_060)
    assert MODEL.price(Side.SELL, Decimal(60_000), Decimal("0.5"), Decimal(100)) == Decimal(59_940)
