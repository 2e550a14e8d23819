"""The bot's own live entries with LIVE_AUTONOMY=approve, through the fake Bot API and the fake Binance: the loop's
strategy decides, a card with its reason comes to the owner, and only Approve plus a code places the entry, with the
plan's stop armed as the loop arms its own; a card nobody answers expires and places nothing. With autonomous the
entry goes straight out.

The bot runs as bot.runtime runs it (tests/fakes/feature_bot.py) with one strategy of our own (a long setup at the
newest close, stop 2% under, target 6% over); the test hands the loop the newest closed candle, as the scheduler's
market refresh does when a candle closes.
"""
import json
import sqlite3
from decimal import Decimal

from tests.fakes.bot_process import OWNER
from tests.fakes.close_strategy import LongAtClose
from tests.fakes.feature_bot import feature_bot
from tests.fakes.live_bot import code_now, fake_binance, live_settings
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.candles import Timeframe
from trading.domain.instruments import MarketKind
from trading.domain.manual_orders import approval_client_id
from trading.services.account_keys import LIVE_STATE_KEY as STATE_KEY
from trading.services.loop_jobs import watch_prices
from trading.strategies.book import StrategyBook

CARD = "🔐 Live order: approve? (🤖 the bot's own entry)"
WHY = "Why: at_close long (1m): test setup at the close; rules: reward:risk 3.00, confidence 0.80"


async def switched_on(telegram):
    await telegram.ask(OWNER, "/live on", expect="🔐 Send", timeout=30)
    assert await telegram.ask(OWNER, code_now(), expect="✅ Code accepted. 🟢 Live trading is ON")


async def candle_closed(core, symbol):
    """Hand the loop symbol's newest closed 1m candle, as the market refresh does at a close."""
    await core.loop.on_candles_closed([(symbol, Timeframe.M1, await core.market.candles(symbol, Timeframe.M1, 1))])


def approval_id(card) -> str:
    return card.buttons[0][0]["callback_data"].split(":")[2].rpartition(".")[0]


async def test_the_loops_entry_waits_for_approve_and_a_code_then_opens_once_with_the_plans_stop(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        strategy = LongAtClose("BTC/USDT")
        async with feature_bot(live_settings(tmp_path, telegram, exchange), StrategyBook([strategy])) as bot:
            core = bot.core
            mode = await telegram.ask(OWNER, "/mode", expect="⏸ Mode", timeout=30)
            await switched_on(telegram)
            await candle_closed(core, "BTC/USDT")
            card = await telegram.wait_for(OWNER, lambda s: s.text.startswith(CARD))
            before_approval = list(exchange.account.orders)
            await candle_closed(core, "BTC/USDT")            # the same setup again: no second card
            pressed = await telegram.answered(telegram.user_presses(OWNER, card.message_id,
                                                                    card.buttons[0][0]["callback_data"]))
            telegram.user_says(OWNER, code_now(1))
            placed = await telegram.wait_for(OWNER, lambda s: s.text.startswith("✅ Code accepted. ✅ Bought"))
            edited = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == card.message_id)
            guard = core.loop.engine.state.positions["BTC/USDT"]
            # the price falls through the plan's stop: the loop's protective job sells, as for its own entries
            exchange.board.by_id(MarketKind.SPOT, "BTCUSDT").moved_by = Decimal("0.95")
            await watch_prices(core.loop)
            exited = await telegram.wait_for(OWNER, lambda s: s.text.startswith("ℹ️ EXIT long BTC/USDT"))
            cards = [s for s in telegram.replies_to(OWNER) if s.text.startswith(CARD)]
    assert "LIVE_AUTONOMY=approve" in mode.text
    assert WHY in card.text and "Stop " in card.text and "risk ≈" in card.text and "Est. fill" in card.text
    assert before_approval == [] and len(cards) == 1
    assert pressed.startswith("Approved: now send your 6-digit code")
    assert edited.text.startswith("✅ Approved and sent") and edited.buttons == []
    entry, exit_ = exchange.account.orders
    assert entry.client_id == approval_client_id(approval_id(card), 0) and entry.side == "BUY"
    stop = Decimal(card.text.split("Stop ")[1].split(" ")[0].replace(",", ""))
    assert guard.stops.stop == stop and guard.strategy == "at_close"
    assert exit_.side == "SELL" and "stop" in exited.text and placed


async def test_a_card_nobody_answers_expires_loses_its_buttons_and_places_nothing(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange, approval_timeout_seconds=5)
        async with feature_bot(settings, StrategyBook([LongAtClose("ETH/USDT")])) as bot:
            await switched_on(telegram)
            await candle_closed(bot.core, "ETH/USDT")
            card = await telegram.wait_for(OWNER, lambda s: s.text.startswith(CARD))
            expired = await telegram.wait_for(OWNER, lambda s: s.edited and s.message_id == card.message_id,
                                              timeout=20)
            late = await telegram.answered(telegram.user_presses(OWNER, card.message_id,
                                                                 card.buttons[0][0]["callback_data"]))
    assert "ETH/USDT" in card.text and WHY in card.text
    assert expired.text.startswith("⌛ Expired: nothing was placed") and expired.buttons == []
    assert late.startswith("This card expired") and "next signal" in late and exchange.account.orders == []


async def test_with_autonomous_the_loops_entry_goes_straight_to_the_exchange_without_a_card(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange, live_autonomy="autonomous")
        async with feature_bot(settings, StrategyBook([LongAtClose("BTC/USDT")])) as bot:
            mode = await telegram.ask(OWNER, "/mode", expect="⏸ Mode", timeout=30)
            await switched_on(telegram)
            await candle_closed(bot.core, "BTC/USDT")
            entered = await telegram.wait_for(OWNER, lambda s: s.text.startswith("ℹ️ ENTRY long"))
            listed = await telegram.ask(OWNER, "/settings", expect="Settings")
            refused = await telegram.ask(OWNER, "/set LIVE_AUTONOMY approve")
            stops_kept = await telegram.ask(OWNER, "/set EXCHANGE_STOPS off")
    assert "LIVE_AUTONOMY=autonomous" in mode.text
    assert "LIVE_AUTONOMY = autonomous (default approve) · .env only" in listed.text
    assert refused.text == "LIVE_AUTONOMY is not changed from the chat: set it in .env and restart."
    # whether live futures keep stops on the exchange is shown, and only .env may take them off
    assert "EXCHANGE_STOPS = on · .env only" in listed.text
    assert "EXCHANGE_STOP_REPLACE_S = 30 · .env only" in listed.text
    assert stops_kept.text == "EXCHANGE_STOPS is not changed from the chat: set it in .env and restart."
    (order,) = exchange.account.orders
    assert order.side == "BUY" and order.client_id.startswith("ta-") and "[at_close]" in entered.text
    assert not any(s.text.startswith(CARD) for s in telegram.replies_to(OWNER))


def as_if_it_died_once_the_order_left(data_dir, approval):
    """Leave the database as a process stopped between the order leaving and its recording leaves it: the card
    claimed without a result, the engine never told of the entry (no pending entry, no guarded position)."""
    with sqlite3.connect(data_dir / "trading.sqlite") as db:
        db.execute("UPDATE confirmations SET state = 'claimed', result = '' WHERE id = ?", (approval,))
        (saved,) = db.execute("SELECT value_json FROM state WHERE key = ?", (STATE_KEY,)).fetchone()
        engine = json.loads(saved)
        engine["positions"], engine["pending"] = {}, {}
        db.execute("UPDATE state SET value_json = ? WHERE key = ?", (json.dumps(engine), STATE_KEY))


async def test_a_restart_between_the_approved_entry_leaving_and_its_recording_arms_the_plans_stop(tmp_path):
    # the plan's stop is 2% under the close; the defaults an unknown position gets are a 10% hard stop and a 5%
    # soft-stop zone: a 3% fall after the restart sells only if the plan's stop guards the position
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        settings, book = live_settings(tmp_path, telegram, exchange), StrategyBook([LongAtClose("BTC/USDT")])
        async with feature_bot(settings, book) as bot:
            await switched_on(telegram)
            await candle_closed(bot.core, "BTC/USDT")
            card = await telegram.wait_for(OWNER, lambda s: s.text.startswith(CARD))
            await telegram.answered(telegram.user_presses(OWNER, card.message_id, card.buttons[0][0]["callback_data"]))
            telegram.user_says(OWNER, code_now(1))
            await telegram.wait_for(OWNER, lambda s: s.text.startswith("✅ Code accepted. ✅ Bought"))
        as_if_it_died_once_the_order_left(tmp_path, approval_id(card))
        before = len(telegram.sent)
        async with feature_bot(settings, book) as bot:
            told = await telegram.wait_for(OWNER, lambda s: "before the restart" in s.text and
                                           telegram.sent.index(s) >= before, timeout=30)
            guard = bot.core.loop.engine.state.positions["BTC/USDT"]
            exchange.board.by_id(MarketKind.SPOT, "BTCUSDT").moved_by = Decimal("0.97")
            await watch_prices(bot.core.loop)
            exited = await telegram.wait_for(OWNER, lambda s: s.text.startswith("ℹ️ EXIT long BTC/USDT"))
    stop = Decimal(card.text.split("Stop ")[1].split(" ")[0].replace(",", ""))
    assert (guard.stops.stop, guard.strategy, guard.key) == (stop, "at_close", approval_client_id(approval_id(card)))
    assert "was placed before the restart" in told.text and "guarded by the plan's exits (at_close: stop" in told.text
    entry, exit_ = exchange.account.orders
    assert (entry.side, exit_.side) == ("BUY", "SELL") and "stop" in exited.text
