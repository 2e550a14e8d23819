"""Strategy C (mixed): 1h trend + a retest of a 15m order block or FVG + a liquidity condition.

At the close of the 15m bar that first comes back into a zone (a bullish FVG or OB for longs) while the
1h trend (direction of the last 1h structure break, visible only once that hour has closed) points the
same way, and the bar closes without breaking through the zone: enter at that close. The liquidity
condition: opposite liquidity was swept within sweep_lookback bars (sell-side for a long), or the target
(the next opposite liquidity) is at least min_reward_risk away. No target, no signal.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.indicators.ict import NOT_YET
from trading.indicators.ict.liquidity import SWEEP
from trading.strategies.base import MarketView
from trading.strategies.exit_rules import TARGET_RUNS
from trading.strategies.entry_zones import EntryZones, entry_zones, trend_seen
from trading.strategies.market_analysis import MarketAnalysis
from trading.strategies.parameter_space import tunable
from trading.strategies.setups import Setup, price, structural_stop, to_signals


@dataclass(frozen=True, slots=True)
class RetestParams:
    """Settings of strategy C."""

    trend_timeframe: Timeframe = Timeframe.H1
    zone_timeframe: Timeframe = Timeframe.M15
    sweep_lookback: int = tunable(16, 1, 500)        # zone-timeframe bars a sweep counts for
    min_reward_risk: float = tunable(2.0, 0.1, 20.0)    # without a recent sweep, the target must be this many R away
    confidence: float = tunable(0.6, 0.0, 1.0)


class TrendRetestStrategy:
    """Strategy C: 1h trend, 15m zone retest, liquidity swept or a worthwhile target."""

    name = "C"
    exit_rules = TARGET_RUNS     # the whole position runs to the target; break-even (+costs) at 1R

    def __init__(self, params: RetestParams = RetestParams()) -> None:
        self.params = params
        self.timeframes = (params.zone_timeframe, params.trend_timeframe)

    def scan(self, view: MarketView) -> list[Signal]:
        """Return the zone retests found in view, oldest first."""
        return self.scan_analysis(MarketAnalysis(view))

    def scan_analysis(self, analysis: MarketAnalysis) -> list[Signal]:
        """Return the zone retests found in the analysed view, oldest first."""
        p = self.params
        candles = analysis.candles(p.zone_timeframe)
        if len(candles) == 0 or len(analysis.candles(p.trend_timeframe)) == 0:
            return []
        zones = entry_zones(analysis.ict(p.zone_timeframe))
        trend = trend_seen(analysis.ict(p.trend_timeframe).trend,
                           analysis.visible(p.trend_timeframe, p.zone_timeframe))
        touch = zones.touched
        held = touch != NOT_YET
        u = np.where(held, touch, 0)
        close = candles.close[u]
        # the retest bar must leave the zone usable and close on its near side of the far edge
        held &= (u < zones.end) & (trend[u] == zones.direction)
        held &= np.where(zones.direction > 0, close > zones.bottom, close < zones.top)
        rows = np.flatnonzero(held)
        swept = self._recent_sweeps(analysis, zones.direction[rows], u[rows])
        setups = [self._setup(analysis, zones, int(r), s) for r, s in zip(rows, swept.tolist())]
        return to_signals([s for s in setups if s is not None], analysis.symbol, self.name,
                          p.zone_timeframe.value)

    def _setup(self, analysis: MarketAnalysis, zones: EntryZones, row: int, sweep: float) -> Setup | None:
        p, tf = self.params, self.params.zone_timeframe
        candles = analysis.candles(tf)
        u = int(zones.touched[row])
        side = PositionSide.LONG if zones.direction[row] > 0 else PositionSide.SHORT
        entry = float(candles.close[u])
        target = analysis.take_profit(tf, u, entry, side)
        if target is None:
            return None
        stop = structural_stop(side, zones.bottom[row], zones.top[row], analysis.stop_buffer)
        reward_risk = abs(target - entry) / abs(entry - float(stop))
        if np.isnan(sweep) and reward_risk < p.min_reward_risk:
            return None
        liquidity = (f"{'sell' if side is PositionSide.LONG else 'buy'}-side liquidity swept at {sweep:g}"
                     if not np.isnan(sweep) else f"target {reward_risk:.1f}R away")
        reason = (f"{p.trend_timeframe.value} trend {'up' if side.sign > 0 else 'down'}, {tf.value} retest of "
                  f"the {zones.describe(row)}, {liquidity}; target liquidity at {target:g}")
        open_ms = int(candles.open_ms[zones.index[row]])
        return Setup(side, price(entry), stop, price(target), int(analysis.close_ms(tf, u)), reason,
                     f"{tf.value}:{side.value}:{zones.kind[row].lower()}:{open_ms}", p.confidence)

    def _recent_sweeps(self, analysis: MarketAnalysis, direction: np.ndarray, u: np.ndarray) -> np.ndarray:
        # per retest: the level of the latest sweep in its direction known within the lookback (NaN: none)
        sweeps = analysis.ict(self.params.zone_timeframe).liquidity.sweeps
        out = np.full(u.size, np.nan)
        for side in (1, -1):
            mine = np.flatnonzero((sweeps.kind == SWEEP) & (sweeps.direction == side))  # in known_at order
            rows = np.flatnonzero(direction == side)
            last = np.searchsorted(sweeps.known_at[mine], u[rows], side="right") - 1
            ok = last >= 0
            recent = np.zeros(rows.size, bool)
            recent[ok] = sweeps.known_at[mine[last[ok]]] >= u[rows][ok] - self.params.sweep_lookback
            out[rows[recent]] = sweeps.level[mine[last[recent]]]
        return out
