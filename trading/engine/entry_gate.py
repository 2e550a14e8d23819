"""The one entry gate: whether a position may open or grow now, whoever asks.

Every path that adds exposure asks vet_new_position() right before its order goes out: the autonomous
loop (plan_entry, whether the rules or an LLM decided), manual /buy and /short and their approvals
(trading.services.entry_gate.EntryGate.check), and a resting entry order at the moment it would fill.
Reducing orders (/sell, /close, /cover, protective exits, the kill switch's flattening) never ask: closing
risk is always allowed.

A hold comes first and applies to every origin: a live process armed but paused (until /live on and a
code) or the user's /pause (until /resume), both set through TradingEngine.hold_entries by
trading.services.entry_holds.EntryHolds. The account-wide brakes apply to every origin too: the kill
switch, the circuit breaker, the drawdown halt, the daily loss limit and the loss-streak cooldown. The
pacing limits sit on top: the open-position count for anything that opens a new symbol, and the entry
rate for the autonomous loop only (it guards against a runaway loop, not against a human typing /buy).
A refusal names its rule, says why and how to lift it, in words the user reads.
"""
from __future__ import annotations

from enum import StrEnum

from trading.engine.engine_state import EngineSettings, EngineState
from trading.risk.limits import vet_account, vet_pace
from trading.risk.verdicts import RiskRule, Verdict, first_block


class EntryOrigin(StrEnum):
    """Who wants to add exposure."""

    ENGINE = "engine"      # the autonomous loop: a strategy's signal decided by the rules or an LLM
    MANUAL = "manual"      # /buy, /short and the approvals of manual orders
    FILL = "fill"          # a resting entry order (a limit) at the moment it would fill


def vet_new_position(state: EngineState, settings: EngineSettings, ts_ms: int, origin: EntryOrigin,
                     symbol: str | None = None) -> Verdict:
    """Return ALLOWED, or the Verdict of the first rule that refuses a new or bigger position in symbol now."""
    held = Verdict(RiskRule.ENTRY_HOLD, state.entry_hold) if state.entry_hold else Verdict()
    brakes = first_block(held, state.kill_switch.vet_order(closing=False, timezone=settings.limits.timezone),
                         state.breaker.vet_entry(ts_ms), vet_account(state.risk, ts_ms, settings.limits))
    if not brakes.allowed:
        return brakes
    adding = symbol is not None and symbol in state.positions
    if origin is EntryOrigin.FILL:
        # a resting order's own entry was counted when it was placed: at its fill only the positions open count
        return vet_pace(state.risk, ts_ms, None if adding else len(state.positions), settings.limits,
                        entry_rate=False)
    open_count = None if adding else len(state.positions) + len(state.pending)
    return vet_pace(state.risk, ts_ms, open_count, settings.limits, entry_rate=origin is EntryOrigin.ENGINE)
