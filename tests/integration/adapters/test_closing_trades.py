"""The exit of a futures position closed outside the bot, read from the fake Binance's trades over ccxt.

Hand-computed cases: an order that closed the long and opened a short with fills at two prices, cut where the
position was flat (its first fills closed it), the short the exchange holds setting the cut; trades that add up
to more than the long and the short, or around a buy in the middle of the exit, are not a result; funding read
page by page; calls the exchange does not offer are not sent; a delisting's settlement named, a liquidation's
clearance fee counted. Fees 0.05%.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_auto_close import auto_close, pay_funding, settle
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

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now, opposite=D("0.019"))

    # closing: 0.05 at 120,600 (fee 3.015), 0.02 at 120,500 (fee 1.205), 0.011 of the 0.03 at 120,400 (fee
    # 0.011/0.03 of 1.806 = 0.6622): 9,764.4 / 0.081, fees 4.8822; the last 0.019 at 120,400 opened the short
    assert (found.status, found.filled, found.avg_price, found.fee) == (
        OrderStatus.FILLED, D("0.081"), D("9764.4") / D("0.081"), D("4.8822"))
    assert found.funding == D("-0.25") and found.updated_ms == now - 20_000 + 1
    assert found.reason == ("3 trade(s) on the exchange, fees 4.8822, funding received 0.25; the same order opened "
                            "a short of 0.019, left for reconciliation to adopt")
    assert closed_how(found) == "closed outside the bot"


async def test_a_short_opened_by_a_later_order_is_set_aside_and_the_reversing_order_cut_before_it(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    market = fake_binance.board.by_id(MarketKind.PERP, "BTCUSDT")
    fake_binance.account.trade_by_hand(market, "BUY", D("0.081"), D("121000"), now - 60_000, reduce_only=False)
    _sell(fake_binance, [("0.1", "120600")], now - 30_000)          # reversed here...
    _sell(fake_binance, [("0.01", "120500")], now - 20_000)         # ...and the short added to afterwards
    assert fake_binance.account.position("BTCUSDT") == D("-0.029")
    long = Position(PERP, PositionSide.LONG, D("0.081"), D("121000"), now - 60_000, leverage=5)

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now, opposite=D("0.029"))

    # the short's 0.029: the 0.01 and the last 0.019 of the 0.1; the long closed at 0.081 of the 0.1 at 120,600,
    # fee 0.081/0.1 of 0.05% x 12,060 (6.03) = 4.8843
    assert (found.status, found.filled, found.avg_price, found.fee) == (
        OrderStatus.FILLED, D("0.081"), D("120600"), D("4.8843"))
    assert found.reason == ("1 trade(s) on the exchange, fees 4.8843; then a short of 0.029 was opened, left for "
                            "reconciliation to adopt")


async def test_trades_that_overshoot_what_the_exchange_holds_leave_the_result_unknown(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    market = fake_binance.board.by_id(MarketKind.PERP, "BTCUSDT")
    fake_binance.account.trade_by_hand(market, "BUY", D("0.081"), D("121000"), now - 60_000, reduce_only=False)
    _sell(fake_binance, [("0.1", "120600")], now - 30_000)
    _sell(fake_binance, [("0.01", "120500")], now - 20_000)
    long = Position(PERP, PositionSide.LONG, D("0.081"), D("121000"), now - 60_000, leverage=5)

    # told the exchange holds nothing (say a short was opened and closed since): 0.11 sold is not a 0.081 exit
    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    assert (found.status, found.filled) == (OrderStatus.EXPIRED, D(0))
    assert found.reason == "no trades on the exchange add up to its amount (0.11 of 0.081 found)"


def _buy(fake: FakeExchange, amount: D, price: D, at_ms: int) -> None:
    """Buy by hand in the exchange's app (not reduce-only: it may add to a long or reverse a short)."""
    fake.account.trade_by_hand(fake.board.by_id(MarketKind.PERP, "BTCUSDT"), "BUY", amount, price, at_ms,
                               reduce_only=False)


def _long(fake: FakeExchange, amount: str, opened_ms: int) -> Position:
    """Buy amount at 121,000 by hand and return the long as the bot recorded it."""
    fake.account.trade_by_hand(fake.board.by_id(MarketKind.PERP, "BTCUSDT"), "BUY", D(amount), D("121000"),
                               opened_ms, reduce_only=False)
    return Position(PERP, PositionSide.LONG, D(amount), D("121000"), opened_ms, leverage=5)


@pytest.mark.parametrize(("fills", "avg", "fee"), [
    # 0.05 at 120,600 (fee 3.015) + 0.05 of the 0.1 at 120,000 (half of 6) = 12,030 / 0.1, fees 6.015
    ([("0.05", "120600"), ("0.1", "120000")], D("120300"), D("6.015")),
    # 0.03 at 120,600 (fee 1.809) + 0.07 of the 0.12 at 120,000 (7/12 of 7.2 = 4.2) = 12,018 / 0.1, fees 6.009
    ([("0.03", "120600"), ("0.12", "120000")], D("120180"), D("6.009")),
])
async def test_a_reversing_order_whose_last_fill_alone_covers_the_long_closed_it_with_its_first_fills(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock, fills: list[tuple[str, str]], avg: D,
        fee: D) -> None:
    now = clock.now_ms()
    long = _long(fake_binance, "0.1", now - 60_000)
    _sell(fake_binance, fills, now - 20_000)                      # one sell of 0.15: flat after its first fills
    assert fake_binance.account.position("BTCUSDT") == D("-0.05")

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now, opposite=D("0.05"))

    assert (found.status, found.filled, found.avg_price, found.fee) == (OrderStatus.FILLED, D("0.1"), avg, fee)
    assert found.reason == (f"2 trade(s) on the exchange, fees {fee}; the same order opened a short of 0.050, left "
                            "for reconciliation to adopt")


async def test_sells_without_order_ids_that_overshoot_a_long_now_flat_are_not_taken_for_one_reversing_order(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    long = _long(fake_binance, "0.081", now - 60_000)
    _sell(fake_binance, [("0.09", "120600")], now - 30_000)       # a short of 0.009...
    _sell(fake_binance, [("0.01", "120500")], now - 20_000)       # ...0.019...
    _buy(fake_binance, D("0.019"), D("120400"), now - 10_000)  # ...bought back: flat, its result unrecorded
    for trade in fake_binance.account.trades:
        del trade["orderId"]                                      # an exchange that does not say the order
    assert fake_binance.account.position("BTCUSDT") == 0

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    assert (found.status, found.filled) == (OrderStatus.EXPIRED, D(0))
    assert found.reason == "no trades on the exchange add up to its amount (0.1 of 0.081 found)"


async def test_a_buy_between_the_sells_leaves_a_reversal_unknown_when_the_short_held_does_not_match(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    long = _long(fake_binance, "0.1", now - 60_000)
    _sell(fake_binance, [("0.05", "120600")], now - 30_000)
    _buy(fake_binance, D("0.02"), D("120500"), now - 25_000)
    _sell(fake_binance, [("0.09", "120400")], now - 20_000)
    assert fake_binance.account.position("BTCUSDT") == D("-0.02")  # not the 0.04 the sells alone would open

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now, opposite=D("0.02"))

    # the 0.02 short set aside from the 0.09: 0.07 + 0.05 sold is more than the long's 0.1
    assert (found.status, found.filled) == (OrderStatus.EXPIRED, D(0))
    assert found.reason == ("no trades on the exchange add up to its amount (0.12 of 0.1 found besides the 0.02 "
                            "the exchange holds on the other side)")


async def test_a_buy_in_the_middle_of_the_exit_leaves_the_result_unknown(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    long = _long(fake_binance, "0.1", now - 60_000)
    _sell(fake_binance, [("0.02", "120700")], now - 40_000)
    _sell(fake_binance, [("0.05", "120600")], now - 30_000)
    _buy(fake_binance, D("0.02"), D("120500"), now - 25_000)
    _sell(fake_binance, [("0.05", "120400")], now - 20_000)
    assert fake_binance.account.position("BTCUSDT") == 0

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    # the last two sells add up to 0.1, but 0.12 was sold and 0.02 bought back: their result is not the exit's
    assert (found.status, found.filled) == (OrderStatus.EXPIRED, D(0))
    assert found.reason == ("the position was added to while it was being closed, so its exit trades alone do not "
                            "give its result")


async def test_a_maker_rebate_lowers_the_fees_and_a_charge_adds_to_them(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    long = _long(fake_binance, "0.1", now - 60_000)
    fake_binance.account.fee_rate = D("-0.0001")                  # the first sale earns a maker rebate
    _sell(fake_binance, [("0.06", "120000")], now - 30_000)
    fake_binance.account.fee_rate = D("0.0005")
    _sell(fake_binance, [("0.04", "120500")], now - 20_000)

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    # 0.06 at 120,000 with a rebate of 0.01 % (-0.72) and 0.04 at 120,500 with a fee of 0.05 % (2.41): 1.69
    assert (found.status, found.filled, found.avg_price, found.fee) == (
        OrderStatus.FILLED, D("0.1"), D("12020") / D("0.1"), D("1.69"))
    assert found.reason == "2 trade(s) on the exchange, fees 1.69"


async def test_funding_beyond_one_page_is_read_page_by_page(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    long = _long(fake_binance, "0.1", now - 3_000_000)
    for i in range(1001):                         # hourly funding over some 41 days, compressed here to seconds
        pay_funding(fake_binance.account, fake_binance.board.by_id(MarketKind.PERP, "BTCUSDT"), D("-0.01"),
                    now - 2_900_000 + i * 1000)
    _sell(fake_binance, [("0.1", "120600")], now - 10_000)

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    # 1,001 payments of 0.01 on two pages (1,000 and 1): 10.01 paid; fee 0.05% of 12,060 = 6.03
    assert (found.filled, found.funding) == (D("0.1"), D("10.01"))
    assert found.reason == "1 trade(s) on the exchange, fees 6.03, funding paid 10.01"
    assert fake_binance.count("/fapi/v1/income") == 2


async def test_funding_past_the_pages_read_is_said_not_included(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    long = _long(fake_binance, "0.1", now - 30_000_000)
    for i in range(10_001):
        pay_funding(fake_binance.account, fake_binance.board.by_id(MarketKind.PERP, "BTCUSDT"), D("-0.01"),
                    now - 20_100_000 + i * 2000)
    _sell(fake_binance, [("0.1", "120600")], now - 10_000)

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    assert (found.filled, found.funding) == (D("0.1"), D(0))
    assert found.reason == ("1 trade(s) on the exchange, fees 6.03; funding not included: more than 10,000 funding "
                            "payments since it opened, too many to read")
    assert fake_binance.count("/fapi/v1/income") == 10


async def test_calls_the_exchange_does_not_offer_are_not_sent_and_the_exit_still_found(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    long = _long(fake_binance, "0.1", now - 60_000)
    auto_close(fake_binance.account, fake_binance.board.by_id(MarketKind.PERP, "BTCUSDT"), D("120000"), now - 10_000)
    exchange = rig.broker.account.exchange
    exchange.has["fetchMyLiquidations"] = exchange.has["fetchFundingHistory"] = False    # as on many exchanges

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    # fee 0.05% of 12,000 = 6; named by the closing order's own client id; funding not included, and why
    assert (found.filled, found.avg_price, closed_how(found)) == (D("0.1"), D("120000"), "liquidated by the exchange")
    assert found.reason == (f"1 trade(s) on the exchange, fees 6.00; funding not included: {exchange.id} does not "
                            "offer its funding history through ccxt")
    assert fake_binance.count("/fapi/v1/forceOrders") == fake_binance.count("/fapi/v1/income") == 0
    assert not {"fetch_my_liquidations", "fetch_funding_history"} & set(rig.broker.account.health.snapshot())


async def test_an_exchange_other_than_binance_is_asked_for_its_liquidations_once_without_binance_params(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    long = _long(fake_binance, "0.1", now - 60_000)
    auto_close(fake_binance.account, fake_binance.board.by_id(MarketKind.PERP, "BTCUSDT"), D("120000"), now - 10_000,
               adl=True)
    rig.broker.account.exchange.id = "okx"       # another exchange's id on the same wire (the fake speaks Binance)

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    # one call with no autoCloseType of ours (ccxt's binance class adds its own default, LIQUIDATION); the ADL
    # is then named by its order's client id, looked up once
    asked = fake_binance.requests_to("/fapi/v1/forceOrders")
    assert [r.query.get("autoCloseType") for r in asked] == ["LIQUIDATION"]
    assert (found.filled, closed_how(found)) == (D("0.1"), "auto-deleveraged by the exchange")
    assert fake_binance.count("/fapi/v1/order") == 1


async def test_an_exit_more_than_a_week_after_the_opening_is_read_from_the_newest_week_back(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now, day = clock.now_ms(), 86_400_000
    _long(fake_binance, "0.1", now - 10 * day)
    _sell(fake_binance, [("0.05", "120600")], now - 10 * day + 3_600_000)    # the bot's own first target, booked
    _sell(fake_binance, [("0.05", "118000")], now - 60_000)                  # the rest, sold by hand 10 days on
    half = Position(PERP, PositionSide.LONG, D("0.05"), D("121000"), now - 10 * day, leverage=5)

    found = await closing_exit(rig.broker.account, half, rig.broker.instrument(PERP), now)

    # the hand sale, not the target of the first week that ccxt alone would read: 0.05 at 118,000, fee 2.95
    assert (found.filled, found.avg_price, found.fee) == (D("0.05"), D("118000"), D("2.95"))
    assert fake_binance.count("/fapi/v1/userTrades") == 1        # the newest week already holds it


async def test_a_week_with_more_trades_than_one_answer_holds_leaves_the_result_unknown(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now = clock.now_ms()
    long = _long(fake_binance, "1", now - 3_000_000)
    for i in range(1000):
        _sell(fake_binance, [("0.001", "120600")], now - 2_000_000 + i * 1000)

    found = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)

    assert (found.status, found.filled) == (OrderStatus.EXPIRED, D(0))
    assert found.reason == "more than 1,000 trades in 7 day(s) of its history, too many to read"


async def test_a_delisting_settlement_is_named_so_and_a_liquidations_clearance_fee_counted(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    now, perp = clock.now_ms(), fake_binance.board.by_id(MarketKind.PERP, "BTCUSDT")
    long = _long(fake_binance, "0.1", now - 60_000)
    settle(fake_binance.account, perp, D("119000"), now - 30_000)
    settled = await closing_exit(rig.broker.account, long, rig.broker.instrument(PERP), now)
    _long(fake_binance, "0.1", now - 20_000)
    auto_close(fake_binance.account, perp, D("110000"), now - 10_000)
    pay_funding(fake_binance.account, perp, D("-8.25"), now - 10_000, kind="INSURANCE_CLEAR")
    liquidated = await closing_exit(rig.broker.account, replace(long, opened_ms=now - 20_000), rig.broker.instrument(
        PERP), now)

    assert (settled.avg_price, closed_how(settled)) == (
        D("119000"), "settled by the exchange (the contract delisted or delivered)")
    # exit fee 0.05% of 11,000 = 5.5, clearance fee 8.25: 13.75
    assert (liquidated.avg_price, liquidated.fee, closed_how(liquidated)) == (
        D("110000"), D("13.75"), "liquidated by the exchange")
    assert liquidated.reason == "1 trade(s) on the exchange, fees 5.50, clearance fee 8.25"
