"""A fake Telegram Bot API server for tests: the bundled local server plus fault injection and waiting helpers."""
from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any, Callable

from aiohttp import web

from bot.localchat.server import ApiError, BotApiServer, Sent, error_response

TOKEN = "123456789:TEST-token-for-the-fake-bot-api-000000"
TERMINATED = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


class FakeTelegram(BotApiServer):
    """Telegram on 127.0.0.1 with scripted failures (429 with retry_after, 409, 5xx, any error per method) and,
    like Telegram, a pending long poll ended with 409 Conflict when another getUpdates comes in."""

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__(token)
        self._faults: dict[str, list[web.Response]] = defaultdict(list)
        self._polls = 0
        self.refuse_html = False
        self.refusals: list[tuple[str, str]] = []     # (method, description) of every error answered
        self.pushed: list[dict[str, Any]] = []

    def fail_next(self, method: str, times: int = 1, code: int = 429, retry_after: int = 1) -> None:
        """Make the next `times` calls of method fail with code (429 carries retry_after)."""
        for _ in range(times):
            if code == 429:
                self._faults[method].append(error_response(429, f"Too Many Requests: retry after {retry_after}",
                                                           retry_after=retry_after))
            elif code == 409:
                self._faults[method].append(error_response(409, TERMINATED))
            else:
                self._faults[method].append(error_response(code, "Internal Server Error"))

    async def _dispatch(self, request: web.Request) -> web.Response:
        response = await super()._dispatch(request)
        if response.status != 200:
            self.refusals.append((request.match_info["method"], response.text or ""))
        return response

    async def before_method(self, method: str, params: dict[str, Any]) -> web.Response | None:
        faults = self._faults.get(method)
        if faults:
            return faults.pop(0)
        if self.refuse_html and params.get("parse_mode"):
            return error_response(400, "Bad Request: can't parse entities: unsupported start tag at byte offset 0")
        return None

    async def _api_getupdates(self, params: dict, files: dict) -> Any:
        self._polls += 1
        mine = self._polls
        self._new_update.set()        # wake a pending poll: it has been superseded
        updates = await super()._api_getupdates(params, files)
        if mine != self._polls:
            raise ApiError(409, TERMINATED)
        return updates

    # ---- the user's side, beyond typing ----------------------------------------------------------

    def _push(self, update: dict[str, Any]) -> None:
        super()._push(update)
        self.pushed.append(self._updates[-1])

    def redeliver(self, query_id: str) -> None:
        """Deliver a button press again, as Telegram does when its first delivery was not confirmed."""
        press = next(u for u in self.pushed if u.get("callback_query", {}).get("id") == query_id)
        self._push({"callback_query": press["callback_query"]})

    def user_edits(self, message: dict[str, Any], text: str) -> None:
        """Queue the edit of a message the user sent earlier (as returned by user_says)."""
        edited = {**message, "text": text, "edit_date": int(time.time())}
        if text.startswith("/"):
            edited["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        else:
            edited.pop("entities", None)
        self._push({"edited_message": edited})

    def user_forwards(self, chat_id: int, text: str, from_user: int = 777) -> dict[str, Any]:
        """Queue a message forwarded into chat_id, first written by from_user."""
        origin = {"type": "user", "date": int(time.time()) - 3600,
                  "sender_user": {"id": from_user, "is_bot": False, "first_name": "Someone"}}
        return self.user_says(chat_id, text, forward_origin=origin)

    # ---- waiting -------------------------------------------------------------------------------

    def user_presses_as(self, chat_id: int, message_id: int, data: str, user_id: int) -> None:
        """Queue a press of an inline button in chat_id by user_id (someone other than who asked, say)."""
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        self._push({"callback_query": {"id": f"press-{len(self.calls)}-{user_id}", "chat_instance": str(chat_id),
                                       "from": {"id": user_id, "is_bot": False, "first_name": "Someone"},
                                       "message": message, "data": data}})

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

    async def answered(self, query_id: str, timeout: float = 30.0) -> str:
        """Return the toast a button press was answered with, waiting up to timeout seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while query_id not in self.answers:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"button press {query_id} was not answered within {timeout}s")
            await asyncio.sleep(0.02)
        return self.answers[query_id]

    async def ask(self, chat_id: int, text: str, timeout: float = 30.0, user_id: int | None = None,
                  expect: str | tuple[str, ...] | None = None) -> Sent:
        """Send text as the user and return the bot's next message to that chat; with expect, the next one whose
        text starts with expect (a notification pushed meanwhile is skipped, not mistaken for the reply)."""
        before = len(self.replies_to(chat_id))
        self.user_says(chat_id, text, user_id=user_id)
        if expect is None:
            return await self.next_reply(chat_id, before, timeout, text)
        return await self.wait_for(chat_id, lambda s: not s.edited and s.text.startswith(expect)
                                   and self.replies_to(chat_id).index(s) >= before, timeout)

    async def next_reply(self, chat_id: int, before: int, timeout: float = 30.0, what: str = "") -> Sent:
        """Return the first new message to chat_id after the first `before` ones, waiting up to timeout seconds.

        An edit of an earlier message (a backtest's progress line) is not a reply to what was just sent."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            fresh = [s for s in self.replies_to(chat_id)[before:] if not s.edited]
            if fresh:
                return fresh[0]
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no reply to {what!r} in chat {chat_id} within {timeout}s")
            await asyncio.sleep(0.02)
