"""A limit's price band is the market's own PERCENT_PRICE filter where its listing carried one (Binance's does),
else the bot's default for the market type, and the refusal says which.

Paper spot on replayed real BTC/USDT minutes, 2025-07-01 12:00 UTC: last 106,605.80. With a listed band of
0.9x-1.1x: 106,605.80 x 0.9 = 95,945.22 and 106,605.80 x 1.1 = 117,266.38 (both on the 0.01 tick already).
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.fakes.paper_account import paper_account
from trading.domain.errors import InvalidInput
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.orders import OrderStatus
from trading.services.paper_venue import futures_markets


@pytest.fixture
async def banded(tmp_path):
    account = await paper_account(tmp_path, price_band=(D("0.9"), D("1.1")))
    yield account
    await account.close()


async def test_a_limit_outside_the_markets_own_band_is_refused_with_that_band(banded):
    # before: the default spot band 0.2x-5x took 90,000 and the order rested where Binance refuses it
    with pytest.raises(InvalidInput) as refused:
        await banded.portfolio.buy("BTC/USDT", D(100), limit=D(90000))
    assert str(refused.value) == ("Limit 90,000 is too far from the last price 106,605.80 of BTC/USDT: the exchange "
                                  "takes limits from 95,945.22 to 117,266.38 (0.9x to 1.1x of the last price: "
                                  "BTC/USDT's PERCENT_PRICE filter for buys). Pick a limit in that band, or leave "
                                  "the limit out to trade at market.")
    assert await banded.venue.broker.open_orders() == []


async def test_a_limit_at_the_edge_of_the_markets_band_rests(banded):
    order = await banded.portfolio.buy("BTC/USDT", D(100), limit=D("95945.22"))
    assert (order.status, order.price) == (OrderStatus.OPEN, D("95945.22"))


def test_a_paper_perpetual_made_from_a_spot_listing_drops_the_spot_band():
    spot = Instrument("BTC/USDT", "BTC", "USDT", price_band=(D("0.2"), D(5)))
    perp = Instrument("ETH/USDT:USDT", "ETH", "USDT", kind=MarketKind.PERP, price_band=(D("0.95"), D("1.05")))
    traded = futures_markets({spot.symbol: spot, perp.symbol: perp}, 10)
    # the spot's 0.2x-5x is not its perpetual's: the futures default (0.95x-1.05x) stands
    assert traded[spot.symbol].price_band is None and traded[spot.symbol].kind is MarketKind.PERP
    assert traded[perp.symbol].price_band == (D("0.95"), D("1.05"))
