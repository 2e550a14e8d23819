"""Settings from the chat through the fake Bot API: validated, applied at run time, kept over a restart, audited;
restart-only ones say so; raising a risk limit in live mode takes a two-factor code."""
import json
import sqlite3

from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.live_bot import code_now, fake_binance, live_settings
from tests.fakes.telegram_api import FakeTelegram


async def test_set_applies_valid_values_refuses_bad_ones_and_keeps_them_over_a_restart(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            applied = await telegram.ask(OWNER, "/set RISK_PER_TRADE_PCT 1", expect="✅")
            risk = await telegram.ask(OWNER, "/risk", expect="Risk")
            too_big = await telegram.ask(OWNER, "/set RISK_PER_TRADE_PCT 200")
            crossing = await telegram.ask(OWNER, "/set HARD_STOP_PCT 3")
            unknown = await telegram.ask(OWNER, "/set RISK 1")
            fixed = await telegram.ask(OWNER, "/set TRADING_MODE live")
            usage = await telegram.ask(OWNER, "/set RISK_PER_TRADE_PCT")
            restart = await telegram.ask(OWNER, "/set TIMEZONE Europe/Berlin", expect="✅")
            symbols = await telegram.ask(OWNER, "/symbols remove ETH/USDT", expect="✅")
        before = len(telegram.sent)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text and telegram.sent.index(s) >= before)
            listing = await telegram.ask(OWNER, "/settings", expect="Settings")
            risk_after = await telegram.ask(OWNER, "/risk", expect="Risk")
            status = await telegram.ask(OWNER, "/symbols", expect="Traded now")
            back = await telegram.ask(OWNER, "/set RISK_PER_TRADE_PCT default", expect="✅")
    assert applied.text == "✅ RISK_PER_TRADE_PCT: 2 → 1, applied now." and "risk 1.00%" in risk.text
    assert too_big.text.startswith("RISK_PER_TRADE_PCT not changed: expected a percentage above 0 and at most 100")
    assert crossing.text == ("HARD_STOP_PCT not changed: the soft stop must stay below the hard stop, and "
                             "SOFT_STOP_PCT is 5. Lower SOFT_STOP_PCT first, e.g. /set SOFT_STOP_PCT 1.5, then "
                             "/set HARD_STOP_PCT 3.")
    assert unknown.text.startswith("No setting 'RISK'. Did you mean RISK_PER_TRADE_PCT")
    assert fixed.text.startswith("TRADING_MODE is not changed from the chat") and usage.text.startswith("Usage: /set")
    assert restart.text.endswith("stored. It takes effect at the next restart.") and "stored" in symbols.text
    assert "RISK_PER_TRADE_PCT</code> = 1 (default 2) ✏️" in listing.raw["text"]
    assert "TIMEZONE</code> = Europe/Berlin (default UTC) ✏️ · restart" in listing.raw["text"]
    assert "risk 1.00%" in risk_after.text and status.text.startswith("Traded now: BTC/USDT\n")
    assert back.text == "✅ RISK_PER_TRADE_PCT: 1 → 2, applied now."
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        audited = [json.loads(d) for (d,) in db.execute("SELECT data_json FROM events WHERE kind = 'setting'")]
        left = dict(db.execute("SELECT key, value FROM settings_overrides"))
    assert {"name": "risk_per_trade_pct", "old": "2", "new": "1", "by": f"user:{OWNER}", "restart": False,
            "told_in_reply": True} in audited
    assert left == {"timezone": "Europe/Berlin", "symbols": "BTC/USDT"}


async def test_raising_a_risk_limit_in_live_mode_needs_a_code_and_lowering_it_does_not(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await telegram.wait_for(OWNER, lambda s: "Started in live mode" in s.text, timeout=30)
            lowered = await telegram.ask(OWNER, "/set MAX_OPEN_POSITIONS 2", expect="✅")
            asked = await telegram.ask(OWNER, "/set MAX_OPEN_POSITIONS 5", expect="Raising")
            before = await telegram.ask(OWNER, "/risk", expect="Risk")
            raised = await telegram.ask(OWNER, code_now(), expect="✅ Code accepted")
            after = await telegram.ask(OWNER, "/risk", expect="Risk")
    assert lowered.text == "✅ MAX_OPEN_POSITIONS: 3 → 2, applied now."
    assert asked.text.startswith("Raising a risk limit in live mode needs a code. 🔐 Send the 6-digit code")
    assert "Positions 0/2" in before.text and "Positions 0/5" in after.text
    assert raised.text == "✅ Code accepted. ✅ MAX_OPEN_POSITIONS: 2 → 5, applied now."


async def test_pause_holds_new_entries_but_not_exits_and_resume_lifts_it(tmp_path):
    async with FakeTelegram() as telegram:
        async with running_bot(bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            assert (await telegram.ask(OWNER, "/buy BTC/USDT 100")).text.startswith("✅ Bought")
            paused = await telegram.ask(OWNER, "/pause", expect="⏸ New entries paused")
            again = await telegram.ask(OWNER, "/pause", expect="New entries are already")
            refused = await telegram.ask(OWNER, "/buy BTC/USDT 100", expect="Not opened")
            sold = await telegram.ask(OWNER, "/sell BTC/USDT 50%", expect="✅ Sold")
            mode = await telegram.ask(OWNER, "/mode", expect="📝 Mode")
            resumed = await telegram.ask(OWNER, "/resume", expect="▶️ Trading resumed")
            nothing = await telegram.ask(OWNER, "/resume", expect="Nothing to resume")
            bought = await telegram.ask(OWNER, "/buy BTC/USDT 100", expect="✅ Bought")
    assert paused.text.startswith("⏸ New entries paused") and again.text.startswith("New entries are already paused")
    assert refused.text == f"Not opened: New entries are paused by Telegram user {OWNER}. /resume lifts it."
    assert sold.text.startswith("✅ Sold") and f"paper; new entries paused by Telegram user {OWNER}" in mode.text
    assert resumed.text == "▶️ Trading resumed: lifted pause." and nothing.text.startswith("Nothing to resume")
    assert bought.text.startswith("✅ Bought")


async def test_set_refuses_nan_unknown_symbols_and_unreadable_switches_and_reads_an_exponent_plainly(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            nan = await telegram.ask(OWNER, "/set RISK_PER_TRADE_PCT NaN")
            exponent = await telegram.ask(OWNER, "/set RISK_PER_TRADE_PCT 1e0", expect="✅")
            unknown = await telegram.ask(OWNER, "/set SYMBOLS BTC/USDT,FOO/USDT")
            lower = await telegram.ask(OWNER, "/set SYMBOLS eth/usdt,ETH/USDT", expect="✅")
            switch = await telegram.ask(OWNER, "/set CLOSE_ON_DAILY_LOSS maybe")
    # before: NaN reached a comparison and the reply was "Sorry, /set failed on my side (InvalidOperation)"
    assert nan.text == ("RISK_PER_TRADE_PCT not changed: expected a percentage above 0 and at most 100, like 2, "
                        "got 'NaN'."), nan.text
    assert exponent.text == "✅ RISK_PER_TRADE_PCT: 2 → 1, applied now.", exponent.text
    # before: any text with a slash was stored, and the next start traded a market that does not exist
    assert unknown.text.startswith("SYMBOLS not changed: Unknown symbol 'FOO/USDT'. Try one of: BTC/USDT, ETH/USDT")
    assert lower.text == "✅ SYMBOLS: BTC/USDT,ETH/USDT → ETH/USDT, stored. It takes effect at the next restart."
    assert switch.text == ("CLOSE_ON_DAILY_LOSS not changed: expected true or false, like /set CLOSE_ON_DAILY_LOSS "
                           "true, got 'maybe'."), switch.text
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        audited = [json.loads(d) for (d,) in db.execute("SELECT data_json FROM events WHERE kind = 'setting'")]
        left = dict(db.execute("SELECT key, value FROM settings_overrides"))
    assert [(a["name"], a["new"]) for a in audited] == [("risk_per_trade_pct", "1"), ("symbols", "ETH/USDT")]
    assert left == {"risk_per_trade_pct": "1", "symbols": "ETH/USDT"}
