"""Left running on the bundled replay, the bot trades by itself and tells the chat about each entry and exit."""
import sqlite3

from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram


async def test_the_bot_opens_and_closes_paper_positions_by_itself_and_reports_them(tmp_path):
    async with FakeTelegram() as telegram:
        # 600x: a replayed hour passes in 6 s, polled every 0.2 s; every closed minute goes through the loop.
        # The first entry comes ~3 replayed hours in (~19 s on an idle machine); the deadlines leave room for a
        # loaded CI box, where start-up and the loop's catch-up can take several times longer.
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=600.0)
        async with running_bot(settings):
            entry = await telegram.wait_for(OWNER, lambda s: s.text.startswith("ℹ️ ENTRY"), timeout=150)
            exit_ = await telegram.wait_for(OWNER, lambda s: "EXIT" in s.text, timeout=150)
            risk = await telegram.ask(OWNER, "/risk")
    assert "[" in entry.text and "risk" in entry.text          # strategy, reason and risk in one line
    assert "Result" in exit_.text
    assert "Equity" in risk.text and "Circuit breaker" in risk.text
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        fills = db.execute("SELECT COUNT(*) FROM fills").fetchone()[0]
        signals = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'signal'").fetchone()[0]
    assert fills >= 2 and signals >= 1
    entries = [s for s in telegram.replies_to(OWNER) if s.text.startswith("ℹ️ ENTRY")]
    assert len({s.text for s in entries}) == len(entries), "each entry is announced once"
