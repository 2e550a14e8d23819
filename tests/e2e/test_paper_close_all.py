"""Paper /closeall asks for one confirming tap; orders otherwise go out at once (no 2FA in paper)."""
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram


async def test_close_all_in_paper_closes_every_position_after_one_confirm_and_only_once(tmp_path):
    async with FakeTelegram() as telegram:
        async with running_bot(bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            assert (await telegram.ask(OWNER, "/buy BTC/USDT 100")).text.startswith("✅ Bought")
            assert (await telegram.ask(OWNER, "/buy ETH/USDT 100")).text.startswith("✅ Bought")
            card = await telegram.ask(OWNER, "/closeall")
            yes = card.buttons[0][0]["callback_data"]
            first = telegram.user_presses(OWNER, card.message_id, yes)
            second = telegram.user_presses(OWNER, card.message_id, yes)
            closed = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == card.message_id)
            assert await telegram.answered(second) == "Already answered; this press did nothing."
            positions = await telegram.ask(OWNER, "/positions")
            empty = await telegram.ask(OWNER, "/closeall")
            bad = await telegram.ask(OWNER, "/closeall now")
    assert card.text == "Close all 2 open position(s) at market?" and await telegram.answered(first) == ""
    assert closed.text.count("✅ Sold") == 2 and closed.buttons == []
    assert positions.text.startswith("No open positions")
    assert empty.text.startswith("No open position to close") and bad.text.startswith("Usage: /closeall")
