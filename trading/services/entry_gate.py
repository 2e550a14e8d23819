"""The check a manual entry makes before it may open a position: holds first, then the engine's risk rules.

One function, so that the core's single entry gate (kill switch, drawdown halt, daily loss, cooldown, circuit
breaker) can replace the risk half here without touching the chat or the approvals. Exits never come here.
"""
from __future__ import annotations

from trading.services.entry_holds import EntryHolds
from trading.services.trading_loop import TradingLoop


class ManualEntryGate:
    """Says why a new position may not open now, or nothing."""

    def __init__(self, holds: EntryHolds, loop: TradingLoop) -> None:
        self._holds = holds
        self._loop = loop

    def blocked(self) -> str:
        """Return why a new entry is refused now and how to lift it (empty when allowed)."""
        held = self._holds.held_because()
        if held:
            return held
        status = self._loop.risk_status()          # the engine's gate: kill switch, breaker, limits, halt
        if status.entries_allowed:
            return ""
        return f"{status.blocked_because} (/risk shows the limits; /resume lifts a kill switch or a halt)"
