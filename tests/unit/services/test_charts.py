"""/chart's service: closed candles with the ICT zones and the account's own entries and exits, as a phone PNG."""
from decimal import Decimal

import pytest

from tests.fakes.paper_account import paper_account
from tests.unit.reports.png_checks import assert_phone_png
from trading.domain.candles import Timeframe
from trading.domain.errors import InvalidInput
from trading.reports.chart_theme import DARK, LIGHT
from trading.services.charts import ChartService
from trading.services.portfolio import Size, SizeKind


@pytest.fixture
async def account(tmp_path):
    account = await paper_account(tmp_path)
    yield account
    await account.close()


async def test_the_chart_shows_the_last_bars_with_zones_and_the_accounts_entry_and_exit(account):
    await account.portfolio.buy("BTC/USDT", Decimal("1000"))
    account.clock.advance(20 * 60_000)
    await account.portfolio.sell("BTC/USDT", Size(SizeKind.ALL))
    account.clock.advance(15 * 60_000)
    service = ChartService(account.market, account.ledger, LIGHT)

    chart = await service.chart("btc")

    assert_phone_png(chart.png)
    assert (chart.symbol, chart.timeframe, chart.trades) == ("BTC/USDT", Timeframe.M15, 2)
    assert chart.zones > 0 and chart.levels > 0
    closed = await account.market.candles("BTC/USDT", Timeframe.M15, 1)
    assert chart.last_price == Decimal(repr(float(closed.close[-1])))


async def test_another_timeframe_can_be_asked_for(account):
    chart = await ChartService(account.market, account.ledger, LIGHT).chart("BTC/USDT", "1h")

    assert chart.timeframe is Timeframe.H1 and chart.trades == 0


@pytest.mark.parametrize("symbol, timeframe, reply", [
    ("DOGE", "", "Unknown symbol 'DOGE'. Try one of: BTC/USDT. Usage: /chart SYMBOL [TIMEFRAME]"),
    ("BTC/USDT", "7m", "Unknown timeframe '7m'; use one of 1m, 5m, 15m, 1h, 4h, 1d. Usage: /chart SYMBOL"),
    ("", "", "Usage: /chart SYMBOL [TIMEFRAME]"),
])
async def test_a_bad_symbol_or_timeframe_is_answered_with_what_to_type(account, symbol, timeframe, reply):
    with pytest.raises(InvalidInput) as error:
        await ChartService(account.market, account.ledger, LIGHT).chart(symbol, timeframe)
    assert str(error.value).startswith(reply)


async def test_the_same_chart_within_a_candle_is_the_drawing_kept_and_a_closed_candle_draws_it_anew(account):
    service = ChartService(account.market, account.ledger, LIGHT)
    first = await service.chart("BTC/USDT")            # at 12:00: the last closed 15m candle opened at 11:45
    account.clock.advance(14 * 60_000)

    again = await service.chart("btc")                 # 12:14: no 15m candle has closed since

    assert again.png is first.png and again == first
    account.clock.advance(60_000)

    after_close = await service.chart("BTC/USDT")      # 12:15: the 12:00 candle closed

    closed = await account.market.candles("BTC/USDT", Timeframe.M15, 1)
    assert after_close.png != first.png
    assert after_close.last_price == Decimal(repr(float(closed.close[-1]))) != first.last_price
    assert_phone_png(after_close.png)


async def test_a_new_fill_draws_the_chart_anew_within_the_candle(account):
    service = ChartService(account.market, account.ledger, LIGHT)
    before = await service.chart("BTC/USDT")
    await account.portfolio.buy("BTC/USDT", Decimal("1000"))

    after = await service.chart("BTC/USDT")

    assert (before.trades, after.trades) == (0, 1) and after.png != before.png


async def test_the_other_theme_or_timeframe_is_drawn_apart(account):
    light = ChartService(account.market, account.ledger, LIGHT)
    dark = ChartService(account.market, account.ledger, DARK)
    first = await light.chart("BTC/USDT")

    assert (await light.chart("BTC/USDT", "1h")).png != first.png
    light.theme = DARK
    assert (await light.chart("BTC/USDT")).png == (await dark.chart("BTC/USDT")).png != first.png


async def test_a_paper_reset_leaves_the_old_accounts_fills_off_the_chart(account):
    await account.portfolio.buy("BTC/USDT", Decimal("1000"))
    account.clock.advance(20 * 60_000)
    await account.portfolio.sell("BTC/USDT", Size(SizeKind.ALL))
    account.clock.advance(60_000)
    service = ChartService(account.market, account.ledger, LIGHT)
    assert (await service.chart("BTC/USDT")).trades == 2
    await account.venue.reset()
    account.clock.advance(60_000)
    await account.portfolio.buy("BTC/USDT", Decimal("1000"))

    after = await service.chart("BTC/USDT")

    # before: the old account's buy and sell were drawn with the new account's buy (3 markers, /trades showed 1)
    assert after.trades == 1
