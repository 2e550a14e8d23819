"""Notification categories and quiet hours: what is pushed, held for the digest, or muted."""
from datetime import datetime, timezone

import pytest

from tests.fakes.databases import opened_store
from trading.adapters.clocks import ManualClock
from trading.domain.events import Event, EventKind, Severity
from trading.services.notification_policy import Category, NotificationPolicy, QuietHours, category_of


def at(hour: int, minute: int = 0) -> int:
    return int(datetime(2026, 3, 2, hour, minute, tzinfo=timezone.utc).timestamp() * 1000)


def event(kind: EventKind, message: str = "x", severity: Severity = Severity.INFO, **data) -> Event:
    return Event(kind, 0, message, data, severity)


def test_events_fall_into_the_categories_the_user_switches():
    assert category_of(event(EventKind.POSITION_OPENED)) is Category.ENTRIES
    assert category_of(event(EventKind.POSITION_CLOSED, reason="trailing stop at 101")) is Category.STOPS
    assert category_of(event(EventKind.POSITION_CLOSED, reason="llm exits: weak momentum")) is Category.EXITS
    assert category_of(event(EventKind.ORDER_PLACED, "Exit sent: take profit")) is Category.STOPS
    assert category_of(event(EventKind.ORDER_FAILED)) is Category.ORDERS
    assert category_of(event(EventKind.KILL_SWITCH)) is Category.RISK
    assert category_of(event(EventKind.DECISION)) is Category.DECISIONS
    assert category_of(event(EventKind.STARTED)) is Category.SYSTEM


def test_quiet_hours_span_midnight_in_the_time_zone():
    window = QuietHours.parse("23:00-07:00", "Europe/Berlin")     # 22:00-06:00 UTC in March
    assert window.contains(at(22, 30)) and window.contains(at(5, 59))
    assert not window.contains(at(6, 0)) and not window.contains(at(21, 59))
    assert QuietHours.parse("") is None and str(QuietHours.parse("9:05-10:00")) == "09:05-10:00"
    # spaces around the dash, as people write a window: refused, the bot would not start
    assert str(QuietHours.parse("23:00 - 07:00")) == "23:00-07:00"


@pytest.mark.parametrize(("text", "why"), [
    ("24:00-07:00", "24:00 is not a time of day: from 00:00 to 23:59"),
    ("23:00-7:5", "'7:5' is not HH:MM: 24-hour, digits 0-9, no spaces inside"),
    ("07 :00-08:00", "'07 :00' is not HH:MM: 24-hour, digits 0-9, no spaces inside"),
    ("\u0660\u0667:\u0660\u0660-08:00",
     "'\u0660\u0667:\u0660\u0660' is not HH:MM: 24-hour, digits 0-9, no spaces inside"),
    ("23:00", "'23:00' is not two times joined by '-'"),
])
def test_a_window_with_an_end_that_is_not_hh_mm_is_refused_saying_which(text, why):
    with pytest.raises(ValueError) as error:
        QuietHours.parse(text)
    assert str(error.value) == f"expected HH:MM-HH:MM, like 23:00-07:00, or empty for none ({why})"


async def test_quiet_hours_hold_all_but_risk_and_system_then_one_digest_follows(tmp_path):
    async with opened_store(tmp_path) as store:
        clock = ManualClock(at(23, 30))
        policy = NotificationPolicy(store, clock, QuietHours.parse("23:00-07:00"))
        held = [policy.admit(event(EventKind.POSITION_OPENED, f"entry {i}")) for i in range(3)]
        through = [policy.admit(event(EventKind.RISK_LIMIT)), policy.admit(event(EventKind.STARTED))]
        assert policy.digest() is None                       # still quiet
        clock.set(at(7, 1) + 86_400_000)
        digest = policy.digest()
        assert held == [False, False, False] and through == [True, True]
        assert digest.message.startswith("🌅 While quiet hours held them (23:00-07:00): 3 entries.")
        assert "• entry 2" in digest.message and policy.digest() is None


async def test_a_muted_category_is_not_pushed_unless_critical_and_stays_muted_after_a_restart(tmp_path):
    async with opened_store(tmp_path) as store:
        policy = NotificationPolicy(store, ManualClock(at(12)))
        await policy.switch(Category.RISK, False)
        again = NotificationPolicy(store, ManualClock(at(12)))
        await again.load()
        assert not again.admit(event(EventKind.RISK_LIMIT))
        assert again.admit(event(EventKind.SECURITY, severity=Severity.CRITICAL))
        assert again.admit(event(EventKind.POSITION_OPENED))
