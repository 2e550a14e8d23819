"""The live broker on the fake Binance (real ccxt over HTTP): placement, fills, cancel (limit timeouts:
test_limit_timeouts.py)."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_broker import SPOT, LiveRig, live_rig
from trading.adapters.ccxt_broker import LiveOptions
from trading.adapters.clocks import ManualClock
from trading.domain.errors import InvalidOrder
from trading.domain.events import EventKind
from trading.domain.orders import OrderIntent, OrderStatus, OrderType, Side

ORDER = "/api/v3/order"
MINUTE = 60_000


@pytest.fixture
async def rig(fake_binance: FakeExchange, clock: ManualClock) -> AsyncIterator[LiveRig]:
    rig = await live_rig(fake_binance, clock, options=LiveOptions(limit_timeout_ms=5 * MINUTE, max_reprices=1))
    yield rig
    await rig.close()


def buy(amount: str, client_id: str = "ta-buy-1", **kwargs) -> OrderIntent:
    return OrderIntent(SPOT, Side.BUY, amount=Decimal(amount), client_order_id=client_id, **kwargs)


def limit_buy(amount: str, price: str, client_id: str = "ta-limit-1") -> OrderIntent:
    return OrderIntent(SPOT, Side.BUY, OrderType.LIMIT, amount=Decimal(amount), price=Decimal(price),
                       client_order_id=client_id)


async def test_market_buy_is_sent_once_with_the_intents_client_id_and_opens_a_position(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    order = await rig.broker.place(buy("0.01"))

    (sent,) = fake_binance.requests_to(ORDER, "POST")
    ask = fake_binance.account.order("ta-buy-1").avg_price
    (position,) = await rig.broker.positions()
    assert "newClientOrderId=ta-buy-1" in sent.body
    assert (order.status, order.filled, order.avg_price) == (OrderStatus.FILLED, Decimal("0.01"), ask)
    assert order.fee == Decimal("0.01") * ask * Decimal("0.001")        # Binance's spot taker rate, estimated
    assert (position.amount, position.entry_price, position.fees_paid) == (Decimal("0.01"), ask, order.fee)
    assert rig.kinds() == [EventKind.ORDER_PLACED, EventKind.ORDER_FILLED, EventKind.POSITION_OPENED]
    assert rig.checkpoints == 2          # once before the order left, once after


async def test_the_same_intent_placed_twice_returns_the_first_order(rig: LiveRig, fake_binance: FakeExchange) -> None:
    first = await rig.broker.place(buy("0.01"))

    again = await rig.broker.place(buy("0.01"))

    assert again.id == first.id and fake_binance.count(ORDER, "POST") == 1


async def test_quote_amount_is_sized_at_the_last_price_and_rounded_down_to_the_step(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    rig.broker.on_price(SPOT, rig.broker.now_ms(), Decimal("100000"))

    order = await rig.broker.place(OrderIntent(SPOT, Side.BUY, quote_amount=Decimal("123.456789"),
                                               client_order_id="ta-quote"))

    assert order.amount == Decimal("0.00123")          # 0.00123456789 cut at the 0.00001 step


async def test_amount_and_price_are_rounded_to_the_market_before_sending(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    order = await rig.broker.place(limit_buy("0.0123456789", "90000.004999"))

    (sent,) = fake_binance.requests_to(ORDER, "POST")
    assert (order.amount, order.price) == (Decimal("0.01234"), Decimal("90000.00"))
    assert "quantity=0.01234" in sent.body and "price=90000" in sent.body


async def test_an_order_below_the_minimum_value_is_refused_before_it_is_sent(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    with pytest.raises(InvalidOrder, match=r"order value 4\.50 USDT is below the minimum 5(\.0)? USDT"):
        await rig.broker.place(limit_buy("0.00005", "90000"))

    assert fake_binance.count(ORDER, "POST") == 0


async def test_partial_fills_update_the_position_until_the_order_is_filled(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    await rig.broker.place(limit_buy("0.03", "90000"))
    resting = fake_binance.account.order("ta-limit-1")

    fake_binance.account.fill(resting, Decimal("0.01"), Decimal("90000"), clock.now_ms())
    await rig.broker.track()
    partly = (await rig.broker.open_orders())[0]
    (position,) = await rig.broker.positions()
    fake_binance.account.fill(resting, None, Decimal("89990"), clock.now_ms())
    await rig.broker.track()
    (grown,) = await rig.broker.positions()

    assert (partly.status, partly.filled, position.amount) == (OrderStatus.PARTIALLY_FILLED, Decimal("0.01"),
                                                               Decimal("0.01"))
    assert await rig.broker.open_orders() == []
    assert grown.amount == Decimal("0.03")
    # (900 + 0.02 x 89,990) / 0.03 = 89,993.333..., a quotient that never ends: booked at 8 decimals
    assert grown.entry_price == Decimal("89993.33333333")
    fills = [e.data["fill"] for e in rig.events if e.kind is EventKind.ORDER_FILLED]
    assert [(f["amount"], f["price"], f["is_maker"]) for f in fills] == [("0.01", "90000", True),
                                                                         ("0.02", "89990", True)]


async def test_cancel_ends_a_resting_order_with_an_event(rig: LiveRig, fake_binance: FakeExchange) -> None:
    placed = await rig.broker.place(limit_buy("0.01", "90000"))

    cancelled = await rig.broker.cancel(placed.id, SPOT)

    assert cancelled.status is OrderStatus.CANCELLED and fake_binance.account.order("ta-limit-1").status == "CANCELED"
    assert rig.events[-1].kind is EventKind.ORDER_CANCELLED and rig.events[-1].data["why"] == "cancelled on request"
    assert await rig.broker.open_orders() == []


async def test_cancel_of_an_order_that_filled_meanwhile_takes_the_fill_and_says_so(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    placed = await rig.broker.place(limit_buy("0.01", "90000"))
    fake_binance.account.fill(fake_binance.account.order("ta-limit-1"), None, Decimal("90000"), clock.now_ms())

    with pytest.raises(InvalidOrder, match="already filled"):
        await rig.broker.cancel(placed.id, SPOT)

    (position,) = await rig.broker.positions()
    assert position.amount == Decimal("0.01")


async def test_manual_orders_of_two_processes_in_the_same_millisecond_get_different_client_ids(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    other = await live_rig(fake_binance, clock)
    try:
        first = await rig.broker.place(OrderIntent(SPOT, Side.BUY, amount=Decimal("0.01")))
        second = await other.broker.place(OrderIntent(SPOT, Side.BUY, amount=Decimal("0.01")))
    finally:
        await other.close()

    assert first.client_order_id != second.client_order_id
    for order in (first, second):
        assert re.fullmatch(r"ta-m\d{13}-[0-9a-f]{6}-1", order.client_order_id)
        assert len(order.client_order_id) <= 36     # Binance's newClientOrderId limit
    assert fake_binance.count(ORDER, "POST") == 2
