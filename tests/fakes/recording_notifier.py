"""A Notifier that keeps what it was asked to deliver, for tests to read."""
from __future__ import annotations

from trading.domain.events import Event, EventKind


class RecordingNotifier:
    """Records every event pushed to the user, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.withdrawals: list[Event] = []

    def notify(self, event: Event) -> None:
        """Keep the event."""
        self.events.append(event)

    def withdraw(self, event: Event) -> None:
        """Keep the lift whose alerts would be taken back."""
        self.withdrawals.append(event)

    def of(self, *kinds: EventKind) -> list[Event]:
        """Return the recorded events of these kinds."""
        return [e for e in self.events if e.kind in kinds]

    @property
    def lines(self) -> list[str]:
        """Return the messages, in order."""
        return [e.message for e in self.events]
