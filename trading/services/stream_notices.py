"""Telling the user once when a live stream connection drops, and once when it is back."""
from __future__ import annotations

from trading.domain.events import Event, EventKind, Severity
from trading.ports import Clock
from trading.services.event_bus import EventBus


class StreamNotices:
    """A StreamListener that turns a supervisor's down and up into one system event each."""

    def __init__(self, events: EventBus, clock: Clock, what: str, fallback: str) -> None:
        self._events = events
        self._clock = clock
        self._what = what              # e.g. "Market data stream (binance)"
        self._fallback = fallback      # what keeps working meanwhile

    async def streams_down(self, name: str, reason: str) -> None:
        """Say the stream dropped, what still works, and that it reconnects by itself."""
        await self._events.emit(Event(
            EventKind.CONNECTION, self._clock.now_ms(),
            f"{self._what} disconnected ({reason}). {self._fallback} Reconnecting automatically.",
            {"link": name, "up": False, "reason": reason}, Severity.WARNING))

    async def streams_up(self, name: str, outage_s: float) -> None:
        """Say the stream is back and how long it was away."""
        await self._events.emit(Event(
            EventKind.CONNECTION, self._clock.now_ms(), f"{self._what} reconnected after {_duration(outage_s)}.",
            {"link": name, "up": True, "outage_s": round(outage_s, 1)}))


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"
