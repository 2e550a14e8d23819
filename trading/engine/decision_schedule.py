"""When the LLM is asked about a symbol, and when it is not (HOLD without a call, source skipped).

Asked on the first review after start; then when price moved at least min_move_pct since its last call,
when that call is max_age old, or when a strategy signal it has not seen arrived. A position that has just
entered the soft-stop or take-profit zone always asks. The hard stop, the trailing stop and the kill switch
never wait for any of this: the engine fires them on prices alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Mapping

from trading.engine.symbol_view import SymbolView

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """How much change earns a new call."""

    min_move_pct: Decimal = Decimal("1")
    max_age_ms: int = 30 * 60_000


@dataclass(frozen=True, slots=True)
class LastCall:
    """The symbol's last call: when, at which price, and the signals it had seen."""

    ts_ms: int
    price: Decimal
    signal_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Schedule:
    """The last call per symbol (empty after a start, so every symbol is asked once)."""

    calls: Mapping[str, LastCall] = field(default_factory=dict)

    def called(self, view: SymbolView) -> "Schedule":
        """Return the schedule after a call about view's symbol."""
        seen = frozenset(s.setup_id for s in view.signals)
        last = self.calls.get(view.symbol)
        if last is not None:
            seen |= last.signal_ids
        return replace(self, calls={**self.calls, view.symbol: LastCall(view.ts_ms, view.mark, seen)})


def call_trigger(schedule: Schedule, view: SymbolView, settings: ScheduleSettings) -> str | None:
    """Return why the LLM is asked about view's symbol now, or None to hold without a call."""
    if view.zone:
        return f"position in the {view.zone.replace('_', '-')} zone"
    last = schedule.calls.get(view.symbol)
    if last is None:
        return "first look since start"
    new = [s for s in view.signals if s.setup_id not in last.signal_ids]
    if new:
        return f"new {new[-1].strategy} {new[-1].side} signal"
    if last.price > 0:
        moved = abs(view.mark - last.price) / last.price * HUNDRED
        if moved >= settings.min_move_pct:
            return f"price moved {moved:.2f}% since the last call"
    age = view.ts_ms - last.ts_ms
    if age >= settings.max_age_ms:
        return f"last call {age // 60_000} min ago"
    return None
