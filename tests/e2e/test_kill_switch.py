"""The brakes from the chat and from the data directory, and their persistence over a restart.

Every wait is on a condition (a reply that matches, the KILL file gone), never on the time a step takes,
so a loaded machine only makes the test slower, not red.
"""
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.chat_checks import eventually, reply
from tests.fakes.telegram_api import FakeTelegram


async def test_kill_by_command_and_by_file_survives_a_restart_until_resume(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            killed = await reply(telegram, OWNER, "/kill", lambda s: "Kill switch" in s.text)
            assert killed.text == "🛑 Kill switch on. No new orders. Positions stay protected. /resume lifts it."
            risk = await reply(telegram, OWNER, "/risk", lambda s: s.text.startswith("Risk"))
            assert "entries blocked: Kill switch is on (by /kill at " in risk.text and "chat:" not in risk.text
            bad = await reply(telegram, OWNER, "/kill everything", lambda s: s.text.startswith("Usage"))
            assert bad.text.startswith("Usage: /kill")
        first_run = list(telegram.replies_to(OWNER))
        before = len(first_run)
        async with running_bot(settings):
            still = await telegram.wait_for(OWNER, lambda s: "still on" in s.text
                                            and telegram.sent.index(s) >= before, timeout=30)
            assert "set by /kill before the restart" in still.text
            status = await reply(telegram, OWNER, "/status", lambda s: s.text.startswith("Status"))
            assert "Kill switch: 🛑 ON" in status.text
            resumed = await reply(telegram, OWNER, "/resume", lambda s: "resume" in s.text.lower())
            assert resumed.text == "▶️ Trading resumed: lifted kill switch."
            kill_file = tmp_path / "KILL"
            kill_file.write_text("")
            alert = await telegram.wait_for(OWNER, lambda s: "KILL SWITCH on by the KILL file" in s.text, timeout=30)
            await eventually(lambda: not kill_file.exists(), "the KILL file removed once the switch is on")
            status = await reply(telegram, OWNER, "/status", lambda s: s.text.startswith("Status"))
            assert "Kill switch: 🛑 ON" in status.text and alert is not None
    # one message per event: the commands' replies, no push repeating them; no internal ids anywhere
    said = [s.text for s in telegram.replies_to(OWNER)]
    assert not any("KILL SWITCH on by /kill" in t or t.startswith("ℹ️ Trading resumed") for t in said)
    assert not any("chat:" in t for t in said)
