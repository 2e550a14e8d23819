"""Fair value gaps with their touched / CE / filled / inverted states (ict.md 4)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from trading.domain.candles import Candles
from trading.indicators.ict.event_table import NOT_YET, EventTable
from trading.indicators.ict.price_crossings import PriceSearch


@dataclass(frozen=True, slots=True, eq=False)
class FairValueGaps(EventTable):
    """Every FVG: index = middle candle, known_at = third candle; each state is the first bar it happened.

    Bullish: touched low <= top, ce low <= mid, filled low <= bottom, inverted close < bottom; bearish
    mirrored. `expires` is the last bar the gap is active (-1: never expires).
    """

    END_STATE: ClassVar[str | None] = "filled"
    STATE_COLUMNS: ClassVar[tuple[str, ...]] = ("touched", "ce", "filled", "inverted")

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    mid: np.ndarray
    touched: np.ndarray
    ce: np.ndarray
    filled: np.ndarray
    inverted: np.ndarray
    expires: np.ndarray

    def unfilled_bounds(self, candles: Candles, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (top, bottom) of the still-open part of the gaps active at t: price has eaten into them."""
        gaps = self.active_at(t)
        top, bottom = gaps.top.copy(), gaps.bottom.copy()
        for i in range(len(gaps)):  # few gaps are active at once
            seen = slice(int(gaps.known_at[i]) + 1, t + 1)
            if gaps.direction[i] > 0 and seen.start <= t:
                top[i] = min(top[i], float(candles.low[seen].min()))
            elif seen.start <= t:
                bottom[i] = max(bottom[i], float(candles.high[seen].max()))
        return top, bottom


def fair_value_gaps(search: PriceSearch, candles: Candles, require_body: bool = True, min_gap: float = 0.0,
                    max_age: int | None = None, join_consecutive: bool = False) -> FairValueGaps:
    """Return every FVG of three consecutive candles a, b, c with its state bars."""
    index, direction, top, bottom = _detect(candles, require_body, min_gap)
    if join_consecutive:
        index, direction, top, bottom = _join_runs(index, direction, top, bottom)
    known = index + 1
    mid = (top + bottom) / 2.0
    expires = known + max_age if max_age is not None else np.full(index.size, NOT_YET, np.int64)
    end = np.where(expires == NOT_YET, search.bars - 1, expires)
    touched, ce, filled, inverted = (np.full(index.size, NOT_YET, np.int64) for _ in range(4))
    for side in (1, -1):
        rows = np.flatnonzero(direction == side)
        states = _states(search, side, known[rows] + 1, end[rows], top[rows], mid[rows], bottom[rows])
        touched[rows], ce[rows], filled[rows], inverted[rows] = states
    return FairValueGaps(index, known, direction.astype(np.int8), top, bottom, mid, touched, ce, filled,
                         inverted, expires.astype(np.int64))


def _detect(candles: Candles, require_body: bool,
            min_gap: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    high, low, o, c = candles.high, candles.low, candles.open, candles.close
    bull = high[:-2] < low[2:]
    bear = low[:-2] > high[2:]
    if require_body:
        bull &= c[1:-1] > o[1:-1]
        bear &= c[1:-1] < o[1:-1]
    top = np.where(bull, low[2:], low[:-2])
    bottom = np.where(bull, high[:-2], high[2:])
    keep = (bull | bear) & (top - bottom >= min_gap * (top + bottom) / 2.0)
    middle = np.flatnonzero(keep)
    return middle + 1, np.where(bull[middle], 1, -1), top[middle], bottom[middle]


def _join_runs(index: np.ndarray, direction: np.ndarray, top: np.ndarray,
               bottom: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # smc: a run of gaps on consecutive middle candles in one direction becomes one gap at the last index
    if index.size == 0:
        return index, direction, top, bottom
    new_run = np.r_[True, (np.diff(index) != 1) | (direction[1:] != direction[:-1])]
    starts = np.flatnonzero(new_run)
    last = np.r_[starts[1:], index.size] - 1
    return (index[last], direction[last], np.maximum.reduceat(top, starts),
            np.minimum.reduceat(bottom, starts))


def _states(search: PriceSearch, side: int, start: np.ndarray, end: np.ndarray, top: np.ndarray,
            mid: np.ndarray, bottom: np.ndarray) -> tuple[np.ndarray, ...]:
    # each state implies the previous one, so each search starts at the previous state's bar
    if side > 0:
        touched = search.first_below("low", start, end, top, strict=False)
        ce = search.chain_below("low", touched, end, mid, strict=False)
        filled = search.chain_below("low", ce, end, bottom, strict=False)
        inverted = search.chain_below("close", filled, end, bottom, strict=True)
    else:
        touched = search.first_above("high", start, end, bottom, strict=False)
        ce = search.chain_above("high", touched, end, mid, strict=False)
        filled = search.chain_above("high", ce, end, top, strict=False)
        inverted = search.chain_above("close", filled, end, top, strict=True)
    return touched, ce, filled, inverted
