"""Run the Telegram notifier against the fake Bot API until what it was given has been delivered."""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from telegram import Bot

from bot.localchat.server import Sent
from bot.notifier import TelegramNotifier
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.events import Event


async def delivered(telegram: FakeTelegram, chat: int, *events: Event, wanted: int,
                    render: Callable[[Event], str] | None = None) -> list[Sent]:
    """Notify events through a plain Bot; return what chat received once `wanted` messages arrived (or 8 s)."""
    extra: dict[str, Any] = {"render": render} if render else {}
    notifier = TelegramNotifier(frozenset({chat}), **extra)
    async with Bot(telegram.token, base_url=telegram.base_url) as bot:
        notifier.bind(bot)
        worker = asyncio.create_task(notifier.run())
        for event in events:
            notifier.notify(event)
        try:
            for _ in range(400):
                if len(telegram.replies_to(chat)) >= wanted and notifier.pending == 0:
                    break
                await asyncio.sleep(0.02)
        finally:
            worker.cancel()
    return telegram.replies_to(chat)
