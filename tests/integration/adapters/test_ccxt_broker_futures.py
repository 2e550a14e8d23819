"""The live broker on USDT-M futures: leverage, positions, stops and targets on the exchange as an emulated OCO."""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_algo_orders import trigger
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_broker import PERP, LiveRig, live_rig
from trading.adapters.clocks import ManualClock
from trading.domain.errors import InvalidOrder
from trading.domain.events import EventKind
from trading.domain.orders import OrderIntent, OrderStatus, OrderType, Side
from trading.domain.positions import PositionSide

ALGO = "/fapi/v1/algoOrder"
ONE = Decimal(1)


@pytest.fixture(params=["binanceusdm", "binance"])
async def rig(request: pytest.FixtureRequest, fake_binance: FakeExchange, clock: ManualClock) -> AsyncIterator[LiveRig]:
    rig = await live_rig(fake_binance, clock, futures=True, exchange_id=request.param)
    yield rig
    await rig.close()


async def open_long(rig: LiveRig, amount: str = "0.01", leverage: int = 5):
    await rig.broker.place(OrderIntent(PERP, Side.BUY, amount=Decimal(amount), leverage=leverage,
                                       client_order_id="ta-long-1"))
    return (await rig.broker.positions())[0]


async def test_a_futures_entry_sets_the_leverage_and_margins_the_position_by_it(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    position = await open_long(rig, leverage=4)

    assert fake_binance.account.leverage["BTCUSDT"] == 4
    assert (position.side, position.amount, position.leverage) == (PositionSide.LONG, Decimal("0.01"), 4)
    assert position.margin == Decimal("0.01") * position.entry_price / 4
    assert position.fees_paid == Decimal("0.01") * position.entry_price * Decimal("0.0005")   # USDT-M taker


async def test_a_short_bigger_than_the_long_reverses_it(rig: LiveRig, fake_binance: FakeExchange) -> None:
    await open_long(rig)

    await rig.broker.place(OrderIntent(PERP, Side.SELL, amount=Decimal("0.03"), client_order_id="ta-flip"))

    (position,) = await rig.broker.positions()
    assert (position.side, position.amount) == (PositionSide.SHORT, Decimal("0.02"))
    assert rig.kinds()[-2:] == [EventKind.POSITION_CLOSED, EventKind.POSITION_OPENED]


async def test_protection_places_reduce_only_stop_and_take_profit_on_the_algo_endpoint(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    position = await open_long(rig)

    protection = await rig.broker.protect(PERP, position.entry_price * Decimal("0.9"),
                                          position.entry_price * Decimal("1.1"))

    stop, target = fake_binance.account.algo_orders
    assert (stop.type, stop.side, stop.qty, stop.reduce_only) == ("STOP_MARKET", "SELL", Decimal("0.01"), True)
    assert (target.type, target.trigger_price) == ("TAKE_PROFIT_MARKET", protection.take_profit)
    assert protection.stop_price == (position.entry_price * Decimal("0.9") / Decimal("0.1")).to_integral_value(
        ROUND_CEILING) * Decimal("0.1")                           # a long's stop up to the 0.10 tick: never looser
    assert fake_binance.count(ALGO, "POST") == 2 and fake_binance.count("/fapi/v1/order", "POST") == 1
    (booked,) = await rig.broker.positions()
    assert (booked.stop_price, booked.take_profit) == (protection.stop_price, protection.take_profit)


async def test_when_the_stop_fills_the_take_profit_is_cancelled(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    position = await open_long(rig)
    protection = await rig.broker.protect(PERP, position.entry_price - 1000, position.entry_price + 1000)

    trigger(fake_binance.account, fake_binance.account.algo_orders[0].client_id, clock.now_ms())
    await rig.broker.track()

    assert await rig.broker.positions() == []
    assert [a.status for a in fake_binance.account.algo_orders] == ["FINISHED", "CANCELED"]
    stop = rig.broker.orders.get(protection.stop_order_id)
    assert (stop.status, stop.filled, stop.avg_price) == (OrderStatus.FILLED, Decimal("0.01"),
                                                          protection.stop_price)
    closed = next(e for e in rig.events if e.kind is EventKind.POSITION_CLOSED)
    assert Decimal(closed.data["realized_now"]) == (protection.stop_price - position.entry_price) * Decimal("0.01")
    assert rig.events[-1].kind is EventKind.ORDER_CANCELLED and "one cancels the other" in rig.events[-1].data["why"]


async def test_a_leg_cancelled_outside_the_bot_is_armed_again(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    position = await open_long(rig)
    await rig.broker.protect(PERP, position.entry_price - 1000, position.entry_price + 1000)
    fake_binance.account.algo_orders[1].status = "CANCELED"

    await rig.broker.track()

    working = sorted((a.client_id[-4:], a.status) for a in fake_binance.account.algo_orders if a.status == "NEW")
    assert working == [(".sl1", "NEW"), (".tp2", "NEW")]       # the stop in place stays; the target is placed again


async def test_protection_needs_an_open_position(rig: LiveRig) -> None:
    with pytest.raises(InvalidOrder, match="no open position"):
        await rig.broker.protect(PERP, Decimal("90000"), None)


async def test_a_stop_that_would_trigger_at_once_is_refused_by_its_code(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    position = await open_long(rig)

    with pytest.raises(InvalidOrder, match="-2021"):
        await rig.broker.place(OrderIntent(PERP, Side.SELL, OrderType.STOP_MARKET, amount=Decimal("0.01"),
                                           stop_price=position.entry_price + 1000, reduce_only=True,
                                           client_order_id="ta-bad-stop"))


async def test_a_long_stop_and_target_go_up_to_the_tick_a_short_s_down(rig: LiveRig, fake_binance: FakeExchange
                                                                        ) -> None:
    # on the 0.10 tick a long's stop 0.01 past a whole price goes up to 0.10 past it, never down (a break-even
    # stop rounded toward the entry nets below zero after fees), and its target up too (never a nearer target)
    position = await open_long(rig)
    below, above = (position.entry_price - 500).quantize(ONE), (position.entry_price + 500).quantize(ONE)

    protection = await rig.broker.protect(PERP, below + Decimal("0.01"), above + Decimal("0.01"))

    assert (protection.stop_price, protection.take_profit) == (below + Decimal("0.1"), above + Decimal("0.1"))
    assert [a.trigger_price for a in fake_binance.account.algo_orders] == [below + Decimal("0.1"),
                                                                            above + Decimal("0.1")]
    await rig.broker.place(OrderIntent(PERP, Side.SELL, amount=Decimal("0.02"), client_order_id="ta-flip-short"))
    protection = await rig.broker.protect(PERP, above - Decimal("0.01"), below - Decimal("0.01"))
    assert (protection.stop_price, protection.take_profit) == (above - Decimal("0.1"), below - Decimal("0.1"))


async def test_a_stop_rounded_up_onto_the_price_is_refused_and_the_legs_in_place_stay(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    # the price on the tick: a stop 0.01 under it goes up onto the 0.10 tick at the price itself, where a sell
    # stop would trigger at once; the pair armed before stays on the exchange, the bot's own stop acts instead
    position = await open_long(rig)
    price = position.entry_price.quantize(Decimal("0.1"))
    before = await rig.broker.protect(PERP, price - 1000, price + 1000)
    rig.broker.on_price(PERP, rig.broker.now_ms(), price)

    with pytest.raises(InvalidOrder, match="at or past the price .*legs in place were left"):
        await rig.broker.protect(PERP, price - Decimal("0.01"), price + 1000)

    assert [a.status for a in fake_binance.account.algo_orders] == ["NEW", "NEW"]
    assert rig.broker.protection.get(PERP) == before
