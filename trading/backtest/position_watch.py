"""Where an open position's protective state can next change: the walk's jump from one event bar to the next.

Between events the engine's stop state does not move, so the backtest skips those bars and hands only the
event bars to the engine, which stays the one authority on what happens. A bar is an event when its
adverse extreme reaches the stop in force, its favourable extreme reaches a level that changes the stops
(target, partial take-profit, break-even trigger, trailing activation, a new best price once trailing),
or its close moves the position into another zone. Levels are widened by a hair so that float rounding
can only add an event, never miss one: a bar that turns out quiet just returns nothing from the engine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from trading.domain.frozen import quick_init
from trading.domain.candles import Candles
from trading.risk.protective_stops import (ProtectionSettings, StopState, Zone, break_even_trigger,
                                          effective_stop, trailing_activation)

HAIR = 1e-9
FIRST_CHUNK = 64


@quick_init
@dataclass(frozen=True, slots=True)
class Triggers:
    """Thresholds in the position's direction: prices of a short are negated, so one test serves both."""

    sign: int
    adverse: float           # an event when the adverse extreme (signed) is at or below this
    favourable: float        # ... when the favourable extreme (signed) is at or above this
    close_low: float         # ... when the close (signed) is at or below this
    close_high: float        # ... when the close (signed) is at or above this

    @property
    def quiet(self) -> bool:
        """Return True when no price can be an event (no stop, level or zone: the yardstick's positions)."""
        return (self.adverse == -math.inf and self.favourable == math.inf and self.close_low == -math.inf
                and self.close_high == math.inf)


def triggers(stops: StopState, settings: ProtectionSettings) -> Triggers:
    """Return the thresholds at which the stop state of a position can next change."""
    sign = stops.side.sign
    if _unguarded(stops, settings):      # the yardstick's positions: nothing below can give a finite level
        return Triggers(sign, -math.inf, math.inf, -math.inf, math.inf)
    entry = float(stops.entry)
    in_force = effective_stop(stops, settings)
    stop_level = float(in_force[0]) if in_force is not None else sign * -math.inf
    gains = [float(level) for level in _gain_levels(stops, settings)]
    soft, take = _zone_prices(stops, settings)
    low_close, high_close = -math.inf, math.inf
    if stops.zone is Zone.NORMAL:
        low_close, high_close = sign * soft, sign * take
    elif stops.zone is Zone.SOFT_STOP:
        high_close = sign * soft
    else:
        low_close = sign * take
    favourable = min((sign * g for g in gains), default=math.inf)
    widen = HAIR * entry
    return Triggers(sign, sign * stop_level + widen, favourable - widen, low_close + widen, high_close - widen)


def _unguarded(stops: StopState, settings: ProtectionSettings) -> bool:
    """Return True when the position has no stop, target, zone or trail, in force or to come."""
    return (stops.stop is None and stops.take_profit is None and stops.trailing_stop is None
            and stops.zone is Zone.NORMAL and settings.hard_stop_pct is None and settings.soft_stop_pct is None
            and settings.take_profit_zone_pct is None and settings.partial_take_profit_r is None
            and settings.break_even_r is None and trailing_activation(stops, settings) is None)


def first_event(candles: Candles, start: int, end: int, trig: Triggers) -> int | None:
    """Return the first bar in [start, end) that is an event for the position, or None."""
    if trig.quiet:
        return None
    size, pos = FIRST_CHUNK, start
    while pos < end:
        stop = min(end, pos + size)
        if trig.sign > 0:
            adverse, favourable, close = candles.low[pos:stop], candles.high[pos:stop], candles.close[pos:stop]
        else:
            adverse, favourable, close = -candles.high[pos:stop], -candles.low[pos:stop], -candles.close[pos:stop]
        hit = ((adverse <= trig.adverse) | (favourable >= trig.favourable)
               | (close <= trig.close_low) | (close >= trig.close_high))
        found = np.flatnonzero(hit)
        if found.size:
            return pos + int(found[0])
        pos, size = stop, size * 4
    return None


def _gain_levels(stops: StopState, settings: ProtectionSettings) -> list:
    sign, r = stops.side.sign, stops.risk_per_unit
    levels = []
    if stops.take_profit is not None:
        levels.append(stops.take_profit)
    if settings.partial_take_profit_r is not None and not stops.partial_taken:
        levels.append(stops.entry + sign * r * settings.partial_take_profit_r)
    break_even = break_even_trigger(stops, settings)
    if break_even is not None:
        levels.append(break_even)
    activation = trailing_activation(stops, settings)
    if activation is not None:
        if stops.trailing_stop is None:
            levels.append(activation)
        else:
            levels.append(stops.best_price)     # every new best price drags the trail along
    return levels


def _zone_prices(stops: StopState, settings: ProtectionSettings) -> tuple[float, float]:
    """Return the closes at which the soft-stop zone and the take-profit zone begin."""
    sign, entry, leverage = stops.side.sign, float(stops.entry), stops.leverage
    if settings.soft_stop_pct is None:
        soft = sign * -math.inf
    else:
        soft = entry * (1 - sign * float(settings.soft_stop_pct) / 100 / leverage)
    if settings.take_profit_zone_pct is None:
        return soft, sign * math.inf
    return soft, entry * (1 + sign * float(settings.take_profit_zone_pct) / 100 / leverage)
