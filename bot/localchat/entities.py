"""Telegram's message rules: HTML entity parsing and length limits, checked the way the Bot API does."""
from __future__ import annotations

from html.parser import HTMLParser

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "tg-spoiler", "span", "blockquote", "tg-emoji"}


class EntityError(ValueError):
    """Text that Telegram would refuse with "can't parse entities"."""


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.plain: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            raise EntityError(f'Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise EntityError(f'Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.plain.append(data)


def plain_text(text: str, parse_mode: str | None) -> str:
    """Return the text a user sees, raising EntityError where Telegram would refuse the markup."""
    if (parse_mode or "").upper() != "HTML":
        return text
    parser = _TelegramHtml()
    for i, ch in enumerate(text):
        # a bare '&' not starting an entity, or '<' not starting a tag, is refused by Telegram
        if ch == "<" and not (text[i + 1:i + 2].isalpha() or text[i + 1:i + 2] == "/"):
            raise EntityError(f"Unsupported start tag at byte offset {len(text[:i].encode())}")
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.plain)


def check_message_text(text: str | None, parse_mode: str | None) -> str:
    """Return the visible text, or raise ValueError with the Bot API's description."""
    if not text or not text.strip():
        raise ValueError("Bad Request: message text is empty")
    return _visible(text, parse_mode, MAX_TEXT, "Bad Request: message is too long")


def check_caption(caption: str | None, parse_mode: str | None) -> str:
    """Return the visible caption, or raise ValueError with the Bot API's description."""
    if not caption:
        return ""
    return _visible(caption, parse_mode, MAX_CAPTION, "Bad Request: message caption is too long")


def _visible(text: str, parse_mode: str | None, limit: int, too_long: str) -> str:
    try:
        visible = plain_text(text, parse_mode)
    except EntityError as exc:
        raise ValueError(f"Bad Request: can't parse entities: {exc}") from None
    if len(visible.encode("utf-16-le")) // 2 > limit:   # Telegram counts UTF-16 code units
        raise ValueError(too_long)
    return visible


def check_reply_markup(markup: dict | None) -> None:
    """Raise ValueError when a button's callback data exceeds Telegram's 64 bytes."""
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ValueError("Bad Request: BUTTON_DATA_INVALID")
