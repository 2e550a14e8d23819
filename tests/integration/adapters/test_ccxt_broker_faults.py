"""The live broker under injected faults: a retry never places an order twice; errors classified by code."""
from __future__ import annotations

from decimal import Decimal
from typing import AsyncIterator

import ccxt
import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_broker import PERP, SPOT, LiveRig, live_rig, signed_options
from trading.adapters.ccxt_client import create_exchange
from trading.adapters.clocks import ManualClock
from trading.adapters.order_errors import DuplicateClientOrderId, translate_order_error
from trading.domain.errors import (AuthenticationFailed, InsufficientFunds, InvalidOrder, OrderNotFound,
                                   RequestTimedOut, VenueUnavailable)
from trading.domain.events import EventKind
from trading.domain.orders import OrderIntent, OrderStatus, OrderType, Side

ORDER = "/api/v3/order"
FUTURES_ORDER = "/fapi/v1/order"


@pytest.fixture
async def rig(fake_binance: FakeExchange, clock: ManualClock) -> AsyncIterator[LiveRig]:
    rig = await live_rig(fake_binance, clock)
    yield rig
    await rig.close()


def buy(client_id: str = "ta-buy-1", symbol: str = SPOT, amount: str = "0.01", **kwargs) -> OrderIntent:
    return OrderIntent(symbol, Side.BUY, amount=Decimal(amount), client_order_id=client_id, **kwargs)


def orders_with(fake: FakeExchange, client_id: str) -> int:
    return sum(o.client_id == client_id for o in fake.account.orders)


async def test_a_5xx_is_retried_after_one_second_and_a_look_up(rig: LiveRig, fake_binance: FakeExchange) -> None:
    fake_binance.inject_server_error(path=ORDER, method="POST")

    order = await rig.broker.place(buy())

    assert order.status is OrderStatus.FILLED and rig.waits == [1.0]
    assert [r.method for r in fake_binance.requests if r.path == ORDER] == ["POST", "GET", "POST"]
    assert orders_with(fake_binance, "ta-buy-1") == 1


async def test_a_429_waits_for_retry_after_when_it_is_longer(rig: LiveRig, fake_binance: FakeExchange) -> None:
    fake_binance.inject_rate_limit(retry_after_s=3, path=ORDER, method="POST")

    await rig.broker.place(buy())

    assert rig.waits == [3.0] and orders_with(fake_binance, "ta-buy-1") == 1


async def test_a_timeout_after_the_order_reached_the_exchange_finds_it_and_sends_nothing_more(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    fake_binance.inject_lost_response(seconds=1.0, path=ORDER, method="POST")

    order = await rig.broker.place(buy())

    assert fake_binance.count(ORDER, "POST") == 1 and orders_with(fake_binance, "ta-buy-1") == 1
    assert order.client_order_id == "ta-buy-1" and order.status is OrderStatus.FILLED
    (position,) = await rig.broker.positions()
    assert position.amount == Decimal("0.01")


async def test_after_the_last_retry_the_error_is_raised_with_an_order_failed_event(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    fake_binance.inject_server_error(count=4, path=ORDER, status=502, method="POST")

    with pytest.raises(VenueUnavailable):
        await rig.broker.place(buy())

    assert rig.waits == [1.0, 2.0, 5.0] and fake_binance.count(ORDER, "POST") == 4
    assert fake_binance.count(ORDER, "GET") == 3           # a look-up before each retry
    failed = rig.events[-1]
    assert failed.kind is EventKind.ORDER_FAILED and "no answer after 4 tries" in failed.message
    # it may have reached the exchange: the alert never calls it refused, so nobody places it again
    assert "MAY have reached the exchange" in failed.message and "rejected" not in failed.message
    assert fake_binance.account.orders == []


async def test_a_placement_of_unknown_outcome_is_looked_up_before_the_intent_is_sent_again(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    fake_binance.inject_lost_response(seconds=1.0, count=1, path=ORDER, method="POST")
    fake_binance.inject_server_error(count=10, path=ORDER, status=503)   # every look-up fails too
    with pytest.raises(VenueUnavailable, match="cannot tell whether order ta-buy-1 reached"):
        await rig.broker.place(buy())
    fake_binance.faults.clear()

    again = await rig.broker.place(buy())

    assert orders_with(fake_binance, "ta-buy-1") == 1 and again.status is OrderStatus.FILLED
    assert fake_binance.count(ORDER, "POST") == 1


async def test_an_open_order_with_the_same_client_id_is_adopted_not_duplicated(
        rig: LiveRig, fake_binance: FakeExchange) -> None:
    outside = create_exchange("binance", signed_options(fake_binance))
    await outside.create_order(SPOT, "limit", "buy", 0.01, 90_000, {"clientOrderId": "ta-limit-9"})
    await outside.close()

    order = await rig.broker.place(OrderIntent(SPOT, Side.BUY, OrderType.LIMIT, amount=Decimal("0.01"),
                                               price=Decimal("90000"), client_order_id="ta-limit-9"))

    assert orders_with(fake_binance, "ta-limit-9") == 1 and order.status is OrderStatus.OPEN
    assert rig.kinds() == [EventKind.ORDER_PLACED]


async def test_a_key_the_exchange_refuses_is_not_retried(rig: LiveRig, fake_binance: FakeExchange) -> None:
    fake_binance.inject_auth_error(code=-2015, path=ORDER)

    with pytest.raises(AuthenticationFailed):
        await rig.broker.place(buy())

    assert rig.waits == [] and rig.events[-1].kind is EventKind.ORDER_FAILED


async def test_insufficient_spot_balance_is_refused_without_retry(rig: LiveRig, fake_binance: FakeExchange) -> None:
    fake_binance.account.enforce_spot_balances = True

    with pytest.raises(InsufficientFunds, match="insufficient balance"):
        await rig.broker.place(OrderIntent(SPOT, Side.SELL, amount=Decimal("0.01"), client_order_id="ta-sell"))

    assert rig.waits == []


async def test_futures_margin_and_reduce_only_refusals_are_classified_by_their_code(
        fake_binance: FakeExchange, clock: ManualClock) -> None:
    rig = await live_rig(fake_binance, clock, futures=True)

    with pytest.raises(InsufficientFunds, match="-2019"):       # ccxt files it as a retryable OperationFailed
        await rig.broker.place(buy("ta-big", PERP, amount="5", leverage=2))
    with pytest.raises(InvalidOrder, match="-2022"):
        await rig.broker.place(OrderIntent(PERP, Side.SELL, amount=Decimal("0.01"), reduce_only=True,
                                           client_order_id="ta-exit"))

    assert rig.waits == [] and fake_binance.account.leverage["BTCUSDT"] == 2
    await rig.close()


@pytest.mark.parametrize("exchange_id", ["binanceusdm", "binance"])
async def test_futures_errors_from_a_test_server_carry_binances_code(
        fake_binance: FakeExchange, exchange_id: str) -> None:
    raw = create_exchange(exchange_id, signed_options(fake_binance))
    await raw.create_order(PERP, "limit", "buy", 0.01, 90_000, {"clientOrderId": "ta-dup"})
    caught = []
    for args in ((PERP, "limit", "buy", 0.01, 90_000, {"clientOrderId": "ta-dup"}),   # -4116
                 (PERP, "limit", "buy", 0.001, 90_000),                                 # -4164 below 100 USDT
                 (PERP, "market", "buy", 50, None)):                                    # -2019
        with pytest.raises(ccxt.ExchangeError) as info:
            await raw.create_order(*args)
        caught.append(translate_order_error(info.value))
    await raw.close()

    assert [type(e) for e in caught] == [DuplicateClientOrderId, InvalidOrder, InsufficientFunds]
    assert [str(e)[-12:] for e in caught] == ["(code -4116)", "(code -4164)", "(code -2019)"]


async def test_spot_cancel_of_an_unknown_order_and_a_late_key_ban_are_classified(
        fake_binance: FakeExchange) -> None:
    raw = create_exchange("binance", signed_options(fake_binance))
    await raw.fetch_balance()                        # one success: ccxt now raises -2015 as DDoSProtection
    placed = await raw.create_order(SPOT, "limit", "buy", 0.01, 90_000)
    await raw.cancel_order(placed["id"], SPOT)
    with pytest.raises(ccxt.BaseError) as unknown:
        await raw.cancel_order(placed["id"], SPOT)
    fake_binance.inject_auth_error(code=-2015)
    with pytest.raises(ccxt.DDoSProtection) as banned:
        await raw.fetch_balance()
    await raw.close()

    assert isinstance(translate_order_error(unknown.value), OrderNotFound)
    assert isinstance(translate_order_error(banned.value), AuthenticationFailed)


async def test_a_hung_request_is_a_timeout_not_a_rejection(fake_binance: FakeExchange, clock: ManualClock) -> None:
    rig = await live_rig(fake_binance, clock, timeout_ms=100)
    fake_binance.inject_hang(seconds=1.0, count=3, path="/api/v3/ticker")

    with pytest.raises(RequestTimedOut):
        await rig.broker.account.last_price(SPOT)

    assert fake_binance.count("/api/v3/ticker/24hr") == 3 and len(rig.waits) == 2
    await rig.close()
