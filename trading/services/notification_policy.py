"""Which notifications reach the chat: the categories the user switched on, and quiet hours with a digest after.

Risk and system alerts always go out, quiet hours or not (a kill switch at 3 a.m. must wake you); everything
else is held during quiet hours and summed up in one digest when they end. A switched-off category is still in
the audit log; only the push is skipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

from trading.domain.events import Event, EventKind, Severity
from trading.domain.time_of_day import parse_time_of_day
from trading.ports import Clock, StateStore

STATE_KEY = "notifications"
HELD_KEPT = 200
DIGEST_LINES = 15


class Category(StrEnum):
    """What a notification is about, as the user switches them."""

    ENTRIES = "entries"
    EXITS = "exits"
    STOPS = "stops"            # stops and targets hit
    RISK = "risk"              # daily loss limit, drawdown, breaker, kill switch, security
    ORDERS = "orders"          # failed after retries, partial fills, cancelled
    DECISIONS = "decisions"    # signals and the decision maker's answers
    SYSTEM = "system"          # start-up, shutdown, exchange and feed trouble, approvals, settings


ALWAYS_THROUGH_QUIET = (Category.RISK, Category.SYSTEM)
_KINDS = {EventKind.POSITION_OPENED: Category.ENTRIES, EventKind.SIGNAL: Category.DECISIONS,
          EventKind.DECISION: Category.DECISIONS, EventKind.RISK_LIMIT: Category.RISK,
          EventKind.CIRCUIT_BREAKER: Category.RISK, EventKind.KILL_SWITCH: Category.RISK,
          EventKind.SECURITY: Category.RISK, EventKind.ORDER_FAILED: Category.ORDERS,
          EventKind.ORDER_CANCELLED: Category.ORDERS, EventKind.ORDER_FILLED: Category.ORDERS}
_STOP_WORDS = ("stop", "target", "take profit", "take-profit", "trailing", "break-even", "break even")


def category_of(event: Event) -> Category:
    """Return the category an event belongs to."""
    if event.kind in (EventKind.POSITION_CLOSED, EventKind.POSITION_UPDATED, EventKind.ORDER_PLACED):
        reason = f"{event.data.get('reason', '')} {event.message}".lower()
        if event.kind is EventKind.ORDER_PLACED and not event.message.startswith("Exit"):
            return Category.ORDERS
        return Category.STOPS if any(word in reason for word in _STOP_WORDS) else Category.EXITS
    return _KINDS.get(event.kind, Category.SYSTEM)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window (it may span midnight) in a time zone."""

    start: time
    end: time
    zone: str = "UTC"

    @classmethod
    def parse(cls, text: str, zone: str = "UTC") -> "QuietHours | None":
        """Return the window of 'HH:MM-HH:MM', or None for an empty text; raise ValueError otherwise."""
        if not text.strip():
            return None
        ends = text.split("-")
        try:
            if len(ends) != 2:
                raise ValueError(f"{text!r} is not two times joined by '-'")
            first, second = (parse_time_of_day(end) for end in ends)
        except ValueError as exc:
            raise ValueError(f"expected HH:MM-HH:MM, like 23:00-07:00, or empty for none ({exc})") from None
        if first == second:
            raise ValueError("expected a window that starts and ends at different times, like 23:00-07:00")
        return cls(first, second, zone)

    def contains(self, ts_ms: int) -> bool:
        """Return True when ts_ms falls in the window, in its time zone."""
        local = datetime.fromtimestamp(ts_ms / 1000, timezone.utc).astimezone(ZoneInfo(self.zone)).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class NotificationPolicy:
    """Admits, holds or mutes each user-facing event; keeps the held ones for the digest."""

    def __init__(self, store: StateStore, clock: Clock, quiet: QuietHours | None = None) -> None:
        self._store = store
        self._clock = clock
        self.quiet = quiet
        self.enabled: set[Category] = set(Category)
        self._held: list[Event] = []

    async def load(self) -> None:
        """Read the categories switched off before a restart."""
        saved = await self._store.load_state(STATE_KEY)
        off = saved.get("off", []) if isinstance(saved, dict) else []
        self.enabled = {c for c in Category if c.value not in off}

    async def switch(self, category: Category, on: bool) -> None:
        """Switch a category's pushes on or off (kept over restarts)."""
        self.enabled = self.enabled | {category} if on else self.enabled - {category}
        await self._store.save_state(STATE_KEY, {"off": sorted(c.value for c in set(Category) - self.enabled)})

    def admit(self, event: Event) -> bool:
        """Return True to push the event now; False when muted or held for the digest."""
        category = category_of(event)
        if event.severity is Severity.CRITICAL:
            return True
        if category not in self.enabled:
            return False
        if category in ALWAYS_THROUGH_QUIET or self.quiet is None or not self.quiet.contains(self._clock.now_ms()):
            return True
        if len(self._held) < HELD_KEPT:
            self._held.append(event)
        return False

    def digest(self) -> Event | None:
        """Return one event summing up what was held, once quiet hours are over (None before, or when nothing was)."""
        now = self._clock.now_ms()
        if not self._held or (self.quiet is not None and self.quiet.contains(now)):
            return None
        held, self._held = self._held, []
        counts: dict[Category, int] = {}
        for event in held:
            counts[category_of(event)] = counts.get(category_of(event), 0) + 1
        summary = ", ".join(f"{n} {c.value}" for c, n in counts.items())
        lines = [f"🌅 While quiet hours held them ({self.quiet}): {summary}."]
        lines += [f"• {e.message}" for e in held[-DIGEST_LINES:]]
        if len(held) > DIGEST_LINES:
            lines.insert(1, f"(the last {DIGEST_LINES} of {len(held)})")
        return Event(EventKind.REPORT, now, "\n".join(lines), {"digest": len(held)})
