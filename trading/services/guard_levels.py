"""The stop and target the engine guards a position with, on the tick: what /positions shows and the exchange holds."""
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


def guard_levels(guard: GuardedPosition, settings: ProtectionSettings, tick: Decimal | None = None) -> GuardLevels:
    """Return the stop (the tightest in force) and the target guard is held to, both on the tick.

    tick is the market's (default: the one the guard was opened with; 0: unknown, left as they are). Both levels
    round up for a long and down for a short, as the exchange's legs are placed: the stop toward the entry.
    """
    tick = guard.stops.price_tick if tick is None else tick
    in_force = effective_stop(guard.stops, settings)
    stop, rule = (None, "") if in_force is None else (in_force[0], RULES.get(in_force[1], str(in_force[1])))
    target = guard.stops.take_profit
    if tick > 0:
        up = guard.side is PositionSide.LONG
        stop = None if stop is None else price_on_tick(stop, tick, up)
        target = None if target is None else price_on_tick(target, tick, up)
    return GuardLevels(stop, rule, target)
