"""Access control: one early handler group that lets through only allowed users in allowed chats."""
from __future__ import annotations

from telegram import Chat, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from trading.domain.events import Event, EventKind, Severity
from trading.ports import Clock, StateStore
from trading.services.event_bus import EventBus

REPLY_EVERY_MS = 3_600_000   # a stranger gets one refusal an hour, so the bot can't be used to spam them
OWNER_KEY = "telegram_owner"
REFUSED_PRESS = "This bot answers only its allowed users; that button did nothing."


class AllowList:
    """The chats allowed to talk to the bot, and the users allowed in them.

    Users: TELEGRAM_ALLOWED_USER_IDS when set; otherwise the owner, learned at the first /start in an allowed
    private chat and kept in the database. Until then, the person of an allowed private chat (whose user id is
    that chat's id) is the only one who can be the owner. A group chat needs TELEGRAM_ALLOWED_USER_IDS (settings
    refuse to start without it), so a group member is never let in by default.
    """

    def __init__(self, chats: frozenset[int], users: frozenset[int], state: StateStore) -> None:
        self.chats = chats
        self.users = users
        self._state = state
        self.owner: int | None = None

    async def load(self) -> None:
        """Read the owner learned before a restart."""
        saved = await self._state.load_state(OWNER_KEY)
        self.owner = saved if isinstance(saved, int) else None

    def allows_chat(self, chat: Chat | None) -> bool:
        """Return True for an allowed chat."""
        return chat is not None and chat.id in self.chats

    def allows_user(self, user_id: int) -> bool:
        """Return True for a user allowed to use the bot in an allowed chat."""
        if self.users:
            return user_id in self.users
        if self._owner_valid():
            return user_id == self.owner
        return user_id in self._private_chats()

    def recipients(self) -> frozenset[int]:
        """Return the chats the bot's own messages go to: groups, and private chats of allowed users."""
        return frozenset(c for c in self.chats if c < 0 or self.allows_user(c))

    async def learn_owner(self, update: Update) -> None:
        """Remember who sent /start in an allowed private chat, when no user list is set and no owner is known."""
        message, user = update.message, update.effective_user
        if self.users or self._owner_valid() or message is None or user is None or not message.text:
            return
        if message.chat.type == ChatType.PRIVATE and message.chat.id == user.id and _is_start(message.text):
            self.owner = user.id
            await self._state.save_state(OWNER_KEY, user.id)

    def _private_chats(self) -> set[int]:
        return {c for c in self.chats if c > 0}

    def _owner_valid(self) -> bool:
        # an owner learned with other settings (the demo's chat, say) must not lock out today's private chat
        return self.owner is not None and self.owner in self._private_chats()


class AccessGuard:
    """Lets allowed users in allowed chats through; refuses, records and stops every other update."""

    def __init__(self, allow: AllowList, events: EventBus, clock: Clock) -> None:
        self.allow = allow
        self._events = events
        self._clock = clock
        self._last_reply: dict[tuple[int, int], int] = {}

    @property
    def allowed(self) -> frozenset[int]:
        """Return the allowed chat ids."""
        return self.allow.chats

    async def __call__(self, update: Update, context: BotContext) -> None:
        """Stop the update here unless both its chat and its user are allowed."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            raise ApplicationHandlerStop   # inline queries, polls, channel posts: nothing a user can ask of us
        if self.allow.allows_chat(chat) and self.allow.allows_user(user.id):
            await self.allow.learn_owner(update)
            return
        await self._refuse(update, chat.id, user.id, user.username or user.first_name)
        raise ApplicationHandlerStop

    async def _refuse(self, update: Update, chat_id: int, user_id: int, name: str) -> None:
        chat_allowed = chat_id in self.allow.chats
        now = self._clock.now_ms()
        key = (chat_id, user_id)
        first_in_a_while = now - self._last_reply.get(key, -REPLY_EVERY_MS) >= REPLY_EVERY_MS
        query = update.callback_query
        said = (query.data if query else update.effective_message.text if update.effective_message else "") or ""
        who = f"user {user_id} ({name}) in chat {chat_id}" if chat_allowed else f"chat {chat_id} ({name})"
        await self._events.emit(Event(
            EventKind.ACCESS_DENIED, now, f"Refused {who}",
            {"chat_id": chat_id, "user_id": user_id, "text": said[:64]}, Severity.WARNING, notify=first_in_a_while))
        if query is not None:
            await query.answer(REFUSED_PRESS)     # a refused press still stops the phone's spinner
            return
        if first_in_a_while and update.effective_message is not None:
            self._last_reply[key] = now
            await update.effective_message.reply_text(
                f"This is a private trading bot. Your user id is {user_id}; the owner can add it to "
                f"TELEGRAM_ALLOWED_USER_IDS." if chat_allowed else
                f"This is a private trading bot. Your chat id is {chat_id}; the owner can add it to "
                f"TELEGRAM_ALLOWED_CHAT_IDS.")


def _is_start(text: str) -> bool:
    return text.split(maxsplit=1)[0].split("@", 1)[0].lower() == "/start" if text.strip() else False
