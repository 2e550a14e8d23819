"""Clocks: the wall clock live, a replay clock for the demo, a manual clock for backtests and tests."""
from __future__ import annotations

import time


class WallClock:
    """Real time."""

    def now_ms(self) -> int:
        """Return the current epoch time in ms."""
        return time.time_ns() // 1_000_000


class ReplayClock:
    """Historical time that starts at start_ms and runs speed times faster than real time."""

    def __init__(self, start_ms: int, speed: float = 60.0) -> None:
        self.start_ms = start_ms
        self.speed = speed
        self._wall_start = time.monotonic()

    def now_ms(self) -> int:
        """Return the simulated epoch time in ms."""
        return self.start_ms + int((time.monotonic() - self._wall_start) * 1000 * self.speed)


class ManualClock:
    """Time that moves only when told to."""

    def __init__(self, now_ms: int = 0) -> None:
        self._now = now_ms

    def now_ms(self) -> int:
        """Return the current simulated time."""
        return self._now

    def set(self, now_ms: int) -> None:
        """Move to now_ms (never backwards)."""
        self._now = max(self._now, now_ms)

    def advance(self, ms: int) -> None:
        """Move forward by ms."""
        self._now += ms
