"""The bot every reply goes through sends only what Telegram accepts (checked by the fake Bot API's rules)."""
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.reply_bot import reply_bot
from bot.replies import MAX_TEXT, units
from tests.fakes.telegram_api import FakeTelegram

CHAT = 4242
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="a:b:c")]])


@pytest.fixture
async def telegram():
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(telegram):
    async with reply_bot(telegram.token, telegram.base_url) as client:
        yield client


async def test_a_long_html_reply_goes_out_in_valid_parts_with_the_keyboard_on_the_last(bot, telegram):
    text = "<b>Trades</b>\n" + "\n".join(f"<code>{i:04d}</code> BTC/USDT &amp; more" for i in range(400))

    last = await bot.send_message(CHAT, text, parse_mode=ParseMode.HTML, reply_markup=KEYBOARD)

    sent = telegram.replies_to(CHAT)
    assert len(sent) == 4 and all(units(s.raw["text"]) <= MAX_TEXT for s in sent)     # 15,200 characters
    assert [bool(s.buttons) for s in sent] == [False] * 3 + [True] and last.message_id == sent[-1].message_id
    assert "\n".join(s.text for s in sent).count("BTC/USDT & more") == 400


async def test_refused_html_is_sent_again_as_plain_text(bot, telegram):
    telegram.refuse_html = True

    await bot.send_message(CHAT, "<b>Kill switch</b> on &amp; flat", parse_mode=ParseMode.HTML)

    assert [s.text for s in telegram.replies_to(CHAT)] == ["Kill switch on & flat"]


async def test_an_edit_that_changes_nothing_is_not_an_error(bot, telegram):
    message = await bot.send_message(CHAT, "Kept the paper account as it is.")

    assert await bot.edit_message_text("Kept the paper account as it is.", CHAT, message.message_id) is True
    with pytest.raises(BadRequest, match="not found"):
        await bot.edit_message_text("other", CHAT, 9999)


async def test_a_press_too_old_to_answer_is_not_an_error(bot):
    assert await bot.answer_callback_query("123456") is False


async def test_a_caption_over_1024_characters_follows_its_photo_as_a_message(bot, telegram):
    caption = "<b>Report</b> " + "x" * 1500

    await bot.send_photo(CHAT, PNG, caption=caption, parse_mode=ParseMode.HTML)

    sent = telegram.replies_to(CHAT)
    assert [(s.kind, s.text[:7]) for s in sent] == [("photo", ""), ("text", "Report ")]
