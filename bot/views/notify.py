"""Rendering of /notify: the notification categories with on/off buttons, and quiet hours."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import Callback
from bot.views import esc
from trading.services.notification_policy import ALWAYS_THROUGH_QUIET, Category, NotificationPolicy

PREFIX = "nt"
LABELS = {Category.ENTRIES: "Entries", Category.EXITS: "Exits", Category.STOPS: "Stops & targets",
          Category.RISK: "Risk alerts", Category.ORDERS: "Orders", Category.DECISIONS: "Decisions",
          Category.SYSTEM: "System"}


def notify_text(policy: NotificationPolicy) -> str:
    """Return /notify: which categories are pushed, and the quiet hours."""
    lines = ["<b>Notifications</b> (tap to switch; everything stays in the audit log)"]
    for category in Category:
        state = "✅ on" if category in policy.enabled else "🔕 off"
        lines.append(f"{LABELS[category]}: {state}")
    quiet = f"{policy.quiet} ({esc(policy.quiet.zone)})" if policy.quiet is not None else "none"
    lines.append(f"Quiet hours: {esc(quiet)}; risk and system alerts always come through, the rest in a digest "
                 f"after. Change with /set QUIET_HOURS 23:00-07:00 (or off).")
    return "\n".join(lines)


def notify_keyboard(policy: NotificationPolicy, asker: int) -> InlineKeyboardMarkup:
    """Return one button per category that sets it to the opposite of its state (so a double tap is harmless)."""
    rows = []
    for category in Category:
        on = category in policy.enabled
        verb = "off" if on else "on"
        label = f"{'🔕 Mute' if on else '🔔 Unmute'} {LABELS[category].lower()}"
        if category in ALWAYS_THROUGH_QUIET and on:
            label += " ⚠️"
        rows.append([InlineKeyboardButton(label, callback_data=Callback(PREFIX, f"{verb}_{category.value}",
                                                                        str(asker)).encode())])
    return InlineKeyboardMarkup(rows)
