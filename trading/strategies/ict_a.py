"""Strategy A (conservative): 1h structure gives the direction, a 15m zone the place, a 1m break the entry.

- Direction: the 1h trend, i.e. the direction of the last 1h structure break, seen by lower bars only
  once that hour has closed.
- Zone: a 15m FVG or order block in that direction that became known while that direction was already
  visible (after the 1h break), and is still unfilled / unbroken.
- Trigger: a 1m structure break in the same direction whose leg (the pullback it breaks out of) reached
  into the zone without passing the stop, after the zone was visible and before the 1h direction changed.
Entry at the trigger's close, stop beyond the zone's far side plus the buffer, take-profit at the next
opposite 15m liquidity known then. One signal per zone: its first trigger.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.strategies.base import MarketView
from trading.strategies.exit_rules import TARGET_RUNS
from trading.strategies.entry_zones import EntryZones, entry_zones, trend_seen
from trading.strategies.market_analysis import MarketAnalysis
from trading.strategies.parameter_space import tunable
from trading.strategies.setups import Setup, price, structural_stop, to_signals

H1, M15, M1 = Timeframe.H1, Timeframe.M15, Timeframe.M1


@dataclass(frozen=True, slots=True)
class ConservativeParams:
    """Settings of strategy A."""

    max_zone_age: int = tunable(96, 4, 2000)          # 15m bars a zone waits for its trigger (one day)
    min_reward_risk: float = tunable(1.0, 0.1, 20.0)    # conservative: skip a trigger that already ran most of the way
    confidence: float = tunable(0.7, 0.0, 1.0)         # three timeframes agree


@dataclass(frozen=True, slots=True)
class _Triggers:
    """The 1m breaks of one direction: when known, and the extreme of the leg they broke out of."""

    known_at: np.ndarray
    leg_index: np.ndarray
    leg_price: np.ndarray


class StructureZoneStrategy:
    """Strategy A: 1h direction, 15m zone, 1m break inside the zone."""

    name = "A"
    exit_rules = TARGET_RUNS     # the whole position runs to the target; break-even (+costs) at 1R
    timeframes = (M1, M15, H1)

    def __init__(self, params: ConservativeParams = ConservativeParams()) -> None:
        self.params = params

    def scan(self, view: MarketView) -> list[Signal]:
        """Return the three-timeframe entries found in view, oldest first."""
        return self.scan_analysis(MarketAnalysis(view))

    def scan_analysis(self, analysis: MarketAnalysis) -> list[Signal]:
        """Return the three-timeframe entries found in the analysed view, oldest first."""
        if any(len(analysis.candles(tf)) == 0 for tf in self.timeframes):
            return []
        zones = entry_zones(analysis.ict(M15))
        visible_from, usable_until = self._zone_windows(analysis, zones)
        hourly = analysis.ict(H1).trend
        trend = trend_seen(hourly, analysis.visible(H1, M1))
        # the zone must be known once the 1h direction is visible: compare at the zone's own 15m close
        trend_at_zone = trend_seen(hourly, analysis.visible(H1, M15))[zones.known_at]
        # a direction period runs from one 1h trend change (as seen on 1m) to the next
        period: np.ndarray = np.r_[0, np.cumsum(trend[1:] != trend[:-1])]   # np.r_ is untyped (Any)
        period_end = np.searchsorted(period, period, side="right")
        setups = []
        for side in (1, -1):
            triggers = self._triggers(analysis, side)
            rows = np.flatnonzero((zones.direction == side) & (trend_at_zone == side) & (visible_from < trend.size))
            rows = rows[trend[visible_from[rows]] == side]
            limit = np.minimum(usable_until[rows], period_end[visible_from[rows]])
            for row, start, stop_bar in zip(rows.tolist(), visible_from[rows].tolist(), limit.tolist()):
                setups.append(self._first_trigger(analysis, zones, row, triggers, start, stop_bar))
        return to_signals([s for s in setups if s is not None], analysis.symbol, self.name, M1.value)

    def _zone_windows(self, analysis: MarketAnalysis, zones: EntryZones) -> tuple[np.ndarray, np.ndarray]:
        # 1m bar at which each zone is first seen, and the first 1m bar at which it is known to be unusable
        n15 = len(analysis.candles(M15))
        end = np.minimum(zones.end, zones.known_at + self.params.max_zone_age + 1)
        visible_from = analysis.first_lower_bar(M15, M1, zones.known_at)
        # a zone alive past the last closed 15m bar stays usable to the end of the 1m data
        return visible_from, analysis.first_lower_bar(M15, M1, np.minimum(end, n15))

    def _triggers(self, analysis: MarketAnalysis, side: int) -> _Triggers:
        breaks, candles = analysis.ict(M1).breaks, analysis.candles(M1)
        rows = np.flatnonzero(breaks.direction == side)
        leg = breaks.leg_index[rows]
        leg_price = candles.low[leg] if side > 0 else candles.high[leg]
        return _Triggers(breaks.known_at[rows], leg, leg_price)

    def _first_trigger(self, analysis: MarketAnalysis, zones: EntryZones, row: int, triggers: _Triggers,
                       start: int, stop_bar: int) -> Setup | None:
        lo = int(np.searchsorted(triggers.known_at, start, side="right"))
        hi = int(np.searchsorted(triggers.known_at, stop_bar, side="left"))
        if hi <= lo:
            return None
        side = PositionSide.LONG if zones.direction[row] > 0 else PositionSide.SHORT
        stop = structural_stop(side, zones.bottom[row], zones.top[row], analysis.stop_buffer)
        leg, leg_price = triggers.leg_index[lo:hi], triggers.leg_price[lo:hi]
        if side is PositionSide.LONG:
            inside = (leg_price > float(stop)) & (leg_price <= zones.top[row])
        else:
            inside = (leg_price < float(stop)) & (leg_price >= zones.bottom[row])
        hits = np.flatnonzero(inside & (leg > start))
        if hits.size == 0:
            return None
        return self._setup(analysis, zones, row, int(triggers.known_at[lo + hits[0]]), side)

    def _setup(self, analysis: MarketAnalysis, zones: EntryZones, row: int, j: int,
               side: PositionSide) -> Setup | None:
        minutes = analysis.candles(M1)
        entry = float(minutes.close[j])
        t15 = int(analysis.visible(M15, M1)[j])
        target = analysis.take_profit(M15, t15, entry, side)
        if target is None:
            return None
        stop = structural_stop(side, zones.bottom[row], zones.top[row], analysis.stop_buffer)
        if abs(target - entry) < self.params.min_reward_risk * abs(entry - float(stop)):
            return None
        word = "up" if side is PositionSide.LONG else "down"
        reason = (f"1h structure {word}, 1m break {word} from inside the 15m {zones.describe(row)}; "
                  f"target liquidity at {target:g}")
        open_ms = int(analysis.candles(M15).open_ms[zones.index[row]])
        return Setup(side, price(entry), stop, price(target), int(minutes.open_ms[j]) + M1.ms, reason,
                     f"15m:{side.value}:{zones.kind[row].lower()}:{open_ms}", self.params.confidence)
