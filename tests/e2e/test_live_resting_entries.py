"""Live from the phone: /pause cancels the user's resting /buy limit on the exchange at once, says which and why,
and /resume places nothing again (the bot process against the fake Telegram and the fake Binance over ccxt)."""
from tests.e2e.test_live_gate import ASKED, approve_with
from tests.fakes.bot_process import OWNER, running_bot
from tests.fakes.live_bot import code_now, fake_binance, live_settings, previous_code
from tests.fakes.telegram_api import FakeTelegram

CANCELLED = "Cancelled 1 resting entry order the entry gate refuses now"


async def test_pause_cancels_a_resting_live_limit_at_once_and_resume_does_not_place_it_again(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await telegram.wait_for(OWNER, lambda s: "Started in live mode" in s.text, timeout=30)
            await telegram.ask(OWNER, "/live on", expect=ASKED)
            assert await telegram.ask(OWNER, await previous_code(), expect="✅ Code accepted. 🟢 Live trading is ON")
            card = await telegram.ask(OWNER, "/buy BTC/USDT 100 limit 100000", expect="🔐 Live order")
            await approve_with(telegram, card, code_now())
            assert [(o.type, o.status) for o in exchange.account.orders] == [("LIMIT", "NEW")]
            paused = await telegram.ask(OWNER, "/pause", expect="⏸ New entries paused")
            at_once = exchange.account.orders[0].status      # cancelled before the reply, not at a later tick
            told = await telegram.wait_for(OWNER, lambda s: CANCELLED in s.text)
            resumed = await telegram.ask(OWNER, "/resume", expect="▶️")
            after = await telegram.ask(OWNER, "/mode", expect="🟢 Mode")
            cancelled_notes = [s for s in telegram.sent if CANCELLED in s.text]
    order = exchange.account.orders[0]
    assert paused and resumed and after and at_once == "CANCELED"
    assert [(o.type, o.status) for o in exchange.account.orders] == [("LIMIT", "CANCELED")], "nothing placed again"
    assert f"buy 0.00100 BTC/USDT limit 100,000.00 (id {order.order_id})" in told.text
    assert told.text.endswith("New entries are paused by Telegram user 4242. /resume lifts it.\n"
                              "To place again once it is lifted: /buy BTC/USDT 100 limit 100000")
    assert len(cancelled_notes) == 1


async def test_a_live_restart_starts_paused_cancels_a_resting_limit_and_says_how_to_place_it_again(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started in live mode" in s.text, timeout=30)
            await telegram.ask(OWNER, "/live on", expect=ASKED)
            assert await telegram.ask(OWNER, await previous_code(), expect="✅ Code accepted. 🟢 Live trading is ON")
            card = await telegram.ask(OWNER, "/buy BTC/USDT 100 limit 100000", expect="🔐 Live order")
            await approve_with(telegram, card, code_now())
        before = len(telegram.sent)
        async with running_bot(settings):      # a deploy or a crash: live starts armed but paused
            told = await telegram.wait_for(OWNER, lambda s: CANCELLED in s.text and s in telegram.sent[before:])
    # the approved limit cannot rest while the gate holds entries (it would fill unasked): cancelled, with the
    # command that places it again once /live on lifts the hold
    assert [(o.type, o.status) for o in exchange.account.orders] == [("LIMIT", "CANCELED")]
    assert "Live trading is paused" in told.text, told.text
    assert told.text.endswith("To place again once it is lifted: /buy BTC/USDT 100 limit 100000"), told.text
