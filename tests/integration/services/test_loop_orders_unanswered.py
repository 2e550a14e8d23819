"""The loop's own orders whose answer is lost and whose look-up fails too, on the fake Binance over ccxt
(tests/fakes/live_futures_loop.py): the fake takes (or refuses) the order and loses its answer, and the look-ups by
its client id fail (a key refused, at once) through the broker's retries and the sync's own look-up.

An exit of unknown outcome stays in flight: it is told once as unknown (never as failed), found filled later it is
the bot's exit (never "closed outside the bot"), and a definite "no such order" frees the position for a new exit.
An entry of unknown outcome is told as an order that MAY have reached the exchange, and found later its position is
guarded by the plan's stop and target, not the default exits.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from decimal import Decimal as D
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_faults import Fault, FaultKind
from tests.fakes.engine_plans import engine_plan
from tests.fakes.live_futures_loop import (PERP, SPOT, LiveLoopRig, live_loop_around, perp_minutes, spot_minutes,
                                           start_live_loop)
from tests.fakes.proposal_rig import with_proposals
from tests.fakes.market_stretches import SQUEEZE, long_signal, minutes_around
from tests.fakes.scripted_strategy import ScriptedStrategy
from trading.adapters.clocks import ManualClock
from trading.domain.candles import MINUTE_MS
from trading.domain.approvals import TapOutcome
from trading.domain.client_ids import approval_client_id
from trading.domain.errors import VenueUnavailable
from trading.domain.instruments import MarketKind
from trading.domain.manual_orders import Size, SizeKind
from trading.services.entry_gate import EntryGate
from trading.services.notification_policy import ALWAYS_THROUGH_QUIET, category_of
from trading.services.portfolio import PortfolioService

ORDER = "/fapi/v1/order"
SPOT_ORDER = "/api/v3/order"
LOOK_UPS = 4          # one before each of the broker's three retries of the placement, then the sync's own
SQUEEZE_LONG = long_signal(SQUEEZE, "113691.10", "112500", "118000", "squeeze", PERP)
UNKNOWN = f"Exit order for {PERP} ("


@pytest.fixture
async def held(tmp_path: Path) -> AsyncIterator[LiveLoopRig]:
    async with live_loop_around(tmp_path, SQUEEZE, [ScriptedStrategy([SQUEEZE_LONG])]) as rig:
        await rig.run_until(SQUEEZE)          # a long of 0.087 BTC is open on the exchange
        yield rig


@asynccontextmanager
async def restarted_after(tmp_path: Path, before: Callable[[LiveLoopRig], Awaitable[None]]
                          ) -> AsyncIterator[LiveLoopRig]:
    """Run the loop trading SQUEEZE_LONG through before, kill it before any look-up answers, and yield the loop
    started again on the same folder and fake (a restart); closed at the end."""
    candles = minutes_around(SQUEEZE)
    clock = ManualClock(SQUEEZE - 5 * MINUTE_MS)
    async with FakeExchange([perp_minutes(candles)], clock) as fake:
        first = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([SQUEEZE_LONG])])
        await before(first)
        await first.kill()
        again = await start_live_loop(tmp_path, fake, clock, candles, [ScriptedStrategy([SQUEEZE_LONG])])
        try:
            yield again
        finally:
            await again.close()


def answer_lost(rig: LiveLoopRig, taken: bool = True) -> None:
    """Take the next order (or refuse it with a 503: taken=False) and lose its answer; fail the look-ups."""
    if taken:
        rig.fake.inject_lost_response(seconds=0, path=ORDER, method="POST")
    else:
        rig.fake.faults.arm(Fault(FaultKind.SERVER_ERROR, 1, ORDER, method="POST"))
    rig.fake.faults.arm(Fault(FaultKind.AUTH_ERROR, LOOK_UPS, ORDER, method="GET"))


async def test_an_exit_of_unknown_outcome_stays_in_flight_and_found_filled_is_the_bots_exit(held) -> None:
    assert held.fake.account.position("BTCUSDT") == D("0.087")
    answer_lost(held)

    await held.loop.kill(flat=True, by="test", reason="flatten")

    guard = held.engine.state.positions[PERP]
    assert guard.exit_in_flight == f"{guard.key}-x1"            # no other exit while its outcome is unknown
    (told,) = [line for line in held.notes.lines if line.startswith(UNKNOWN)]
    assert held.notified("MAY have reached") == [told]      # one message for one order (not the broker's too)
    assert "its outcome is UNKNOWN. It MAY have reached the exchange" in told and "/positions" in told
    assert "Type /orders to see whether it rests" in told
    assert f"/close {PERP}" in told and "protective stop" in told
    (event,) = [e for e in held.notes.events if e.message == told]
    assert category_of(event) in ALWAYS_THROUGH_QUIET          # the position is in doubt: told even at night
    assert not held.notified("failed")

    await held.run_until(SQUEEZE + MINUTE_MS)           # the look-up answers: the exit filled

    (exited,) = held.notified("EXIT")
    assert exited.startswith(f"EXIT long {PERP} [scripted]: kill switch (flat)"), exited
    assert "outside the bot" not in exited and not held.notified("failed")
    assert held.engine.state.positions == {} and held.fake.account.position("BTCUSDT") == 0
    assert held.fake.count(ORDER, "POST") == 2          # the entry and one exit
    assert len([line for line in held.notes.lines if line.startswith(UNKNOWN)]) == 1     # told once


async def test_an_exit_the_exchange_never_had_frees_the_position_for_a_new_exit(held) -> None:
    answer_lost(held, taken=False)

    await held.loop.kill(flat=True, by="test", reason="flatten")

    first = held.engine.state.positions[PERP].exit_in_flight
    assert held.fake.account.position("BTCUSDT") == D("0.087") and held.notified("its outcome is UNKNOWN")
    await held.run_until(SQUEEZE + MINUTE_MS)           # no such order: released, and the flatten exits again

    (never,) = held.notified("did not reach the exchange after all")
    assert never == (f"Exit order for {PERP} ({first}) did not reach the exchange after all: it has no such "
                     "order. Nothing was changed by it; the position is free for a new exit.")
    assert held.fake.account.position("BTCUSDT") == 0 and held.engine.state.positions == {}
    assert [o.client_id for o in held.fake.account.orders if o.side == "SELL"] == [first.replace("-x1", "-x2")]
    assert not held.notified("failed")


async def test_an_entry_of_unknown_outcome_is_told_as_maybe_placed_and_found_takes_its_plans_exits(
        tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SQUEEZE, [ScriptedStrategy([SQUEEZE_LONG])]) as rig:
        await rig.run_until(SQUEEZE - MINUTE_MS)
        answer_lost(rig)

        await rig.run_until(SQUEEZE)             # the signal's entry goes out; its answer and look-ups are lost

        (told,) = rig.notified("Entry order for")
        assert told.startswith(f"Entry order for {PERP} MAY have reached the exchange"), told
        assert rig.notified("MAY have reached") == [told]      # one message for one order (not the broker's too)
        assert "check /orders and /positions before placing it again" in told and "failed" not in told
        assert rig.fake.account.position("BTCUSDT") == D("0.087")
        saved = await rig.store.load_state(rig.loop.state_key)
        assert [p["strategy"] for p in saved["pending"].values()] == ["scripted"]     # its plan is kept

        await rig.run_until(SQUEEZE + MINUTE_MS)     # found by its client id: the plan's exits guard it

        guard = rig.engine.state.positions[PERP]
        assert (guard.strategy, guard.stops.stop, guard.stops.take_profit) == ("scripted", D("112500"), D("118000"))
        (entered,) = rig.notified("ENTRY")
        assert entered.endswith("Its order went unanswered, then was found by its client id: the bot's plan guards "
                                "it (not the default exits)."), entered
        assert not rig.notified("failed") and rig.fake.count(ORDER, "POST") == 1


async def test_a_hand_close_after_a_partial_sell_of_more_is_not_taken_for_the_bots_exit(held) -> None:
    # /sell 0.044 of the 0.087 long, then the user sells the 0.043 left in the exchange's app: the bot's own
    # partial (0.044 >= 0.043) is already counted and did not close the position
    account = PortfolioService(held.venue, held.market, held.clock, "live", EntryGate(held.engine, held.clock),
                               desk=held.loop)
    partial = await account.sell(PERP, Size(SizeKind.AMOUNT, D("0.044")))
    await held.run_until(SQUEEZE + MINUTE_MS)
    assert partial.client_order_id.startswith("manual-") and held.engine.state.positions[PERP].amount == D("0.043")

    held.fake.account.trade_by_hand(held.fake.board.by_id(MarketKind.PERP, "BTCUSDT"), "SELL", D("0.043"),
                                    D("113800"), held.clock.now_ms())
    await held.run_until(SQUEEZE + 2 * MINUTE_MS)

    (exited,) = held.notified("EXIT")
    assert "closed outside the bot" in exited and "no order of ours" in exited, exited
    assert partial.client_order_id not in exited and held.engine.state.positions == {}


async def test_an_entry_the_exchange_never_had_is_dropped_with_its_plan_and_told_so(tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SQUEEZE, [ScriptedStrategy([SQUEEZE_LONG])]) as rig:
        await rig.run_until(SQUEEZE - MINUTE_MS)
        answer_lost(rig, taken=False)

        await rig.run_until(SQUEEZE)
        (client_id,) = rig.engine.state.pending
        await rig.run_until(SQUEEZE + MINUTE_MS)        # the look-up answers: no such order

        assert rig.notified("did not reach the exchange after all") == [
            f"Entry order for {PERP} ({client_id}) did not reach the exchange after all: it has no such order. "
            "Nothing was changed by it; its plan is dropped."]
        assert rig.engine.state.pending == {} and rig.engine.state.positions == {}
        assert rig.fake.account.position("BTCUSDT") == 0 and not rig.notified("failed")


async def test_an_entry_of_unknown_outcome_found_after_a_restart_takes_its_plans_exits(tmp_path: Path) -> None:
    async def entered_unanswered(first: LiveLoopRig) -> None:
        await first.run_until(SQUEEZE - MINUTE_MS)
        answer_lost(first)
        await first.run_until(SQUEEZE)
        assert first.notified("MAY have reached the exchange") and first.fake.account.position("BTCUSDT") != 0

    async with restarted_after(tmp_path, entered_unanswered) as again:
        guard = again.engine.state.positions[PERP]
        assert (guard.strategy, guard.stops.stop, guard.stops.take_profit) == ("scripted", D("112500"), D("118000"))
        assert again.engine.state.pending == {} and again.fake.count(ORDER, "POST") == 1


async def test_a_spot_exit_of_unknown_outcome_is_never_sent_twice_and_found_filled_is_the_bots_exit(
        tmp_path: Path) -> None:
    candles = minutes_around(SQUEEZE)
    clock = ManualClock(SQUEEZE - 5 * MINUTE_MS)
    async with FakeExchange([spot_minutes(candles)], clock) as fake:
        rig = await start_live_loop(tmp_path, fake, clock, candles,
                                    [ScriptedStrategy([long_signal(SQUEEZE, "113691.10", "112500", "118000",
                                                                   "squeeze", SPOT)])], futures=False)
        try:
            await rig.run_until(SQUEEZE)
            fake.inject_lost_response(seconds=0, path=SPOT_ORDER, method="POST")
            fake.faults.arm(Fault(FaultKind.AUTH_ERROR, LOOK_UPS, SPOT_ORDER, method="GET"))

            await rig.loop.kill(flat=True, by="test", reason="flatten")
            assert rig.engine.state.positions[SPOT].exit_in_flight and rig.notified("its outcome is UNKNOWN")
            await rig.run_until(SQUEEZE + 2 * MINUTE_MS)

            (exited,) = rig.notified("EXIT")
            assert exited.startswith(f"EXIT long {SPOT} [scripted]: kill switch (flat)"), exited
            assert rig.engine.state.positions == {} and not rig.notified("failed")
            assert [o.side for o in fake.account.orders] == ["BUY", "SELL"]      # one exit, never a second sell
        finally:
            await rig.close()


async def test_the_positions_stop_still_runs_while_following_the_orders_keeps_failing(held) -> None:
    # every look at the open orders fails (a key refused): before, the venue's follow-up raised, the protective
    # job stopped there and no exit went out, however far the price fell through the stop
    held.fake.faults.arm(Fault(FaultKind.AUTH_ERROR, 1000, "/fapi/v1/openOrders", method="GET"))
    held.fake.faults.arm(Fault(FaultKind.AUTH_ERROR, 1000, "/fapi/v1/order", method="GET"))
    sent = held.fake.count(ORDER, "POST")
    await held.loop.protect({PERP: D("110000")})          # under the plan's stop at 112,500
    assert held.fake.count(ORDER, "POST") == sent + 1, held.notes.lines[-5:]


async def test_an_exit_of_unknown_outcome_found_missing_after_a_restart_is_told_as_before_one(
        tmp_path: Path) -> None:
    sent: list[str] = []

    async def exit_unanswered(first: LiveLoopRig) -> None:
        await first.run_until(SQUEEZE)
        answer_lost(first, taken=False)
        await first.loop.kill(flat=True, by="test", reason="flatten")
        sent.append(first.engine.state.positions[PERP].exit_in_flight)
        assert first.notified("its outcome is UNKNOWN")

    async with restarted_after(tmp_path, exit_unanswered) as again:
        await again.run_until(SQUEEZE + MINUTE_MS)
        # before: "Exit order for ... failed: the order was lost"
        assert again.notified("did not reach the exchange after all") == [
            f"Exit order for {PERP} ({sent[0]}) did not reach the exchange after all: it has no such order. "
            "Nothing was changed by it; the position is free for a new exit."]
        assert not again.notified("lost") and not again.notified("failed")
        assert again.fake.account.position("BTCUSDT") == 0 and again.engine.state.positions == {}


async def test_an_entry_of_unknown_outcome_found_missing_after_a_restart_is_told_as_before_one(
        tmp_path: Path) -> None:
    sent: list[str] = []

    async def entry_unanswered(first: LiveLoopRig) -> None:
        await first.run_until(SQUEEZE - MINUTE_MS)
        answer_lost(first, taken=False)
        await first.run_until(SQUEEZE)
        sent.extend(first.engine.state.pending)
        assert first.notified("MAY have reached the exchange")

    async with restarted_after(tmp_path, entry_unanswered) as again:
        # before: only an audit line; the user, told it MAY have reached the exchange, never heard more
        assert again.notified("did not reach the exchange after all") == [
            f"Entry order for {PERP} ({sent[0]}) did not reach the exchange after all: it has no such order. "
            "Nothing was changed by it; its plan is dropped."]
        assert again.engine.state.pending == {} and again.fake.account.position("BTCUSDT") == 0


async def test_an_approved_entry_of_unknown_outcome_is_told_once_by_the_approvals_reply(tmp_path: Path) -> None:
    # the card's reply says it MAY have reached the exchange (EntryProposals: OrderOutcomeUnknown): no push too
    async with live_loop_around(tmp_path, SQUEEZE, []) as rig:
        await rig.run_until(SQUEEZE)
        plan = engine_plan(rig, SQUEEZE_LONG)
        answer_lost(rig)

        with pytest.raises(VenueUnavailable, match="MAY have reached the exchange"):
            await rig.loop.enter_approved(plan, approval_client_id("proposal-1"))
        await rig.venue.settle()

        assert rig.notified("MAY have reached") == [] and not rig.notified("failed")
        assert list(rig.engine.state.pending) == [approval_client_id("proposal-1")]     # followed as before


async def test_an_approved_entry_the_exchange_answers_it_never_had_is_told_not_placed_on_its_card(
        tmp_path: Path) -> None:
    # unanswered and its look-ups failing, the entry raised "MAY have reached"; the card's own look-up then
    # answered "no such order" and the same text was re-raised, told before "did not reach the exchange after all"
    async with live_loop_around(tmp_path, SQUEEZE, [ScriptedStrategy([SQUEEZE_LONG])]) as rig:
        proposals = await with_proposals(rig)       # type: ignore[arg-type]
        await rig.run_until(SQUEEZE)
        (card,) = proposals.cards.shown
        answer_lost(rig, taken=False)

        result = await proposals.approve(card)

        assert result.outcome is TapOutcome.FAILED and "MAY" not in result.detail
        assert result.detail == (f"the {PERP} entry was not placed: the exchange has no order "
                                 f"{approval_client_id(card.id, 0)} (it did not answer, and a later look-up found "
                                 f"none)")
        assert rig.fake.account.position("BTCUSDT") == 0 and rig.fake.account.orders == []


async def test_the_kill_switch_tells_an_entry_of_unknown_outcome_the_exchange_never_had(tmp_path: Path) -> None:
    # before: only an audit line; the user, told it MAY have reached the exchange, never heard more
    async with live_loop_around(tmp_path, SQUEEZE, [ScriptedStrategy([SQUEEZE_LONG])]) as rig:
        await rig.run_until(SQUEEZE - MINUTE_MS)
        answer_lost(rig, taken=False)
        await rig.run_until(SQUEEZE)
        (client_id,) = rig.engine.state.pending

        await rig.loop.kill(False, "test", "stop everything")     # the look-up answers: no such order

        assert rig.notified("did not reach the exchange after all") == [
            f"Entry order for {PERP} ({client_id}) did not reach the exchange after all: it has no such order. "
            "Nothing was changed by it; its plan is dropped."]
        assert rig.engine.state.pending == {} and rig.fake.account.orders == []
