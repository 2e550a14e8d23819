"""A trailing stop's exchange leg is replaced only when the move is worth two requests, at most once per interval
per position, except a move to break-even or one with the price near the stop, which go out at once.

The squeeze long (tests/integration/services/test_exchange_stops.py): 0.087 BTC bought near 113,691, stop 112,500
and target 118,000 placed at 21:16. 1R = 1,191.60 (the test of the trail there): a worthwhile step is 0.1R =
119.16, near is 0.25R = 297.90; the 0.10 tick makes the 5-tick floor 0.50. The guard's trailing stop is set by
hand, as the engine sets it on a tick, and the exchange stops follow at chosen moments of the manual clock.
EXCHANGE_STOPS=off (the last tests) leaves the stops to the bot alone.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_futures_loop import PERP, LiveLoopRig, live_loop_around, perp_minutes, start_live_loop
from tests.fakes.market_stretches import SQUEEZE, long_signal, minutes_around
from tests.fakes.scripted_strategy import ScriptedStrategy
from trading.adapters.clocks import ManualClock
from trading.bootstrap import exchange_stops as wired_stops
from trading.domain.candles import MINUTE_MS
from trading.risk.protective_stops import break_even_price
from trading.services.event_bus import EventBus
from trading.services.exchange_stops import ExchangeStops, withdraw_exchange_stops
from trading.settings import load_settings

ALGO = "/fapi/v1/algoOrder"
SQUEEZE_LONG = long_signal(SQUEEZE, "113691.10", "112500", "118000", "squeeze", PERP)


@pytest.fixture
async def held(tmp_path: Path) -> AsyncIterator[LiveLoopRig]:
    async with live_loop_around(tmp_path, SQUEEZE, [ScriptedStrategy([SQUEEZE_LONG])]) as rig:
        await rig.run_until(SQUEEZE)
        rig.fake.requests.clear()
        yield rig


def exchange_stops(rig: LiveLoopRig) -> ExchangeStops:
    """Return exchange stops of their own on the rig's venue (none of its placements known yet)."""
    return ExchangeStops(rig.venue, rig.engine, EventBus(rig.store))


async def trail_to(rig: LiveLoopRig, stops: ExchangeStops, at_ms: int, trail: str, price: str) -> list[D]:
    """Set the guard's trailing stop and the price at at_ms, let the exchange stops follow; return the stop
    levels sent since the last call."""
    rig.clock.set(at_ms)
    guard = rig.engine.state.positions[PERP]
    rig.engine.state.positions[PERP] = replace(guard, stops=replace(guard.stops, trailing_stop=D(trail)))
    rig.venue.broker.on_price(PERP, at_ms, D(price))
    await stops.follow(at_ms)
    sent = [a.trigger_price for a in rig.fake.account.algo_orders if a.type == "STOP_MARKET"
            and a.status == "NEW"]
    posts = sum(1 for r in rig.fake.requests if r.path == ALGO and r.method == "POST")
    rig.fake.requests.clear()
    return sent if posts else []


async def test_a_trail_replaces_the_exchange_stop_by_worthwhile_steps_at_most_once_per_interval(
        held: LiveLoopRig) -> None:
    stops, t = exchange_stops(held), SQUEEZE + 1_000
    # 112,500 -> 112,600: 100 < 119.16, not worth two requests
    assert await trail_to(held, stops, t, "112600", "114500") == []
    # 112,500 -> 112,650: 150 >= 119.16, nothing placed by these stops yet: sent
    assert await trail_to(held, stops, t, "112650", "114500") == [D("112650.0")]
    # 150 more, but 10 s and 29.999 s after the last placement: the interval (30 s) is not over
    assert await trail_to(held, stops, t + 10_000, "112800", "114600") == []
    assert await trail_to(held, stops, t + 29_999, "112800", "114600") == []
    # 30 s after it: sent
    assert await trail_to(held, stops, t + 30_000, "112800", "114600") == [D("112800.0")]
    # a looser level never goes out, however long after
    assert await trail_to(held, stops, t + 90_000, "112700", "114600") == []
    assert [a.trigger_price for a in held.legs() if a.type == "STOP_MARKET"] == [D("112800.0")]


async def test_a_move_with_the_price_near_the_new_stop_goes_out_at_once(held: LiveLoopRig) -> None:
    stops, t = exchange_stops(held), SQUEEZE + 1_000
    assert await trail_to(held, stops, t, "112650", "114500") == [D("112650.0")]
    # 5 s later the price falls to 113,050: 250 above the new stop 112,800 (<= 297.90): sent at once
    assert await trail_to(held, stops, t + 5_000, "112800", "113050") == [D("112800.0")]
    # near, but 0.3 (3 ticks) is no move worth sending
    assert await trail_to(held, stops, t + 6_000, "112800.3", "113050") == []


async def test_a_move_to_break_even_goes_out_at_once(held: LiveLoopRig) -> None:
    # at 21:18 the fake's price is 114,946.01, well above break-even
    stops, t = exchange_stops(held), SQUEEZE + 2 * MINUTE_MS
    assert await trail_to(held, stops, t, "112650", "114946.01") == [D("112650.0")]
    guard = held.engine.state.positions[PERP]
    level = break_even_price(guard.stops)
    held.engine.state.positions[PERP] = replace(guard, stops=replace(guard.stops, stop=level, at_break_even=True))
    # 1 s later, the price 1,117.71 from it (not near): the stop at break-even goes out all the same
    assert await trail_to(held, stops, t + 1_000, "112650", "114946.01") == [level]
    assert level == D("113828.3") and level > guard.entry_price


async def test_the_interval_is_exchange_stop_replace_s(held: LiveLoopRig) -> None:
    settings = load_settings(_env_file=None, market_type="futures", exchange_stop_replace_s="5")
    stops, t = wired_stops(settings, held.venue, held.engine, EventBus(held.store)), SQUEEZE + 1_000
    assert stops is not None
    assert await trail_to(held, stops, t, "112650", "114500") == [D("112650.0")]
    assert await trail_to(held, stops, t + 4_999, "112800", "114500") == []
    assert await trail_to(held, stops, t + 5_000, "112800", "114500") == [D("112800.0")]


async def test_with_exchange_stops_off_the_bot_s_own_stops_alone_guard_the_position(tmp_path: Path) -> None:
    # the same long, run to its trailing exit at 21:20 (test_the_bot_s_own_exit_cancels_the_legs): no leg ever
    settings = load_settings(_env_file=None, market_type="futures", exchange_stops="off")
    async with live_loop_around(tmp_path, SQUEEZE, [ScriptedStrategy([SQUEEZE_LONG])],
                                stops_from=lambda venue, engine, events: wired_stops(settings, venue, engine,
                                                                                     events)) as rig:
        await rig.run_until(SQUEEZE + 5 * MINUTE_MS)

        assert rig.fake.account.algo_orders == [] and rig.fake.account.position("BTCUSDT") == 0
        assert rig.notified("EXIT long BTC/USDT:USDT [scripted]: trailing stop")


async def test_a_restart_with_exchange_stops_off_cancels_the_legs_left_and_places_none(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, market_type="futures", exchange_stops="off")
    candles = minutes_around(SQUEEZE)
    clock = ManualClock(SQUEEZE - 5 * MINUTE_MS)
    async with FakeExchange([perp_minutes(candles)], clock) as fake:
        first = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([SQUEEZE_LONG])])
        await first.run_until(SQUEEZE)
        left = [a.client_id for a in first.legs()]
        await first.close()
        again = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([SQUEEZE_LONG])],
                                      stops_from=lambda venue, engine, events: wired_stops(settings, venue, engine,
                                                                                           events))

        told = await withdraw_exchange_stops(again.venue)
        await again.venue.track()
        await again.run_until(SQUEEZE + 5 * MINUTE_MS)

        assert len(left) == 2 and [a.client_id for a in again.legs("CANCELED")] == left
        assert len(fake.account.algo_orders) == 2 and again.legs() == []
        assert told == ("Exchange stops are off (EXCHANGE_STOPS=off): the stops and targets left on the exchange "
                        "for BTC/USDT:USDT were cancelled; the bot's own stops guard the positions while it runs.")
        assert fake.account.position("BTCUSDT") == 0
        assert again.notified("EXIT long BTC/USDT:USDT [scripted]: trailing stop")
        await again.close()
