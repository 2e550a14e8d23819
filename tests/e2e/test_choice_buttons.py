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
