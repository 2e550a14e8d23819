"""A manual entry never acts against the opposite position (reducing goes through the exit commands), and a
limit is sized at its price within the band an exchange accepts around the last price
(Binance: 0.95x-1.05x on perpetuals, 0.2x-5x on spot).

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


SHORT_HELD = ("Not placed: you hold a short of 0.00848 BTC in BTC/USDT: /cover BTC/USDT AMOUNT (or all) reduces it, "
              "/close BTC/USDT closes it; /buy opens or adds to a long.")
LONG_HELD = ("Not placed: you hold a long of 0.00848 BTC in BTC/USDT: /sell BTC/USDT AMOUNT (or all) reduces it, "
             "/close BTC/USDT closes it; /short opens or adds to a short.")


@pytest.mark.parametrize(("quote", "limit"), [(D(2000), None), (D(500), None), (D(500), D(112000)),
                                              (D(500), D(118000)), (D(2000), D(112000))])
async def test_any_buy_under_a_short_is_refused_with_the_exit_commands_reducing_or_reversing(account, quote, limit):
    await account.portfolio.short("BTC/USDT", D(1000))              # 0.00848 BTC short
    # before: /buy 500 limit 112000 rested without reduce-only as the user's "exit"; after /cover all it filled at
    # 111,900 and opened a 0.00446 BTC long that no gate saw (and the engine's stops were off while it rested)
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.buy("BTC/USDT", quote, limit=limit)
    assert str(refused.value) == SHORT_HELD
    [position] = await account.venue.broker.positions()
    assert (position.side, position.amount) == (PositionSide.SHORT, D("0.00848"))
    assert await account.venue.broker.open_orders() == []


@pytest.mark.parametrize(("quote", "limit"), [(D(2000), None), (D(500), None), (D(500), D(123000))])
async def test_any_short_under_a_long_is_refused_and_the_long_closes_then_the_short_opens(account, quote, limit):
    await account.portfolio.buy("BTC/USDT", D(1000))                # 0.00848 BTC long
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.short("BTC/USDT", quote, limit=limit)
    assert str(refused.value) == LONG_HELD
    assert await account.venue.broker.open_orders() == []
    await account.portfolio.sell("BTC/USDT", Size(SizeKind.ALL))
    await account.portfolio.short("BTC/USDT", D(1000))
    [position] = await account.venue.broker.positions()
    assert (position.side, position.amount) == (PositionSide.SHORT, D("0.00848"))


async def test_a_buy_under_a_short_is_refused_at_the_quote_so_no_card_is_shown(account):
    tickets = Tickets(account.portfolio, account.engine, await account.portfolio.markets())
    await account.portfolio.short("BTC/USDT", D(1000))
    with pytest.raises(InvalidInput, match="^Not placed: you hold a short"):
        await tickets.quote(ManualOrder(OrderKind.BUY, "BTC/USDT", D(500)))
    [opening] = (await tickets.quote(ManualOrder(OrderKind.SHORT, "BTC/USDT", D(500)))).legs
    assert opening.stop is not None and opening.risk > 0


@pytest.mark.parametrize("limit", ["1", "111983.93", "123771.73", "1000000"])
async def test_a_limit_outside_the_band_around_the_last_price_is_refused_with_the_band(account, limit):
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.short("BTC/USDT", D(100), limit=D(limit))
    assert str(refused.value) == (f"Limit {D(limit):,f} is too far from the last price 117,877.83 of BTC/USDT: the "
                                  "exchange takes limits from 111,983.94 to 123,771.72 (0.95x to 1.05x of the last "
                                  "price: the bot's default for futures, Binance's usual; the market's own was not "
                                  "loaded). Pick a limit in that band, or leave the limit out to trade at market.")
    assert await account.venue.broker.open_orders() == [] and await account.venue.broker.positions() == []


async def test_a_marketable_short_limit_is_sized_at_the_market_where_it_fills(account):
    # at the edge of the band, under the market: it fills at once at the market, so it is sized there,
    # floor5(1000 / 117,877.83) = 0.00848 BTC, 0.00848 x 117,877.83 = 999.6039984 on the ticket (before: sized at the
    # limit, 1000 / 111,983.94 -> 0.00892 BTC, which took ~1,051 USDT at the fill)
    [leg] = (await account.portfolio.quote(ManualOrder(OrderKind.SHORT, "BTC/USDT", D(1000),
                                                       limit=D("111983.94")))).legs
    assert (leg.amount, leg.price, leg.notional) == (D("0.00848"), D("117877.83"), D("999.6039984"))
    order = await account.portfolio.short("BTC/USDT", D(1000), limit=D("111983.94"))
    assert (order.status, order.filled) == (OrderStatus.FILLED, D("0.00848"))
    assert order.avg_price is not None and order.avg_price > D("111983.94")
    assert order.filled * order.avg_price <= D(1000)


async def test_a_marketable_buy_limit_is_sized_at_the_market_and_a_resting_one_at_its_limit(account):
    # 1000 at a 123,000 limit over the market fills at the market: 0.00848 BTC; a 112,000 limit under it rests
    # and fills at its limit: floor5(1000 / 112,000) = 0.00892 BTC (0.00892 x 112,000 = 999.04)
    [marketable] = (await account.portfolio.quote(ManualOrder(OrderKind.BUY, "BTC/USDT", D(1000),
                                                              limit=D(123000)))).legs
    [resting] = (await account.portfolio.quote(ManualOrder(OrderKind.BUY, "BTC/USDT", D(1000), limit=D(112000)))).legs
    assert (marketable.amount, marketable.price) == (D("0.00848"), D("117877.83"))
    assert (resting.amount, resting.price, resting.notional) == (D("0.00892"), D(112000), D("999.04000"))


async def test_a_resting_limit_at_the_band_edge_is_taken(account):
    # 100 / 123,771.72 = 0.000807.. -> 0.00080 BTC resting above the market
    order = await account.portfolio.short("BTC/USDT", D(100), limit=D("123771.72"))
    assert (order.status, order.amount, order.price) == (OrderStatus.OPEN, D("0.00080"), D("123771.72"))


async def test_a_ticket_quoted_while_flat_is_refused_when_a_short_opened_before_it_went_out(account):
    # a live card waits for its approval: the position it was quoted against may have changed meanwhile
    tickets = [await account.portfolio.quote(ManualOrder(OrderKind.BUY, "BTC/USDT", quote, limit=D(112000)))
               for quote in (D(2000), D(500))]                      # reversing, and only reducing
    await account.portfolio.short("BTC/USDT", D(1000))               # 0.00848 BTC short
    for ticket in tickets:
        with pytest.raises(InvalidInput) as refused:
            await account.portfolio.execute(ticket)
        assert str(refused.value) == SHORT_HELD
    [position] = await account.venue.broker.positions()
    assert (position.side, position.amount) == (PositionSide.SHORT, D("0.00848"))
    assert await account.venue.broker.open_orders() == []
