"""Signed requests on the exchange's time: a -1021 re-syncs the clock and the order is sent once more, never twice."""
from __future__ import annotations

from decimal import Decimal
from typing import AsyncIterator
from urllib.parse import parse_qsl

import pytest

from tests.fakes.exchange_api import FakeExchange, RecordedRequest
from tests.fakes.exchange_markets import perp_market, spot_market
from tests.fakes.live_broker import PERP, SPOT, live_rig
from tests.fakes.skewed_machine import EXCHANGE_NOW_MS, measured_feed
from trading.adapters.clocks import ManualClock
from trading.domain.errors import RetryableError
from trading.domain.orders import OrderIntent, OrderStatus, Side

SKEW_MS = 180_000                  # the exchange runs 3 minutes ahead of the machine
DRIFT_MS = 20_000                  # and 20 s more by the time of the order: outside Binance's recvWindow
CLIENT_ID = "ta-clock-1"


@pytest.fixture
def machine() -> ManualClock:
    return ManualClock(EXCHANGE_NOW_MS - SKEW_MS)


@pytest.fixture
async def skewed_binance(machine: ManualClock) -> AsyncIterator[FakeExchange]:
    async with FakeExchange([spot_market("BTC"), perp_market("BTC")], machine, server_offset_ms=SKEW_MS,
                            recv_window_checked=True) as fake:
        yield fake


def params(request: RecordedRequest) -> dict[str, str]:
    return request.query | dict(parse_qsl(request.body))


def buy(futures: bool) -> OrderIntent:
    return OrderIntent(PERP if futures else SPOT, Side.BUY, amount=Decimal("0.01"), client_order_id=CLIENT_ID)


PATHS = {False: ("binance", "/api/v3/order", "/api/v3/time"),
         True: ("binanceusdm", "/fapi/v1/order", "/fapi/v1/time")}


@pytest.mark.parametrize("futures", [False, True], ids=["spot", "usdm"])
async def test_orders_are_stamped_with_the_exchanges_time_not_the_machines(
        skewed_binance: FakeExchange, machine: ManualClock, futures: bool) -> None:
    exchange_id, order_path, _ = PATHS[futures]
    feed, clock = await measured_feed(skewed_binance, machine, exchange_id=exchange_id)
    rig = await live_rig(skewed_binance, clock, futures=futures, resync=clock.sync)

    order = await rig.broker.place(buy(futures))
    await rig.close()
    await feed.close()

    (post,) = skewed_binance.requests_to(order_path, "POST")
    assert order.status is OrderStatus.FILLED
    assert abs(int(params(post)["timestamp"]) - post.now_ms) < 1_000     # the exchange's time, not 3 min behind


@pytest.mark.parametrize("futures", [False, True], ids=["spot", "usdm"])
async def test_an_order_refused_for_its_timestamp_is_sent_once_more_after_a_resync(
        skewed_binance: FakeExchange, machine: ManualClock, futures: bool) -> None:
    exchange_id, order_path, time_path = PATHS[futures]
    feed, clock = await measured_feed(skewed_binance, machine, exchange_id=exchange_id)
    rig = await live_rig(skewed_binance, clock, futures=futures, resync=clock.sync)
    rig.broker.note_leverage(PERP, 5)                    # so that the order is the first signed request
    skewed_binance.server_offset_ms += DRIFT_MS          # the machine's clock slipped since it was measured

    order = await rig.broker.place(buy(futures))
    await rig.close()
    await feed.close()

    posts = skewed_binance.requests_to(order_path, "POST")
    assert [params(p)["newClientOrderId"] for p in posts] == [CLIENT_ID, CLIENT_ID]
    assert post_refused_by_the_window(posts[0])
    assert sum(o.client_id == CLIENT_ID for o in skewed_binance.account.orders) == 1
    assert order.status is OrderStatus.FILLED and rig.waits == []
    assert clock.offset_ms == SKEW_MS + DRIFT_MS and skewed_binance.count(time_path) == 2


def post_refused_by_the_window(post: RecordedRequest) -> bool:
    return post.now_ms - int(params(post)["timestamp"]) >= DRIFT_MS - 1_000


async def test_when_the_resync_fails_nothing_is_sent_blind_and_the_order_goes_once_later(
        skewed_binance: FakeExchange, machine: ManualClock) -> None:
    feed, clock = await measured_feed(skewed_binance, machine)
    rig = await live_rig(skewed_binance, clock, resync=clock.sync)
    skewed_binance.server_offset_ms += DRIFT_MS
    skewed_binance.inject_server_error(count=1_000, path="/api/v3/time")

    with pytest.raises(RetryableError):
        await rig.broker.place(buy(False))
    refused = skewed_binance.count("/api/v3/order", "POST")
    kept = clock.offset_ms
    skewed_binance.faults.clear()
    order = await rig.broker.place(buy(False))           # the journaled intent: looked up first, then sent
    await rig.close()
    await feed.close()

    assert refused == 2 and kept == SKEW_MS                # the last offset is kept while measuring fails
    assert clock.sync_state().failures == 0 and clock.offset_ms == SKEW_MS + DRIFT_MS
    assert order.status is OrderStatus.FILLED
    assert sum(o.client_id == CLIENT_ID for o in skewed_binance.account.orders) == 1
