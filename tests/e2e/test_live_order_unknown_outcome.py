"""An approved live order whose answer is lost is never told as "nothing was changed" (the user then placed it
twice): the fake Binance takes the order and loses its answer, and the look-ups by its client id fail through the
broker's retries. When a last look-up finds it, the reply is the plain receipt; when that fails too, the reply and
the card say plainly that the order MAY have reached the exchange, and the card records an unknown outcome, not a
refusal. The same for the bot's own entry approved from its card. Exactly one order goes out each time.

The look-ups fail with an answer the bot cannot use (a key refused, at once), so the test waits only for the
broker's placement retries (1 + 2 + 5 s), not for the backoff of timed-out reads.
"""
from __future__ import annotations

import sqlite3

from tests.e2e.test_bot_entry_approvals import CARD as BOT_CARD
from tests.e2e.test_bot_entry_approvals import candle_closed
from tests.e2e.test_live_approvals import CARD, approval_id, switched_on
from tests.e2e.test_live_futures_stops import perp_ending_today
from tests.fakes.bot_process import OWNER, running_bot
from tests.fakes.close_strategy import LongAtClose
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_faults import Fault, FaultKind
from tests.fakes.feature_bot import feature_bot
from tests.fakes.live_bot import code_now, fake_binance, live_settings
from tests.fakes.live_futures_loop import PERP
from tests.fakes.telegram_api import FakeTelegram
from trading.strategies.book import StrategyBook

MAYBE = "order MAY have reached the exchange"
CHECK = "check /orders and /positions before placing it again"
BROKER_LOOK_UPS = 3          # one before each of the broker's three retries of the placement


def answer_lost(exchange: FakeExchange, path: str, failed_look_ups: int) -> None:
    """Take the next order and lose its answer; fail the next failed_look_ups look-ups of orders at once."""
    exchange.inject_lost_response(seconds=0, path=path, method="POST")
    exchange.faults.arm(Fault(FaultKind.AUTH_ERROR, failed_look_ups, path, method="GET"))


async def approved(telegram: FakeTelegram, card):
    """Press Approve, send the code, and return the bot's answer to the code (alerts meanwhile are skipped)."""
    await telegram.answered(telegram.user_presses(OWNER, card.message_id, card.buttons[0][0]["callback_data"]))
    await telegram.wait_for(OWNER, lambda s: s.message_id > card.message_id and s.text.startswith("🔐 Send the"))
    telegram.user_says(OWNER, code_now(1))
    return await telegram.wait_for(OWNER, lambda s: s.message_id > card.message_id and not s.edited
                                   and "Code accepted" in s.text)


def recorded(tmp_path, card) -> str:
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        (result,) = db.execute("SELECT result FROM confirmations WHERE id = ?", (approval_id(card),)).fetchone()
    return result


async def test_an_unanswered_order_found_by_its_client_id_is_receipted_as_placed(tmp_path):
    async with perp_ending_today() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange, market_type="futures", symbols=PERP)
        async with running_bot(settings):
            await switched_on(telegram)
            card = await telegram.ask(OWNER, f"/buy {PERP} 200", expect=CARD)
            answer_lost(exchange, "/fapi/v1/order", BROKER_LOOK_UPS)     # the service's own look-up answers
            placed = await approved(telegram, card)
            edited = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == card.message_id)
    assert placed.text.startswith("✅ Code accepted. ✅ Bought 0.001 BTC/USDT:USDT"), placed.text
    assert "Nothing was changed" not in placed.text and "refused" not in placed.text
    assert edited.text.startswith("✅ Approved and sent") and "✅ Bought 0.001" in edited.text
    assert recorded(tmp_path, card).startswith("placed: ")
    assert exchange.count("/fapi/v1/order", "POST") == 1 and exchange.account.position("BTCUSDT") != 0


async def test_an_unanswered_order_that_cannot_be_looked_up_is_told_as_maybe_placed_never_as_refused(tmp_path):
    async with perp_ending_today() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange, market_type="futures", symbols=PERP)
        async with running_bot(settings):
            await switched_on(telegram)
            card = await telegram.ask(OWNER, f"/buy {PERP} 200", expect=CARD)
            answer_lost(exchange, "/fapi/v1/order", 50)                 # every look-up fails
            told = await approved(telegram, card)
            edited = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == card.message_id)
            exchange.faults.clear()
    assert told.text.startswith("✅ Code accepted."), told.text
    assert MAYBE in told.text and CHECK in told.text and "next reconciliation" in told.text
    assert "Nothing was changed" not in told.text and "refused" not in told.text
    assert edited.text.startswith("✅ Approved and sent") and MAYBE in edited.text and "refused" not in edited.text
    assert recorded(tmp_path, card).startswith("outcome unknown: ")
    assert exchange.count("/fapi/v1/order", "POST") == 1 and exchange.account.position("BTCUSDT") != 0


async def test_the_bots_own_approved_entry_left_unanswered_is_told_as_maybe_placed(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        strategy = LongAtClose("BTC/USDT")
        async with feature_bot(live_settings(tmp_path, telegram, exchange), StrategyBook([strategy])) as bot:
            await telegram.ask(OWNER, "/live on", expect="🔐 Send", timeout=30)
            await telegram.ask(OWNER, code_now(), expect="✅ Code accepted. 🟢 Live trading is ON")
            await candle_closed(bot.core, "BTC/USDT")
            card = await telegram.wait_for(OWNER, lambda s: s.text.startswith(BOT_CARD))
            answer_lost(exchange, "/api/v3/order", 50)
            told = await approved(telegram, card)
            edited = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == card.message_id)
            exchange.faults.clear()
    assert told.text.startswith("✅ Code accepted."), told.text
    assert MAYBE in told.text and CHECK in told.text and "refused" not in told.text
    assert edited.text.startswith("✅ Approved and sent") and MAYBE in edited.text
    assert recorded(tmp_path, card).startswith("outcome unknown: ")
    assert exchange.count("/api/v3/order", "POST") == 1 and len(exchange.account.orders) == 1
