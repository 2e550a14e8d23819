"""Rendering of /settings, /set and /symbols."""
from __future__ import annotations

from decimal import Decimal

from bot.views import esc
from bot.views.control import code_prompt, locked_text
from trading.services.chat_settings import ChangeOutcome, SettingChange, SettingRow


def _value(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value) or "off"       # an empty setting (QUIET_HOURS) is switched off


def settings_text(rows: list[SettingRow]) -> str:
    """Return /settings: each tunable setting, its value and default, and which need a restart."""
    lines = ["<b>Settings</b> (change with /set NAME VALUE, back with /set NAME default)"]
    for row in rows:
        mark = " ✏️" if row.overridden else ""
        default = "" if row.value == row.default else f" (default {esc(_value(row.default))})"
        restart = " · .env only" if row.env_only else " · restart" if row.restart else ""
        lines.append(f"<code>{row.name.upper()}</code> = {esc(_value(row.value))}{default}{mark}{restart}")
    lines.append("✏️ changed from the chat · restart: takes effect at the next start")
    return "\n".join(lines)


def change_text(change: SettingChange) -> str:
    """Return the reply to /set."""
    name, old, new = change.name.upper(), esc(_value(change.old)), esc(_value(change.new))
    if change.outcome is ChangeOutcome.UNCHANGED:
        return f"{name} is already {new}; nothing changed."
    if change.outcome is ChangeOutcome.LOCKED:
        return locked_text(change.locked_until_ms)
    if change.outcome is ChangeOutcome.CODE_ASKED and change.request is not None:
        return f"Raising a risk limit in live mode needs a code. {code_prompt(change.request)}"
    if change.outcome is ChangeOutcome.STORED_FOR_RESTART:
        return f"✅ {name}: {old} → {new}, stored. It takes effect at the next restart."
    return f"✅ {name}: {old} → {new}, applied now."


def symbols_text(symbols: tuple[str, ...], stored: tuple[str, ...]) -> str:
    """Return /symbols: what is traded now, and what the next start will trade when it differs."""
    text = "Traded now: " + esc(", ".join(symbols))
    if stored != symbols:
        text += "\nAfter the next restart: " + esc(", ".join(stored))
    return text + "\nChange with /symbols add SYMBOL or /symbols remove SYMBOL."
