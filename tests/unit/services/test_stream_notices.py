"""What the user is told when a live stream drops and comes back."""
from __future__ import annotations

from tests.fakes.recording_notifier import RecordingNotifier
from trading.adapters.clocks import ManualClock
from trading.domain.events import Event, EventKind, Severity
from trading.services.event_bus import EventBus
from trading.services.stream_notices import StreamNotices


class Audit:
    """An in-memory audit log."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def append_event(self, event: Event) -> None:
        self.events.append(event)


async def test_a_drop_says_what_still_works_and_the_return_how_long_it_took() -> None:
    audit, notes = Audit(), RecordingNotifier()
    bus = EventBus(audit)
    bus.attach(notes)
    notices = StreamNotices(bus, ManualClock(5_000), "Market data stream (binance)", "Candles come over REST.")

    await notices.streams_down("binance market data", "NetworkError: connection closed")
    await notices.streams_up("binance market data", 83.4)

    down, up = notes.events
    assert (down.kind, down.severity, up.kind, up.severity) == (EventKind.CONNECTION, Severity.WARNING,
                                                                EventKind.CONNECTION, Severity.INFO)
    assert down.message == ("Market data stream (binance) disconnected (NetworkError: connection closed). "
                            "Candles come over REST. Reconnecting automatically.")
    assert up.message == "Market data stream (binance) reconnected after 1 min 23 s."
    assert audit.events == [down, up]
