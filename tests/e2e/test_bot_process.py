import asyncio
import re
import sqlite3

import pytest

from bot.runtime import run
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.chat_checks import eventually
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.errors import AlreadyRunning

STRANGER = 666


def audit_rows(data_dir, kind):
    with sqlite3.connect(data_dir / "trading.sqlite") as db:
        return db.execute("SELECT message, data_json FROM events WHERE kind = ? ORDER BY id", (kind,)).fetchall()


async def test_the_bot_answers_its_commands_through_the_bot_api(tmp_path):
    async with FakeTelegram() as telegram, running_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
        started = await telegram.wait_for(OWNER, lambda s: "Started in paper mode" in s.text)
        assert "BTC/USDT, ETH/USDT" in started.text

        welcome = await telegram.ask(OWNER, "/start")
        assert "PAPER" in welcome.text and "binance" in welcome.text

        help_reply = await telegram.ask(OWNER, "/help")
        assert "/status" in help_reply.text and "/price BTC/USDT" in help_reply.text
        in_help = re.findall(r"^/(\w+)", help_reply.text, re.MULTILINE)
        assert [c["command"] for c in telegram.commands] == in_help   # the phone's menu matches /help
        assert {"start", "help", "status", "price", "markets", "buy", "balance"} <= set(in_help)

        status = await telegram.ask(OWNER, "/status")
        assert "Mode: paper" in status.text and "Kill switch: off" in status.text
        assert "Open positions: 0" in status.text

        price = await telegram.ask(OWNER, "/price btcusdt")
        assert price.text.startswith("BTC/USDT ") and "24h:" in price.text

        typo = await telegram.ask(OWNER, "/price BTCUSD")
        assert typo.text == "Unknown symbol 'BTCUSD'. Did you mean BTC/USDT? Usage: /price BTC/USDT"

        missing = await telegram.ask(OWNER, "/price")
        assert "e.g. /price BTC/USDT" in missing.text

        markets = await telegram.ask(OWNER, "/markets eth")
        assert markets.text.splitlines()[:2] == ["1 market matching eth", "ETH/USDT · spot · tick 0.01 · min 5.00 USDT"]
        nothing = await telegram.ask(OWNER, "/markets doge")
        assert nothing.text == "No market matches 'doge'. Try /markets BTC or /markets USDT."

        unknown = await telegram.ask(OWNER, "/moon")
        assert unknown.text == "I don't know /moon. Type /help to see the commands."

    assert audit_rows(tmp_path, "stopping"), "shutdown is recorded in the audit log"


async def test_a_chat_not_on_the_allow_list_gets_one_refusal_and_an_audit_row(tmp_path):
    async with FakeTelegram() as telegram, running_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
        refusal = await telegram.ask(STRANGER, "/status")
        assert "private trading bot" in refusal.text and str(STRANGER) in refusal.text
        telegram.user_says(STRANGER, "/price BTC/USDT")
        await telegram.ask(OWNER, "/status")  # by the time the owner is answered, the stranger's was handled
        assert len(telegram.replies_to(STRANGER)) == 1
        owner_alert = await telegram.wait_for(OWNER, lambda s: f"Refused chat {STRANGER}" in s.text)
        assert owner_alert is not None
    rows = audit_rows(tmp_path, "access_denied")
    assert len(rows) == 2 and all(f'"chat_id": {STRANGER}' in data for _, data in rows)


async def test_notifications_wait_out_a_telegram_rate_limit(tmp_path):
    async with FakeTelegram() as telegram:
        telegram.fail_next("sendMessage", times=1, code=429, retry_after=1)
        async with running_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
            started = await telegram.wait_for(OWNER, lambda s: "Started in paper mode" in s.text, timeout=30)
            assert started is not None
    rate_limited = [m for m, _ in telegram.calls if m == "sendMessage"]
    assert len(rate_limited) >= 2  # the refused attempt and the retry


async def test_trading_keeps_ticking_while_telegram_is_unreachable(tmp_path):
    settings = bot_settings(tmp_path, "http://127.0.0.1:9/bot", "1:unreachable-token-000000000000000000")
    async with running_bot(settings) as task:
        await eventually(lambda: (tmp_path / "heartbeat").exists() and bool(audit_rows(tmp_path, "candle_closed")),
                         "a heartbeat and a closed candle without Telegram", timeout=30)
        assert not task.done()
        assert (tmp_path / "heartbeat").exists()
        assert audit_rows(tmp_path, "candle_closed"), "the market refresh ran without Telegram"


async def test_a_second_process_on_the_same_data_dir_is_refused(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            with pytest.raises(AlreadyRunning, match="already using"):
                await run(settings, demo_chat=False, stop=asyncio.Event())


async def test_signals_and_strategy_switches_from_the_chat(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            report = await telegram.ask(OWNER, "/signals ETH")
            assert report.text.startswith("ETH/USDT — what the strategies see")
            assert "Liquidity above:" in report.text and "Latest signals" in report.text
            off = await telegram.ask(OWNER, "/strategies b off")
            assert off.text == "Strategy B switched off."
            bad = await telegram.ask(OWNER, "/strategies X on")
            assert bad.text.startswith("Unknown strategy 'X'") and "Usage: /strategies NAME on|off" in bad.text
            typo = await telegram.ask(OWNER, "/signals DOGE")
            assert typo.text.startswith("Unknown symbol 'DOGE'")
        before = len(telegram.sent)
        async with running_bot(settings):   # the switch survives a restart
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text and telegram.sent.index(s) >= before)
            listing = await telegram.ask(OWNER, "/strategies")
            assert "⏸ B" in listing.text and "✅ A" in listing.text
