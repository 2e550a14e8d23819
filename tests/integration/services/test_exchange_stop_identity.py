"""Each futures position's exchange legs are its own: a position closed and reopened in the same symbol between
two looks never takes the earlier position's legs (or their client-id stem) for its own.

The squeeze long (tests/integration/services/test_exchange_stops.py): 0.087 BTC with its stop 112,500 and
target 118,000 on the exchange. Ten seconds later it is sold and 0.050 BTC bought again, both on the broker
directly, before the bot's next look at its legs.
"""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import AsyncIterator

import pytest

from tests.fakes.live_futures_loop import PERP, LiveLoopRig, live_loop_around
from tests.fakes.market_stretches import SQUEEZE, long_signal
from tests.fakes.scripted_strategy import ScriptedStrategy
from trading.domain.orders import OrderIntent, Side
from trading.services.event_bus import EventBus
from trading.services.exchange_stops import ExchangeStops

SQUEEZE_LONG = long_signal(SQUEEZE, "113691.10", "112500", "118000", "squeeze", PERP)


@pytest.fixture
async def reopened(tmp_path: Path) -> AsyncIterator[LiveLoopRig]:
    async with live_loop_around(tmp_path, SQUEEZE, [ScriptedStrategy([SQUEEZE_LONG])]) as rig:
        await rig.run_until(SQUEEZE)
        assert [(a.type, a.qty) for a in rig.legs()] == [("STOP_MARKET", D("0.087")),
                                                         ("TAKE_PROFIT_MARKET", D("0.087"))]
        rig.clock.set(SQUEEZE + 10_000)
        broker = rig.venue.broker
        async with broker.lock:
            await broker.submit(OrderIntent(PERP, Side.SELL, amount=D("0.087"), reduce_only=True,
                                            reason="closed by hand"))
            await broker.submit(OrderIntent(PERP, Side.BUY, amount=D("0.050"), leverage=5, reason="opened again"))
        held = broker.book.get(PERP)
        assert held is not None and held.amount == D("0.050") and rig.fake.account.position("BTCUSDT") == D("0.050")
        yield rig


def stem(client_id: str) -> str:
    return client_id.rsplit(".", 1)[0]


async def test_the_reopened_position_gets_legs_of_its_own_and_the_stale_ones_go(reopened: LiveLoopRig) -> None:
    stale = {a.client_id for a in reopened.legs()}

    await ExchangeStops(reopened.venue, reopened.engine, EventBus(reopened.store)).follow(reopened.clock.now_ms())

    # the guard's levels, for the 0.050 held now, under a stem of this position's own
    legs = reopened.legs()
    assert [(a.type, a.trigger_price, a.qty) for a in legs] == [("STOP_MARKET", D("112500"), D("0.050")),
                                                                ("TAKE_PROFIT_MARKET", D("118000"), D("0.050"))]
    assert {stem(a.client_id) for a in legs}.isdisjoint({stem(i) for i in stale})
    assert {a.client_id for a in reopened.legs("CANCELED")} == stale


async def test_the_venue_s_look_cancels_the_closed_position_s_legs_though_the_symbol_is_held_again(
        reopened: LiveLoopRig) -> None:
    stale = {a.client_id for a in reopened.legs()}

    await reopened.venue.track()

    assert {a.client_id for a in reopened.legs("CANCELED")} == stale and reopened.legs() == []
    assert reopened.venue.broker.protection.get(PERP) is None
