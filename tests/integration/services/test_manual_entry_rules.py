"""A manual entry never reverses the opposite position in one order, and a limit is sized at its price within
the band an exchange accepts around the last price (Binance: 0.95x-1.05x on perpetuals, 0.2x-5x on spot).

Paper futures on the bundled replay, clock at 2025-07-22 07:59 UTC: BTC/USDT last 117,877.83; /short 1000
at market sells floor5(1000 / 117,877.83) = 0.00848 BTC. The band: 117,877.83 x 0.95 = 111,983.9385, up to
the tick 111,983.94; 117,877.83 x 1.05 = 123,771.7215, down to the tick 123,771.72.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.integration.services.test_paper_futures import JULY_22_0759, futures_account
from trading.domain.errors import InvalidInput
from trading.domain.manual_orders import ManualOrder, OrderKind, Size, SizeKind
from trading.domain.orders import OrderStatus
from trading.domain.positions import PositionSide
from trading.services.manual_orders import Tickets


@pytest.fixture
async def account(tmp_path):
    a = await futures_account(tmp_path, JULY_22_0759)
    yield a
    await a.store.close()


async def test_a_buy_that_would_close_a_short_and_open_a_long_is_refused_with_what_to_type(account):
    await account.portfolio.short("BTC/USDT", D(1000))
    # 2000 / 117,877.83 = 0.016966.. -> 0.01696 BTC: the 0.00848 short bought back and 0.00848 long
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.buy("BTC/USDT", D(2000))
    assert str(refused.value) == ("Not placed: you hold a short of 0.00848 BTC in BTC/USDT, and /buy of 0.01696 BTC "
                                  "would close it and open a long in one order. /cover BTC/USDT first (or /close "
                                  "BTC/USDT), then /buy.")
    [position] = await account.venue.broker.positions()
    assert (position.side, position.amount) == (PositionSide.SHORT, D("0.00848"))
    assert await account.venue.broker.open_orders() == []


async def test_a_short_that_would_reverse_a_long_is_refused_and_the_long_closes_then_the_short_opens(account):
    await account.portfolio.buy("BTC/USDT", D(1000))                # 0.00848 BTC long
    with pytest.raises(InvalidInput, match=r"^Not placed: you hold a long of 0\.00848 BTC in BTC/USDT, and /short "
                                           r"of 0\.01696 BTC would close it and open a short in one order\. /sell "
                                           r"BTC/USDT first \(or /close BTC/USDT\), then /short\.$"):
        await account.portfolio.short("BTC/USDT", D(2000))
    await account.portfolio.sell("BTC/USDT", Size(SizeKind.ALL))
    await account.portfolio.short("BTC/USDT", D(1000))
    [position] = await account.venue.broker.positions()
    assert (position.side, position.amount) == (PositionSide.SHORT, D("0.00848"))


@pytest.mark.parametrize("limit", ["1", "111983.93", "123771.73", "1000000"])
async def test_a_limit_outside_the_band_around_the_last_price_is_refused_with_the_band(account, limit):
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.short("BTC/USDT", D(100), limit=D(limit))
    assert str(refused.value) == (f"Limit {D(limit):,f} is too far from the last price 117,877.83 of BTC/USDT: the "
                                  "exchange takes limits from 111,983.94 to 123,771.72 (0.95x to 1.05x of the last "
                                  "price). Pick a limit in that band, or leave the limit out to trade at market.")
    assert await account.venue.broker.open_orders() == [] and await account.venue.broker.positions() == []


async def test_a_marketable_short_limit_is_sized_at_its_limit_price(account):
    # at the edge of the band: 1000 / 111,983.94 = 0.0089298.. -> 0.00892 BTC (at the market it was 0.00848,
    # and the exchange checks its minimum at the limit); it fills at once at the market, above the limit
    order = await account.portfolio.short("BTC/USDT", D(1000), limit=D("111983.94"))
    assert (order.status, order.filled) == (OrderStatus.FILLED, D("0.00892"))
    assert order.avg_price is not None and order.avg_price > D("111983.94")


async def test_a_resting_limit_at_the_band_edge_is_taken(account):
    # 100 / 123,771.72 = 0.000807.. -> 0.00080 BTC resting above the market
    order = await account.portfolio.short("BTC/USDT", D(100), limit=D("123771.72"))
    assert (order.status, order.amount, order.price) == (OrderStatus.OPEN, D("0.00080"), D("123771.72"))


async def test_a_ticket_quoted_while_flat_is_refused_when_a_short_opened_before_it_went_out(account):
    # a live card waits for its approval: the position it was quoted against may have changed meanwhile
    ticket = await account.portfolio.quote(ManualOrder(OrderKind.BUY, "BTC/USDT", D(2000)))
    await account.portfolio.short("BTC/USDT", D(1000))               # 0.00848 BTC short
    with pytest.raises(InvalidInput, match=r"^Not placed: you hold a short of 0\.00848 BTC in BTC/USDT, and /buy "
                                           r"of 0\.01696 BTC would close it"):
        await account.portfolio.execute(ticket)
    [position] = await account.venue.broker.positions()
    assert (position.side, position.amount) == (PositionSide.SHORT, D("0.00848"))


async def test_a_buy_back_of_part_of_a_short_is_quoted_without_a_stop_or_risk_of_its_own(account):
    tickets = Tickets(account.portfolio, account.engine, await account.portfolio.markets())
    await account.portfolio.short("BTC/USDT", D(1000))               # 0.00848 BTC short
    [leg] = (await tickets.quote(ManualOrder(OrderKind.BUY, "BTC/USDT", D(500)))).legs
    # 500 / 117,877.83 -> 0.00424 BTC bought back: it opens nothing, so the card shows no stop for it
    assert (leg.reduces, leg.amount, leg.stop, leg.target, leg.risk) == (True, D("0.00424"), None, None, 0)
    [opening] = (await tickets.quote(ManualOrder(OrderKind.SHORT, "BTC/USDT", D(500)))).legs
    assert opening.stop is not None and opening.risk > 0
