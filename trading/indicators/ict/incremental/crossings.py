"""Rows waiting for price to cross their level: the first bar of a state, found as the bars arrive."""
from __future__ import annotations

import heapq
from typing import Mapping

import numpy as np

NEVER = 1 << 62   # the last bar a row may still change state when it never expires


class CrossingQueue:
    """A heap of (level, row) that a bar's price pops once it crosses the level.

    `above`: a row fires when price > level (>= when not strict); otherwise when price < level (<=).
    A row carries the last bar it may fire at (an expiring zone); crossing it later only drops it.
    Each row fires at most once, on the first bar whose price crosses: what the batch search finds.
    """

    __slots__ = ("_heap", "_sign", "_strict")

    def __init__(self, above: bool, strict: bool) -> None:
        self._heap: list[tuple[float, int, int]] = []
        self._sign = 1.0 if above else -1.0     # keys are sign * level, so the next to fire is the smallest
        self._strict = strict

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, level: float, row: int, last_bar: int = NEVER) -> None:
        """Wait for price to cross level for row, up to and including last_bar."""
        heapq.heappush(self._heap, (self._sign * level, row, last_bar))

    def crossed(self, price: float, t: int) -> list[int]:
        """Pop and return the rows whose level price crosses at bar t (in level order; expired rows dropped)."""
        heap = self._heap
        p = self._sign * price
        if not heap or heap[0][0] > p or (self._strict and heap[0][0] == p):
            return []
        fired = []
        while heap and (heap[0][0] < p or (not self._strict and heap[0][0] == p)):
            _, row, last_bar = heapq.heappop(heap)
            if t <= last_bar:
                fired.append(row)
        return fired


class StateChain:
    """States of one side that happen in order, each searched from the bar of the one before (inclusive).

    A row enters the first queue when its object becomes known; each state it reaches moves it to the next.
    """

    __slots__ = ("_queues", "_series", "_columns", "_levels", "_last_bar")

    def __init__(self, steps: list[tuple[str, str, bool, bool]], levels: list[list[float]],
                 last_bar: list[int]) -> None:
        # steps: (state column, price series, fires above the level, strict); levels[k][row] = row's level
        self._columns = [s[0] for s in steps]
        self._series = [s[1] for s in steps]
        self._queues = [CrossingQueue(above, strict) for _, _, above, strict in steps]
        self._levels, self._last_bar = levels, last_bar

    def start(self, row: int) -> None:
        """Wait for the first state of a row (its levels and last bar already appended)."""
        self._queues[0].push(self._levels[0][row], row, self._last_bar[row])

    def update(self, t: int, prices: Mapping[str, float], columns: Mapping[str, np.ndarray]) -> list[int]:
        """Record each state crossed at bar t in its column; return the rows whose last state happened."""
        done: list[int] = []
        queues = self._queues
        for k, queue in enumerate(queues):
            heap = queue._heap
            if not heap:
                continue
            price = prices[self._series[k]]
            nearest = heap[0][0]    # inlined first test of crossed(): most bars cross nothing
            if nearest > queue._sign * price or (queue._strict and nearest == queue._sign * price):
                continue
            fired = queue.crossed(price, t)
            column = columns[self._columns[k]]
            for row in fired:
                column[row] = t
                if k + 1 < len(queues):
                    queues[k + 1].push(self._levels[k + 1][row], row, self._last_bar[row])
                else:
                    done.append(row)
        return done
