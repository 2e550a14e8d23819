"""Inline-button payloads, encoded and decoded in one place: 'prefix:action:id', under Telegram's 64 bytes."""
from __future__ import annotations

import re
from dataclasses import dataclass

from trading.domain.errors import InvalidInput, typed_whole

MAX_BYTES = 64
REFRESH = "rf"                   # the Refresh buttons that redraw a view in place (bot.handlers.trader)
PATTERN = re.compile(r"^(?P<prefix>[a-z]+):(?P<action>[a-z_]+):(?P<id>[A-Za-z0-9_.-]{0,40})$")
OUT_OF_DATE = "This button is out of date; send the command again."


@dataclass(frozen=True, slots=True)
class Callback:
    """A button's meaning."""

    prefix: str
    action: str
    id: str = ""

    def fits(self) -> bool:
        """Return True when this can be a button's callback data (the form prefix:action:id, within 64 bytes)."""
        data = f"{self.prefix}:{self.action}:{self.id}"
        return len(data.encode()) <= MAX_BYTES and PATTERN.match(data) is not None

    def encode(self) -> str:
        """Return the callback_data string."""
        data = f"{self.prefix}:{self.action}:{self.id}"
        if not self.fits():
            raise ValueError(f"callback data {data!r} is not of the form prefix:action:id within 64 bytes")
        return data


def decode(data: object) -> Callback:
    """Return the Callback encoded in data; raise InvalidInput (the button is out of date) for anything else."""
    match = PATTERN.match(data) if isinstance(data, str) and len(data.encode()) <= MAX_BYTES else None
    if match is None:
        raise InvalidInput(OUT_OF_DATE)
    return Callback(match["prefix"], match["action"], match["id"])


def pattern(prefix: str) -> str:
    """Return the anchored regex a CallbackQueryHandler uses for one prefix."""
    return rf"^{re.escape(prefix)}:[a-z_]+:[A-Za-z0-9_.-]{{0,40}}$"


NOT_YOURS = "These buttons belong to the person who asked; send the command yourself."


def for_asker(user_id: int, ref: str = "") -> str:
    """Return a button's id bound to the user who asked for it: '4242_BTC.USDT' (user ids are digits)."""
    return f"{user_id}_{ref}"


def asker_and_ref(callback: Callback) -> tuple[int | None, str]:
    """Return who a button belongs to (None for an unbound id) and what it refers to."""
    head, sep, ref = callback.id.partition("_")
    asker = typed_whole(head) if sep else None
    return (asker, ref) if asker is not None else (None, callback.id)
