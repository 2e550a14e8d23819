"""The brakes from the chat and from the data directory, and their persistence over a restart."""
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram


async def test_kill_by_command_and_by_file_survives_a_restart_until_resume(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            killed = await telegram.ask(OWNER, "/kill")
            assert killed.text.startswith("🛑 Kill switch on. No new orders.")
            risk = await telegram.ask(OWNER, "/risk")
            assert "entries blocked" in risk.text and "chat:4242" in risk.text
            bad = await telegram.ask(OWNER, "/kill everything")
            assert bad.text.startswith("Usage: /kill")
        before = len(telegram.sent)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text and telegram.sent.index(s) >= before)
            status = await telegram.ask(OWNER, "/status")
            assert "Kill switch: 🛑 ON" in status.text
            resumed = await telegram.ask(OWNER, "/resume")
            assert resumed.text == "▶️ Trading resumed: lifted kill switch."
            (tmp_path / "KILL").write_text("")
            alert = await telegram.wait_for(OWNER, lambda s: "KILL SWITCH on by file:KILL" in s.text, timeout=20)
            assert alert is not None and not (tmp_path / "KILL").exists()
            status = await telegram.ask(OWNER, "/status")
            assert "Kill switch: 🛑 ON" in status.text
