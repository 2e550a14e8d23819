"""Where the core's events go: the audit log always, the notifier when the event is meant for the user."""
from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from trading.domain.events import Event, Severity
from trading.logs import get_logger
from trading.ports import EventLog, Notifier

log = get_logger(__name__)
EARLY_KEPT = 50


class Admission(Protocol):
    """Decides whether a user-facing event is pushed now (see notification_policy.py)."""

    def admit(self, event: Event) -> bool:
        """Return True to push the event now."""
        ...




class EventBus:
    """Records every event and forwards the user-facing ones to the attached notifiers."""

    def __init__(self, audit: EventLog) -> None:
        self._audit = audit
        self._notifiers: list[Notifier] = []
        # what start-up says before the chat is attached (the live reconciliation report, "armed but paused")
        self._early: list[Event] = []
        self.policy: Admission | None = None     # which pushes go out now (categories, quiet hours)

    def attach(self, notifier: Notifier) -> None:
        """Deliver user-facing events to notifier too, starting with those announced before any was attached."""
        self._notifiers.append(notifier)
        early, self._early = self._early, []
        for event in early:
            notifier.notify(event)

    async def emit(self, event: Event) -> None:
        """Record the event, then hand it to the notifiers (which queue and never block)."""
        await self._audit.append_event(event)
        self.announce(event)

    def announce_venue(self, event: Event) -> None:
        """Announce a venue's own order/position event: pushed only when alarming (a failure, a liquidation).

        Entries and exits are told by the trading loop with their reason, manual orders by the chat's reply,
        so pushing the venue's fill and position lines too would say everything twice.
        """
        self.announce(replace(event, notify=event.notify and event.severity is not Severity.INFO))

    def announce(self, event: Event) -> None:
        """Log and notify an event that is already in the audit log (written with the state it describes)."""
        log.info(event.message, kind=event.kind.value)
        if event.notify and self.policy is not None and not self.policy.admit(event):
            return
        if event.notify and not self._notifiers and len(self._early) < EARLY_KEPT:
            self._early.append(event)
        if event.notify:
            for notifier in self._notifiers:
                notifier.notify(event)
