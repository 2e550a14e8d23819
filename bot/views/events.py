"""Rendering of pushed notifications."""
from __future__ import annotations

from bot.views import esc
from trading.domain.events import Event, Severity

_ICONS = {Severity.INFO: "ℹ️", Severity.WARNING: "⚠️", Severity.CRITICAL: "🚨"}


def event_text(event: Event) -> str:
    """Return the notification for an event."""
    return f"{_ICONS[event.severity]} {esc(event.message)}"
