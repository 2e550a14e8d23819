"""A live futures add never re-levers the open position: leverage is per symbol on the exchange, so setting it for
an add would move the open position's margin and liquidation price while the book kept the old leverage."""
from __future__ import annotations

from decimal import Decimal
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_broker import PERP, LiveRig, live_rig
from trading.adapters.ccxt_broker import LiveOptions
from trading.adapters.clocks import ManualClock
from trading.domain.errors import InvalidOrder
from trading.domain.events import EventKind
from trading.domain.orders import OrderIntent, Side

LEVERAGE = "/fapi/v1/leverage"


def filled_value(rig: LiveRig) -> Decimal:
    """Return the amount x price of every fill the broker told."""
    fills = [e.data["fill"] for e in rig.events if e.kind is EventKind.ORDER_FILLED]
    return sum((Decimal(f["amount"]) * Decimal(f["price"]) for f in fills), Decimal(0))


@pytest.fixture
async def rig(fake_binance: FakeExchange, clock: ManualClock) -> AsyncIterator[LiveRig]:
    rig = await live_rig(fake_binance, clock, futures=True, options=LiveOptions(default_leverage=10))
    await rig.broker.place(OrderIntent(PERP, Side.BUY, amount=Decimal("0.01"), leverage=4, client_order_id="ta-l1"))
    yield rig
    await rig.close()


async def test_an_add_without_a_leverage_keeps_the_open_position_s(rig: LiveRig, fake_binance: FakeExchange) -> None:
    await rig.broker.place(OrderIntent(PERP, Side.BUY, amount=Decimal("0.01"), client_order_id="ta-add"))

    (position,) = await rig.broker.positions()
    assert fake_binance.account.leverage["BTCUSDT"] == 4 and fake_binance.count(LEVERAGE, "POST") == 1
    assert (position.amount, position.leverage) == (Decimal("0.02"), 4)


async def test_an_add_at_another_leverage_is_refused_and_changes_nothing(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    with pytest.raises(InvalidOrder) as refused:
        await rig.broker.place(OrderIntent(PERP, Side.BUY, amount=Decimal("0.01"), leverage=10,
                                           client_order_id="ta-add"))

    (position,) = await rig.broker.positions()
    assert str(refused.value) == ("BTC/USDT:USDT has an open 4x position; an order that adds to it is placed at 4x "
                                  "(close it first to trade at 10x)")
    assert fake_binance.account.leverage["BTCUSDT"] == 4 and fake_binance.count(LEVERAGE, "POST") == 1
    assert (position.amount, position.leverage) == (Decimal("0.01"), 4)
    assert fake_binance.count("/fapi/v1/order", "POST") == 1


async def test_a_stale_leverage_restored_from_the_saved_state_does_not_re_lever_an_add(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    rig.broker.placements.restore({"leverage": {PERP: 10}})      # saved before the exchange was set to 4x

    await rig.broker.place(OrderIntent(PERP, Side.BUY, amount=Decimal("0.01"), client_order_id="ta-add"))

    (position,) = await rig.broker.positions()
    assert fake_binance.account.leverage["BTCUSDT"] == 4 and (position.amount, position.leverage) == (
        Decimal("0.02"), 4)
    assert position.margin == filled_value(rig) / 4      # both parts margined at 4x


async def test_a_new_position_after_a_restart_sets_its_leverage_whatever_the_saved_state_says(
        fake_binance: FakeExchange, clock: ManualClock) -> None:
    rig = await live_rig(fake_binance, clock, futures=True)
    try:
        rig.broker.placements.restore({"leverage": {PERP: 5}})      # saved by the last run
        fake_binance.account.leverage["BTCUSDT"] = 20                # changed in the exchange's app since

        await rig.broker.place(OrderIntent(PERP, Side.BUY, amount=Decimal("0.01"), leverage=5,
                                           client_order_id="ta-new"))

        (position,) = await rig.broker.positions()
        assert fake_binance.account.leverage["BTCUSDT"] == 5 and position.leverage == 5
    finally:
        await rig.close()
