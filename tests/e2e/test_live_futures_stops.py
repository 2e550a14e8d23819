"""A live USDT-M futures bot on the fake Binance, driven from the phone: an approved buy ends with its stop on
the exchange as a reduce-only STOP_MARKET (the bootstrap wires the exchange stops in live futures), and the kill
switch closing the position cancels it."""
from __future__ import annotations

import asyncio
import time
from decimal import ROUND_CEILING, Decimal

from tests.e2e.test_live_approvals import CARD, code_reply, switched_on
from tests.fakes.bot_process import OWNER, running_bot
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import shifted, spot_market
from tests.fakes.live_bot import code_now, live_settings
from tests.fakes.live_futures_loop import PERP, perp_minutes
from tests.fakes.telegram_api import FakeTelegram
from trading.adapters.clocks import WallClock

DAY_MS = 86_400_000


def perp_ending_today() -> FakeExchange:
    """Return the fake Binance listing BTC/USDT:USDT on the real 1m candles, moved by whole days to end tomorrow."""
    candles = spot_market("BTC").candles
    minutes = next(iter(candles.values()))
    offset = ((time.time_ns() // 1_000_000 - int(minutes.open_ms[-1])) // DAY_MS + 1) * DAY_MS
    return FakeExchange([shifted(perp_minutes(minutes), offset)], WallClock())


async def approve_with_code(telegram: FakeTelegram, card):
    """Press Approve on a live order card, send the code, and return the bot's answer to it."""
    approve = telegram.user_presses(OWNER, card.message_id, card.buttons[0][0]["callback_data"])
    assert (await telegram.answered(approve)).startswith("Approved: now send your 6-digit code")
    await telegram.wait_for(OWNER, lambda s: s.text.startswith("🔐 Send the 6-digit code"))
    return await code_reply(telegram, code_now(1))


async def wait_until(condition, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def test_an_approved_futures_buy_gets_its_stop_on_the_exchange_and_kill_flat_cancels_it(tmp_path):
    async with perp_ending_today() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange, market_type="futures", symbols=PERP)
        async with running_bot(settings):
            await switched_on(telegram)
            card = await telegram.ask(OWNER, f"/buy {PERP} 200", expect=CARD)
            placed = await approve_with_code(telegram, card)
            armed = await wait_until(lambda: [a for a in exchange.account.algo_orders if a.status == "NEW"])
            (stop,) = [a for a in exchange.account.algo_orders if a.status == "NEW"]
            held, entry = exchange.account.positions["BTCUSDT"]
            leverage = exchange.account.leverage["BTCUSDT"]
            await telegram.ask(OWNER, "/kill flat")
            told = await telegram.wait_for(OWNER, lambda s: "EXIT long BTC/USDT:USDT [manual]: kill switch" in s.text)
            released = await wait_until(lambda: stop.status != "NEW")
    assert "Bought 0.001 BTC/USDT:USDT" in placed.text and armed and held == Decimal("0.001")
    # a manual entry has no plan: its stop is the hard stop the bot would use, a 10% loss on the position (a
    # 10% / leverage move), up on the 0.10 tick
    hard_stop = (entry * (1 - Decimal("0.10") / leverage) / Decimal("0.1")).to_integral_value(ROUND_CEILING) / 10
    assert (stop.type, stop.side, stop.qty, stop.reduce_only) == ("STOP_MARKET", "SELL", held, True)
    assert stop.trigger_price == hard_stop and told
    assert released and stop.status == "CANCELED" and exchange.account.position("BTCUSDT") == 0
