"""Limit orders past LIMIT_ORDER_TIMEOUT_MINUTES on the fake Binance (real ccxt over HTTP): only the engine's time
out. Its exits are re-priced at the best price (reducing is always allowed), its entries are cancelled and never
re-placed (a new order opening a position must pass the entry gate), and the user's own limits rest until they fill
or the user cancels them, as on the exchange."""
from __future__ import annotations

from decimal import Decimal
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_broker import SPOT, LiveRig, live_rig
from trading.adapters.ccxt_broker import LiveOptions
from trading.adapters.clocks import ManualClock
from trading.adapters.order_tracking import LimitTimeout
from trading.domain.client_ids import approval_client_id, entry_client_id, exit_client_id
from trading.domain.events import EventKind
from trading.domain.orders import OrderIntent, OrderType, Side

ORDER = "/api/v3/order"
MINUTE = 60_000
ENTRY = entry_client_id("scripted:setup-1")           # the engine's own entry (and its position's key)
PARTLY = entry_client_id("scripted:setup-2")          # another entry of the engine's, partly filled
EXIT = exit_client_id(ENTRY, 1)                       # that position's first exit
MANUAL = "manual-0123456789abcdef"                    # a /buy ... limit sent with no card (order_placement.py)
APPROVED = approval_client_id("approval-7", 0)        # a /buy ... limit approved on a card with a code


@pytest.fixture
async def rig(fake_binance: FakeExchange, clock: ManualClock) -> AsyncIterator[LiveRig]:
    fake_binance.board.markets[0].half_spread_ticks = 100_000      # bid and ask 1,000 off the last: no fills
    rig = await live_rig(fake_binance, clock, options=LiveOptions(limit_timeout_ms=5 * MINUTE, max_reprices=1))
    yield rig
    await rig.close()


def limit(side: Side, amount: str, price: str, client_id: str) -> OrderIntent:
    return OrderIntent(SPOT, side, OrderType.LIMIT, amount=Decimal(amount), price=Decimal(price),
                       client_order_id=client_id)


async def test_the_user_s_limits_rest_past_the_timeout_while_the_engine_s_exit_is_repriced(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    await rig.broker.place(OrderIntent(SPOT, Side.BUY, amount=Decimal("0.02"), client_order_id=ENTRY))
    await rig.broker.place(limit(Side.BUY, "0.001", "60000", MANUAL))       # a deep bid, 47,000 under the market
    await rig.broker.place(limit(Side.BUY, "0.002", "61000", APPROVED))
    await rig.broker.place(limit(Side.SELL, "0.02", "150000", EXIT))
    fake_binance.account.fill(fake_binance.account.order(EXIT), Decimal("0.005"), Decimal("150000"), clock.now_ms())

    clock.advance(5 * MINUTE)
    await rig.broker.track()
    ask = fake_binance.board.markets[0].top_of_book(clock.now_ms())[1]
    clock.advance(60 * MINUTE)
    await rig.broker.track()

    # before: both were cancelled after 5 min and bid again at the market for their whole amount
    for client_id, price in ((MANUAL, Decimal("60000")), (APPROVED, Decimal("61000"))):
        resting = fake_binance.account.order(client_id)
        assert (resting.status, resting.price, resting.executed) == ("NEW", price, 0), client_id
    assert sorted(o.client_order_id for o in await rig.broker.open_orders()) == sorted([MANUAL, APPROVED])
    # the exit: the 0.015 left re-placed once at the best ask, that one cancelled at its own timeout
    repriced = fake_binance.account.order(f"{EXIT}.r1")
    assert (repriced.side, repriced.qty, repriced.price, repriced.status) == ("SELL", Decimal("0.015"), ask,
                                                                             "CANCELED")
    assert fake_binance.account.order(EXIT).status == "CANCELED"
    assert fake_binance.count(ORDER, "POST") == 5 and len(fake_binance.requests_to(ORDER, "DELETE")) == 2
    whys = [(e.data["client_order_id"], e.data["why"]) for e in rig.events if e.kind is EventKind.ORDER_CANCELLED]
    assert whys == [(EXIT, "not filled within 5 min; re-pricing"), (f"{EXIT}.r1", "not filled within 5 min")]


async def test_the_engine_s_entry_limit_is_cancelled_at_the_timeout_and_never_placed_again(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    await rig.broker.place(limit(Side.BUY, "0.02", "90000", ENTRY))
    await rig.broker.place(limit(Side.BUY, "0.02", "89000", PARTLY))
    fake_binance.account.fill(fake_binance.account.order(PARTLY), Decimal("0.005"), Decimal("89000"), clock.now_ms())

    clock.advance(5 * MINUTE)
    await rig.broker.track()
    clock.advance(60 * MINUTE)
    await rig.broker.track()

    # before: it was bid again at the market as ENTRY.r1, a new entry no gate was asked about
    assert fake_binance.account.order(ENTRY).status == "CANCELED" and fake_binance.count(ORDER, "POST") == 2
    whys = [e.data["why"] for e in rig.events if e.kind is EventKind.ORDER_CANCELLED]
    assert whys == ["not filled within 5 min"]
    # the rest of a partly filled one is PositionSync's to cancel, which tells what stays open (before: cancelled
    # here, untold; tests/integration/services/test_live_entry_timeout.py)
    assert [o.client_order_id for o in await rig.broker.open_orders()] == [PARTLY]
    assert fake_binance.account.order(PARTLY).status == "PARTIALLY_FILLED"


async def test_with_the_cancel_rule_the_engine_s_timed_out_exit_is_only_cancelled(
        fake_binance: FakeExchange, clock: ManualClock) -> None:
    fake_binance.board.markets[0].half_spread_ticks = 100_000
    rig = await live_rig(fake_binance, clock, options=LiveOptions(limit_timeout_ms=MINUTE,
                                                                  on_limit_timeout=LimitTimeout.CANCEL))
    await rig.broker.place(OrderIntent(SPOT, Side.BUY, amount=Decimal("0.01"), client_order_id=ENTRY))
    await rig.broker.place(limit(Side.SELL, "0.01", "150000", EXIT))
    clock.advance(30_000)
    await rig.broker.track()
    still_open = len(await rig.broker.open_orders())

    clock.advance(30_000)
    await rig.broker.track()

    assert still_open == 1 and await rig.broker.open_orders() == []
    assert fake_binance.account.order(EXIT).status == "CANCELED" and fake_binance.count(ORDER, "POST") == 2
    await rig.close()
