"""Buttons where a phone user reaches for them: symbols when one is missing or unknown, timeframes under a chart,
strategy switches; each press does what typing the command would."""
from tests.fakes.bot_process import OWNER, bot_settings
from tests.fakes.feature_bot import feature_bot
from tests.fakes.telegram_api import FakeTelegram


def press(telegram, message, text):
    data = next(b["callback_data"] for row in message.buttons for b in row if b["text"] == text)
    return telegram.user_presses(OWNER, message.message_id, data)


async def test_symbol_timeframe_and_strategy_buttons_do_what_the_typed_command_would(tmp_path):
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
            missing = await telegram.ask(OWNER, "/price")
            press(telegram, missing, "ETH/USDT")
            ticker = await telegram.wait_for(OWNER, lambda s: s.text.startswith("ETH/USDT ") and "24h:" in s.text)
            unknown = await telegram.ask(OWNER, "/price BTCX")
            which = await telegram.ask(OWNER, "/chart")
            press(telegram, which, "BTC/USDT")
            chart = await telegram.wait_for(OWNER, lambda s: s.kind == "photo")
            press(telegram, chart, "1h")
            hourly = await telegram.wait_for(OWNER, lambda s: s.kind == "photo" and s is not chart and "1h" in s.text)
            listing = await telegram.ask(OWNER, "/strategies")
            first = press(telegram, listing, "⏸ Switch off B")
            switched = await telegram.wait_for(OWNER, lambda s: s.edited and "⏸ B" in s.text)
            second = press(telegram, listing, "⏸ Switch off B")           # the old button again: still off
            await telegram.answered(second)
            after = await telegram.ask(OWNER, "/strategies")
    assert missing.text.startswith("Tell me which market") and ticker
    assert unknown.text.startswith("Unknown symbol 'BTCX'") and unknown.buttons
    assert which.text.startswith("Which market?")
    assert [b["text"] for b in chart.buttons[0]] == ["1m", "15m", "1h", "4h", "1d"]
    assert hourly and await telegram.answered(first) == "" and "▶️ Switch on B" in str(switched.buttons)
    assert "⏸ B" in after.text


async def test_a_double_tap_on_a_button_that_shows_something_shows_it_once(tmp_path):
    # Two presses of the same ETH/USDT button (a double tap, or Telegram delivering the press twice) are claimed
    # in the database: one price message, and the second press is told why it did nothing.
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
            missing = await telegram.ask(OWNER, "/price")
            first, second = press(telegram, missing, "ETH/USDT"), press(telegram, missing, "ETH/USDT")
            toasts = {await telegram.answered(first), await telegram.answered(second)}
            await telegram.wait_for(OWNER, lambda s: s.text.startswith("ETH/USDT ") and "24h:" in s.text)
            after = await telegram.ask(OWNER, "/status")        # anything a second press sent arrives before this
            shown = [s for s in telegram.replies_to(OWNER) if s.text.startswith("ETH/USDT ") and "24h:" in s.text]
    assert after and len(shown) == 1
    assert toasts == {"", "Just shown above; press again in a few seconds for a fresh one."}
