"""Previous-day and previous-week highs and lows, known from the first bar of the next period (ict.md 7)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trading.indicators.ict.incremental.columns import NOT_YET, Columns
from trading.indicators.ict.incremental.crossings import CrossingQueue
from trading.indicators.ict.period_levels import _PERIOD, Period, PeriodLevels

INT, SIDE, PRICE = np.int64, np.int8, np.float64


@dataclass(slots=True)
class _Running:
    """The period under way: its bucket, whether it began at its boundary, its extremes and their first bars."""

    bucket: int
    whole: bool
    high: float
    high_at: int
    low: float
    low_at: int


class PeriodTracker:
    """The high and low of every completed day and week, with the bar that takes each (and a sweep)."""

    def __init__(self) -> None:
        self.table = Columns({"index": INT, "known_at": INT, "direction": SIDE, "level": PRICE, "period": "<U4",
                              "period_ms": INT, "taken": INT, "swept": INT})
        self._running: dict[Period, _Running | None] = {Period.DAY: None, Period.WEEK: None}
        self._level: list[float] = []
        self._queues = {1: CrossingQueue(above=True, strict=True), -1: CrossingQueue(above=False, strict=True)}

    def update(self, t: int, open_ms: int, high: float, low: float, close: float) -> None:
        """Close the periods bar t opens a new one of, then take the levels bar t trades beyond."""
        for period in (Period.DAY, Period.WEEK):
            self._roll(period, t, open_ms, high, low)
        taken = self.table.column("taken")
        swept = self.table.column("swept")
        for side, price in ((1, high), (-1, low)):
            for row in self._queues[side].crossed(price, t):
                taken[row] = t
                if side * close < side * self._level[row]:
                    swept[row] = t

    def _roll(self, period: Period, t: int, open_ms: int, high: float, low: float) -> None:
        length, offset = _PERIOD[period]
        bucket = (open_ms + offset) // length
        running = self._running[period]
        if running is None or bucket != running.bucket:
            if running is not None and running.whole:
                self._close(period, running, t, length, offset)
            whole = running is not None or (open_ms + offset) % length == 0   # the data may open mid-period
            self._running[period] = _Running(bucket, whole, high, t, low, t)
            return
        if high > running.high:
            running.high, running.high_at = high, t
        if low < running.low:
            running.low, running.low_at = low, t

    def _close(self, period: Period, running: _Running, t: int, length: int, offset: int) -> None:
        period_ms = running.bucket * length - offset
        for side, level, at in ((1, running.high, running.high_at), (-1, running.low, running.low_at)):
            row = self.table.append(at, t, side, level, period.value, period_ms, NOT_YET, NOT_YET)
            self._level.append(level)
            self._queues[side].push(level, row)

    def frozen(self) -> PeriodLevels:
        """Return the period levels as of the last bar."""
        return PeriodLevels(**self.table.frozen())
