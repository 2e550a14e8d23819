"""Keeping the exchange's time: measuring it when due, and telling the user once when the machine's clock is off."""
from __future__ import annotations

from trading.domain.events import Event, EventKind, Severity
from trading.domain.health import ClockSync
from trading.logs import get_logger
from trading.ports import SyncedClock
from trading.services.event_bus import EventBus

SKEW_WARNING_MS = 1_000
log = get_logger(__name__)


def skew_notice(state: ClockSync, venue: str, ts_ms: int) -> Event:
    """Return the warning that the machine's clock is off, with what the user can do about it."""
    return Event(EventKind.CLOCK, ts_ms,
                 f"This machine's clock is {state.machine_offset_text()} {venue}'s. The bot keeps the exchange's "
                 f"time, so trading goes on, but other programs on this machine are off too: turn on automatic "
                 f"time sync (NTP), e.g. 'sudo timedatectl set-ntp true' on Linux, or Settings > Time > "
                 f"Set time automatically on Windows and macOS.",
                 {"offset_ms": state.offset_ms, "round_trip_ms": state.round_trip_ms}, Severity.WARNING)


class ExchangeTimeKeeper:
    """Measures the exchange's clock when due; says once per run when the machine's is off by more than 1 s."""

    def __init__(self, clock: SyncedClock, events: EventBus, venue: str,
                 warn_over_ms: int = SKEW_WARNING_MS) -> None:
        self.clock = clock
        self._events = events
        self._venue = venue
        self._warn_over_ms = warn_over_ms
        self._told = False

    async def tick(self) -> ClockSync:
        """Measure the offset if due (a failure keeps the last one and is retried soon), then warn if needed."""
        if self.clock.sync_due():
            await self.clock.sync()
        state = self.clock.sync_state()
        if not self._told and state.offset_ms is not None and abs(state.offset_ms) > self._warn_over_ms:
            self._told = True
            log.warning("the machine's clock is off", offset_ms=state.offset_ms)
            await self._events.emit(skew_notice(state, self._venue, self.clock.now_ms()))
        return state
