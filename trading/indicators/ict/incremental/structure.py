"""Pivots, the swing sequence S, structure breaks and the trend, updated bar by bar (ict.md 2, 3)."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from trading.indicators.ict.incremental.columns import NOT_YET, Columns
from trading.indicators.ict.market_structure import BOS, CHOCH, NO_KIND, StructureBreaks
from trading.indicators.ict.params import BreakOn
from trading.indicators.ict.swings import HIGH_LABELS, LOW_LABELS, Pivots, Swings

INT, SIDE, PRICE = np.int64, np.int8, np.float64


@dataclass(frozen=True, slots=True)
class Pivot:
    """A pivot confirmed at the bar that just closed."""

    index: int
    known_at: int
    direction: int
    level: float


@dataclass(frozen=True, slots=True)
class Break:
    """A structure break at bar t: the broken pivot and the extreme bar of the leg out of which it broke."""

    t: int
    direction: int
    ref_index: int
    leg_index: int


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


class StructureTracker:
    """Pivots, S with its labels, the S references, their breaks and the trend."""

    def __init__(self, left: int, right: int, break_on: BreakOn) -> None:
        self.left, self.right, self.break_on = left, right, BreakOn(break_on)
        self.pivots = Columns({"index": INT, "known_at": INT, "direction": SIDE, "level": PRICE})
        self.swings = Columns({"index": INT, "known_at": INT, "direction": SIDE, "level": PRICE, "label": "<U2",
                               "supersedes": INT, "prior": INT, "superseded_at": INT, "final_at": INT})
        self.breaks = Columns({"index": INT, "known_at": INT, "direction": SIDE, "ref_index": INT, "level": PRICE,
                               "leg_index": INT, "kind_trend": "<U5", "kind_swing": "<U5"})
        self.trend = Columns({"trend": SIDE})
        self._highs: deque[float] = deque(maxlen=left + right + 1)
        self._lows: deque[float] = deque(maxlen=left + right + 1)
        self._s_level: list[float] = []          # per S row
        self._s_index: list[int] = []
        self._s_prior: list[int] = []
        self._s_prev_same: list[int] = []
        self._last_row = NOT_YET                  # the newest S element
        self._latest = {1: NOT_YET, -1: NOT_YET}  # newest S element per side: the references
        self._crossed = {1: False, -1: False}
        self._direction = 0

    def confirm_pivot(self, t: int, high: float, low: float) -> tuple[Pivot | None, int]:
        """Add the pivot bar t confirms, if any; return it and the S row it entered as (NOT_YET: none)."""
        self._highs.append(high)
        self._lows.append(low)
        p = t - self.right
        if p < self.left:
            return None, NOT_YET
        centre_high, centre_low = self._highs[self.left], self._lows[self.left]
        if centre_high == max(self._highs):
            pivot = Pivot(p, t, 1, centre_high)
        elif centre_low == min(self._lows):
            pivot = Pivot(p, t, -1, centre_low)
        else:
            return None, NOT_YET
        self.pivots.append(pivot.index, pivot.known_at, pivot.direction, pivot.level)
        return pivot, self._enter_sequence(pivot)

    def _enter_sequence(self, pivot: Pivot) -> int:
        side, last = pivot.direction, self._last_row
        same_side = last != NOT_YET and self._latest[side] == last
        if same_side and not side * pivot.level > side * self._s_level[last]:
            return NOT_YET                                      # an internal pivot: S ignores it
        if same_side:
            prior, prev_same, supersedes = self._s_prior[last], self._s_prev_same[last], last
            self.swings.column("superseded_at")[last] = pivot.known_at
        else:
            prior, prev_same, supersedes = last, self._latest[side], NOT_YET
            if last != NOT_YET:
                self.swings.column("final_at")[last] = pivot.known_at
        label = ""
        if prev_same != NOT_YET:
            labels = HIGH_LABELS if side > 0 else LOW_LABELS
            label = labels[_sign(pivot.level - self._s_level[prev_same])]
        row = self.swings.append(pivot.index, pivot.known_at, side, pivot.level, label, supersedes, prior,
                                 NOT_YET, NOT_YET)
        self._s_level.append(pivot.level)
        self._s_index.append(pivot.index)
        self._s_prior.append(prior)
        self._s_prev_same.append(prev_same)
        self._last_row = self._latest[side] = row
        self._crossed[side] = False
        return row

    def breaks_at(self, t: int, high: float, low: float, close: float, low_series: np.ndarray,
                  high_series: np.ndarray) -> list[Break]:
        """Record the breaks of the references at bar t (bullish first) and the trend; return them."""
        found = []
        for side in (1, -1):
            ref = self._latest[side]
            if ref == NOT_YET or self._crossed[side]:
                continue
            price = close if self.break_on is BreakOn.CLOSE else (high if side > 0 else low)
            if not side * price > side * self._s_level[ref]:
                continue
            self._crossed[side] = True
            found.append(self._record_break(t, side, ref, low_series, high_series))
        self.trend.append(self._direction)
        return found

    def _record_break(self, t: int, side: int, ref: int, low_series: np.ndarray, high_series: np.ndarray) -> Break:
        lo = self._s_index[ref] + 1
        leg = _latest_extreme(low_series if side > 0 else high_series, lo, t, side)
        kind_trend = CHOCH if self._direction == -side else BOS
        prior = self._s_prior[ref]
        kind_swing = NO_KIND
        if prior != NOT_YET:
            b_level = float((low_series if side > 0 else high_series)[leg])
            verdict = _sign(b_level - self._s_level[prior]) * side
            kind_swing = BOS if verdict > 0 else CHOCH if verdict < 0 else NO_KIND
        self.breaks.append(t, t, side, self._s_index[ref], self._s_level[ref], leg, kind_trend, kind_swing)
        self._direction = side
        return Break(t, side, self._s_index[ref], leg)

    def frozen(self) -> tuple[Pivots, Swings, StructureBreaks, np.ndarray]:
        """Return the pivots, S, breaks and the trend per bar as of the last bar."""
        return (Pivots(**self.pivots.frozen()), Swings(**self.swings.frozen()),
                StructureBreaks(**self.breaks.frozen()), self.trend.frozen()["trend"])


def _latest_extreme(series: np.ndarray, lo: int, hi: int, side: int) -> int:
    # the latest bar of the lowest low (side +1) or highest high (side -1) in [lo, hi)
    if hi <= lo:
        return NOT_YET
    backwards = series[lo:hi][::-1]
    at = int(np.argmin(backwards)) if side > 0 else int(np.argmax(backwards))
    return hi - 1 - at
