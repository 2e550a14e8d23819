"""Pushes core events to the allowed chats through one paced send queue that survives Telegram outages.

No message is dropped because Telegram refuses it: a long one goes out in parts, and one whose HTML (or caption)
Telegram refuses goes out again as plain text, so an alert always arrives.
"""
from __future__ import annotations

import asyncio
import contextlib
import time
import warnings
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Callable, Iterator

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.replies import plain_text, split_message
from bot.views.events import event_text
from trading.domain.events import TOLD_IN_REPLY, Event, EventKind
from trading.logs import get_logger

log = get_logger(__name__)

PER_CHAT_INTERVAL_S = 1.0      # Telegram allows about one message a second per chat
CAPTION_LIMIT = 1024           # a longer text goes out as a message after its photo
GLOBAL_INTERVAL_S = 1 / 25     # and about 30 a second overall
BACKOFF_S = (1, 2, 5, 10, 30, 60)
# the chat a command is being answered in: its reply tells the command's own news (events marked TOLD_IN_REPLY), a
# push of those there says it twice; any other news its step made (an alert) goes there as to every chat
_ANSWERED_CHAT: ContextVar[int | None] = ContextVar("answered_chat", default=None)


@contextlib.contextmanager
def answered_in(chat_id: int) -> Iterator[None]:
    """Leave chat_id out of the pushes of the command's own news emitted inside (its reply tells it there)."""
    token = _ANSWERED_CHAT.set(chat_id)
    try:
        yield
    finally:
        _ANSWERED_CHAT.reset(token)


def _topic(event: Event) -> str:
    """Return the brake an alert tells of (a limit's rule), which a later lift of it makes stale; else ''."""
    rule = event.data.get("rule")
    return f"limit:{rule}" if event.kind is EventKind.RISK_LIMIT and isinstance(rule, str) else ""


class TelegramNotifier:
    """Implements the core's Notifier port; notify() never blocks, a worker task does the sending."""

    def __init__(self, chat_ids: frozenset[int] | Callable[[], frozenset[int]],
                 render: Callable[[Event], str] = event_text, max_queued: int = 500) -> None:
        # the recipients may change while running (the owner is learned at /start): ask for them at each event
        self._recipients = chat_ids if callable(chat_ids) else (lambda: chat_ids)
        self._render = render
        self._queue: deque[Outgoing] = deque(maxlen=max_queued)
        self._wakeup = asyncio.Event()
        self._bot: Bot | None = None
        self._last_sent: dict[int, float] = {}
        self._last_any = 0.0
        self._sending: Outgoing | None = None
        self.dropped = 0

    @property
    def chat_ids(self) -> frozenset[int]:
        """Return the chats events go to now."""
        return self._recipients()

    def bind(self, bot: Bot) -> None:
        """Start delivering through bot (called once Telegram is reachable)."""
        self._bot = bot
        self._wakeup.set()

    def notify(self, event: Event) -> None:
        """Queue the event for every allowed chat (an event with an image goes out as a photo), but, for a command's
        own news, the chat whose command is being answered; a lift (data "lifts": rules) first takes back its
        limits' alerts not yet sent."""
        self.withdraw(event)
        text = self._render(event)
        if event.image is None:
            parts: list[tuple[str, bytes | None]] = [(part, None) for part in split_message(text)]
        elif len(event.message) + 2 <= CAPTION_LIMIT:
            parts = [(text, event.image)]
        else:
            parts = [("", event.image), *((part, None) for part in split_message(text))]
        answered = _ANSWERED_CHAT.get() if event.data.get(TOLD_IN_REPLY) else None
        topic = _topic(event)
        for chat_id in sorted(self.chat_ids - {answered}):
            for body, image in parts:
                if len(self._queue) == self._queue.maxlen:
                    self.dropped += 1   # deque drops the oldest; say so once in a while rather than block
                    log.warning("notification queue full, dropping the oldest", dropped=self.dropped)
                self._queue.append(Outgoing(chat_id, body, image, topic=topic))
        self._wakeup.set()

    def withdraw(self, event: Event) -> None:
        """Drop the queued alerts of the brakes event lifts (data "lifts": rules): lifted before they went out."""
        topics = {f"limit:{rule}" for rule in event.data.get("lifts", ())}
        if not topics:
            return
        kept = [m for m in self._queue if m is self._sending or m.topic not in topics]
        if len(kept) < len(self._queue):
            log.info("alerts of a lifted brake withdrawn before they went out", withdrawn=len(self._queue) - len(kept))
            self._queue.clear()
            self._queue.extend(kept)

    @property
    def pending(self) -> int:
        """Return how many messages wait to be sent."""
        return len(self._queue)

    async def run(self) -> None:
        """Send queued messages forever, pacing them and retrying through outages."""
        while True:
            if not self._queue or self._bot is None:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            message = self._queue[0]
            await self._pace(message.chat_id)
            if not self._queue or self._queue[0] is not message:
                continue         # withdrawn while it waited its turn: a lifted brake's alert is never sent
            self._sending = message
            outcome = await self._deliver(message)
            self._sending = None
            if outcome is not Delivery.RETRY:
                self._queue.popleft()
            if outcome is Delivery.AS_PLAIN:
                self._put_first(message.as_plain())

    def _put_first(self, parts: list["Outgoing"]) -> None:
        overflow = len(self._queue) + len(parts) - (self._queue.maxlen or len(parts))
        if overflow > 0:   # a full deque drops from the far end: the newest messages
            self.dropped += overflow
            log.warning("notification queue full, dropping the newest", dropped=self.dropped)
        self._queue.extendleft(reversed(parts))

    async def drain(self, timeout_s: float) -> None:
        """Wait until the queue is empty or timeout_s passed (used at shutdown)."""
        deadline = time.monotonic() + timeout_s
        while self._queue and self._bot is not None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def _pace(self, chat_id: int) -> None:
        now = time.monotonic()
        wait = max(self._last_sent.get(chat_id, 0) + PER_CHAT_INTERVAL_S, self._last_any + GLOBAL_INTERVAL_S) - now
        if wait > 0:
            await asyncio.sleep(wait)

    async def _deliver(self, message: Outgoing) -> "Delivery":
        """Try to send: sent (or undeliverable for good), to be sent again as plain text, or to retry later."""
        assert self._bot is not None
        chat_id = message.chat_id
        for attempt, delay in enumerate((0, *BACKOFF_S)):
            await asyncio.sleep(delay)
            try:
                await self._send(message)
                self._last_sent[chat_id] = self._last_any = time.monotonic()
                return Delivery.DONE
            except RetryAfter as exc:
                retry = retry_after_seconds(exc)
                log.warning("telegram rate limit, waiting", retry_after_s=retry)
                await asyncio.sleep(retry)
            except Forbidden as exc:
                log.error("chat refuses the bot's messages, dropping", chat_id=chat_id, error=str(exc))
                return Delivery.DONE
            except BadRequest as exc:
                if message.html:
                    log.warning("telegram refused a notification's HTML; sending it as plain text",
                                chat_id=chat_id, error=str(exc))
                    return Delivery.AS_PLAIN
                log.error("telegram refused a notification even as plain text, dropping", chat_id=chat_id,
                          error=str(exc), text=message.text[:200])
                return Delivery.DONE
            except NetworkError as exc:
                log.warning("telegram unreachable, will retry", attempt=attempt + 1, error=str(exc))
        return Delivery.RETRY   # still queued; the worker loop tries again

    async def _send(self, message: Outgoing) -> None:
        assert self._bot is not None
        mode = ParseMode.HTML if message.html else None
        if message.image is None:
            await self._bot.send_message(message.chat_id, message.text, parse_mode=mode)
        else:
            await self._bot.send_photo(message.chat_id, message.image, caption=message.text or None, parse_mode=mode)


class Delivery(Enum):
    """What became of one attempt to deliver a queued message."""

    DONE = "done"            # sent, or undeliverable for good (the chat blocked the bot)
    AS_PLAIN = "as_plain"    # refused as HTML: send its plain text instead
    RETRY = "retry"          # Telegram unreachable: keep it queued


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A queued message: text (HTML unless said otherwise), or a photo with the text as its caption."""

    chat_id: int
    text: str
    image: bytes | None = None
    html: bool = True
    topic: str = ""          # the brake an alert tells of: withdrawn unsent when it is lifted ('' for none)

    def as_plain(self) -> list["Outgoing"]:
        """Return this message as plain text: the photo alone, then the text in parts that fit."""
        photo = [Outgoing(self.chat_id, "", self.image, html=False, topic=self.topic)] if self.image is not None \
            else []
        text = plain_text(self.text)
        return photo + [Outgoing(self.chat_id, part, None, html=False, topic=self.topic)
                        for part in split_message(text, html_mode=False) if part.strip()]


def retry_after_seconds(exc: RetryAfter) -> float:
    """Return how long Telegram asked us to wait, in seconds."""
    # PTB 22 returns int seconds but warns that a later major version returns a timedelta; accept both
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
