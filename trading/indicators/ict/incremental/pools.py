"""Liquidity levels, their members and their sweeps or runs, updated bar by bar (ict.md 7)."""
from __future__ import annotations

import bisect

import numpy as np

from trading.indicators.ict.incremental.columns import NOT_YET, Columns
from trading.indicators.ict.liquidity import RUN, SWEEP, LiquidityLevels, LiquidityMembers, Sweeps

INT, SIDE, PRICE = np.int64, np.int8, np.float64


class PoolTracker:
    """Buy-side and sell-side levels from candidate pivots: equal highs/lows clusters, takes, sweeps, runs.

    Active anchors of a side sit on a stack whose levels move away from price towards the bottom (ict.md 7:
    a higher later high takes the older, lower ones), so a bar takes levels from the top only.
    """

    def __init__(self, liq_tol: float, reclaim_bars: int) -> None:
        self.tol, self.reclaim = liq_tol, reclaim_bars
        self.members = Columns({"index": INT, "known_at": INT, "direction": SIDE, "level": PRICE, "level_row": INT})
        self.levels = Columns({"index": INT, "known_at": INT, "direction": SIDE, "level": PRICE, "level_max": PRICE,
                               "level_min": PRICE, "count": INT, "equal_at": INT, "taken": INT, "swept": INT,
                               "run": INT})
        self.sweeps = Columns({"index": INT, "known_at": INT, "direction": SIDE, "level": PRICE, "level_row": INT,
                               "level_index": INT, "count": INT, "kind": "<U5"})
        self._stack: dict[int, list[int]] = {1: [], -1: []}
        self._neg_thr: dict[int, list[float]] = {1: [], -1: []}
        self._anchor: list[float] = []            # per level: its anchor's price
        self._side: list[int] = []
        self._sum: list[float] = []
        self._count: list[int] = []
        self._max: list[float] = []
        self._min: list[float] = []
        self._taken: list[int] = []
        self._pending: list[int] = []             # taken levels still waiting for a close back inside

    def update(self, t: int, high: float, low: float, close: float) -> None:
        """Take the levels this bar trades beyond, and settle takes into sweeps or runs."""
        for side, price in ((1, high), (-1, low)):
            stack = self._stack[side]
            while stack and side * self._anchor[stack[-1]] < side * price:
                row = stack.pop()
                self._neg_thr[side].pop()
                self._taken[row] = t
                self.levels.column("taken")[row] = t
                self._pending.append(row)
        if self._pending:
            self._settle(t, close)

    def _settle(self, t: int, close: float) -> None:
        known: list[tuple[int, str]] = []
        waiting = []
        for row in self._pending:
            if self._side[row] * close < self._side[row] * self._anchor[row]:
                self.levels.column("swept")[row] = t
                known.append((row, SWEEP))
            elif t - self._taken[row] >= self.reclaim:
                self.levels.column("run")[row] = t
                known.append((row, RUN))
            else:
                waiting.append(row)
        self._pending = waiting
        for row, kind in sorted(known):
            pool = self._max[row] if self._side[row] > 0 else self._min[row]
            self.sweeps.append(self._taken[row], t, -self._side[row], pool, row,
                               self.levels.column("index")[row], self._count[row], kind)

    def add(self, index: int, known_at: int, side: int, level: float) -> None:
        """Attach a candidate pivot known at this bar: join the oldest active level within tolerance, or anchor."""
        signed = side * level
        stack, neg_thr = self._stack[side], self._neg_thr[side]
        i = bisect.bisect_left(neg_thr, -signed)
        if i < len(stack):
            self._join(stack[i], index, known_at, side, level)
            return
        row = self.levels.append(index, known_at, side, level, level, level, 1, NOT_YET, NOT_YET, NOT_YET,
                                 NOT_YET)
        self.members.append(index, known_at, side, level, row)
        for prices in (self._anchor, self._sum, self._max, self._min):
            prices.append(level)
        self._side.append(side)
        self._count.append(1)
        self._taken.append(NOT_YET)
        stack.append(row)
        neg_thr.append(-(signed - self.tol * abs(signed)))

    def _join(self, row: int, index: int, known_at: int, side: int, level: float) -> None:
        self.members.append(index, known_at, side, level, row)
        self._sum[row] += level
        self._count[row] += 1
        self._max[row] = max(self._max[row], level)
        self._min[row] = min(self._min[row], level)
        levels = self.levels
        levels.column("level")[row] = self._sum[row] / self._count[row]
        levels.column("level_max")[row] = self._max[row]
        levels.column("level_min")[row] = self._min[row]
        levels.column("count")[row] = self._count[row]
        if self._count[row] == 2:
            levels.column("equal_at")[row] = known_at

    def frozen(self) -> tuple[LiquidityLevels, LiquidityMembers, Sweeps]:
        """Return the levels, their members and the sweeps as of the last bar."""
        return (LiquidityLevels(**self.levels.frozen()), LiquidityMembers(**self.members.frozen()),
                Sweeps(**self.sweeps.frozen()))
