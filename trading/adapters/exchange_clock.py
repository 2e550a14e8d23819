"""The exchange's clock: the machine's clock plus the offset last measured against the exchange's server time.

Live trading runs on it: which candle has closed, the windows of backfills and gap refills, and the
timestamps of signed requests. A small VM or home PC whose clock drifts by seconds or minutes would
otherwise act on the wrong bar and have every signed request refused (Binance -1021).

The offset is measured at start-up and whenever sync_due() says so, from the exchange's server time,
corrected by half the round trip (the server wrote its time about mid-way). A failed measurement keeps
the last offset and is retried sooner (retry_ms).
"""
from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Awaitable, Callable

from trading.domain.errors import TradingError
from trading.domain.health import ClockSync
from trading.logs import get_logger
from trading.ports import Clock

ServerTime = Callable[[], Awaitable[int]]
log = get_logger(__name__)


class ExchangeClock:
    """A Clock on the exchange's time; sync() measures the offset from the machine's clock again."""

    def __init__(self, machine: Clock, *, sync_every_ms: int = 15 * 60_000, retry_ms: int = 60_000) -> None:
        self.machine = machine
        self._server_time: ServerTime | None = None
        self._sync_every_ms = sync_every_ms
        self._retry_ms = retry_ms
        self._state = ClockSync()
        self._attempted_ms: int | None = None
        self._lock = asyncio.Lock()
        self._finished = 0          # measurements finished: callers that waited for one share its result

    def measure_with(self, server_time: ServerTime) -> None:
        """Measure against server_time (the exchange's time in epoch ms, e.g. the feed's fetch_time)."""
        self._server_time = server_time

    def now_ms(self) -> int:
        """Return the exchange's current time in epoch ms (the machine's until the first measurement)."""
        return self.machine.now_ms() + (self._state.offset_ms or 0)

    @property
    def offset_ms(self) -> int:
        """Return the exchange's time minus the machine's, as last measured (0 before any)."""
        return self._state.offset_ms or 0

    def sync_state(self) -> ClockSync:
        """Return the offset last measured and how the measurements went."""
        return self._state

    def sync_due(self) -> bool:
        """Return True when the offset should be measured again (periodically, sooner after a failure)."""
        if self._attempted_ms is None:
            return True
        wait = self._retry_ms if self._state.failures else self._sync_every_ms
        # abs: a machine clock stepped backwards must not postpone the next measurement
        return abs(self.machine.now_ms() - self._attempted_ms) >= wait

    async def sync(self) -> bool:
        """Measure the offset now; on failure keep the last one and return False (never raises TradingError)."""
        seen = self._finished
        async with self._lock:
            if self._finished != seen:        # measured while this caller waited: one request is enough
                return self._state.failures == 0
            try:
                return await self._measure()
            finally:
                self._finished += 1

    async def _measure(self) -> bool:
        if self._server_time is None:
            raise RuntimeError("ExchangeClock.measure_with() was not called")
        sent = self._attempted_ms = self.machine.now_ms()
        try:
            server_ms = await self._server_time()
        except TradingError as exc:
            self._state = replace(self._state, failures=self._state.failures + 1, last_error=str(exc))
            log.warning("exchange time not measured; keeping the last offset", offset_ms=self._state.offset_ms,
                        failures=self._state.failures, error=str(exc))
            return False
        received = self.machine.now_ms()
        round_trip = max(0, received - sent)
        offset = int(server_ms) + round_trip // 2 - received
        self._state = ClockSync(offset, round_trip, received)
        log.info("exchange clock measured", offset_ms=offset, round_trip_ms=round_trip)
        return True
