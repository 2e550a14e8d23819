"""The error handler answers through the fake Bot API and never raises itself, whatever goes wrong."""
from types import SimpleNamespace

import pytest
from structlog.testing import capture_logs
from telegram import Update

from bot.app import on_error
from bot.reply_bot import reply_bot
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.errors import InvalidInput

CHAT = 4242


def message_update(bot, text: str) -> Update:
    data = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": text,
                                        "chat": {"id": CHAT, "type": "private"},
                                        "from": {"id": CHAT, "is_bot": False, "first_name": "O"}}}
    return Update.de_json(data, bot)


@pytest.fixture
async def telegram():
    async with FakeTelegram() as server:
        yield server


async def test_a_failure_is_logged_once_and_the_chat_told_without_internals(telegram):
    async with reply_bot(telegram.token, telegram.base_url) as bot:
        with capture_logs() as logs:
            await on_error(message_update(bot, "   "), SimpleNamespace(error=RuntimeError("db locked")))
    assert [s.text for s in telegram.replies_to(CHAT)] == [
        "Sorry, that failed on my side (RuntimeError). It was logged; nothing was changed. Try again in a moment."]
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["handler failed"]


async def test_bad_input_is_answered_without_a_log_line(telegram):
    async with reply_bot(telegram.token, telegram.base_url) as bot:
        with capture_logs() as logs:
            await on_error(message_update(bot, "/trades x"), SimpleNamespace(error=InvalidInput("Give a number")))
    assert [s.text for s in telegram.replies_to(CHAT)] == ["Give a number"]
    assert [e for e in logs if e["log_level"] in ("error", "warning")] == []


async def test_a_reply_telegram_refuses_does_not_make_the_error_handler_raise(telegram):
    telegram.fail_next("sendMessage", times=2, code=400)
    async with reply_bot(telegram.token, telegram.base_url) as bot:
        with capture_logs() as logs:
            await on_error(message_update(bot, "/price " + "x" * 5000), SimpleNamespace(error=InvalidInput("x" * 5000)))
    assert any(e["event"] == "could not tell the chat about an error" for e in logs)
