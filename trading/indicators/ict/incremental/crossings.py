"""Rows waiting for price to cross their level: the first bar of a state, found as the bars arrive."""
from __future__ import annotations

import heapq

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
