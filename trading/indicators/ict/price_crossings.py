"""Batched search of the first bar at which a price series crosses a level (range-maximum + descent)."""
from __future__ import annotations

import numpy as np

from trading.domain.candles import Candles

BLOCK_BITS = 4  # blocks of 16 bars: fine table of 5 levels, coarse sparse table over block maxima
BLOCK = 1 << BLOCK_BITS


class CrossingSearch:
    """Answer many "first bar in [start, end] whose value exceeds level" queries at once.

    Memory is (BLOCK_BITS + 1) arrays of n plus a sparse table over n / BLOCK block maxima; a query
    costs O(log n) vectorised steps. Values are compared exactly.
    """

    __slots__ = ("_n", "_fine", "_coarse")

    def __init__(self, values: np.ndarray) -> None:
        self._n = int(values.shape[0])
        fine = [np.asarray(values, np.float64)]
        for k in range(1, BLOCK_BITS + 1):
            fine.append(_doubled(fine[-1], 1 << (k - 1)))
        self._fine = fine
        coarse = [fine[BLOCK_BITS][::BLOCK].copy()]
        while (1 << len(coarse)) <= coarse[0].size:
            coarse.append(_doubled(coarse[-1], 1 << (len(coarse) - 1)))
        self._coarse = coarse

    def first_above(self, start: np.ndarray, end: np.ndarray, level: np.ndarray,
                    strict: bool = True) -> np.ndarray:
        """Return per query the first bar in [start, end] with value > level (>= if not strict), else -1."""
        start = np.asarray(start, np.int64)
        level = np.asarray(level, np.float64)
        end = np.minimum(np.asarray(end, np.int64), self._n - 1)
        out = np.full(start.shape[0], -1, np.int64)
        live = np.flatnonzero(start <= end)
        if live.size == 0:
            return out
        s, e, v = start[live], end[live], level[live]
        limit = np.minimum(e + 1, (s | (BLOCK - 1)) + 1)
        pos = self._descend(self._fine, s, limit, v, strict, BLOCK_BITS)
        found = pos < limit
        out[live[found]] = pos[found]
        rest = ~found & (limit <= e)
        if rest.any():
            out[live[rest]] = self._beyond_first_block(limit[rest], e[rest], v[rest], strict)
        return out

    def _beyond_first_block(self, start: np.ndarray, end: np.ndarray, level: np.ndarray,
                            strict: bool) -> np.ndarray:
        last_block = end >> BLOCK_BITS
        top = len(self._coarse) - 1
        block = self._descend(self._coarse, start >> BLOCK_BITS, last_block + 1, level, strict, top)
        out = np.full(start.shape[0], -1, np.int64)
        hit = np.flatnonzero(block <= last_block)
        if hit.size:
            s = block[hit] << BLOCK_BITS
            limit = np.minimum(end[hit] + 1, s + BLOCK)
            pos = self._descend(self._fine, s, limit, level[hit], strict, BLOCK_BITS)
            inside = pos < limit
            out[hit[inside]] = pos[inside]
        return out

    @staticmethod
    def _descend(table: list[np.ndarray], pos: np.ndarray, limit: np.ndarray, level: np.ndarray,
                 strict: bool, top: int) -> np.ndarray:
        # greedy: skip every power-of-two window that stays within limit and holds no crossing
        pos = pos.copy()
        last = table[0].shape[0] - 1
        for k in range(top, -1, -1):
            step = 1 << k
            peak = table[k][np.minimum(pos, last)]
            quiet = peak <= level if strict else peak < level
            quiet &= pos + step <= limit
            pos += quiet * step
        return pos


def _doubled(prev: np.ndarray, step: int) -> np.ndarray:
    # max over windows twice as long; windows running past the end keep their shorter maximum
    out = prev.copy()
    if prev.size > step:
        np.maximum(prev[:-step], prev[step:], out=out[:-step])
    return out


class PriceSearch:
    """Lazily built crossing searches over the price series of one run of candles."""

    __slots__ = ("_candles", "_searches")

    def __init__(self, candles: Candles) -> None:
        self._candles = candles
        self._searches: dict[str, CrossingSearch] = {}

    @property
    def bars(self) -> int:
        """Return the number of candles searched."""
        return len(self._candles)

    def _search(self, series: str, sign: float) -> CrossingSearch:
        key = f"{series}{sign:+.0f}"
        if key not in self._searches:
            self._searches[key] = CrossingSearch(sign * self.series(series))
        return self._searches[key]

    def series(self, name: str) -> np.ndarray:
        """Return a price series by name: open, high, low, close, body_top or body_bottom."""
        c = self._candles
        if name == "body_top":
            return np.maximum(c.open, c.close)
        if name == "body_bottom":
            return np.minimum(c.open, c.close)
        return getattr(c, name)

    def first_above(self, series: str, start: np.ndarray, end: np.ndarray, level: np.ndarray,
                    strict: bool) -> np.ndarray:
        """Return the first bar in [start, end] whose series is above level (or at it if not strict)."""
        return self._search(series, 1.0).first_above(start, end, level, strict)

    def first_below(self, series: str, start: np.ndarray, end: np.ndarray, level: np.ndarray,
                    strict: bool) -> np.ndarray:
        """Return the first bar in [start, end] whose series is below level (or at it if not strict)."""
        return self._search(series, -1.0).first_above(start, end, -np.asarray(level, np.float64), strict)

    def chain_below(self, series: str, start: np.ndarray, end: np.ndarray, level: np.ndarray,
                    strict: bool) -> np.ndarray:
        """Like first_below, for queries whose start is a previous state bar (-1: skip, stays -1)."""
        return _chained(self.first_below, series, start, end, level, strict)

    def chain_above(self, series: str, start: np.ndarray, end: np.ndarray, level: np.ndarray,
                    strict: bool) -> np.ndarray:
        """Like first_above, for queries whose start is a previous state bar (-1: skip, stays -1)."""
        return _chained(self.first_above, series, start, end, level, strict)


def _chained(find, series: str, start: np.ndarray, end: np.ndarray, level: np.ndarray,
             strict: bool) -> np.ndarray:
    out = np.full(start.shape[0], -1, np.int64)
    go = np.flatnonzero(start >= 0)
    if go.size:
        out[go] = find(series, start[go], np.broadcast_to(end, start.shape)[go], level[go], strict)
    return out
