"""The account limits in the chat: a limit one order broke refuses the next at once, its refusal and /resume say
how to lift it, raising it lifts it; a command's own change is told once in its chat (pushed to the others), and a
lifted cooldown's alert still waiting in the queue is not sent after the lift. Through the fake Bot API, paper.
"""
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.chat_checks import reply
from tests.fakes.telegram_api import FakeTelegram

GROUP = -100500


def is_receipt(s) -> bool:
    return s.text.startswith(("✅", "Not opened", "Order refused", "No "))


async def test_a_daily_limit_broken_by_a_fee_refuses_the_next_buy_and_raising_it_lifts_it(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001,
                                telegram_allowed_chat_ids=f"{OWNER},{GROUP}", telegram_allowed_user_ids=str(OWNER))
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            await telegram.wait_for(GROUP, lambda s: "Started" in s.text, timeout=30)
            tightened = await reply(telegram, OWNER, "/set DAILY_LOSS_LIMIT_PCT 0.01", lambda s: "✅" in s.text)
            await telegram.wait_for(GROUP, lambda s: "Setting DAILY_LOSS_LIMIT_PCT changed" in s.text)
            # 0.01% of 10,000 is 1.00: the 3,000 buy's fee (3.00) breaks it; the next buy, at once, is refused
            first = await reply(telegram, OWNER, "/buy BTC/USDT 3000", is_receipt)
            second = await reply(telegram, OWNER, "/buy ETH/USDT 3000", is_receipt)
            # pushed to both chats after the setting's push: once here, the owner's copy of that one would be too
            await telegram.wait_for(OWNER, lambda s: "RISK LIMIT: daily loss limit hit" in s.text)
            nothing = await reply(telegram, OWNER, "/resume", lambda s: "resume" in s.text.lower())
            raised = await reply(telegram, OWNER, "/set DAILY_LOSS_LIMIT_PCT default", lambda s: "✅" in s.text)
            third = await reply(telegram, OWNER, "/buy ETH/USDT 100", is_receipt)
            risk = await reply(telegram, OWNER, "/risk", lambda s: s.text.startswith("Risk"))
    assert tightened.text.startswith("✅") and first.text.startswith("✅ Bought"), first.text
    assert second.text.startswith("Not opened: Daily loss limit hit: -"), second.text
    assert "the limit is 1.00 (0.01% of 10,000.00)" in second.text and "/set DAILY_LOSS_LIMIT_PCT 0.0" in second.text
    assert nothing.text.startswith("Nothing to resume: /resume lifts the kill switch, a drawdown halt, a cooldown or "
                                   "a pause, and none is on. New positions are still refused: Daily loss limit hit"), \
        nothing.text
    assert raised.text.startswith("✅") and third.text.startswith("✅ Bought"), third.text
    assert "✅ new entries allowed" in risk.text, risk.text
    said = [s.text for s in telegram.replies_to(OWNER)]
    assert not any(t.startswith("ℹ️ Setting") or "Setting DAILY_LOSS_LIMIT_PCT changed" in t for t in said), said
    assert sum("RISK LIMIT" in t for t in said) == 1, said
