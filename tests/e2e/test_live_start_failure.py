"""A live bot whose exchange fails at start-up stops with one masked line: what failed, never the signed request
(ccxt's message carries the whole URL with its signature) nor a key; its log has the traceback, masked too."""
import asyncio
import gc
import os
import re
import sys
from pathlib import Path

import ccxt.async_support as ccxt_async
import pytest

from tests.fakes.bot_process import OWNER
from tests.fakes.live_bot import MASTER, fake_binance, live_settings
from tests.fakes.telegram_api import FakeTelegram
from trading.adapters.clocks import WallClock
from trading.adapters.sqlite_store import SqliteStore
from trading.bootstrap import build_core
from trading.services.account_keys import engine_state_key

ROOT = Path(__file__).resolve().parents[2]


async def test_an_exchange_answering_500_at_live_start_up_stops_the_process_with_one_masked_line(tmp_path):
    exchange = fake_binance()
    async with exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange)
        for path in ("/api/v3/account", "/api/v3/openOrders", "/api/v3/myTrades", "/api/v3/allOrders"):
            exchange.inject_server_error(count=1000, path=path, status=500)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": telegram.token,
               "TELEGRAM_BASE_URL": telegram.base_url, "TELEGRAM_ALLOWED_CHAT_IDS": str(OWNER),
               "DATA_DIR": str(settings.data_dir), "TRADING_MODE": "live", "MARKET_DATA": "live",
               "EXCHANGE": "binance", "EXCHANGE_OPTIONS": settings.exchange_options, "MASTER_KEY": MASTER}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=settings.data_dir, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            out, err = (b.decode() for b in await asyncio.wait_for(process.communicate(), 90))
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        logged = "".join(p.read_text() for p in (settings.data_dir / "logs").glob("*.jsonl"))
    assert process.returncode == 1, err[-3000:]
    for text in (out, err, logged):
        # the traceback shows the request's URL: its signature masked, as any key
        assert re.search(r"signature=(?!\*\*\*)", text) is None, text[-3000:]
        assert exchange.account.api_key not in text and exchange.account.secret not in text
    # the log has what "details in the log" promises: the whole traceback, masked (the checks above)
    assert "the process stops on an error" in logged and "Traceback (most recent call last)" in logged
    last = err.strip().splitlines()[-1]
    assert last.startswith("trading-assistant: stopped: ") and "500" in last, err[-3000:]


async def test_a_start_up_failing_after_the_live_venue_opened_closes_its_exchange_session(tmp_path):
    # a saved engine state the loop cannot read fails the start at the loop's start, after the venue opened
    # (and reconciled with the exchange, its account streams started): its ccxt session must be closed then too
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        settings = live_settings(tmp_path, telegram, exchange)
        store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
        await store.open()
        await store.save_state(engine_state_key("live"), ["not", "a", "mapping"])
        await store.close()
        before = {id(o) for o in open_sessions()}
        with pytest.raises(TypeError, match="is a list, not a mapping"):
            await build_core(settings)
        gc.collect()
        left_open = [o for o in open_sessions() if id(o) not in before]
    assert any("/api/v3/account" in r.path for r in exchange.requests), "the venue had opened"
    assert left_open == [], "the live venue's exchange session was left open"


def open_sessions() -> list[object]:
    """Return the ccxt exchanges alive with an HTTP session still open."""
    return [o for o in gc.get_objects() if isinstance(o, ccxt_async.Exchange) and o.session is not None
            and not o.session.closed]
