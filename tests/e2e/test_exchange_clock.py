"""The running bot on live data from a fake Binance whose clock is 3 minutes ahead of this machine's."""
import json
import sqlite3

from tests.e2e.test_exchange_feed import markets_ending_today
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.telegram_api import FakeTelegram
from trading.adapters.candle_backfill import last_closed_open_ms
from trading.adapters.clocks import WallClock
from trading.domain.candles import Timeframe

SKEW_MS = 180_000


async def test_the_bot_keeps_the_exchanges_time_and_tells_the_user_about_the_skew(tmp_path):
    machine = WallClock()
    async with FakeExchange(markets_ending_today(), machine, server_offset_ms=SKEW_MS) as exchange, \
            FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, market_data="live",
                                exchange="binance", exchange_options=json.dumps(exchange.options()))
        exchange_at_start = machine.now_ms() + SKEW_MS
        async with running_bot(settings):
            skew = await telegram.wait_for(OWNER, lambda s: "machine's clock is" in s.text, timeout=30)
            status = await telegram.ask(OWNER, "/status")
        exchange_at_end = machine.now_ms() + SKEW_MS

    assert "This machine's clock is 3 min 0 s behind binance's." in skew.text and "NTP" in skew.text
    assert "Machine clock vs exchange: 3 min 0 s behind" in status.text and "NTP" in status.text
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        (newest,) = db.execute("SELECT MAX(open_ms) FROM candles WHERE symbol = 'BTC/USDT' AND timeframe = '1m'"
                               ).fetchone()
    # the exchange's newest closed minute, 3 minutes past what the machine's own clock would call closed
    assert newest >= last_closed_open_ms(exchange_at_start, Timeframe.M1, 1_000)
    assert newest + Timeframe.M1.ms <= exchange_at_end                      # never the forming minute
