"""compute_ict: every ICT indicator over one run of candles, bundled as one causal snapshot."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trading.domain.candles import Candles
from trading.indicators.ict.breakers import Breakers, breakers
from trading.indicators.ict.fair_value_gaps import FairValueGaps, fair_value_gaps
from trading.indicators.ict.liquidity import Liquidity, liquidity
from trading.indicators.ict.market_structure import StructureBreaks, structure_breaks, trend_state
from trading.indicators.ict.order_blocks import OrderBlocks, order_blocks
from trading.indicators.ict.params import ICTParams, LiquiditySource
from trading.indicators.ict.period_levels import day_and_week_levels
from trading.indicators.ict.price_crossings import PriceSearch
from trading.indicators.ict.swings import Pivots, Swings, find_pivots, swing_sequence


@dataclass(frozen=True, slots=True, eq=False)
class ICTSnapshot:
    """Every ICT table of one run of candles; each event carries index and known_at (bar numbers).

    `trend[t]` is the direction of the last structure break known at the close of bar t (0: none yet).
    Use `as_of(t)` (or the tables' active_at(t)) to read what was known at a bar: nothing later leaks.
    """

    params: ICTParams
    pivots: Pivots
    swings: Swings
    breaks: StructureBreaks
    trend: np.ndarray
    fvgs: FairValueGaps
    order_blocks: OrderBlocks
    breakers: Breakers
    liquidity: Liquidity

    @property
    def bars(self) -> int:
        """Return the number of candles the snapshot was computed on."""
        return int(self.trend.shape[0])

    def as_of(self, t: int) -> ICTSnapshot:
        """Return the snapshot as it was at the close of bar t (equal to computing on candles[: t + 1])."""
        return ICTSnapshot(self.params, self.pivots.as_of(t), self.swings.as_of(t), self.breaks.as_of(t),
                           self.trend[: t + 1].copy(), self.fvgs.as_of(t), self.order_blocks.as_of(t),
                           self.breakers.as_of(t), self.liquidity.as_of(t))

    def trend_at(self, t: int) -> int:
        """Return the trend (+1 / -1 / 0) known at the close of bar t."""
        return int(self.trend[t])


def compute_ict(candles: Candles, params: ICTParams | None = None) -> ICTSnapshot:
    """Compute every ICT indicator over the whole run of candles (vectorised, causal)."""
    p = params or ICTParams()
    search = PriceSearch(candles)
    pivots = find_pivots(candles, p.left, p.right)
    swings = swing_sequence(pivots)
    breaks = structure_breaks(search, swings, p.break_on)
    blocks = order_blocks(search, candles, breaks, p.ob_candle, p.zone, p.ob_break_on, p.ob_max_age)
    gaps = fair_value_gaps(search, candles, p.require_body, p.min_gap, p.max_age, p.join_consecutive)
    pools = liquidity(search, *_liquidity_candidates(pivots, swings, p), p.liq_tol, p.sweep_reclaim_bars,
                      day_and_week_levels(search, candles))
    return ICTSnapshot(p, pivots, swings, breaks, trend_state(breaks, len(candles)), gaps, blocks,
                       breakers(search, blocks), pools)


def _liquidity_candidates(pivots: Pivots, swings: Swings, p: ICTParams
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if p.source is LiquiditySource.SEQUENCE:
        return swings.index, swings.known_at, swings.direction, swings.level
    keep = np.zeros(len(pivots), bool)
    for side in (1, -1):
        rows = np.flatnonzero(pivots.direction == side)
        keep[rows] = _spaced(pivots.index[rows], p.right)
    raw = pivots.take(keep)
    return raw.index, raw.known_at, raw.direction, raw.level


def _spaced(index: np.ndarray, spacing: int) -> np.ndarray:
    # a plateau gives a run of pivots each within `spacing` bars of the previous one: keep its first
    return np.r_[True, np.diff(index) > spacing] if index.size else np.empty(0, bool)
