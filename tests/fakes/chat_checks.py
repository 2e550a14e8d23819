"""Waiting on conditions in end-to-end tests: a reply that matches, a file that changed; never a fixed sleep."""
from __future__ import annotations

import asyncio
from typing import Callable

from bot.localchat.server import Sent
from tests.fakes.telegram_api import FakeTelegram


async def eventually(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Return once check() is true; fail naming what was awaited when timeout seconds pass first."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not the case within {timeout}s")
        await asyncio.sleep(0.02)


async def reply(telegram: FakeTelegram, chat_id: int, text: str, expect: Callable[[Sent], bool],
                timeout: float = 20.0) -> Sent:
    """Send text as the user; return the first message after it that matches expect (pushes may come between)."""
    before = len(telegram.replies_to(chat_id))
    telegram.user_says(chat_id, text)
    found: list[Sent] = []

    def answered() -> bool:
        found[:] = [s for s in telegram.replies_to(chat_id)[before:] if expect(s)]
        return bool(found)

    try:
        await eventually(answered, f"a reply to {text!r}", timeout)
    except AssertionError:
        seen = [s.text[:100] for s in telegram.replies_to(chat_id)[before:]]
        raise AssertionError(f"no matching reply to {text!r} within {timeout}s; saw {seen}") from None
    return found[0]
