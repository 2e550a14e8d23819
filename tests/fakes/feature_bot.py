"""The bot as bot.runtime runs it (core, notifier, access guard, Application polling a fake Bot API), in-process,
with every service wired by the composition root (trading/bootstrap.py)."""
from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import AsyncIterator

from bot.app import build_application
from bot.auth import AccessGuard, AllowList
from bot.notifier import TelegramNotifier
from trading.bootstrap import Core, build_core
from trading.settings import Settings
from trading.strategies.book import StrategyBook


@dataclass
class FeatureBot:
    """The running bot's core and services."""

    core: Core
    services: dict[str, object]


@contextlib.asynccontextmanager
async def feature_bot(settings: Settings, book: StrategyBook | None = None) -> AsyncIterator[FeatureBot]:
    """Run the bot against settings' Bot API until the block ends, then shut it down (book: its strategies)."""
    core = await build_core(settings, book=book)
    services = core.services()              # the bot's own wiring (trading/bootstrap.py), nothing rebuilt
    allow = AllowList(settings.allowed_chat_ids, settings.allowed_user_ids, core.store)
    await allow.load()
    notifier = TelegramNotifier(allow.recipients)
    core.events.attach(notifier)
    app = build_application(settings.telegram_bot_token.get_secret_value(), settings.telegram_base_url, services,
                            AccessGuard(allow, core.events, core.clock))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(timeout=1)
    notifier.bind(app.bot)
    sending = asyncio.create_task(notifier.run())
    try:
        yield FeatureBot(core, services)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        sending.cancel()
        await core.close()
