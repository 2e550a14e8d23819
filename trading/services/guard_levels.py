"""The stop and target the engine guards a position with, as /positions shows them."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.instruments import price_on_tick
from trading.domain.positions import PositionSide
from trading.engine.engine_state import GuardedPosition
from trading.risk.protective_stops import ProtectionSettings, effective_stop

RULES = {"hard_stop": "hard stop", "stop_loss": "stop", "break_even": "break-even", "trailing_stop": "trailing"}


@dataclass(frozen=True, slots=True)
class GuardLevels:
    """The levels in force now: the tightest stop and the rule it belongs to, and the target (None: none)."""

    stop: Decimal | None
    stop_rule: str
    target: Decimal | None


def guard_levels(guard: GuardedPosition, settings: ProtectionSettings) -> GuardLevels:
    """Return the stop (the tightest in force, on the tick toward the entry) and target guard is held to."""
    tick = guard.stops.price_tick
    in_force = effective_stop(guard.stops, settings)
    stop, rule = (None, "") if in_force is None else (in_force[0], RULES.get(in_force[1], str(in_force[1])))
    if stop is not None and tick > 0:      # on the tick toward the entry, as the exchange's stop leg sits
        stop = price_on_tick(stop, tick, up=guard.side is PositionSide.LONG)
    return GuardLevels(stop, rule, guard.stops.take_profit)
