"""Entry zones of the ICT strategies: FVGs and order blocks of one timeframe in one columnar table."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trading.domain.positions import PositionSide
from trading.indicators.ict import NOT_YET, ICTSnapshot, Liquidity

FVG, OB = "FVG", "OB"
NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True, eq=False)
class EntryZones:
    """FVGs then order blocks: where price is expected to react, and the bar each stops being usable."""

    kind: np.ndarray         # FVG or OB
    index: np.ndarray        # bar the zone is drawn on
    known_at: np.ndarray     # bar at whose close the zone became known
    direction: np.ndarray    # +1 demand (longs), -1 supply (shorts)
    top: np.ndarray
    bottom: np.ndarray
    touched: np.ndarray      # first bar price came back into the zone (NOT_YET: never)
    end: np.ndarray          # first bar the zone is no longer active: filled, broken or expired (NEVER)

    def __len__(self) -> int:
        return int(self.index.shape[0])

    def describe(self, row: int) -> str:
        """Return e.g. 'bullish FVG 101.2-102.5' for a reason line."""
        word = "bullish" if self.direction[row] > 0 else "bearish"
        return f"{word} {self.kind[row]} {self.bottom[row]:g}-{self.top[row]:g}"


def _first_inactive(stop_bar: np.ndarray, expires: np.ndarray) -> np.ndarray:
    # filled / broken at bar u: inactive from u; expires at e: still active at e, inactive from e + 1
    ended = np.where(stop_bar == NOT_YET, NEVER, stop_bar)
    aged = np.where(expires == NOT_YET, NEVER, expires + 1)
    return np.minimum(ended, aged)


def entry_zones(ict: ICTSnapshot) -> EntryZones:
    """Return the FVGs and order blocks of a snapshot as one table (FVG rows first)."""
    gaps, blocks = ict.fvgs, ict.order_blocks
    return EntryZones(
        kind=np.r_[np.full(len(gaps), FVG), np.full(len(blocks), OB)],
        index=np.r_[gaps.index, blocks.index].astype(np.int64),
        known_at=np.r_[gaps.known_at, blocks.known_at].astype(np.int64),
        direction=np.r_[gaps.direction, blocks.direction].astype(np.int64),
        top=np.r_[gaps.top, blocks.top].astype(np.float64),
        bottom=np.r_[gaps.bottom, blocks.bottom].astype(np.float64),
        touched=np.r_[gaps.touched, blocks.touched].astype(np.int64),
        end=np.r_[_first_inactive(gaps.filled, gaps.expires), _first_inactive(blocks.broken, blocks.expires)],
    )


def take_profit(liquidity: Liquidity, t: int, entry: float, side: PositionSide) -> float | None:
    """Return the next opposite liquidity known at bar t: nearest BSL or period high above a long, SSL or
    period low below a short; None when nothing lies beyond the entry."""
    if side is PositionSide.LONG:
        return liquidity.nearest_above(t, entry)
    return liquidity.nearest_below(t, entry)


def trend_seen(trend: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Return a higher timeframe's trend as seen from each lower bar (0 before its first closed bar)."""
    return np.r_[np.int8(0), trend.astype(np.int8)][seen + 1]
