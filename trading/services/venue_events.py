"""The venue's own events (orders placed and filled, positions changed) kept for the audit log only.

The paper broker reports synchronously through a callback; the trading loop drains what it collected into
the event bus at the end of each step, marked audit-only, because the loop itself sends the one
notification per entry and exit, with its reason.
"""
from __future__ import annotations

from dataclasses import replace

from trading.domain.events import Event
from trading.services.event_bus import EventBus


class VenueEvents:
    """A buffer between a broker's synchronous event callback and the asynchronous event bus."""

    def __init__(self) -> None:
        self._pending: list[Event] = []

    def add(self, event: Event) -> None:
        """Keep an event reported by the venue (pass this as PaperBroker(on_event=...))."""
        self._pending.append(event)

    async def drain(self, bus: EventBus) -> int:
        """Record the kept events in the audit log, without notifying; return how many there were."""
        events, self._pending = self._pending, []
        for event in events:
            await bus.emit(replace(event, notify=False))
        return len(events)
