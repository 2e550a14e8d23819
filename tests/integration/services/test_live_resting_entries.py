"""Live resting entry orders meet the entry gate on every pass of the loop: the ones it refuses are cancelled on the
exchange, once, with one notice naming the rule and how to lift it; lifting it places nothing again; an entry that
filled before its cancel is told with the rule, its guard and /close.

The loop trades the fake Binance USDT-M over ccxt (tests/fakes/live_futures_loop.py) on the real BTCUSDT 1m bars
of the 2025-08-14 sell-off (12:25-12:30 trade around 121,100); the resting limits sit far under the market.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_faults import Fault, FaultKind
from tests.fakes.exchange_markets import FakeMarket
from tests.fakes.engine_plans import engine_plan
from tests.fakes.live_futures_loop import PERP, LiveLoopRig, live_loop_around, perp_minutes, start_live_loop
from tests.fakes.market_stretches import SELL_OFF, long_signal, minutes_around
from trading.adapters.clocks import ManualClock
from trading.domain.candles import MINUTE_MS, Timeframe
from trading.domain.client_ids import approval_client_id
from trading.domain.instruments import MarketKind
from trading.domain.orders import Order, OrderIntent, OrderType, Side
from trading.engine.engine_state import EngineSettings
from trading.engine.entry_pipeline import EntryPlan
from trading.risk.limits import LimitSettings

DAY_MS = 24 * 60 * MINUTE_MS
TIGHT = EngineSettings(limits=LimitSettings(daily_loss_pct=D("0.5")))      # 50 of the 10,000 USDT the day starts with
ONE = EngineSettings(limits=LimitSettings(max_open_positions=1))
ETH = "ETH/USDT:USDT"
CANCELLED = "Cancelled "


async def manual_limit(rig: LiveLoopRig, price: str, symbol: str = PERP, n: int = 1) -> Order:
    """Rest a /buy limit of 0.002 under the market, as PortfolioService places it (a manual client id)."""
    return await rig.venue.broker.place(OrderIntent(symbol, Side.BUY, OrderType.LIMIT, amount=D("0.002"),
                                                    price=D(price), client_order_id=f"manual-{n:016x}"))


async def engine_limit(rig: LiveLoopRig, price: str) -> Order:
    """Rest an entry of the engine's own (a plan with its stop and target, the entry a limit) on the exchange."""
    plan = entry_plan(rig, price, "95000", "110000", "resting")
    plan = replace(plan, intent=replace(plan.intent, type=OrderType.LIMIT, price=D(price)))
    order = await rig.venue.broker.place(plan.intent)
    rig.engine.on_entry_placed(plan, rig.clock.now_ms())
    return order


def entry_plan(rig: LiveLoopRig, entry: str, stop: str, target: str, setup: str = "approved") -> EntryPlan:
    """Return the engine's plan of a long at entry (a market order) with this stop and target."""
    return engine_plan(rig, long_signal(SELL_OFF, entry, stop, target, setup, PERP))


def statuses(rig: LiveLoopRig) -> list[tuple[str, str]]:
    return [(o.client_id, o.status) for o in rig.fake.account.orders if o.type == "LIMIT"]


async def test_a_daily_loss_breach_cancels_the_manual_and_the_engines_resting_entries_once(tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SELL_OFF, [], settings=TIGHT) as rig:
        await rig.run_until(SELL_OFF - 3 * MINUTE_MS)          # the day starts at 10,000
        manual = await manual_limit(rig, "100000")
        engine = await engine_limit(rig, "99000")
        await rig.run_until(SELL_OFF - 2 * MINUTE_MS)          # the gate allows them: they rest
        assert [s for _, s in statuses(rig)] == ["NEW", "NEW"] and len(rig.engine.state.pending) == 1
        rig.fake.account.balances["USDT"] -= D(100)            # 100 lost today, the limit is 50
        await rig.run_until(SELL_OFF - MINUTE_MS)
        assert [s for _, s in statuses(rig)] == ["CANCELED", "CANCELED"]
        assert rig.engine.state.pending == {}
        # the engine's entry risks 2% of 10,000 = 200 over 99,000 - 95,000 = 4,000: 0.05, shown on the 0.001 step
        assert rig.notified(CANCELLED) == [
            f"Cancelled 2 resting entry orders the entry gate refuses now (left open, it could fill and open a "
            f"position no rule allowed; lifting the rule does not place it again). buy 0.002 {PERP} limit "
            f"100,000.0 (id {manual.id}); buy 0.050 {PERP} limit 99,000.0 (id {engine.id}): Daily loss "
            f"limit hit: -100.00 today, the limit is 50.00 (0.5% of 10,000.00). New positions are refused until "
            f"midnight UTC, in 11 h 31 min, or at once by a limit above today's loss (/set DAILY_LOSS_LIMIT_PCT "
            f"1.01 or more).\nTo place again once it is lifted: /buy {PERP} 200 limit 100000"]
        await rig.run_until(SELL_OFF + MINUTE_MS)               # later passes: nothing cancelled or told again
        # a new day lifts the limit: nothing is placed again, nothing more is said
        rig.clock.set((SELL_OFF // DAY_MS + 1) * DAY_MS + MINUTE_MS)
        await rig.loop.protect({})
        assert len(rig.notified(CANCELLED)) == 1 and rig.notified("failed") == []
        assert [s for _, s in statuses(rig)] == ["CANCELED", "CANCELED"]
        assert rig.notified("ENTRY") == [] and rig.fake.account.positions == {}


async def test_max_open_positions_cancels_a_resting_entry_for_another_symbol_not_one_adding(tmp_path: Path) -> None:
    candles = minutes_around(SELL_OFF)
    clock = ManualClock(SELL_OFF - 5 * MINUTE_MS)
    eth = FakeMarket("ETHUSDT", "ETH", "USDT", {Timeframe.M1: candles}, kind=MarketKind.PERP, tick="0.01",
                     step="0.001", min_qty="0.001", min_notional="5")
    async with FakeExchange([perp_minutes(candles), eth], clock) as fake:
        rig = await start_live_loop(tmp_path, fake, clock, candles, [], ONE)
        other = await manual_limit(rig, "100000", ETH)
        await rig.run_until(SELL_OFF - 4 * MINUTE_MS)
        assert rig.notified(CANCELLED) == []                  # no position open: it may fill
        # the user opens 0.002 BTC in the exchange's app: one position open, the maximum
        fake.account.trade_by_hand(fake.board.by_id(MarketKind.PERP, "BTCUSDT"), "BUY", D("0.002"), D("121000"),
                                   clock.now_ms(), reduce_only=False)
        adding = await manual_limit(rig, "100000", PERP, 2)
        await rig.run_until(SELL_OFF - 3 * MINUTE_MS)
        assert dict(statuses(rig)) == {other.client_order_id: "CANCELED", adding.client_order_id: "NEW"}
        assert rig.notified(CANCELLED) == [
            f"Cancelled 1 resting entry order the entry gate refuses now (left open, it could fill and open a "
            f"position no rule allowed; lifting the rule does not place it again). buy 0.002 {ETH} limit "
            f"100,000.00 (id {other.id}): 1 position open, the maximum is 1 (MAX_OPEN_POSITIONS). Close one to "
            f"open another.\nTo place again once it is lifted: /buy {ETH} 200 limit 100000"]
        assert rig.notified("FILLED WHILE REFUSED") == []     # the hand-opened position came while one more fitted
        await rig.run_until(SELL_OFF - MINUTE_MS)
        assert len(rig.notified(CANCELLED)) == 1
        await rig.close()


async def test_pause_cancels_at_once_and_lifting_it_places_nothing_again(tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SELL_OFF, []) as rig:
        await rig.run_until(SELL_OFF - 4 * MINUTE_MS)
        order = await manual_limit(rig, "100000")
        rig.engine.hold_entries("New entries are paused by user:1. /resume lifts it.")      # as /pause sets it
        await rig.loop.enforce_entry_gate()                                              # and applies it at once
        assert statuses(rig) == [(order.client_order_id, "CANCELED")]
        assert rig.notified(CANCELLED) == [
            f"Cancelled 1 resting entry order the entry gate refuses now (left open, it could fill and open a "
            f"position no rule allowed; lifting the rule does not place it again). buy 0.002 {PERP} limit "
            f"100,000.0 (id {order.id}): New entries are paused by user:1. /resume lifts it."
            f"\nTo place again once it is lifted: /buy {PERP} 200 limit 100000"]
        rig.engine.hold_entries("")
        await rig.run_until(SELL_OFF - 2 * MINUTE_MS)
        assert len(rig.notified(CANCELLED)) == 1 and len(rig.fake.account.orders) == 1


async def test_an_entry_that_filled_before_its_cancel_is_told_with_the_rule_its_guard_and_close(
        tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SELL_OFF, []) as rig:
        await rig.run_until(SELL_OFF - 4 * MINUTE_MS)
        manual = await manual_limit(rig, "100000")
        await rig.run_until(SELL_OFF - 3 * MINUTE_MS)
        rig.engine.hold_entries("New entries are paused by user:1. /resume lifts it.")
        # the exchange fills it between the hold and the loop's next look
        rig.fake.account.fill(rig.fake.account.order(manual.client_order_id), None, D("100000"), rig.clock.now_ms())
        await rig.run_until(SELL_OFF - 2 * MINUTE_MS)
        # adopted with the default exits: the 10% hard stop at 5x is a 2% move under its 100,000 fill: 98,000.0
        assert rig.notified("FILLED WHILE REFUSED") == [
            f"FILLED WHILE REFUSED: long 0.002 {PERP} opened although new positions are refused (entry_hold): New "
            f"entries are paused by user:1. /resume lifts it. It is guarded by the protective exits (its hard stop "
            f"at 98,000.0). Type /close {PERP} to close it now."]
        # guarded from then on: the engine's stop (raised since, the fill being far under the market) rests on the
        # exchange too
        levels = rig.loop.guard_levels(PERP)
        assert levels is not None and levels.stop is not None and levels.stop >= D("98000")
        stops = [leg.trigger_price for leg in rig.legs() if leg.type == "STOP_MARKET"]
        assert len(stops) == 1 and stops[0] >= D("98000")       # the leg follows the stop, throttled
        assert rig.fake.account.position("BTCUSDT") > 0    # not closed behind the user's back (its partial exit aside)
        assert rig.notified(CANCELLED) == []
        await rig.run_until(SELL_OFF)
        assert len(rig.notified("FILLED WHILE REFUSED")) == 1


async def test_an_engine_entry_that_filled_under_a_flat_kill_switch_is_closed(tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SELL_OFF, []) as rig:
        await rig.run_until(SELL_OFF - 4 * MINUTE_MS)
        entry = await engine_limit(rig, "99000")
        rig.engine.kill(True, "file:KILL", "KILL file", rig.clock.now_ms())     # the switch, before its sweep ran
        rig.fake.account.fill(rig.fake.account.order(entry.client_order_id), None, D("99000"), rig.clock.now_ms())
        await rig.run_until(SELL_OFF - 3 * MINUTE_MS)
        warned = rig.notified("FILLED WHILE REFUSED")
        assert len(warned) == 1 and "The kill switch (flat) closes it at market now." in warned[0]
        assert "(kill_switch): Kill switch is on" in warned[0]
        assert rig.fake.account.position("BTCUSDT") == 0 and rig.engine.state.positions == {}


async def test_an_approved_entry_taken_back_while_paused_is_not_a_fill_under_refusal(tmp_path: Path) -> None:
    # an approved entry filled before a restart, adopted at the start; its approval arms the plan's exits while
    # live trading is paused: the position was already there, nothing opened under the hold
    async with live_loop_around(tmp_path, SELL_OFF, []) as rig:
        await rig.run_until(SELL_OFF - 4 * MINUTE_MS)
        plan = entry_plan(rig, "121000", "118000", "130000")
        await rig.venue.broker.place(replace(plan.intent, client_order_id="ta-a0123456789abcdef"))
        await rig.run_until(SELL_OFF - 3 * MINUTE_MS)
        assert PERP in rig.engine.state.positions                  # adopted with the default exits
        rig.engine.hold_entries("Live trading is paused (a live process always starts paused).")
        said = await rig.loop.resume_approved(plan, "ta-a0123456789abcdef")
        assert said.startswith("its position is guarded by the plan's exits (scripted: stop 118000")
        assert rig.notified("FILLED WHILE REFUSED") == []


async def test_a_cancel_the_exchange_refuses_is_tried_each_pass_and_told_once(tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SELL_OFF, []) as rig:
        await rig.run_until(SELL_OFF - 4 * MINUTE_MS)
        order = await manual_limit(rig, "100000")
        rig.fake.faults.arm(Fault(FaultKind.AUTH_ERROR, count=2, path="/fapi/v1/order", method="DELETE"))
        rig.engine.hold_entries("New entries are paused by user:1. /resume lifts it.")
        await rig.loop.enforce_entry_gate()
        await rig.loop.enforce_entry_gate()
        assert statuses(rig) == [(order.client_order_id, "NEW")]
        failed = rig.notified("Cancelling the entry order")
        assert len(failed) == 1 and failed[0].startswith(f"Cancelling the entry order for {PERP} failed: ")
        await rig.loop.enforce_entry_gate()                      # the exchange takes the cancel now
        assert statuses(rig) == [(order.client_order_id, "CANCELED")] and len(rig.notified(CANCELLED)) == 1
        assert len(rig.notified("Cancelling the entry order")) == 1


async def test_a_kill_switch_s_failed_cancel_is_told_once_and_tried_again(tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SELL_OFF, []) as rig:
        await rig.run_until(SELL_OFF - 4 * MINUTE_MS)
        await manual_limit(rig, "100000")
        rig.fake.faults.arm(Fault(FaultKind.AUTH_ERROR, count=5, path="/fapi/v1/order", method="DELETE"))
        await rig.loop.kill(False, "user:1", "test")
        await rig.run_until(SELL_OFF - 2 * MINUTE_MS)      # the passes after it try again, silently
    # before: the kill switch's sweep told it, then the gate's pass at the end of the same step told it again
    assert len(rig.notified("Cancelling the entry order")) == 1


async def test_the_rest_of_a_partly_filled_approved_engine_entry_is_cancelled_by_the_gate_as_the_engines(
        tmp_path: Path) -> None:
    # LIVE_AUTONOMY=approve: the engine's entry goes out under its card's client id; once partly filled it is no
    # longer pending, yet its rest is still the engine's: cancelled when the gate refuses, never offered back to
    # the user as a /buy to place again (the strategy decides again)
    async with live_loop_around(tmp_path, SELL_OFF, []) as rig:
        await rig.run_until(SELL_OFF - 4 * MINUTE_MS)
        plan = entry_plan(rig, "99000", "95000", "150000")
        plan = replace(plan, intent=replace(plan.intent, type=OrderType.LIMIT, price=D("99000")))
        engine_id = approval_client_id("proposal-1")
        await rig.loop.enter_approved(plan, engine_id)
        rested = rig.fake.account.order(engine_id)
        rig.fake.account.fill(rested, D("0.010"), D("99000"), rig.clock.now_ms())
        await rig.run_until(SELL_OFF - 3 * MINUTE_MS)
        assert rig.engine.state.positions[PERP].key == engine_id and rig.engine.state.pending == {}

        rig.engine.hold_entries("New entries are paused by user:1. /resume lifts it.")
        await rig.loop.enforce_entry_gate()

        assert rested.status == "CANCELED" and rested.executed == D("0.010")
        (told,) = rig.notified(CANCELLED)
        assert f"buy 0.040 {PERP} limit 99,000.0" in told and "To place again" not in told, told
        assert rig.engine.state.positions[PERP].key == engine_id       # the filled part keeps its plan
