"""The running bot on the ccxt feed, pointed at the fake Binance on 127.0.0.1 through EXCHANGE_OPTIONS."""
import json
import sqlite3
import time

from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import shifted, spot_market
from tests.fakes.telegram_api import FakeTelegram
from trading.adapters.clocks import WallClock

DAY_MS = 86_400_000


def markets_ending_today():
    # the bot runs on the wall clock, so the real 2025 candles are moved by whole days to end in the future
    btc = spot_market("BTC")
    last = int(btc.candles[next(iter(btc.candles))].open_ms[-1])
    offset = ((time.time_ns() // 1_000_000 - last) // DAY_MS + 1) * DAY_MS
    return [shifted(spot_market("BTC"), offset), shifted(spot_market("ETH"), offset)]


async def test_the_bot_backfills_from_the_exchange_and_answers_price_with_the_book(tmp_path):
    async with FakeExchange(markets_ending_today(), WallClock()) as exchange, FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, market_data="live",
                                exchange="binance", exchange_options=json.dumps(exchange.options()))
        async with running_bot(settings):
            started = await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            assert "binance (live)" in started.text
            price = await telegram.ask(OWNER, "/price BTC/USDT")
            assert "Bid/ask:" in price.text and "spread" in price.text
            typo = await telegram.ask(OWNER, "/price BTCUSD")
            assert "Did you mean BTC/USDT" in typo.text
            health = await telegram.ask(OWNER, "/health")
            assert "fetch_ohlcv:" in health.text and "errors" in health.text
            exchange.inject_server_error(count=5, path="/api/v3/ticker/24hr")
            outage = await telegram.ask(OWNER, "/price ETH/USDT")
            assert outage.text.startswith("The exchange is not answering right now") or "ETH/USDT" in outage.text
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        cached = dict(db.execute("SELECT timeframe, COUNT(*) FROM candles WHERE symbol = 'BTC/USDT' GROUP BY 1"))
    assert cached["1h"] >= 500 and cached["15m"] >= 500 and cached["1m"] >= 500


async def test_the_backtest_command_fetches_missing_candles_from_the_exchange(tmp_path):
    # `trading-assistant backtest` without --data reads the exchange on the exchange's clock; it once handed the
    # feed a plain wall clock and crashed ('WallClock' object has no attribute 'measure_with').
    from bot.backtest_command import _ExchangeOnDemand
    from trading.adapters.sqlite_store import SqliteStore
    from trading.domain.candles import Timeframe
    from trading.settings import Settings

    async with FakeExchange(markets_ending_today(), WallClock()) as exchange:
        settings = Settings(_env_file=None, data_dir=tmp_path, market_data="live", exchange="binance",
                            market_streams="rest", exchange_options=json.dumps(exchange.options()))
        store = SqliteStore(tmp_path / "trading.sqlite", WallClock())
        await store.open()
        source = _ExchangeOnDemand(settings, store)
        try:
            candles = await source.candles("BTC/USDT", Timeframe.M15, 96)
            instrument = await source.instrument_or_none("BTC/USDT")
        finally:
            await source.close()
            await store.close()
    assert len(candles) == 96 and instrument is not None and instrument.symbol == "BTC/USDT"
    assert exchange.count("/api/v3/time") >= 1       # the exchange's clock was measured before the first candle
