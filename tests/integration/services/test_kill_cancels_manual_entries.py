"""/kill and /kill flat cancel every resting entry order of the bot, the user's manual limits included (they could
fill under the switch: on a live account, on the exchange), and say which; the user's exits and orders the bot did
not place stay. Real BTC/USDT 1m bars of the 2025-08-14 sell-off (see test_trading_loop)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.fakes.loop_rig import build_rig
from tests.fakes.market_stretches import PERP, SELL_OFF, minutes_around
from tests.integration.services.test_paper_futures import JULY_22_0759, futures_account
from trading.domain.candles import MINUTE_MS
from trading.domain.events import EventKind
from trading.domain.orders import OrderIntent, OrderType, Side


@pytest.mark.parametrize("flat", [False, True])
async def test_kill_cancels_a_manual_resting_entry_limit_and_names_it(tmp_path, flat):
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), PERP, SELL_OFF - 2 * MINUTE_MS, [], futures=True)
    await rig.run_until(SELL_OFF)
    # a /buy limit resting far under the market (a manual order's client id), and one the bot did not place
    entry = await rig.broker.place(OrderIntent(PERP, Side.BUY, OrderType.LIMIT, amount=D("0.00100"),
                                               price=D("100000"), client_order_id="manual-0123456789abcdef"))
    foreign = await rig.broker.place(OrderIntent(PERP, Side.BUY, OrderType.LIMIT, amount=D("0.00100"),
                                                 price=D("100000"), client_order_id="web-1"))
    assert await rig.loop.kill(flat, "chat:1", "/kill" + " flat" * flat)
    # before: the manual limit stayed open under the switch (only the engine's pending entries were cancelled)
    assert [o.id for o in await rig.broker.open_orders()] == [foreign.id]
    assert rig.notified(EventKind.KILL_SWITCH)[1:] == [
        f"Kill switch cancelled 1 open entry order: buy 0.00100 {PERP} limit 100,000.00 (id {entry.id})."]
    await rig.close()


async def test_a_manual_limit_that_would_fill_while_entries_are_refused_is_cancelled_at_its_fill(tmp_path):
    # the paper venue asks the entry gate again when a resting entry fills, the user's as the engine's
    a = await futures_account(tmp_path, JULY_22_0759)
    order = await a.portfolio.buy("BTC/USDT", D(500), limit=D(112000))     # rests under the 117,877.83 market
    a.engine.kill(False, "chat:1", "/kill", JULY_22_0759)     # the engine's switch alone: the order stays open
    await a.venue.trade_at("BTC/USDT", D(111900))
    ended = await a.venue.broker.find_by_client_id(order.client_order_id, "BTC/USDT")
    assert ended is not None and (ended.status.is_final, ended.filled) == (True, 0)
    assert await a.venue.broker.positions() == []
    await a.store.close()
