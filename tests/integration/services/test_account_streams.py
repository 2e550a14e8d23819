"""The live venue's user-data streams on the fake Binance: fills and stop triggers are known within a second.

The real ccxt.pro client subscribes (spot: WebSocket API signature; USDT-M: listenKey) and the fake pushes
executionReport / ORDER_TRADE_UPDATE / ALGO_UPDATE / account updates as its account changes.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from tests.fakes.exchange_algo_orders import trigger
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import perp_market, spot_market
from tests.fakes.live_broker import load_instruments, signed_options
from tests.fakes.stream_rig import FAST, LinkLog, eventually
from trading.adapters.ccxt_broker import LiveOptions
from trading.adapters.ccxt_client import create_exchange
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.orders import OrderIntent, OrderStatus, OrderType, Side
from trading.services.event_bus import EventBus
from trading.services.live_venue import LiveVenue, live_venue
from trading.settings import load_settings

JULY_1_2025_MS = 1_751_328_000_000
SPOT, PERP = "BTC/USDT", "BTC/USDT:USDT"
WITHIN_S = 1.0                       # fills and triggers are known within a second


@pytest.fixture
async def fake() -> AsyncIterator[FakeExchange]:
    async with FakeExchange([spot_market("BTC"), perp_market("BTC")], ManualClock(JULY_1_2025_MS + 30_000)) as fake:
        yield fake


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(tmp_path / "trading.sqlite", ManualClock(1))
    await store.open()
    yield store
    await store.close()


async def streaming_venue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeExchange, store: SqliteStore,
                          market_type: str = "spot") -> tuple[LiveVenue, LinkLog]:
    """Return a restored live venue watching its account streams on the fake, and what it said about them."""
    monkeypatch.chdir(tmp_path)
    options: dict[str, Any] = {**signed_options(fake, 2000), "timeout_on_exit": 0}
    settings = load_settings(trading_mode="live", data_dir=tmp_path, master_key="m", exchange="binance",
                             market_type=market_type, exchange_options=json.dumps(options), market_streams="ws")
    exchange = create_exchange("binance", options)
    instruments = await load_instruments(exchange)
    await exchange.close()
    venue = await live_venue(settings, fake.clock, store, EventBus(store), instruments,
                             options=LiveOptions(placement_delays_s=(0.0, 0.0, 0.0)))
    await venue.restore()
    links = LinkLog()
    venue.stream_account(FAST).supervisor.listen(links)
    await eventually(lambda: fake.streams.user_listeners() == 1 and venue.stream.supervisor.up,  # type: ignore
                     what="the account stream")
    return venue, links


def order_looks(fake: FakeExchange, since: int) -> list[str]:
    """Return the REST look-ups of orders the fake received after request number since."""
    return [r.path for r in fake.requests[since:] if r.path.endswith(("/order", "/openOrders", "/algoOrder"))
            and r.method == "GET"]


async def test_a_spot_fill_reaches_the_broker_over_the_stream_within_a_second(
        tmp_path, monkeypatch, fake: FakeExchange, store: SqliteStore) -> None:
    venue, _ = await streaming_venue(tmp_path, monkeypatch, fake, store)
    try:
        order = await venue.broker.place(OrderIntent(SPOT, Side.BUY, OrderType.LIMIT, amount=Decimal("0.01"),
                                                     price=Decimal("100000"), client_order_id="ta-limit-1"))
        await venue.settle()
        assert order.status is OrderStatus.OPEN
        await eventually(lambda: venue.stream.idle, what="the look that followed the placement")  # type: ignore
        before = len(fake.requests)
        fake.account.fill(fake.account.order("ta-limit-1"), None, Decimal("100000"), fake.clock.now_ms())
        await fake.streams.publish_account()

        await eventually(lambda: venue.broker.orders.get(order.id).status is OrderStatus.FILLED, WITHIN_S,
                         "the fill")
        assert order_looks(fake, before) == []                 # pushed, not looked up
        (position,) = await venue.broker.positions()
        assert (position.amount, position.entry_price) == (Decimal("0.01"), Decimal("100000"))
    finally:
        await venue.close()


async def test_a_protective_stop_triggering_closes_the_position_and_cancels_the_target_within_a_second(
        tmp_path, monkeypatch, fake: FakeExchange, store: SqliteStore) -> None:
    venue, _ = await streaming_venue(tmp_path, monkeypatch, fake, store, market_type="futures")
    try:
        await venue.broker.place(OrderIntent(PERP, Side.BUY, amount=Decimal("0.01"), client_order_id="ta-long"))
        (position,) = await venue.broker.positions()
        await venue.protect(PERP, position.entry_price - 1000, position.entry_price + 1000)
        stop, target = fake.account.algo_orders

        trigger(fake.account, stop.client_id, fake.clock.now_ms())
        await fake.streams.publish_account()

        await eventually(lambda: not venue.broker.book.all() and target.status == "CANCELED", WITHIN_S,
                         "the position closed and its target cancelled")
        assert fake.account.position("BTCUSDT") == 0
    finally:
        await venue.close()


async def test_orders_that_filled_while_the_stream_was_down_are_reconciled_on_its_return(
        tmp_path, monkeypatch, fake: FakeExchange, store: SqliteStore) -> None:
    venue, links = await streaming_venue(tmp_path, monkeypatch, fake, store)
    try:
        order = await venue.broker.place(OrderIntent(SPOT, Side.BUY, OrderType.LIMIT, amount=Decimal("0.01"),
                                                     price=Decimal("100000"), client_order_id="ta-limit-2"))
        fake.streams.refuse(True)
        await fake.streams.drop()
        await eventually(lambda: not venue.stream.supervisor.up, what="the stream down")   # type: ignore
        fake.account.fill(fake.account.order("ta-limit-2"), None, Decimal("100000"), fake.clock.now_ms())
        assert venue.broker.orders.get(order.id).status is OrderStatus.OPEN     # nobody told it yet
        fake.streams.refuse(False)

        await eventually(lambda: venue.broker.orders.get(order.id).status is OrderStatus.FILLED,
                         FAST.max_backoff_s + FAST.heartbeat_s + 2, "the fill found on reconnect")
        await eventually(lambda: links.kinds() == ["down", "up"], what="one down and one up")
    finally:
        await venue.close()
