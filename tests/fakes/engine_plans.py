"""The engine's entry plans as the loop makes them on a live rig (10,000 USDT free), for tests that send them."""
from __future__ import annotations

from decimal import Decimal as D

from tests.fakes.live_futures_loop import LiveLoopRig
from tests.fakes.trading_setups import ENTER
from trading.domain.decisions import Decision
from trading.domain.signals import Signal
from trading.engine.entry_pipeline import AccountView, EntryPlan
from trading.engine.llm_orders import capped_plan


def engine_plan(rig: LiveLoopRig, signal: Signal, decision: Decision = ENTER) -> EntryPlan:
    """Return the engine's plan of signal decided so, now, with the signal's entry as the last price; a decision
    of a model's own order (a limit, a size) shapes it as the loop does (capped_plan)."""
    instruments = rig.venue.broker.instruments
    account = AccountView(D(10_000), D(10_000), {}, instruments)
    plan = rig.engine.plan_entry(signal, decision, account, rig.clock.now_ms(), reference=signal.entry)
    if decision.idea is not None:
        plan = capped_plan(plan, decision, D(10_000), instruments[signal.symbol])
    assert isinstance(plan, EntryPlan), plan
    return plan
