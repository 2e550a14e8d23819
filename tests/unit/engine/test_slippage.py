from decimal import Decimal

from trading.domain.orders import Side
from trading.engine.slippage import NO_SLIPPAGE, SlippageModel

# 5 bps a fill, plus 10 bps for an order as large as the 1,000,000 USDT depth, at most 50 bps
MODEL = SlippageModel(fixed_bps=Decimal(5), impact_bps=Decimal(10), depth_quote=Decimal(1_000_000),
                      max_bps=Decimal(50))


def test_slippage_is_fixed_plus_impact_in_shares_of_the_depth():
    # 5 BTC at 60,000 = 300,000 USDT = 0.3 of the depth -> 5 + 10 * 0.3 = 8 bps
    assert MODEL.bps(Decimal(5), Decimal(60_000)) == Decimal(8)


def test_slippage_stops_at_the_cap():
    # 100 BTC at 60,000 = 6 depths -> 5 + 60 = 65 bps, capped at 50
    assert MODEL.bps(Decimal(100), Decimal(60_000)) == Decimal(50)


def test_the_default_is_two_bps_whatever_the_size():
    assert SlippageModel().bps(Decimal(1), Decimal(60_000)) == Decimal(2)
    assert SlippageModel().bps(Decimal(1000), Decimal(60_000)) == Decimal(2)


def test_buys_pay_more_and_sells_receive_less():
    # 8 bps of 60,000 = 48
    assert MODEL.price(Side.BUY, Decimal(60_000), Decimal(5)) == Decimal(60_048)
    assert MODEL.price(Side.SELL, Decimal(60_000), Decimal(5)) == Decimal(59_952)


def test_the_model_says_what_it_charges():
    assert SlippageModel().describe() == "slippage 2 bps a fill"
    assert MODEL.describe() == "slippage 5 bps a fill + 10 bps per 1000000 of depth taken (at most 50)"
    assert NO_SLIPPAGE.describe() == "no slippage"
