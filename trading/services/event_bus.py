"""Where the core's events go: the audit log always, the notifier when the event is meant for the user."""
from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Protocol

from trading.domain.events import Event, Severity
from trading.logs import get_logger
from trading.ports import EventLog, Notifier

log = get_logger(__name__)


class Admission(Protocol):
    """Decides whether a user-facing event is pushed now (see notification_policy.py)."""

    def admit(self, event: Event) -> bool:
        """Return True to push the event now."""
        ...


class EventBus:
    """Records every event and forwards the user-facing ones to the attached notifiers."""

    def __init__(self, audit: EventLog, held: int = 100) -> None:
        self._audit = audit
        self._notifiers: list[Notifier] = []
        # news from start-up (a kill switch still on, the live venue's reconciliation, "armed but paused")
        # comes before the chat is attached: it is held for the first notifier rather than lost
        self._held: deque[Event] = deque(maxlen=held)
        self.policy: Admission | None = None     # which pushes go out now (categories, quiet hours)

    def attach(self, notifier: Notifier) -> None:
        """Deliver future user-facing events to notifier too, and the ones held while nobody listened."""
        self._notifiers.append(notifier)
        while self._held:
            notifier.notify(self._held.popleft())

    async def emit(self, event: Event) -> None:
        """Record the event, then hand it to the notifiers (which queue and never block)."""
        await self._audit.append_event(event)
        self.announce(event)

    def announce_venue(self, event: Event) -> None:
        """Announce a venue's own order/position event: pushed only when alarming or when nobody else tells it.

        Entries and exits are told by the trading loop with their reason, manual orders by the chat's reply,
        so pushing the venue's fill and position lines too would say everything twice. Alarming events (a
        failure, a liquidation, an order the venue cancelled on its own) and the fill of an order that
        rested on the book (a limit filled later, which no reply covered) are pushed.
        """
        wanted = event.severity is not Severity.INFO or bool(event.data.get("resting"))
        self.announce(replace(event, notify=event.notify and wanted))

    def announce(self, event: Event) -> None:
        """Log and notify an event that is already in the audit log (written with the state it describes)."""
        log.info(event.message, kind=event.kind.value)
        if not event.notify or (self.policy is not None and not self.policy.admit(event)):
            if event.data.get("lifts"):      # not pushed (its command's reply tells it, quiet hours): the alerts
                for notifier in self._notifiers:        # of the brake it lifted are stale all the same
                    notifier.withdraw(event)
            return
        if not self._notifiers:
            self._held.append(event)
        else:
            for notifier in self._notifiers:
                notifier.notify(event)
