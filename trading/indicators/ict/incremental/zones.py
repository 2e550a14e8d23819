"""Fair value gaps, order blocks and breakers with their state bars, updated bar by bar (ict.md 4-6)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trading.indicators.ict.breakers import Breakers
from trading.indicators.ict.fair_value_gaps import FairValueGaps
from trading.indicators.ict.incremental.columns import NOT_YET, Columns
from trading.indicators.ict.incremental.crossings import NEVER, CrossingQueue
from trading.indicators.ict.order_blocks import OrderBlocks
from trading.indicators.ict.params import ObBreakOn

INT, SIDE, PRICE = np.int64, np.int8, np.float64


@dataclass(frozen=True, slots=True)
class Bar:
    """One closed candle's prices at bar t, as the trackers read them."""

    t: int
    open: float
    high: float
    low: float
    close: float

    def price(self, series: str) -> float:
        """Return a price series of the bar by name (body_bottom / body_top: the body's ends)."""
        if series == "body_bottom":
            return min(self.open, self.close)
        if series == "body_top":
            return max(self.open, self.close)
        return getattr(self, series)


class _Chain:
    """States of one side that happen in order, each searched from the bar of the one before (inclusive)."""

    __slots__ = ("queues", "series", "columns")

    def __init__(self, steps: list[tuple[str, str, bool, bool]]) -> None:
        # steps: (state column, price series, fires above the level, strict)
        self.columns = [s[0] for s in steps]
        self.series = [s[1] for s in steps]
        self.queues = [CrossingQueue(above, strict) for _, _, above, strict in steps]

    def update(self, bar: Bar, table: Columns, levels: list[list[float]], last_bar: list[int]) -> list[int]:
        """Record each state crossed at this bar; return the rows whose last state happened."""
        done: list[int] = []
        for k, queue in enumerate(self.queues):
            fired = queue.crossed(bar.price(self.series[k]), bar.t)
            if not fired:
                continue
            column = table.column(self.columns[k])
            for row in fired:
                column[row] = bar.t
                if k + 1 < len(self.queues):
                    self.queues[k + 1].push(levels[k + 1][row], row, last_bar[row])
                else:
                    done.append(row)
        return done


class GapTracker:
    """Every FVG so far with touched / ce / filled / inverted (ict.md 4)."""

    def __init__(self, require_body: bool, min_gap: float, max_age: int | None) -> None:
        self.require_body, self.min_gap, self.max_age = require_body, min_gap, max_age
        self.table = Columns({"index": INT, "known_at": INT, "direction": SIDE, "top": PRICE, "bottom": PRICE,
                              "mid": PRICE, "touched": INT, "ce": INT, "filled": INT, "inverted": INT,
                              "expires": INT})
        self._top: list[float] = []
        self._mid: list[float] = []
        self._bottom: list[float] = []
        self._last: list[int] = []
        states = ("touched", "ce", "filled", "inverted")
        self._chains = {
            1: _Chain([(s, p, False, strict) for s, p, strict in zip(states, ("low",) * 3 + ("close",),
                                                                    (False,) * 3 + (True,))]),
            -1: _Chain([(s, p, True, strict) for s, p, strict in zip(states, ("high",) * 3 + ("close",),
                                                                    (False,) * 3 + (True,))]),
        }

    def update(self, bar: Bar) -> None:
        """Move the gaps known before this bar through the states it reaches."""
        self._chains[1].update(bar, self.table, [self._top, self._mid, self._bottom, self._bottom], self._last)
        self._chains[-1].update(bar, self.table, [self._bottom, self._mid, self._top, self._top], self._last)

    def detect(self, a: Bar, b: Bar, c: Bar) -> None:
        """Add the gap of candles a, b, c (c is the bar that just closed), if there is one."""
        bull = a.high < c.low and (not self.require_body or b.close > b.open)
        bear = a.low > c.high and (not self.require_body or b.close < b.open)
        if not (bull or bear):
            return
        top, bottom = (c.low, a.high) if bull else (a.low, c.high)
        if not top - bottom >= self.min_gap * (top + bottom) / 2.0:
            return
        mid = (top + bottom) / 2.0
        expires = c.t + self.max_age if self.max_age is not None else NOT_YET
        side = 1 if bull else -1
        row = self.table.append(b.t, c.t, side, top, bottom, mid, NOT_YET, NOT_YET, NOT_YET, NOT_YET, expires)
        self._top.append(top)
        self._mid.append(mid)
        self._bottom.append(bottom)
        self._last.append(expires if self.max_age is not None else NEVER)
        self._chains[side].queues[0].push(top if bull else bottom, row, self._last[row])

    def frozen(self) -> FairValueGaps:
        """Return the gaps as of the last bar."""
        return FairValueGaps(**self.table.frozen())


class BlockTracker:
    """Every order block with touched / broken, and the breakers the broken ones become (ict.md 5, 6)."""

    def __init__(self, break_on: ObBreakOn, max_age: int | None) -> None:
        self.max_age = max_age
        self.table = Columns({"index": INT, "known_at": INT, "direction": SIDE, "top": PRICE, "bottom": PRICE,
                              "ref_index": INT, "touched": INT, "broken": INT, "expires": INT})
        self.breakers = Columns({"index": INT, "known_at": INT, "direction": SIDE, "top": PRICE, "bottom": PRICE,
                                 "ob_row": INT, "retest": INT, "invalidated": INT})
        down, up = {ObBreakOn.CLOSE: ("close", "close"), ObBreakOn.WICK: ("low", "high"),
                    ObBreakOn.BODY: ("body_bottom", "body_top")}[ObBreakOn(break_on)]
        self._last: list[int] = []
        self._top: list[float] = []
        self._bottom: list[float] = []
        self._chains = {1: _Chain([("touched", "low", False, False), ("broken", down, False, True)]),
                        -1: _Chain([("touched", "high", True, False), ("broken", up, True, True)])}
        self._breaker_top: list[float] = []
        self._breaker_bottom: list[float] = []
        self._breaker_last: list[int] = []
        self._breaker_chains = {1: _Chain([("retest", "low", False, False), ("invalidated", "close", False, True)]),
                                -1: _Chain([("retest", "high", True, False), ("invalidated", "close", True, True)])}

    def add(self, index: int, known_at: int, side: int, top: float, bottom: float, ref_index: int) -> None:
        """Add the order block a structure break made at known_at (tested from the next bar)."""
        expires = known_at + self.max_age if self.max_age is not None else NOT_YET
        row = self.table.append(index, known_at, side, top, bottom, ref_index, NOT_YET, NOT_YET, expires)
        self._top.append(top)
        self._bottom.append(bottom)
        self._last.append(expires if self.max_age is not None else NEVER)
        self._chains[side].queues[0].push(top if side > 0 else bottom, row, self._last[row])

    def update(self, bar: Bar) -> None:
        """Move breakers, then blocks, through the states this bar reaches; broken blocks become breakers."""
        for side in (1, -1):
            first, second = ((self._breaker_top, self._breaker_bottom) if side > 0
                             else (self._breaker_bottom, self._breaker_top))
            self._breaker_chains[side].update(bar, self.breakers, [first, second], self._breaker_last)
        broken = []
        for side in (1, -1):
            first, second = (self._top, self._bottom) if side > 0 else (self._bottom, self._top)
            broken += self._chains[side].update(bar, self.table, [first, second], self._last)
        for row in sorted(broken):
            self._turn(row, bar.t)

    def _turn(self, row: int, t: int) -> None:
        side = -int(self.table.column("direction")[row])
        top, bottom = self._top[row], self._bottom[row]
        index = int(self.table.column("index")[row])
        b = self.breakers.append(index, t, side, top, bottom, row, NOT_YET, NOT_YET)
        self._breaker_top.append(top)
        self._breaker_bottom.append(bottom)
        self._breaker_last.append(NEVER)
        self._breaker_chains[side].queues[0].push(top if side > 0 else bottom, b)

    def frozen(self) -> tuple[OrderBlocks, Breakers]:
        """Return the order blocks and breakers as of the last bar."""
        return OrderBlocks(**self.table.frozen()), Breakers(**self.breakers.frozen())
