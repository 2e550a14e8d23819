"""Only words the allowed user typed just now run commands or reach the LLM, through the fake Bot API: a message
sent "via @some_bot" (an inline bot wrote it) and one sent as a channel or anonymously as the group are answered
with why, never run, and never taken as a question."""
from bot.command_origin import ANONYMOUS, VIA_BOT
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram
from trading.services.questions import ENABLE_HINT

GROUP = -100500
ANONYMOUS_ADMIN = 1087968824          # Telegram's GroupAnonymousBot: the "from" of a message sent as the group
INLINE_BOT = {"id": 424242, "is_bot": True, "first_name": "Inline", "username": "some_inline_bot"}


def paper_bot(tmp_path, telegram, **overrides):
    return bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001, **overrides)


async def test_a_command_sent_via_an_inline_bot_is_not_executed_nor_its_text_asked_of_the_llm(tmp_path):
    async with FakeTelegram() as telegram, running_bot(paper_bot(tmp_path, telegram)):
        await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
        await telegram.ask(OWNER, "/buy BTC/USDT 100", expect="✅ Bought")
        before = len(telegram.replies_to(OWNER))
        telegram.user_says(OWNER, "/kill flat", via_bot=INLINE_BOT)
        refused = await telegram.next_reply(OWNER, before)
        telegram.user_says(OWNER, "sell everything now", via_bot=INLINE_BOT)
        hint = await telegram.ask(OWNER, "what do I hold?", expect="No LLM")
        status = await telegram.ask(OWNER, "/status", expect="")
    assert refused.text == VIA_BOT
    assert "Kill switch: off" in status.text and "Open positions: 1" in status.text
    assert hint.text == ENABLE_HINT and [s.text for s in telegram.replies_to(OWNER)].count(ENABLE_HINT) == 1


async def test_a_command_sent_anonymously_as_the_group_is_not_executed(tmp_path):
    # even with the anonymous admin's id on the user list, nobody can tell who sent it
    group = {"id": GROUP, "type": "supergroup", "title": "Trading"}
    async with FakeTelegram() as telegram, running_bot(paper_bot(
            tmp_path, telegram, telegram_allowed_chat_ids=f"{OWNER},{GROUP}",
            telegram_allowed_user_ids=f"{OWNER},{ANONYMOUS_ADMIN}")):
        await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
        before = len(telegram.replies_to(GROUP))
        telegram.user_says(GROUP, "/kill flat", user_id=ANONYMOUS_ADMIN, sender_chat=group)
        refused = await telegram.next_reply(GROUP, before)
        status = await telegram.ask(GROUP, "/status", user_id=OWNER, expect="")
    assert refused.text == ANONYMOUS
    assert "Kill switch: off" in status.text
