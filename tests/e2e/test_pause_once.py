"""/pause and /resume answer once: the reply, not the reply and a push saying the same."""
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram

GROUP = -100500


async def test_pause_and_resume_are_told_once(tmp_path):
    async with FakeTelegram() as telegram:
        # a second chat gets the setting's push (the chat whose /set reply said it does not): the order marker
        async with running_bot(bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001,
                                            telegram_allowed_chat_ids=f"{OWNER},{GROUP}",
                                            telegram_allowed_user_ids=str(OWNER))):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            paused = await telegram.ask(OWNER, "/pause")
            resumed = await telegram.ask(OWNER, "/resume")
            await telegram.ask(OWNER, "/set MAX_OPEN_POSITIONS 2")
            # pushes go out in order: this one comes after any the pause and the resume made
            await telegram.wait_for(GROUP, lambda s: "Setting MAX_OPEN_POSITIONS changed" in s.text)
    texts = [s.text for s in telegram.replies_to(OWNER)]
    assert paused.text.startswith("⏸ New entries paused") and resumed.text.startswith("▶️ Trading resumed")
    # before: "ℹ️ ⏸ New entries paused by user:4242 ..." and "ℹ️ ▶️ New entries allowed again" came after each reply
    assert not [t for t in texts if "New entries paused by" in t or "New entries allowed again" in t], texts
