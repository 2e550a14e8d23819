"""Previous-period highs and lows (PDH / PDL, PWH / PWL) of completed UTC periods, as liquidity (ict.md 7)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

import numpy as np

from trading.domain.candles import Candles
from trading.indicators.ict.event_table import NOT_YET, EventTable
from trading.indicators.ict.price_crossings import PriceSearch

DAY_MS = 86_400_000
MONDAY_OFFSET_MS = 3 * DAY_MS  # 1970-01-01 was a Thursday, 3 days after a Monday: weeks start on Monday


class Period(StrEnum):
    """A UTC calendar period whose completed high and low become levels."""

    DAY = "day"
    WEEK = "week"


_PERIOD = {Period.DAY: (DAY_MS, 0), Period.WEEK: (7 * DAY_MS, MONDAY_OFFSET_MS)}


@dataclass(frozen=True, slots=True, eq=False)
class PeriodLevels(EventTable):
    """The high (+1) and low (-1) of every completed period: index = the bar that made it, known_at = the
    first bar of the next period (tested from that bar on: the level existed at its open).

    taken = first bar from known_at trading beyond it (high > level / low < level), swept = that bar
    when it closes back inside.
    """

    END_STATE: ClassVar[str | None] = "taken"
    STATE_COLUMNS: ClassVar[tuple[str, ...]] = ("taken", "swept")

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    level: np.ndarray
    period: np.ndarray
    period_ms: np.ndarray
    taken: np.ndarray
    swept: np.ndarray


def period_levels(search: PriceSearch, candles: Candles, period: Period = Period.DAY) -> PeriodLevels:
    """Return the high and low of every complete period that a later bar follows."""
    length, offset = _PERIOD[Period(period)]
    bucket = (candles.open_ms + offset) // length
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]]) if len(candles) else np.empty(0, np.int64)
    if starts.size and (int(candles.open_ms[0]) + offset) % length:
        starts = starts[1:]  # the data opens mid-period: its first period is partial
    if starts.size < 2:
        return _empty()
    starts, next_start = starts[:-1], starts[1:]
    parts = [_side(search, candles, starts, next_start, side) for side in (1, -1)]
    order = np.argsort(np.r_[parts[0][1], parts[1][1]] * 2 + np.r_[np.zeros(starts.size), np.ones(starts.size)],
                       kind="stable")
    index, known, side, level, taken, swept = (np.r_[parts[0][i], parts[1][i]][order] for i in range(6))
    period_ms = (bucket[index] * length - offset).astype(np.int64)
    name = np.full(index.size, Period(period).value, dtype="<U4")
    return PeriodLevels(index, known, side.astype(np.int8), level, name, period_ms, taken, swept)


def day_and_week_levels(search: PriceSearch, candles: Candles) -> PeriodLevels:
    """Return the previous-day and previous-week highs and lows together, in known_at order."""
    day, week = period_levels(search, candles, Period.DAY), period_levels(search, candles, Period.WEEK)
    both = {k: np.r_[v, week.columns()[k]] for k, v in day.columns().items()}
    order = np.argsort(both["known_at"], kind="stable")
    return PeriodLevels(**{k: v[order] for k, v in both.items()})


def _side(search: PriceSearch, candles: Candles, starts: np.ndarray, next_start: np.ndarray,
          side: int) -> tuple[np.ndarray, ...]:
    lo, hi = int(starts[0]), int(next_start[-1])
    values = (candles.high if side > 0 else -candles.low)[lo:hi]
    extreme = np.maximum.reduceat(values, starts - lo)
    bars = np.arange(lo, hi)
    first = np.where(values == np.repeat(extreme, next_start - starts), bars, np.iinfo(np.int64).max)
    index = np.minimum.reduceat(first, starts - lo)
    level = side * extreme
    end = np.full(starts.size, search.bars - 1)
    if side > 0:
        taken = search.first_above("high", next_start, end, level, True)
        swept = np.where(taken != NOT_YET, search.first_below("close", taken, taken, level, True), NOT_YET)
    else:
        taken = search.first_below("low", next_start, end, level, True)
        swept = np.where(taken != NOT_YET, search.first_above("close", taken, taken, level, True), NOT_YET)
    return index, next_start, np.full(starts.size, side), level, taken, swept


def _empty() -> PeriodLevels:
    ints = np.empty(0, np.int64)
    return PeriodLevels(ints, ints, np.empty(0, np.int8), np.empty(0), np.empty(0, "<U4"), ints, ints, ints)
