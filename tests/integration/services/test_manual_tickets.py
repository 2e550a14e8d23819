"""Manual tickets quote the stop, target and risk an entry gets, from the engine's settings at the time."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from tests.fakes.paper_account import paper_account
from trading.domain.errors import InvalidInput
from trading.domain.manual_orders import ManualOrder, OrderKind, Size, SizeKind
from trading.services.manual_orders import Tickets

# a resting limit buy of 1,000 USDT at 100,000 (BTC/USDT was near 107,000 at noon on 1 July 2025)
RESTING_BUY = ManualOrder(OrderKind.BUY, "BTC/USDT", D(1000), limit=D(100_000))


async def test_a_resting_buy_risks_the_hard_stop_distance_plus_fees_both_ways(tmp_path):
    account = await paper_account(tmp_path)
    tickets = Tickets(account.portfolio, account.engine, await account.market.instruments())

    leg = (await tickets.quote(RESTING_BUY)).legs[0]

    # 0.01 BTC at 100,000; the 10% hard stop at 90,000; the 10% take-profit zone at 110,000; fee 0.1% of 1,000
    assert (leg.amount, leg.fee, leg.stop, leg.target) == (D("0.01"), D(1), D(90_000), D(110_000))
    assert leg.risk == D("0.01") * D(10_000) + 2 * D(1) == D(102)
    await account.close()


async def test_with_the_hard_stop_off_a_ticket_shows_no_stop_and_risks_the_whole_stake(tmp_path):
    account = await paper_account(tmp_path)
    protection = replace(account.engine.settings.protection, hard_stop_pct=None)
    account.engine.settings = replace(account.engine.settings, protection=protection)
    tickets = Tickets(account.portfolio, account.engine, await account.market.instruments())

    leg = (await tickets.quote(RESTING_BUY)).legs[0]

    assert leg.stop is None and leg.target == D(110_000)
    assert leg.risk == D("0.01") * D(100_000) + 2 * D(1) == D(1002)      # spot: nothing stops it before zero
    await account.close()


async def test_an_entry_ticket_holds_the_amount_on_the_step_that_the_exchange_gets(tmp_path):
    account = await paper_account(tmp_path)
    tickets = Tickets(account.portfolio, account.engine, await account.market.instruments())

    leg = (await tickets.quote(ManualOrder(OrderKind.BUY, "BTC/USDT", D(1000), limit=D(99_999)))).legs[0]

    # 1,000 / 99,999 = 0.0100001... BTC -> 0.01000 on the 0.00001 step; the fee on what is bought: 999.99 x 0.1%
    assert (leg.amount, leg.fee, leg.amount_step, leg.price_tick) == (D("0.01"), D("0.99999"), D("0.00001"),
                                                                      D("0.01"))
    await account.close()


async def test_an_exit_ticket_is_on_the_step_and_one_below_the_smallest_order_says_what_to_type(tmp_path):
    account = await paper_account(tmp_path)
    await account.portfolio.buy("BTC/USDT", D(1000))        # 0.00936 BTC held, last price 106,605.80
    tickets = Tickets(account.portfolio, account.engine, await account.market.instruments())

    third = (await tickets.quote(ManualOrder(OrderKind.SELL, "BTC/USDT", size=Size(SizeKind.PERCENT, D("33.3")))))
    with pytest.raises(InvalidInput) as refused:
        await tickets.quote(ManualOrder(OrderKind.SELL, "BTC/USDT", size=Size(SizeKind.PERCENT, D("0.1"))))

    # 0.00936 x 33.3% = 0.00311688 -> 0.00311; 0.1% = 0.00000936 -> 0; the smallest spot order is 5 USDT:
    # 5 / 106,605.8 = 0.0000469 -> 0.00005 up on the step
    assert third.legs[0].amount == D("0.00311")
    assert str(refused.value) == ("0.00000936 BTC rounds to 0.00000 on the 0.00001 step, below the smallest order "
                                  "0.00005 BTC; try /sell BTC/USDT 0.00005 or /sell BTC/USDT all.")
    await account.close()


async def test_a_ticket_s_hard_stop_goes_onto_the_tick_toward_the_entry(tmp_path):
    account = await paper_account(tmp_path)
    tickets = Tickets(account.portfolio, account.engine, await account.market.instruments())

    leg = (await tickets.quote(ManualOrder(OrderKind.BUY, "BTC/USDT", D(1000), limit=D("100000.07")))).legs[0]

    # the 10% hard stop 100,000.07 x 0.9 = 90,000.063 -> 90,000.07 up on the 0.01 tick (the nearest, 90,000.06,
    # would risk more than the ticket says); 1,000 / 100,000.07 -> 0.00999 BTC: 0.00999 x 10,000 plus both fees
    assert leg.stop == D("90000.07") and leg.amount == D("0.00999")
    assert leg.risk == D("0.00999") * D(10_000) + 2 * leg.fee
    await account.close()


async def test_a_close_drawn_for_a_position_since_closed_is_refused_and_one_for_the_open_position_closes_it(tmp_path):
    account = await paper_account(tmp_path)
    await account.portfolio.buy("BTC/USDT", D(1000))        # 0.00936 BTC held
    opened = (await account.venue.broker.positions())[0].opened_ms
    tickets = Tickets(account.portfolio, account.engine, await account.market.instruments())

    with pytest.raises(InvalidInput) as refused:          # a button drawn for a position opened a minute earlier
        await tickets.quote(ManualOrder(OrderKind.CLOSE, "BTC/USDT", opened_ms=opened - 60_000))
    leg = (await tickets.quote(ManualOrder(OrderKind.CLOSE, "BTC/USDT", opened_ms=opened))).legs[0]

    assert str(refused.value).startswith("Not closed: the BTC/USDT position this button was for is closed already. "
                                         "Another BTC/USDT position is open since 1 Jul 12:00 UTC.")
    assert leg.amount == D("0.00936")
    await account.close()
