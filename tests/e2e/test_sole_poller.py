"""A second process polling the same bot token stops at start-up, before it trades, with one clear line."""
import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.runtime import run
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.errors import AlreadyRunning

ROOT = Path(__file__).resolve().parents[2]


async def test_a_process_answered_409_at_start_up_exits_non_zero_before_it_trades(tmp_path):
    async with FakeTelegram() as telegram:
        telegram.fail_next("getUpdates", code=409)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": telegram.token,
               "TELEGRAM_BASE_URL": telegram.base_url, "TELEGRAM_ALLOWED_CHAT_IDS": str(OWNER),
               "DATA_DIR": str(tmp_path / "data"), "MARKET_DATA": "replay"}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2, err.decode()[-2000:]
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trading-assistant: another process already receives")
    assert "409 Conflict" in lines[0] and "Nothing was traded" in lines[0]
    assert not (tmp_path / "data" / "trading.sqlite").exists(), "stopped before the core was built"
    assert telegram.sent == []


async def test_of_two_processes_on_one_token_the_second_stops_and_the_first_keeps_answering(tmp_path):
    async with FakeTelegram() as telegram:
        first = bot_settings(tmp_path / "first", telegram.base_url, telegram.token)
        second = bot_settings(tmp_path / "second", telegram.base_url, telegram.token)
        async with running_bot(first):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            with pytest.raises(AlreadyRunning, match="409 Conflict"):
                await asyncio.wait_for(run(second, demo_chat=False, stop=asyncio.Event(), conflict_probe_s=5), 30)
            status = await telegram.ask(OWNER, "/status")
    assert "Mode: paper" in status.text
    assert not (tmp_path / "second" / "trading.sqlite").exists()
    assert len([s for s in telegram.sent if "Started" in s.text]) == 1
