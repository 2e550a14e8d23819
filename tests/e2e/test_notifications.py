"""Notifications the user controls, through the fake Bot API: /notify mutes and unmutes a category (kept over
a restart); the watchdog says when the exchange connection degrades and when it recovers."""
import json

from tests.e2e.test_exchange_feed import markets_ending_today
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.telegram_api import FakeTelegram
from trading.adapters.clocks import WallClock

SETTING = "Setting RISK_PER_TRADE_PCT changed"
GROUP = -100500


def button(message, label_start):
    return next(b["callback_data"] for row in message.buttons for b in row if b["text"].startswith(label_start))


async def test_a_muted_category_is_not_pushed_until_unmuted_and_the_choice_survives_a_restart(tmp_path):
    async with FakeTelegram() as telegram:
        # a second chat: the setting's push goes to the chats other than the one whose /set reply said it
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001,
                                telegram_allowed_chat_ids=f"{OWNER},{GROUP}", telegram_allowed_user_ids=str(OWNER))
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            menu = await telegram.ask(OWNER, "/notify", expect="Notifications")
            mute = button(menu, "🔕 Mute system")
            first = telegram.user_presses(OWNER, menu.message_id, mute)
            assert await telegram.answered(first) == "system: off"
            redrawn = await telegram.wait_for(OWNER, lambda s: s.edited and "System: 🔕 off" in s.text)
            twice = telegram.user_presses(OWNER, menu.message_id, mute)       # the same button again: no flip back
            assert await telegram.answered(twice) == "system: off"
            stranger = telegram.user_presses(OWNER, menu.message_id, mute, user_id=999)
            assert (await telegram.answered(stranger)).startswith("This bot answers only its allowed users")
            await telegram.ask(OWNER, "/set RISK_PER_TRADE_PCT 1", expect="✅")
            assert "System: 🔕 off" in (await telegram.ask(OWNER, "/notify", expect="Notifications")).text
        before = len(telegram.sent)
        async with running_bot(settings):
            await telegram.ask(OWNER, "/status", expect="Status")
            menu = await telegram.ask(OWNER, "/notify", expect="Notifications")
            telegram.user_presses(OWNER, menu.message_id, button(menu, "🔔 Unmute system"))
            await telegram.wait_for(OWNER, lambda s: s.edited and "System: ✅ on" in s.text)
            await telegram.ask(OWNER, "/set RISK_PER_TRADE_PCT 2", expect="✅")
            pushed = await telegram.wait_for(GROUP, lambda s: SETTING in s.text)
    assert "Quiet hours: none" in menu.text and redrawn.buttons
    assert [s.text for s in telegram.sent if SETTING in s.text] == [pushed.text] and "from 1 to 2" in pushed.text
    assert not any("Started" in s.text for s in telegram.sent[before:]), "system pushes stayed muted after restart"


async def test_the_watchdog_alerts_when_the_exchange_degrades_and_when_it_recovers(tmp_path):
    async with FakeExchange(markets_ending_today(), WallClock()) as exchange, FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, market_data="live", exchange="binance",
                                exchange_options=json.dumps(exchange.options()), watchdog_stall_seconds=6)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            exchange.inject_server_error(count=4, path="/api/v3/ticker/24hr")    # the fifth try succeeds
            alert = await telegram.wait_for(OWNER, lambda s: "Watchdog: the exchange connection is degraded" in s.text,
                                            timeout=30)
            recovered = await telegram.wait_for(OWNER, lambda s: "exchange connection has recovered" in s.text,
                                                timeout=30)
    assert "fetch_ticker failed" in alert.text and alert.text.startswith("⚠️") and recovered
