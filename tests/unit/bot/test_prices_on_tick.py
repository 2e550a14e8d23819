"""Prices the user reads are on the market's tick: /positions, /signals, the report, entry notifications."""
import re
from decimal import Decimal as D

import pytest

from bot.views.portfolio import positions_text
from bot.views.signals import signals_text
from tests.fakes.paper_account import paper_account
from trading.domain.instruments import price_text
from trading.services.signals import RECENT_SHOWN, SignalsService, load_view
from trading.strategies.book import default_book

MORE_THAN_TWO_DECIMALS = re.compile(r"\d\.\d{3,}")


@pytest.mark.parametrize("value, tick, text", [
    (D("117379.25814815"), D("0.01"), "117,379.26"),
    (D("117076.70734"), D("0.01"), "117,076.71"),
    (D("0.123456"), D("0.0001"), "0.1235"),
    (D("117379.5"), D("1"), "117,380"),
    (D("117379.25814815"), None, "117,379.25814815"),     # no market known: as it carries
])
def test_a_price_is_shown_on_the_markets_tick_with_its_decimals(value, tick, text):
    assert price_text(value, tick) == text


async def test_positions_show_an_averaged_entry_on_the_tick(tmp_path):
    account = await paper_account(tmp_path)
    await account.portfolio.buy("BTC/USDT", D("1000"))
    account.clock.advance(37 * 60_000)
    await account.portfolio.buy("BTC/USDT", D("1000"))

    (view,) = await account.portfolio.positions()
    text = positions_text([view])

    assert MORE_THAN_TWO_DECIMALS.search(str(view.position.entry_price))      # the average has many decimals
    assert f"Entry {price_text(view.position.entry_price, D('0.01'))} → mark" in text
    assert not MORE_THAN_TWO_DECIMALS.search(text.replace(f"{view.position.amount.normalize():f}", ""))
    await account.close()


async def test_signals_show_stops_and_targets_on_the_tick(tmp_path):
    account = await paper_account(tmp_path)
    service = SignalsService(account.market, default_book(), account.store, ("BTC/USDT",))

    raw = default_book().scan(await load_view(account.market, "BTC/USDT"))[-RECENT_SHOWN:]
    report = await service.report("BTC/USDT")
    text = signals_text(report)

    assert any(MORE_THAN_TWO_DECIMALS.search(str(s.stop)) for s in raw)     # structural stops: zone x (1 - 0.2%)
    assert report.recent and report.tick == D("0.01")
    assert all(s.stop == s.stop.quantize(D("0.01")) for s in report.recent)
    assert "stop " in text and not MORE_THAN_TWO_DECIMALS.search(text.split("Latest signals")[1])
    await account.close()
