"""Fair value gaps, order blocks and breakers with their state bars, updated bar by bar (ict.md 4-6)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from trading.indicators.ict.breakers import Breakers
from trading.indicators.ict.fair_value_gaps import FairValueGaps
from trading.indicators.ict.incremental.columns import NOT_YET, Columns
from trading.indicators.ict.incremental.crossings import NEVER, StateChain
from trading.indicators.ict.order_blocks import OrderBlocks
from trading.indicators.ict.params import ObBreakOn

INT, SIDE, PRICE = np.int64, np.int8, np.float64
FVG_STATES = ("touched", "ce", "filled", "inverted")
Prices = Mapping[str, float]     # one bar's open, high, low, close, body_bottom and body_top by name


@dataclass(frozen=True, slots=True)
class Bar:
    """One closed candle's prices at bar t."""

    t: int
    open: float
    high: float
    low: float
    close: float


class GapTracker:
    """Every FVG so far with touched / ce / filled / inverted (ict.md 4)."""

    def __init__(self, require_body: bool, min_gap: float, max_age: int | None) -> None:
        self.require_body, self.min_gap, self.max_age = require_body, min_gap, max_age
        self.table = Columns({"index": INT, "known_at": INT, "direction": SIDE, "top": PRICE, "bottom": PRICE,
                              "mid": PRICE, "touched": INT, "ce": INT, "filled": INT, "inverted": INT,
                              "expires": INT})
        top: list[float] = []
        mid: list[float] = []
        bottom: list[float] = []
        self._levels = (top, mid, bottom)
        self._last: list[int] = []
        # bullish: low reaches top, mid, bottom, then a close below bottom; bearish mirrored
        self._chains = {
            1: StateChain([(s, p, False, p == "close") for s, p in zip(FVG_STATES, ("low", "low", "low", "close"))],
                          [top, mid, bottom, bottom], self._last),
            -1: StateChain([(s, p, True, p == "close") for s, p in zip(FVG_STATES, ("high", "high", "high", "close"))],
                           [bottom, mid, top, top], self._last),
        }

    def update(self, t: int, prices: Prices) -> None:
        """Move the gaps known before bar t through the states it reaches."""
        columns = self.table.columns
        self._chains[1].update(t, prices, columns)
        self._chains[-1].update(t, prices, columns)

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
        for values, value in zip(self._levels, (top, mid, bottom)):
            values.append(value)
        self._last.append(expires if self.max_age is not None else NEVER)
        self._chains[side].start(row)

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
        self._top: list[float] = []
        self._bottom: list[float] = []
        self._last: list[int] = []
        self._chains = {
            1: StateChain([("touched", "low", False, False), ("broken", down, False, True)],
                          [self._top, self._bottom], self._last),
            -1: StateChain([("touched", "high", True, False), ("broken", up, True, True)],
                           [self._bottom, self._top], self._last),
        }
        self._breaker_top: list[float] = []
        self._breaker_bottom: list[float] = []
        self._breaker_last: list[int] = []
        top, bottom, last = self._breaker_top, self._breaker_bottom, self._breaker_last
        self._breaker_chains = {
            1: StateChain([("retest", "low", False, False), ("invalidated", "close", False, True)], [top, bottom],
                          last),
            -1: StateChain([("retest", "high", True, False), ("invalidated", "close", True, True)], [bottom, top],
                           last),
        }

    def add(self, index: int, known_at: int, side: int, top: float, bottom: float, ref_index: int) -> None:
        """Add the order block a structure break made at known_at (tested from the next bar)."""
        expires = known_at + self.max_age if self.max_age is not None else NOT_YET
        row = self.table.append(index, known_at, side, top, bottom, ref_index, NOT_YET, NOT_YET, expires)
        self._top.append(top)
        self._bottom.append(bottom)
        self._last.append(expires if self.max_age is not None else NEVER)
        self._chains[side].start(row)

    def update(self, t: int, prices: Prices) -> None:
        """Move breakers, then blocks, through the states bar t reaches; broken blocks become breakers."""
        columns = self.breakers.columns
        self._breaker_chains[1].update(t, prices, columns)
        self._breaker_chains[-1].update(t, prices, columns)
        columns = self.table.columns
        broken = self._chains[1].update(t, prices, columns) + self._chains[-1].update(t, prices, columns)
        for row in sorted(broken):
            self._turn(row, t)

    def _turn(self, row: int, t: int) -> None:
        # the breaker faces the other way, keeps the zone, and is tested from the bar after the break
        side = -int(self.table.columns["direction"][row])
        top, bottom = self._top[row], self._bottom[row]
        b = self.breakers.append(int(self.table.columns["index"][row]), t, side, top, bottom, row, NOT_YET, NOT_YET)
        self._breaker_top.append(top)
        self._breaker_bottom.append(bottom)
        self._breaker_last.append(NEVER)
        self._breaker_chains[side].start(b)

    def frozen(self) -> tuple[OrderBlocks, Breakers]:
        """Return the order blocks and breakers as of the last bar."""
        return OrderBlocks(**self.table.frozen()), Breakers(**self.breakers.frozen())
