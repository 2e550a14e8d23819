"""Access control: one early handler that stops every update from a chat not on the allow list."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from trading.domain.events import Event, EventKind, Severity
from trading.ports import Clock
from trading.services.event_bus import EventBus

REPLY_EVERY_MS = 3_600_000   # a stranger gets one refusal an hour, so the bot can't be used to spam them


class AccessGuard:
    """Lets allowed chats through; refuses, records and stops everyone else."""

    def __init__(self, allowed: frozenset[int], events: EventBus, clock: Clock) -> None:
        self.allowed = allowed
        self._events = events
        self._clock = clock
        self._last_reply: dict[int, int] = {}

    async def __call__(self, update: Update, context: BotContext) -> None:
        """Stop the update here unless its chat is allowed."""
        chat = update.effective_chat
        if chat is not None and chat.id in self.allowed:
            return
        chat_id = chat.id if chat else 0
        user = update.effective_user
        now = self._clock.now_ms()
        first_in_a_while = now - self._last_reply.get(chat_id, -REPLY_EVERY_MS) >= REPLY_EVERY_MS
        await self._events.emit(Event(
            EventKind.ACCESS_DENIED, now,
            f"Refused chat {chat_id} ({user.username or user.first_name if user else 'unknown'})",
            {"chat_id": chat_id, "user_id": user.id if user else None,
             "text": (update.effective_message.text or "")[:64] if update.effective_message else ""},
            Severity.WARNING, notify=first_in_a_while))
        if first_in_a_while and update.effective_message is not None:
            self._last_reply[chat_id] = now
            await update.effective_message.reply_text(
                f"This is a private trading bot. Your chat id is {chat_id}; the owner can add it to "
                f"TELEGRAM_ALLOWED_CHAT_IDS.")
        raise ApplicationHandlerStop
