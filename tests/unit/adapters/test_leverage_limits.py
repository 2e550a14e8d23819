"""The exchange's leverage maximum per perpetual, from ccxt's leverage tiers, set on the perpetuals only."""
from decimal import Decimal

from trading.adapters.leverage_limits import maxima_from_tiers, with_leverage_maxima
from trading.domain.instruments import Instrument, MarketKind

PERP = "BTC/USDT:USDT"


def test_the_maximum_is_the_largest_tier_s_and_a_symbol_listing_none_above_1x_is_left_out():
    tiers = {PERP: [{"maxLeverage": 125.0}, {"maxLeverage": 100.0}], "ETH/USDT:USDT": [{"maxLeverage": None}],
             "XRP/USDT:USDT": [{"maxLeverage": 1}], "SOL/USDT:USDT": []}
    assert maxima_from_tiers(tiers) == {PERP: 125}


def test_only_listed_perpetuals_get_a_maximum():
    perp = Instrument(PERP, "BTC", "USDT", MarketKind.PERP)
    spot = Instrument("BTC/USDT", "BTC", "USDT")
    eth = Instrument("ETH/USDT:USDT", "ETH", "USDT", MarketKind.PERP, taker_fee=Decimal("0.0005"))
    found = with_leverage_maxima({PERP: perp, "BTC/USDT": spot, eth.symbol: eth}, {PERP: 20, "BTC/USDT": 5})
    assert (found[PERP].max_leverage, found["BTC/USDT"].max_leverage, found[eth.symbol]) == (20, 1, eth)
