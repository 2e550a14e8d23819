"""Live mode from the phone: it starts paused, /live on needs a two-factor code, codes are deleted once read,
five wrong codes lock them out, /resume after a kill switch asks for a code; no TOTP secret, no live start."""
import pytest

from tests.fakes.bot_process import OWNER, running_bot
from tests.fakes.live_bot import bought_for_100, code_now, fake_binance, live_settings, previous_code, wrong_code
from tests.fakes.telegram_api import FakeTelegram
from trading.bootstrap import build_core
from trading.domain.errors import ConfigurationError

ASKED = "🔐 Send the 6-digit code"
PAUSED = "Live mode: armed but PAUSED"


async def test_live_refuses_to_start_without_a_totp_secret_and_says_how_to_create_one(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange, totp=False)
        with pytest.raises(ConfigurationError, match="run `trading-assistant totp setup`"):
            await build_core(settings)
    assert exchange.requests == [], "refused before anything was asked of the exchange"


async def test_live_starts_paused_and_live_on_takes_a_right_code_not_a_wrong_one(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await telegram.wait_for(OWNER, lambda s: PAUSED in s.text, timeout=30)
            assert "live, paused" in (await telegram.ask(OWNER, "/mode", expect="⏸ Mode")).text
            assert (await telegram.ask(OWNER, "/live on", expect=ASKED)).text
            wrong = telegram.user_says(OWNER, wrong_code())
            refused = await telegram.wait_for(OWNER, lambda s: "Wrong code" in s.text)
            assert "live, paused" in (await telegram.ask(OWNER, "/mode", expect="⏸ Mode")).text
            right = telegram.user_says(OWNER, code_now())
            accepted = await telegram.wait_for(OWNER, lambda s: "Code accepted" in s.text)
            assert "live, on" in (await telegram.ask(OWNER, "/mode", expect="🟢 Mode")).text
            announced = await telegram.wait_for(
                OWNER, lambda s: "Live trading ON (Telegram user 4242, code verified)" in s.text)
            off = await telegram.ask(OWNER, "/live off", expect="⏸ Live trading paused")
            assert "live, paused" in (await telegram.ask(OWNER, "/mode", expect="⏸ Mode")).text
            again = telegram.user_says(OWNER, code_now())
            nothing = await telegram.wait_for(OWNER, lambda s: "No action is waiting for a code" in s.text)
    assert "4 tries left" in refused.text and "Live trading is ON" in accepted.text and announced
    assert off.text.startswith("⏸ Live trading paused") and nothing
    assert {(OWNER, m["message_id"]) for m in (wrong, right, again)} <= set(telegram.deleted), \
        "every message carrying a code is deleted once read"
    assert not any(code_now(step) in s.text for s in telegram.sent for step in (-1, 0, 1)), "no code is echoed"


async def test_five_wrong_codes_lock_live_on_and_alert_and_resume_after_a_kill_asks_for_a_code(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await telegram.wait_for(OWNER, lambda s: PAUSED in s.text, timeout=30)
            assert await telegram.ask(OWNER, "/kill", expect="🛑 Kill switch on.")
            assert await telegram.ask(OWNER, "/resume", expect=ASKED)
            assert await telegram.ask(OWNER, code_now(),
                                      expect="✅ Code accepted. ▶️ Trading resumed: lifted kill switch")
            await telegram.ask(OWNER, "/live on", expect=ASKED)
            answers = [(await telegram.ask(OWNER, wrong_code(), expect=("❌", "🔒"))).text for _ in range(5)]
            alert = await telegram.wait_for(OWNER, lambda s: "5 wrong two-factor codes in a row" in s.text)
            locked = await telegram.ask(OWNER, "/live on", expect="🔒")
            late = await telegram.ask(OWNER, code_now(1), expect="No action")
    assert answers[3].endswith("1 tries left before a 15-minute lockout.") and answers[4].startswith("🔒")
    assert "locked for 15 minutes" in alert.text and locked.text.startswith("🔒 Two-factor codes are locked")
    assert late.text.startswith("No action is waiting"), "a lockout drops the request: a later code does nothing"


async def test_a_paused_live_process_still_closes_a_position_through_its_approval_card(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await telegram.wait_for(OWNER, lambda s: "Started in live mode" in s.text, timeout=30)
            await telegram.ask(OWNER, "/live on", expect=ASKED)
            assert await telegram.ask(OWNER, await previous_code(), expect="✅ Code accepted. 🟢 Live trading is ON")
            buy_card = await telegram.ask(OWNER, "/buy BTC/USDT 100", expect="🔐 Live order")
            await approve_with(telegram, buy_card, code_now())
            assert await telegram.ask(OWNER, "/live off", expect="⏸ Live trading paused")
            refused = await telegram.ask(OWNER, "/buy BTC/USDT 100", expect="Not opened")
            card = await telegram.ask(OWNER, "/close BTC/USDT", expect="🔐 Live order")
            sold = await approve_with(telegram, card, code_now(1))
    amount = bought_for_100(buy_card.text)
    assert refused.text.startswith("Not opened: Live trading is paused") and f"SELL {amount}" in card.text
    assert [o.side for o in exchange.account.orders] == ["BUY", "SELL"] and f"Sold {amount} BTC/USDT" in sold.text


async def approve_with(telegram, card, code):
    """Press Approve on a card, send the code, and return the bot's reply to the code."""
    assert card.text.startswith("🔐 Live order")
    await telegram.answered(telegram.user_presses(OWNER, card.message_id, card.buttons[0][0]["callback_data"]))
    before = len(telegram.replies_to(OWNER))
    telegram.user_says(OWNER, code)
    return await telegram.wait_for(OWNER, lambda s: s.text.startswith("✅ Code accepted.") and
                                   telegram.replies_to(OWNER).index(s) >= before)
