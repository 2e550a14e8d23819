"""The local Bot API server refuses what real Telegram refuses, seen through PTB's own Bot client."""
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken

from tests.fakes.telegram_api import FakeTelegram

CHAT = 4242


@pytest.fixture
async def telegram():
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(telegram):
    async with Bot(telegram.token, base_url=telegram.base_url) as client:
        yield client


async def test_a_message_of_4096_characters_is_accepted_and_4097_refused(bot, telegram):
    await bot.send_message(CHAT, "x" * 4096)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(CHAT, "x" * 4097)
    assert len(telegram.sent) == 1


async def test_html_length_counts_the_visible_text_only(bot):
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)


async def test_broken_html_is_refused_as_telegram_does(bot):
    with pytest.raises(BadRequest, match="(?i)parse entities"):
        await bot.send_message(CHAT, "<b>bold", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)unsupported start tag"):
        await bot.send_message(CHAT, "<div>x</div>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)parse entities"):
        await bot.send_message(CHAT, "price < 5", parse_mode=ParseMode.HTML)


async def test_a_caption_over_1024_characters_is_refused(bot):
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    await bot.send_photo(CHAT, png, caption="c" * 1024)
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(CHAT, png, caption="c" * 1025)


async def test_callback_data_over_64_bytes_is_refused(bot):
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="a" * 64)]])
    await bot.send_message(CHAT, "fits", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(CHAT, "does not fit", reply_markup=too_long)


async def test_editing_a_message_to_the_same_text_is_refused(bot):
    message = await bot.send_message(CHAT, "one")
    await bot.edit_message_text("two", CHAT, message.message_id)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("two", CHAT, message.message_id)


async def test_a_wrong_token_is_unauthorized(telegram):
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong-token-000000000000000000000000", base_url=telegram.base_url):
            pass


async def test_user_messages_arrive_through_get_updates_with_command_entities(bot, telegram):
    telegram.user_says(CHAT, "/price BTC/USDT")
    updates = await bot.get_updates(timeout=1)
    assert updates[0].message.text == "/price BTC/USDT"
    assert updates[0].message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
