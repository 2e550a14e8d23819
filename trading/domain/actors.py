"""Who turned a switch (a pause, the kill switch), as the audit writes it and as the user reads it."""
from __future__ import annotations

# the audit's kinds ("user:7", "chat:1", "signal:SIGTERM", "file:KILL"), in words
_WORDS = {"user": "Telegram user {}", "chat": "Telegram chat {}", "signal": "the {} signal", "file": "the {} file"}


def in_words(by: str) -> str:
    """Return who or what an audit's 'kind:name' names, in words ('user:7' -> 'Telegram user 7'); else by as is."""
    kind, colon, rest = by.partition(":")
    if not colon or kind not in _WORDS:
        return by
    name, comma, more = rest.partition(",")
    return _WORDS[kind].format(name.strip()) + (f",{more}" if comma else "")
