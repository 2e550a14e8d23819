"""Swing points (pivots) and the swing sequence S with supersede and HH/LH/EH/HL/LL/EL labels (ict.md 2)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from trading.domain.candles import Candles
from trading.indicators.ict.event_table import NOT_YET, EventTable

HIGH_LABELS = {1: "HH", -1: "LH", 0: "EH"}
LOW_LABELS = {1: "HL", -1: "LL", 0: "EL"}


@dataclass(frozen=True, slots=True, eq=False)
class Pivots(EventTable):
    """Every confirmed pivot: direction +1 high / -1 low, level = high (low) of the pivot bar."""

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    level: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class Swings(EventTable):
    """Every element entering the swing sequence S, appended or superseding, in known_at order.

    `supersedes` is the row of this table it replaced (-1: appended); `prior` the row of the S element
    just before it (the final element of the other side, -1 at the start); `label` compares it with the
    previous final S element of its side ("" for the first). `superseded_at` is the bar a more extreme
    same-side pivot replaced it, `final_at` the bar an other-side element was appended after it.
    """

    STATE_COLUMNS: ClassVar[tuple[str, ...]] = ("superseded_at", "final_at")

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    level: np.ndarray
    label: np.ndarray
    supersedes: np.ndarray
    prior: np.ndarray
    superseded_at: np.ndarray
    final_at: np.ndarray

    def sequence_at(self, t: int) -> Swings:
        """Return S as it stands at the close of bar t (superseded elements removed)."""
        cut = self.as_of(t)
        return cut.take(cut.superseded_at == NOT_YET)

    def last_at(self, t: int, direction: int) -> int:
        """Return the row of the most recent S element of a side at bar t (-1: none yet)."""
        rows = np.flatnonzero((self.known_at <= t) & (self.direction == direction))
        return int(rows[-1]) if rows.size else -1


def window_max(values: np.ndarray, width: int) -> np.ndarray:
    """Return max(values[i : i + width]) for every i with a full window (doubling, O(n log width))."""
    n = values.shape[0]
    if n < width:
        return np.empty(0, values.dtype)
    span, peak = 1, values
    while span * 2 <= width:  # peak[i] = max(values[i : i + span])
        peak = np.maximum(peak[:-span], peak[span:])
        span *= 2
    # two windows of `span` cover [i, i + width) exactly
    return np.maximum(peak[: n - width + 1], peak[width - span : width - span + n - width + 1])


def find_pivots(candles: Candles, left: int, right: int) -> Pivots:
    """Return the pivots: high[p] >= every high in [p-left, p+right], known at p+right (ties allowed)."""
    width = left + right + 1
    n = len(candles)
    if n < width:
        return _pivots(np.empty(0, np.int64), np.empty(0, np.int8), np.empty(0), right)
    centre = np.arange(left, n - right)
    is_high = candles.high[centre] == window_max(candles.high, width)
    is_low = (candles.low[centre] == -window_max(-candles.low, width)) & ~is_high
    index = centre[is_high | is_low]
    direction = np.where(is_high[index - left], 1, -1).astype(np.int8)
    level = np.where(direction > 0, candles.high[index], candles.low[index])
    return _pivots(index, direction, level, right)


def _pivots(index: np.ndarray, direction: np.ndarray, level: np.ndarray, right: int) -> Pivots:
    index = index.astype(np.int64)
    return Pivots(index, index + right, direction, level.astype(np.float64))


def swing_sequence(pivots: Pivots) -> Swings:
    """Return the S entries: per run of same-side pivots, each strictly more extreme one so far."""
    n = len(pivots)
    side = pivots.direction.astype(np.int64)
    run = np.cumsum(np.r_[True, side[1:] != side[:-1]]) - 1 if n else np.empty(0, np.int64)
    signed = pivots.level * side  # lows negated so that "more extreme" is always "greater"
    best = _running_max_per_run(signed, run)
    starts_run = np.r_[True, run[1:] != run[:-1]] if n else np.empty(0, bool)
    record = starts_run | np.r_[False, best[1:] > best[:-1]]
    rows = np.flatnonzero(record)
    e_run, e_side = run[rows], side[rows]
    e_index, e_known = pivots.index[rows], pivots.known_at[rows]
    first_of_run = starts_run[rows]
    last_of_run = np.r_[e_run[1:] != e_run[:-1], True] if rows.size else np.empty(0, bool)
    nxt_known = np.r_[e_known[1:], NOT_YET] if rows.size else np.empty(0, np.int64)
    entry = np.arange(rows.size)
    supersedes = np.where(first_of_run, NOT_YET, entry - 1)
    superseded_at = np.where(last_of_run, NOT_YET, nxt_known)
    final_at = np.where(last_of_run, nxt_known, NOT_YET)
    final_row = np.flatnonzero(last_of_run)  # final entry of each run, in run order
    prior = np.where(e_run > 0, final_row[np.maximum(e_run - 1, 0)], NOT_YET)
    prev_same = np.where(e_run > 1, final_row[np.maximum(e_run - 2, 0)], NOT_YET)
    level = pivots.level[rows]
    label = _labels(level, e_side, prev_same)
    return Swings(e_index, e_known, e_side.astype(np.int8), level, label, supersedes.astype(np.int64),
                  prior.astype(np.int64), superseded_at.astype(np.int64), final_at.astype(np.int64))


def _running_max_per_run(values: np.ndarray, run: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    # shift each run above all earlier ones so one global accumulate restarts at every run
    order = np.argsort(values, kind="stable")
    rank = np.empty(values.size, np.int64)
    rank[order] = np.arange(values.size)
    key = run * values.size + rank
    best_key = np.maximum.accumulate(key)
    return values[order[best_key - run * values.size]]


def _labels(level: np.ndarray, side: np.ndarray, prev_same: np.ndarray) -> np.ndarray:
    label = np.full(level.shape[0], "", dtype="<U2")
    has = prev_same >= 0
    cmp = np.sign(level[has] - level[prev_same[has]]).astype(np.int64)
    highs = side[has] > 0
    label[np.flatnonzero(has)[highs]] = [HIGH_LABELS[c] for c in cmp[highs]]
    label[np.flatnonzero(has)[~highs]] = [LOW_LABELS[c] for c in cmp[~highs]]
    return label
