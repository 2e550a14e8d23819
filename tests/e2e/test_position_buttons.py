"""The Close button under a position closes that position once, never a later one in the same symbol.

The replay runs at 60x so that the two positions open at different moments (a frozen clock opens both at once)."""
import re

from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram


def close_data(message, symbol):
    return next(b["callback_data"] for row in message.buttons for b in row if b["text"] == f"Close {symbol}")


async def test_an_old_close_button_does_not_close_the_position_opened_after_it(tmp_path):
    async with FakeTelegram() as telegram:
        async with running_bot(bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=60.0)):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            await telegram.ask(OWNER, "/buy ETH/USDT 100")
            shown, shown_again = await telegram.ask(OWNER, "/positions"), await telegram.ask(OWNER, "/positions")
            first = telegram.user_presses(OWNER, shown.message_id, close_data(shown, "ETH/USDT"))
            again = telegram.user_presses(OWNER, shown.message_id, close_data(shown, "ETH/USDT"))   # a double tap
            sold = await telegram.wait_for(OWNER, lambda s: s.text.startswith("✅ Sold 0.02"))
            double_tap, _ = await telegram.answered(again), await telegram.answered(first)
            bought = await telegram.ask(OWNER, "/buy ETH/USDT 300")
            # the second /positions still shows a Close button for the position closed above
            late = telegram.user_presses(OWNER, shown_again.message_id, close_data(shown_again, "ETH/USDT"))
            refused = await telegram.wait_for(OWNER, lambda s: s.text.startswith("Not closed"))
            late_toast = await telegram.answered(late)
            still = await telegram.ask(OWNER, "/positions")
            refreshed = telegram.user_presses(OWNER, shown_again.message_id, next(
                b["callback_data"] for row in shown_again.buttons for b in row if b["text"] == "🔄 Refresh"))
            await telegram.answered(refreshed)
            redrawn = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == shown_again.message_id)
    assert double_tap.startswith("Just shown above") and bought.text.startswith("✅ Bought")
    assert [s.text for s in telegram.replies_to(OWNER)].count(sold.text) == 1       # closed once
    # before: the old button sold the new 300 USDT position
    assert re.fullmatch(r"Not closed: the ETH/USDT position this button was for is closed already\. Another ETH/USDT "
                        r"position is open since \d{1,2} [A-Z][a-z]{2} \d\d:\d\d UTC\. /positions shows what is "
                        r"open now, with fresh buttons\.", refused.text), refused.text
    assert late_toast == ""
    assert "ETH/USDT LONG 0.07" in still.text, still.text
    # Refresh redraws the Close buttons for the position open now (before: the message kept the old ones)
    assert close_data(redrawn, "ETH/USDT") == close_data(still, "ETH/USDT") != close_data(shown_again, "ETH/USDT")
