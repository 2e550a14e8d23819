"""The Bot the Application and the notifier send through: it only sends what Telegram accepts.

Every reply and notification passes here, so the rules hold without each handler remembering them: a text over
4096 characters goes out in parts (bot/replies.py), HTML that Telegram refuses goes out again as plain text,
"message is not modified" counts as done, and a callback too old to answer is not an error.
"""
from __future__ import annotations

from typing import Any

from telegram import Message
from telegram.error import BadRequest
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.replies import MAX_TEXT, is_html, plain_text, split_message, units
from trading.logs import get_logger

log = get_logger(__name__)
CAPTION_LIMIT = 1024


def refused_markup(exc: BadRequest) -> bool:
    """Return True when Telegram refused a message's HTML."""
    return "parse entities" in str(exc).lower()


def not_modified(exc: BadRequest) -> bool:
    """Return True for Telegram's answer to an edit that changes nothing."""
    return "message is not modified" in str(exc).lower()


class ReplyBot(ExtBot[None]):
    """ExtBot whose sends are split to Telegram's limit and fall back to plain text when the HTML is refused."""

    async def send_message(self, chat_id: int | str, text: str, *args: Any, **kwargs: Any) -> Message:
        """Send text in as many messages as it needs; the keyboard goes with the last, the quote with the first."""
        if args or kwargs.get("entities"):
            return await super().send_message(chat_id, text, *args, **kwargs)
        parts = split_message(text, is_html(kwargs.get("parse_mode")))
        markup = kwargs.pop("reply_markup", None)
        sent: Message | None = None
        for i, part in enumerate(parts):
            extra = dict(kwargs)
            if i:
                extra.pop("reply_parameters", None)
                extra.pop("reply_to_message_id", None)
            if i == len(parts) - 1:
                extra["reply_markup"] = markup
            sent = await self._send_part(chat_id, part, extra)
        assert sent is not None
        return sent

    async def _send_part(self, chat_id: int | str, part: str, kwargs: dict[str, Any]) -> Message:
        try:
            return await super().send_message(chat_id, part, **kwargs)
        except BadRequest as exc:
            if not (is_html(kwargs.get("parse_mode")) and refused_markup(exc)):
                raise
            log.warning("telegram refused a message's HTML; sending it as plain text", error=str(exc))
        plain = plain_text(part)
        return await super().send_message(chat_id, plain if plain.strip() else "(empty message)",
                                          **{**kwargs, "parse_mode": None})

    async def edit_message_text(self, text: str, chat_id: int | str | None = None, message_id: int | None = None,
                                *args: Any, **kwargs: Any) -> Message | bool:
        """Edit a message; a text too long for one continues in new messages; no change is not an error."""
        first, *rest = split_message(text, is_html(kwargs.get("parse_mode")))
        try:
            edited = await self._edit_part(first, chat_id, message_id, args, kwargs)
        except BadRequest as exc:
            if not not_modified(exc):
                raise
            edited = True
        for part in rest:
            if chat_id is not None:
                await self.send_message(chat_id, part, parse_mode=kwargs.get("parse_mode"))
        return edited

    async def _edit_part(self, text: str, chat_id: int | str | None, message_id: int | None,
                         args: tuple[Any, ...], kwargs: dict[str, Any]) -> Message | bool:
        try:
            return await super().edit_message_text(text, chat_id, message_id, *args, **kwargs)
        except BadRequest as exc:
            if not (is_html(kwargs.get("parse_mode")) and refused_markup(exc)):
                raise
            log.warning("telegram refused an edit's HTML; editing in plain text", error=str(exc))
        return await super().edit_message_text(plain_text(text)[:MAX_TEXT], chat_id, message_id, *args,
                                               **{**kwargs, "parse_mode": None})

    async def edit_message_reply_markup(self, *args: Any, **kwargs: Any) -> Message | bool:
        """Change a message's buttons; no change is not an error."""
        try:
            return await super().edit_message_reply_markup(*args, **kwargs)
        except BadRequest as exc:
            if not not_modified(exc):
                raise
            return True

    async def answer_callback_query(self, callback_query_id: str, *args: Any, **kwargs: Any) -> bool:
        """Answer a button press; one Telegram no longer accepts (too old, already answered) is let go."""
        try:
            return await super().answer_callback_query(callback_query_id, *args, **kwargs)
        except BadRequest as exc:
            log.info("a button press could not be answered any more", error=str(exc))
            return False

    async def send_photo(self, chat_id: int | str, photo: Any, *args: Any, **kwargs: Any) -> Message:
        """Send a photo; a caption Telegram would refuse follows the photo as a message instead."""
        caption = kwargs.get("caption")
        html = is_html(kwargs.get("parse_mode"))
        if args or not caption or units(plain_text(caption) if html else caption) <= CAPTION_LIMIT:
            try:
                return await super().send_photo(chat_id, photo, *args, **kwargs)
            except BadRequest as exc:
                if not (caption and html and refused_markup(exc)):
                    raise
                log.warning("telegram refused a caption's HTML; sending it as plain text", error=str(exc))
                return await super().send_photo(chat_id, photo, *args,
                                                **{**kwargs, "caption": plain_text(caption), "parse_mode": None})
        sent = await super().send_photo(chat_id, photo, **{**kwargs, "caption": None})
        await self.send_message(chat_id, caption, parse_mode=kwargs.get("parse_mode"))
        return sent


def reply_bot(token: str, base_url: str) -> ReplyBot:
    """Return the bot with the connection settings the process uses (polls up to 30 s, so reads wait 40 s)."""
    return ReplyBot(token, base_url=base_url,
                    request=HTTPXRequest(connection_pool_size=256, connect_timeout=10, read_timeout=15,
                                         write_timeout=30),
                    get_updates_request=HTTPXRequest(connect_timeout=10, read_timeout=40, write_timeout=30))
