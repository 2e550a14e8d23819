"""Strategy B (aggressive): a 15m liquidity sweep, then enter on the first FVG against the swept side.

ict.md 8: after a sweep of buy-side liquidity (a wick above equal highs that closes back below), the first
bearish FVG known at or after the sweep is the entry, at the close of its third candle; mirrored for a
sweep of sell-side liquidity. Stop beyond the FVG's far side plus the buffer; take-profit at the nearest
opposite liquidity known then; no target, no signal. The FVG must form within max_wait bars of the sweep,
and the sweep must still hold when it does: a close back beyond the swept level at any bar after the
sweep, up to the FVG's own, means the sweep failed (price took the liquidity and kept going), and the
setup is dropped. On the real 1m data of 2025-05-20..08-18 about 45% of B's signals came after such a
failed sweep, and those reached +1R before their stop far less often than the ones whose sweep held.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.indicators.ict import ICTSnapshot
from trading.indicators.ict.liquidity import SWEEP
from trading.strategies.base import MarketView
from trading.strategies.exit_rules import TARGET_RUNS
from trading.strategies.market_analysis import MarketAnalysis
from trading.strategies.parameter_space import tunable
from trading.strategies.setups import Setup, price, structural_stop, to_signals


@dataclass(frozen=True, slots=True)
class SweepEntryParams:
    """Settings of strategy B."""

    timeframe: Timeframe = Timeframe.M15
    max_wait: int = tunable(16, 1, 500)            # bars after the sweep within which the FVG must be known
    confidence: float = tunable(0.4, 0.0, 1.0)       # aggressive: one confirmation only


class SweepReversalStrategy:
    """Strategy B: liquidity sweep, then the first FVG against the swept side."""

    name = "B"
    exit_rules = TARGET_RUNS     # the whole position runs to the target; break-even (+costs) at 1R

    def __init__(self, params: SweepEntryParams = SweepEntryParams()) -> None:
        self.params = params
        self.timeframes = (params.timeframe,)

    def scan(self, view: MarketView) -> list[Signal]:
        """Return the sweep-and-FVG entries found in view, oldest first."""
        return self.scan_analysis(MarketAnalysis(view))

    def scan_analysis(self, analysis: MarketAnalysis) -> list[Signal]:
        """Return the sweep-and-FVG entries found in the analysed view, oldest first."""
        tf = self.params.timeframe
        if len(analysis.candles(tf)) == 0:
            return []
        ict = analysis.ict(tf)
        setups = [s for s in self._setups(analysis, ict) if s is not None]
        return to_signals(setups, analysis.symbol, self.name, tf.value)

    def _setups(self, analysis: MarketAnalysis, ict: ICTSnapshot) -> list[Setup | None]:
        sweeps, gaps = ict.liquidity.sweeps, ict.fvgs
        out: list[Setup | None] = []
        for side in (1, -1):
            mine = np.flatnonzero((sweeps.kind == SWEEP) & (sweeps.direction == side))
            rows = np.flatnonzero(gaps.direction == side)
            # gaps come in known_at order: the first one known at or after each sweep
            first = np.searchsorted(gaps.known_at[rows], sweeps.known_at[mine], side="left")
            found = first < rows.size
            gap_rows = rows[first[found]]
            waited = gaps.known_at[gap_rows] - sweeps.known_at[mine[found]]
            keep = waited <= self.params.max_wait
            closes = analysis.candles(self.params.timeframe).close
            for sweep_row, gap_row in zip(mine[found][keep].tolist(), gap_rows[keep].tolist()):
                if _sweep_held(closes, side, float(sweeps.level[sweep_row]), int(sweeps.known_at[sweep_row]),
                               int(gaps.known_at[gap_row])):
                    out.append(self._setup(analysis, ict, sweep_row, gap_row))
        return out

    def _setup(self, analysis: MarketAnalysis, ict: ICTSnapshot, sweep_row: int, gap_row: int) -> Setup | None:
        tf, candles = self.params.timeframe, analysis.candles(self.params.timeframe)
        sweeps, gaps = ict.liquidity.sweeps, ict.fvgs
        t = int(gaps.known_at[gap_row])
        side = PositionSide.LONG if gaps.direction[gap_row] > 0 else PositionSide.SHORT
        entry = float(candles.close[t])
        target = analysis.take_profit(tf, t, entry, side)
        if target is None:
            return None
        swept = "sell-side" if side is PositionSide.LONG else "buy-side"
        extreme = "low" if side is PositionSide.LONG else "high"
        pool = f"equal {extreme}s" if sweeps.count[sweep_row] > 1 else f"a swing {extreme}"
        reason = (f"{tf.value} sweep of {swept} liquidity ({pool} at {sweeps.level[sweep_row]:g}), then a "
                  f"{'bullish' if side.sign > 0 else 'bearish'} FVG {gaps.bottom[gap_row]:g}-{gaps.top[gap_row]:g}"
                  f"; target liquidity at {target:g}")
        open_ms = int(candles.open_ms[gaps.index[gap_row]])
        return Setup(side, price(entry), structural_stop(side, gaps.bottom[gap_row], gaps.top[gap_row],
                                                         analysis.stop_buffer),
                     price(target), int(analysis.close_ms(tf, t)), reason,
                     f"{tf.value}:{side.value}:fvg:{open_ms}", self.params.confidence)


def _sweep_held(closes: np.ndarray, side: int, level: float, swept_at: int, gap_at: int) -> bool:
    """Return True when no close after the sweep, up to the gap's bar, went back beyond the swept level."""
    after = closes[swept_at + 1:gap_at + 1]
    return not bool(np.any(after < level if side > 0 else after > level))
