"""Symbols callback data cannot carry (Binance lists '币安人生/USDT') get no buttons, through the fake Binance and
the fake Bot API: /price without a symbol still offers the others, and /chart of such a symbol sends the chart,
only without the timeframe buttons."""
import dataclasses
import json

import pytest

from tests.e2e.test_exchange_feed import markets_ending_today
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.telegram_api import FakeTelegram
from trading.adapters.clocks import WallClock

UNUSUAL = "币安人生/USDT"
# the chart's title shows the symbol; the bundled font has no CJK glyphs (drawn as boxes, noted in the report)
pytestmark = pytest.mark.filterwarnings("ignore:Glyph:UserWarning")


def with_an_unusual_market():
    btc, eth = markets_ending_today()
    return [btc, eth, dataclasses.replace(eth, market_id="币安人生USDT", base="币安人生")]


async def test_a_symbol_outside_callback_data_gets_no_button_and_the_rest_still_work(tmp_path):
    async with FakeExchange(with_an_unusual_market(), WallClock()) as exchange, FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, market_data="live", exchange="binance",
                                exchange_options=json.dumps(exchange.options()), symbols=f"BTC/USDT,{UNUSUAL}")
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            which = await telegram.ask(OWNER, "/price")
            chart = await telegram.ask(OWNER, f"/chart {UNUSUAL}")
            btc_chart = await telegram.ask(OWNER, "/chart BTC/USDT")
    assert which.text.startswith("Tell me which market")
    assert [b["text"] for row in which.buttons for b in row] == ["BTC/USDT"]
    assert chart.kind == "photo" and UNUSUAL in chart.text and not chart.buttons
    assert btc_chart.kind == "photo" and [b["text"] for b in btc_chart.buttons[0]] == ["1m", "15m", "1h", "4h", "1d"]
