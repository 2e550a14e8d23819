"""A fake Telegram Bot API server for tests: the bundled local server plus fault injection and waiting helpers."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any, Callable

from aiohttp import web

from bot.localchat.server import BotApiServer, Sent, error_response

TOKEN = "123456789:TEST-token-for-the-fake-bot-api-000000"


class FakeTelegram(BotApiServer):
    """Telegram on 127.0.0.1 with scripted failures: 429 with retry_after, 5xx, or any error per method."""

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__(token)
        self._faults: dict[str, list[web.Response]] = defaultdict(list)

    def fail_next(self, method: str, times: int = 1, code: int = 429, retry_after: int = 1) -> None:
        """Make the next `times` calls of method fail with code (429 carries retry_after)."""
        for _ in range(times):
            if code == 429:
                self._faults[method].append(error_response(429, f"Too Many Requests: retry after {retry_after}",
                                                           retry_after=retry_after))
            else:
                self._faults[method].append(error_response(code, "Internal Server Error"))

    async def before_method(self, method: str, params: dict[str, Any]) -> web.Response | None:
        faults = self._faults.get(method)
        return faults.pop(0) if faults else None

    def replies_to(self, chat_id: int) -> list[Sent]:
        """Return what the bot sent to chat_id, in order."""
        return [s for s in self.sent if s.chat_id == chat_id]

    async def wait_for(self, chat_id: int, predicate: Callable[[Sent], bool] = lambda s: True,
                       timeout: float = 30.0) -> Sent:
        """Return the first message to chat_id matching predicate, waiting up to timeout seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for sent in self.replies_to(chat_id):
                if predicate(sent):
                    return sent
            await asyncio.sleep(0.02)
        seen = [s.text[:80] for s in self.replies_to(chat_id)]
        raise AssertionError(f"no matching message to chat {chat_id} within {timeout}s; saw {seen}")

    async def ask(self, chat_id: int, text: str, timeout: float = 30.0) -> Sent:
        """Send text as the user and return the bot's next message to that chat."""
        before = len(self.replies_to(chat_id))
        self.user_says(chat_id, text)
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.replies_to(chat_id)) <= before:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no reply to {text!r} in chat {chat_id} within {timeout}s")
            await asyncio.sleep(0.02)
        return self.replies_to(chat_id)[before]
