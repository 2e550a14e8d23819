"""Market structure: breaks of the swing references (BOS / CHoCH, both kinds) and the trend (ict.md 3)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trading.indicators.ict.event_table import NOT_YET, EventTable
from trading.indicators.ict.params import BreakOn
from trading.indicators.ict.price_crossings import PriceSearch
from trading.indicators.ict.swings import Swings

BOS, CHOCH, NO_KIND = "BOS", "CHoCH", ""


@dataclass(frozen=True, slots=True, eq=False)
class StructureBreaks(EventTable):
    """Every structure break, in time order (a bullish before a bearish break on the same bar).

    index == known_at == the breaking bar; ref_index is the broken pivot, level its price; leg_index the
    extreme bar strictly between the pivot and the break (lowest low for a bullish break, latest on ties);
    kind_trend is BOS/CHoCH against the trend before the break; kind_swing the smc-style 4-swing label
    ("" when undecided).
    """

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    ref_index: np.ndarray
    level: np.ndarray
    leg_index: np.ndarray
    kind_trend: np.ndarray
    kind_swing: np.ndarray

    def last_at(self, t: int) -> int:
        """Return the row of the last break known at bar t (-1: none yet)."""
        return int(np.searchsorted(self.known_at, t, side="right")) - 1


def structure_breaks(search: PriceSearch, swings: Swings, break_on: BreakOn) -> StructureBreaks:
    """Return the breaks of the S references: the first close (or wick) beyond each, while it is the reference."""
    n = search.bars
    parts = [_breaks_of_side(search, swings, side, break_on, n) for side in (1, -1)]
    t, side, ref = (np.concatenate([p[i] for p in parts]) for i in range(3))
    order = np.lexsort((-side, t))
    t, side, ref = t[order], side[order], ref[order]
    leg = leg_extremes(search, swings.index[ref] + 1, t, side)
    before = np.r_[0, side][: side.size]
    kind_trend = np.where(before == -side, CHOCH, BOS).astype("<U5")
    prior = swings.prior[ref]
    a_level = swings.level[np.maximum(prior, 0)]
    b_level = np.where(side > 0, search.series("low")[leg], search.series("high")[leg])
    verdict = np.where(prior >= 0, np.sign(b_level - a_level) * side, 0)
    kind_swing = np.select([verdict > 0, verdict < 0], [BOS, CHOCH], NO_KIND).astype("<U5")
    return StructureBreaks(t, t.copy(), side.astype(np.int8), swings.index[ref], swings.level[ref], leg,
                           kind_trend, kind_swing)


def _breaks_of_side(search: PriceSearch, swings: Swings, side: int, break_on: BreakOn,
                    n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = np.flatnonzero(swings.direction == side)
    start = swings.known_at[rows]
    end = np.r_[start[1:] - 1, n - 1]  # a reference lives until the next same-side S element
    level = swings.level[rows]
    if break_on is BreakOn.CLOSE:
        series = "close"
    else:
        series = "high" if side > 0 else "low"
    find = search.first_above if side > 0 else search.first_below
    t = find(series, start, end, level, True)
    hit = t != NOT_YET
    return t[hit], np.full(int(hit.sum()), side, np.int64), rows[hit]


def leg_extremes(search: PriceSearch, lo: np.ndarray, hi: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Return per range [lo, hi) the latest bar of the lowest low (side +1) or highest high (side -1)."""
    out = np.full(lo.shape[0], NOT_YET, np.int64)
    for s, series, sign in ((1, "low", -1.0), (-1, "high", 1.0)):
        rows = np.flatnonzero((side == s) & (hi > lo))
        if rows.size:
            out[rows] = _latest_argmax(sign * search.series(series), lo[rows], hi[rows])
    return out


def _latest_argmax(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    # ranges of successive breaks barely overlap, so flattening them costs about one pass over the bars
    length = hi - lo
    starts = np.r_[0, np.cumsum(length)[:-1]]
    flat = np.repeat(lo - starts, length) + np.arange(int(length.sum()))
    vals = values[flat]
    best = np.maximum.reduceat(vals, starts)
    at_best = np.where(vals == np.repeat(best, length), flat, -1)
    return np.maximum.reduceat(at_best, starts)


def trend_state(breaks: StructureBreaks, n: int) -> np.ndarray:
    """Return per bar the direction of the last break known at its close (0 before the first)."""
    trend = np.zeros(n, np.int8)
    if len(breaks) == 0:
        return trend
    last_of_bar = np.r_[breaks.index[1:] != breaks.index[:-1], True]
    marks = np.full(n, -1, np.int64)
    rows = np.flatnonzero(last_of_bar)
    marks[breaks.index[rows]] = rows
    latest = np.maximum.accumulate(marks)
    known = latest >= 0
    trend[known] = breaks.direction[latest[known]]
    return trend
