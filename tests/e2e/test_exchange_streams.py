"""The running bot on live data over WebSocket (MARKET_STREAMS=ws), against the fake Binance's REST and streams."""
import json

from tests.e2e.test_exchange_feed import markets_ending_today
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.telegram_api import FakeTelegram
from trading.adapters.clocks import WallClock


async def test_the_bot_streams_and_says_once_when_the_stream_drops_and_once_when_it_is_back(tmp_path):
    async with FakeExchange(markets_ending_today(), WallClock()) as exchange, FakeTelegram() as telegram:
        streams = exchange.streams
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, market_data="live",
                                exchange="binance", exchange_options=json.dumps(exchange.options()),
                                market_streams="ws", stream_stall_seconds=1)
        async with running_bot(settings):
            started = await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            await streams.wait_until(lambda: all(streams.subscribers(f"{coin}usdt@kline_{tf}")
                                                 for coin in ("btc", "eth") for tf in ("1m", "15m", "1h")), 15)
            streams.refuse(True)
            await streams.drop()
            down = await telegram.wait_for(OWNER, lambda s: "disconnected" in s.text, timeout=10)
            streams.refuse(False)
            back = await telegram.wait_for(OWNER, lambda s: "reconnected" in s.text, timeout=15)
            price = await telegram.ask(OWNER, "/price BTC/USDT")

        assert "binance (live) over WebSocket" in started.text
        assert "Market data stream (binance) disconnected (Connection closed by remote server" in down.text
        assert "Candles and prices come over REST meanwhile" in down.text
        assert "Market data stream (binance) reconnected after" in back.text
        texts = [s.text for s in telegram.replies_to(OWNER)]
        assert sum("disconnected" in t for t in texts) == 1 and sum("reconnected" in t for t in texts) == 1
        assert "Bid/ask:" in price.text
