"""Manual tickets quote the stop, target and risk an entry gets, from the engine's settings at the time."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from tests.fakes.paper_account import paper_account
from trading.domain.manual_orders import ManualOrder, OrderKind
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
