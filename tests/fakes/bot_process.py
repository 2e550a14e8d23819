"""Run the real bot process (bot.runtime.run) inside a test, against fake servers, and stop it cleanly."""
from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import AsyncIterator

from bot.runtime import run
from trading.settings import Settings

OWNER = 4242


def bot_settings(data_dir: Path, base_url: str, token: str, **overrides: object) -> Settings:
    """Return settings for a paper bot on the bundled replay, talking to a fake Bot API."""
    values: dict[str, object] = dict(telegram_bot_token=token, telegram_base_url=base_url,
                                     telegram_allowed_chat_ids=str(OWNER), market_data="replay",
                                     data_dir=data_dir, replay_speed=600.0)
    values.update(overrides)
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[asyncio.Task]:
    """Start the bot as a task; on exit, request a stop and wait (bounded) for a clean shutdown."""
    stop = asyncio.Event()
    # no other process polls the fake Bot API, so the start-up check for one need not wait (see test_sole_poller)
    task = asyncio.create_task(run(settings, demo_chat=False, stop=stop, conflict_probe_s=0))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 40)
