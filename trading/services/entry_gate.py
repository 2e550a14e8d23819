"""The entry gate as the services call it: check() right before any order that opens or grows a position.

Callers: PortfolioService (/buy, /short, right before the order goes out), ManualOrders (before a card is
shown), the approvals of manual orders (at the press and at the code), and the paper venue when a resting
entry order is about to fill (vet_fill). The autonomous loop reaches the same rules through
TradingEngine.plan_entry, whether the rules or an LLM decided. Reducing orders never call it.

The entry holds (live trading armed but paused, the user's /pause; trading.services.entry_holds) are part
of this gate: EntryHolds hands each change to TradingEngine.hold_entries, and vet_new_position refuses first
with the hold's name and how to lift it (/live on and a code, /resume).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from trading.domain.errors import EntryRefused
from trading.domain.orders import Order
from trading.engine.entry_gate import EntryOrigin
from trading.engine.trading_engine import TradingEngine
from trading.ports import Clock
from trading.risk.verdicts import Verdict


class EntryGate:
    """Reads the engine's holds and brakes (kill switch, breaker, halt, daily loss, cooldown, position count) now."""

    def __init__(self, engine: TradingEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._equity: Callable[[], Decimal | None] | None = None

    def measure_by(self, equity: Callable[[], Decimal | None]) -> None:
        """Judge the limits on the account's equity now (the loop's, once it is built), not as last marked."""
        self._equity = equity

    def _verdict(self, symbol: str, origin: EntryOrigin) -> Verdict:
        equity = self._equity() if self._equity is not None else None
        return self._engine.vet_new_position(self._clock.now_ms(), origin, symbol, equity)

    def check(self, symbol: str, origin: EntryOrigin = EntryOrigin.MANUAL) -> None:
        """Return if a position in symbol may open or grow now; raise EntryRefused naming the rule otherwise.

        Call it with no await between it and the order's placement, so nothing changes in between.
        """
        verdict = self._verdict(symbol, origin)
        if not verdict.allowed:
            raise EntryRefused(f"Not opened: {verdict.reason}", str(verdict.rule))

    def vet_fill(self, order: Order) -> str | None:
        """Return why a resting entry order may not fill now (the venue then cancels it), or None."""
        verdict = self._verdict(order.symbol, EntryOrigin.FILL)
        return None if verdict.allowed else verdict.reason
