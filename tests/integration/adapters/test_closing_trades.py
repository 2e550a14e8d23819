"""The exit of a futures position closed outside the bot, read from the fake Binance's trades over ccxt.

Hand-computed cases: an order that closed the long and opened a short with fills at two prices, cut where the
position was flat; trades that add up to more without such an order are not a result. Fees 0.05%.
"""
from __future__ import annotations

from decimal import Decimal as D
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_auto_close import pay_funding
from tests.fakes.exchange_orders import FakeOrder
from tests.fakes.live_broker import PERP, LiveRig, live_rig
from trading.adapters.closing_trades import closing_exit
from trading.adapters.clocks import ManualClock
from trading.domain.instruments import MarketKind
from trading.domain.orders import OrderStatus, closed_how
from trading.domain.positions import Position, PositionSide


@pytest.fixture(params=["binanceusdm", "binance"])
async def rig(request: pytest.FixtureRequest, fake_binance: FakeExchange, clock: ManualClock) -> AsyncIterator[LiveRig]:
    fake_binance.account.fee_rate = D("0.0005")
    rig = await live_rig(fake_binance, clock, futures=True, exchange_id=request.param)
    yield rig
    await rig.close()


def _sell(fake: FakeExchange, fills: list[tuple[str, str]], now_ms: int) -> None:
    """Fill one sell order in the exchange's app (not reduce-only) at each (amount, price) in turn."""
    market = fake.board.by_id(MarketKind.PERP, "BTCUSDT")
    total = sum((D(q) for q, _ in fills), D(0))
    order = FakeOrder(len(fake.account.orders) + 1, f"app-{len(fake.account.orders) + 1}", market, "SELL", "MARKET",
                      total, None, now_ms)
    fake.account.orders.append(order)
    for i, (qty, price) in enumerate(fills):
        fake.account.fill(order, D(qty), D(price), now_ms + i)


async def test_one_order_that_reversed_the_long_over_two_fills_is_cut_where_the_long_was_flat(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    opened = now - 60_000
    fake_binance.account.trade_by_hand(fake_binance.board.by_id(MarketKind.PERP, "BTCUSDT"), "BUY", D("0.081"),
                                       D("121000"), opened, reduce_only=False)
    _sell(fake_binance, [("0.05", "120600")], now - 30_000)                     # a first part sold by hand
    _sell(fake_binance, [("0.02", "120500"), ("0.03", "120400")], now - 20_000)  # then 0.05 in one order
    pay_funding(fake_binance.account, fake_binance.board.by_id(MarketKind.PERP, "BTCUSDT"), D("0.25"), now - 40_000)
    assert fake_binance.account.position("BTCUSDT") == D("-0.019")
    long = Position(PERP, PositionSide.LONG, D("0.081"), D("121000"), opened, leverage=5)

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    # closing: 0.05 at 120,600 (fee 3.015), 0.02 at 120,500 (fee 1.205), 0.011 of the 0.03 at 120,400 (fee
    # 0.011/0.03 of 1.806 = 0.6622): 9,764.4 / 0.081, fees 4.8822; the last 0.019 at 120,400 opened the short
    assert (found.status, found.filled, found.avg_price, found.fee) == (
        OrderStatus.FILLED, D("0.081"), D("9764.4") / D("0.081"), D("4.8822"))
    assert found.funding == D("-0.25") and found.updated_ms == now - 20_000 + 1
    assert found.reason == ("3 trade(s) on the exchange, fees 4.8822, funding received 0.25; the same order opened "
                            "a short of 0.019, left for reconciliation to adopt")
    assert closed_how(found) == "closed outside the bot"


async def test_trades_that_overshoot_without_a_reversing_last_order_leave_the_result_unknown(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    market = fake_binance.board.by_id(MarketKind.PERP, "BTCUSDT")
    fake_binance.account.trade_by_hand(market, "BUY", D("0.081"), D("121000"), now - 60_000, reduce_only=False)
    _sell(fake_binance, [("0.1", "120600")], now - 30_000)          # reversed here...
    _sell(fake_binance, [("0.01", "120500")], now - 20_000)         # ...and the short added to afterwards
    long = Position(PERP, PositionSide.LONG, D("0.081"), D("121000"), now - 60_000, leverage=5)

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    assert (found.status, found.filled) == (OrderStatus.EXPIRED, D(0))
    assert found.reason == "no trades on the exchange add up to its amount (0.11 of 0.081 found)"
