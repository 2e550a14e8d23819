"""A live entry limit of the engine's own (an LLM's BUY as a limit) that does not fill within
LIMIT_ORDER_TIMEOUT_MINUTES is cancelled, never re-placed at the market, and the engine lets its pending entry go:
the symbol is free and the open-position count is back, and the user is told the entry ended.

The loop trades the fake Binance USDT-M futures over ccxt (tests/fakes/live_futures_loop.py) on the real BTCUSDT
1m candles of the 2025-07-10 squeeze (21:16 close 113,691.10, rising); the default timeout of 10 min applies.
"""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.engine_plans import engine_plan
from tests.fakes.exchange_faults import Fault, FaultKind
from tests.fakes.live_futures_loop import PERP, LiveLoopRig, live_loop_around
from tests.fakes.market_stretches import SQUEEZE, long_signal
from trading.domain.candles import MINUTE_MS
from trading.domain.client_ids import approval_client_id
from trading.domain.instruments import MarketKind
from trading.domain.decisions import Action, Decision, DecisionSource, OrderKind, TradeAction, TradeIdea
from trading.domain.orders import OrderIntent, OrderType, Side
from trading.engine.entry_pipeline import EntryPlan

ORDER = "/fapi/v1/order"
LIMIT_BUY = Decision(Action.ENTER, 0.7, "buy the dip", "gpt-test", DecisionSource.MODEL,
                     TradeIdea(TradeAction.BUY, D("30"), OrderKind.LIMIT, D("105000"), D("100000"), D("140000")))


def limit_plan(rig: LiveLoopRig) -> EntryPlan:
    """Return the engine's plan of LIMIT_BUY at 105,000 under the market (stop 100,000, target 140,000)."""
    return engine_plan(rig, long_signal(SQUEEZE, "113691.10", "100000", "140000", "dip", PERP), LIMIT_BUY)


async def partly_filled(rig: LiveLoopRig, approved: bool = True) -> tuple[str, Any]:
    """Send LIMIT_BUY as an approved card's (else under the engine's own id) and fill 0.001 of its 0.014 at 105,000;
    return its client id and the fake exchange's order."""
    plan = limit_plan(rig)
    engine_id = approval_client_id("proposal-1") if approved else plan.intent.client_order_id
    await rig.loop.enter_approved(plan, engine_id)
    rested = rig.fake.account.order(engine_id)
    rig.fake.account.fill(rested, D("0.001"), D("105000"), rig.clock.now_ms())
    return engine_id, rested


def closed_by_hand(rig: LiveLoopRig) -> None:
    """Sell the 0.001 on the exchange by hand at 113,000 (a target, a stop or /close leave the rest the same way)."""
    rig.fake.account.trade_by_hand(rig.fake.board.by_id(MarketKind.PERP, "BTCUSDT"), "SELL", D("0.001"),
                                   D("113000"), rig.clock.now_ms())


async def test_an_engine_entry_limit_past_the_timeout_is_cancelled_not_repriced_and_its_pending_entry_released(
        tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SQUEEZE, []) as rig:
        await rig.run_until(SQUEEZE)
        plan = limit_plan(rig)
        client_id = plan.intent.client_order_id
        assert (plan.intent.type, plan.intent.price) == (OrderType.LIMIT, D("105000"))
        # as the loop sends its own entries (OwnEntries -> PositionSync.place_entry), through the entry gate
        await rig.loop.enter_approved(plan, client_id)
        waiting = dict(rig.engine.state.pending)

        await rig.run_until(SQUEEZE + 11 * MINUTE_MS)

        # before: the entry was cancelled and bid again at the market as <id>.r1: a new entry
        # no entry gate was asked about
        assert list(waiting) == [client_id] and rig.engine.state.pending == {}
        assert not rig.engine.state.busy(PERP) and rig.engine.state.positions == {}
        assert rig.fake.account.order(client_id).status == "CANCELED"
        assert rig.fake.count(ORDER, "POST") == 1 and rig.fake.account.position("BTCUSDT") == 0
        assert len(rig.notified("the order was cancelled before it filled")) == 1


async def test_an_approved_engine_entry_limit_times_out_live_while_the_user_s_approved_limit_rests(
        tmp_path: Path) -> None:
    # LIVE_AUTONOMY=approve: the bot's own entry goes out under its approval card's client id, the shape of the
    # user's approved /buy; the engine's pending entries, not the id's shape, tell which one times out
    async with live_loop_around(tmp_path, SQUEEZE, []) as rig:
        await rig.run_until(SQUEEZE)
        plan = limit_plan(rig)
        engine_id, user_id = approval_client_id("proposal-1"), approval_client_id("buy-2")
        await rig.loop.enter_approved(plan, engine_id)
        users = await rig.venue.broker.place(OrderIntent(PERP, Side.BUY, OrderType.LIMIT, amount=D("0.002"),
                                                         price=D("100000"), client_order_id=user_id))

        await rig.run_until(SQUEEZE + 11 * MINUTE_MS)

        # before: the approved engine entry rested for ever and kept the symbol busy
        assert rig.engine.state.pending == {} and not rig.engine.state.busy(PERP)
        assert rig.fake.account.order(engine_id).status == "CANCELED"
        assert len(rig.notified("the order was cancelled before it filled")) == 1
        # the user's approved limit is GTC: it rests until it fills or the user cancels it
        assert rig.fake.account.order(user_id).status == "NEW"
        assert [o.id for o in await rig.venue.broker.open_orders()] == [users.id]
        assert rig.fake.count(ORDER, "POST") == 2 and rig.fake.account.position("BTCUSDT") == 0


@pytest.mark.parametrize("approved", [True, False])
async def test_the_unfilled_rest_of_a_partly_filled_engine_entry_times_out_and_its_part_keeps_the_plan(
        tmp_path: Path, approved: bool) -> None:
    # once partly filled the entry is no longer pending, and its approval's client id reads as the user's: the
    # broker lets it rest; the sync knows it as the entry that opened its guarded position
    async with live_loop_around(tmp_path, SQUEEZE, []) as rig:
        await rig.run_until(SQUEEZE)
        engine_id, rested = await partly_filled(rig, approved)
        await rig.run_until(SQUEEZE + 2 * MINUTE_MS)
        guard = rig.engine.state.positions[PERP]
        # the plan's exits (its stop already raised to break-even by the rise)
        assert (guard.key, guard.strategy, guard.stops.take_profit) == (engine_id, "scripted", D("140000"))
        assert rested.status == "PARTIALLY_FILLED" and rig.engine.state.pending == {}

        await rig.run_until(SQUEEZE + 11 * MINUTE_MS)

        # before: the rest rested for ever, able to grow the position long after its plan was made
        assert rested.status == "CANCELED" and rested.executed == D("0.001")
        assert rig.fake.account.position("BTCUSDT") == D("0.001")
        guard = rig.engine.state.positions[PERP]
        assert (guard.key, guard.amount, guard.stops.take_profit) == (engine_id, D("0.001"), D("140000"))
        assert engine_id not in [o.client_order_id for o in await rig.venue.broker.open_orders()]
        # before (autonomous): the broker's own timeout cancelled it first, told to no one
        assert rig.notified("rest of the") == [
            f"Cancelled the unfilled rest of the {PERP} entry (0.013 of 0.014, id {rested.order_id}): not "
            f"filled within 10 min. The 0.001 filled stays open, guarded by its plan's exits [scripted]."]


@pytest.mark.parametrize("approved", [True, False])
async def test_the_rest_of_a_partly_filled_engine_entry_is_cancelled_when_its_position_closes(
        tmp_path: Path, approved: bool) -> None:
    # its guarded position gone, the rest no longer reads as the engine's entry: nothing timed it out, and a later
    # fill opened a position adopted as "opened outside the engine", offered back as a /buy by the gate's pass
    async with live_loop_around(tmp_path, SQUEEZE, []) as rig:
        await rig.run_until(SQUEEZE)
        engine_id, rested = await partly_filled(rig, approved)
        await rig.run_until(SQUEEZE + 2 * MINUTE_MS)
        assert rig.engine.state.positions[PERP].key == engine_id
        closed_by_hand(rig)

        await rig.run_until(SQUEEZE + 4 * MINUTE_MS)

        assert PERP not in rig.engine.state.positions and rig.engine.state.pending == {}
        assert rested.status == "CANCELED" and rested.executed == D("0.001")
        assert await rig.venue.broker.open_orders() == []
        assert rig.notified("rest of the") == [
            f"Cancelled the unfilled rest of the {PERP} entry (0.013 of 0.014, id {rested.order_id}): its position "
            f"closed, and a fill now would open a new one outside its plan."]
        await rig.run_until(SQUEEZE + 30 * MINUTE_MS)
        assert rig.fake.account.position("BTCUSDT") == 0 and rig.notified("outside the engine") == []


async def test_the_rest_cancelled_at_the_timeout_is_told_as_the_cancel_found_it(tmp_path: Path) -> None:
    # more of it filled since the broker's last look: the cancel's answer has it, the open orders did not
    async with live_loop_around(tmp_path, SQUEEZE, []) as rig:
        await rig.run_until(SQUEEZE)
        engine_id, rested = await partly_filled(rig)
        await rig.run_until(SQUEEZE + 9 * MINUTE_MS)
        rig.fake.account.fill_at_cancel[engine_id] = (D("0.004"), D("105000"))

        await rig.run_until(SQUEEZE + 10 * MINUTE_MS)

        assert rested.status == "CANCELED" and rested.executed == D("0.005")
        # before: "(0.013 of 0.014 ...) The 0.001 filled stays open"
        assert rig.notified("rest of the") == [
            f"Cancelled the unfilled rest of the {PERP} entry (0.009 of 0.014, id {rested.order_id}): not "
            f"filled within 10 min. The 0.005 filled stays open, guarded by its plan's exits [scripted]."]
        await rig.run_until(SQUEEZE + 11 * MINUTE_MS)
        assert rig.engine.state.positions[PERP].amount == rig.fake.account.position("BTCUSDT") == D("0.005")


async def test_a_rest_whose_cancel_fails_keeps_its_closed_position_guarded_until_the_next_step_cancels_it(
        tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SQUEEZE, []) as rig:
        await rig.run_until(SQUEEZE)
        _, rested = await partly_filled(rig, approved=False)
        await rig.run_until(SQUEEZE + 2 * MINUTE_MS)
        closed_by_hand(rig)
        rig.fake.faults.arm(Fault(FaultKind.AUTH_ERROR, 1, ORDER, method="DELETE"))

        await rig.run_until(SQUEEZE + 3 * MINUTE_MS)
        # not recorded closed yet: a fill of the rest now grows the guarded position, never "outside the engine"
        assert PERP in rig.engine.state.positions and rested.status == "PARTIALLY_FILLED"
        assert rig.notified("EXIT") == [] and rig.fake.count(ORDER, "DELETE") == 1
        await rig.run_until(SQUEEZE + 4 * MINUTE_MS)

        assert PERP not in rig.engine.state.positions and rested.status == "CANCELED"
        assert rig.fake.count(ORDER, "DELETE") == 2
        assert len(rig.notified("rest of the")) == len(rig.notified("closed outside the bot")) == 1
