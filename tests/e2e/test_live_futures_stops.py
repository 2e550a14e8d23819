"""A live USDT-M futures bot on the fake Binance, driven from the phone: an approved buy ends with its stop on
the exchange as a reduce-only STOP_MARKET (the bootstrap wires the exchange stops in live futures), and the kill
switch closing the position cancels it."""
from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

from tests.e2e.test_live_approvals import CARD, code_reply, switched_on
from tests.fakes.bot_process import OWNER, running_bot
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import shifted, spot_market
from tests.fakes.live_bot import MASTER, code_now, live_settings
from tests.fakes.live_futures_loop import PERP, perp_minutes
from tests.fakes.telegram_api import FakeTelegram
from trading.adapters.clocks import WallClock
from trading.settings import Settings

DAY_MS = 86_400_000
ROOT = Path(__file__).resolve().parents[2]


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
    await telegram.wait_for(OWNER, lambda s: s.message_id > card.message_id and s.text.startswith("🔐 Send the"))
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


async def start_process(settings: Settings, telegram: FakeTelegram) -> asyncio.subprocess.Process:
    """Start `python -m bot run` with these settings in its environment (a real process, to be SIGKILLed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": telegram.token,
           "TELEGRAM_BASE_URL": telegram.base_url, "TELEGRAM_ALLOWED_CHAT_IDS": str(OWNER),
           "DATA_DIR": str(settings.data_dir), "TRADING_MODE": "live", "MARKET_DATA": "live", "EXCHANGE": "binance",
           "EXCHANGE_OPTIONS": settings.exchange_options, "MASTER_KEY": MASTER, "MARKET_TYPE": "futures",
           "SYMBOLS": PERP}
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=settings.data_dir, env=env,
                                                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL)


async def test_a_killed_bot_s_position_is_closed_by_the_exchange_stop_and_the_restart_says_so_once(tmp_path):
    exchange = perp_ending_today()
    (market,) = exchange.board.markets
    async with exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange, market_type="futures", symbols=PERP)
        first = await start_process(settings, telegram)
        try:
            await switched_on(telegram)
            card = await telegram.ask(OWNER, f"/buy {PERP} 200", expect=CARD)
            await approve_with_code(telegram, card)
            assert await wait_until(lambda: [a for a in exchange.account.algo_orders if a.status == "NEW"])
        finally:
            first.kill()                                   # SIGKILL: no shutdown, nothing more sent or saved
            await first.wait()
        (stop,) = exchange.account.algo_orders
        held, entry = exchange.account.positions["BTCUSDT"]
        market.moved_by = Decimal("0.9")                   # the price falls 10% while no bot runs
        exchange.account.match(exchange.board)             # the exchange's own matching: the stop fires
        assert stop.status == "FINISHED" and exchange.account.position("BTCUSDT") == 0

        second = await start_process(settings, telegram)
        try:
            told = await telegram.wait_for(OWNER, lambda s: "its stop on the exchange filled" in s.text, timeout=40)
            await telegram.ask(OWNER, "/positions", expect="")
            await telegram.ask(OWNER, "/status", expect="")
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), 40)
    assert second.returncode == 0
    # sold at the stop: (stop - entry) x 0.001, less 0.05% of the entry's and of the exit's value
    fees = (entry + stop.trigger_price) * held * Decimal("0.0005")
    result = ((stop.trigger_price - entry) * held - fees).quantize(Decimal("0.01"))
    assert held == Decimal("0.001") and f"EXIT long BTC/USDT:USDT [manual]: its stop on the exchange filled at " \
        f"{stop.trigger_price:,.1f}. Result {result:+,.2f} (" in told.text
    assert len([s for s in telegram.sent if "its stop on the exchange" in s.text]) == 1
