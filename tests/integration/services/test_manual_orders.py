"""Manual limit orders on the paper account: marketable ones fill at once, resting ones are told when they fill,
and a resting entry passes the entry gate again at its fill.

Real BTC/USDT minutes of 2025-07-01 (bars by UTC open time); at 12:00 the last close is 106,605.80 (the 11:59 bar).
    12:00  o 106605.79  h 106605.80  l 106593.58  c 106593.58
Buys take the price plus 2 bps of slippage, onto the 0.01 tick against us; 0.1% fee (taker) or maker.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.fakes.paper_account import JULY_1_NOON_MS, paper_account
from trading.domain.candles import MINUTE_MS, Timeframe
from trading.domain.events import EventKind
from trading.domain.errors import EntryRefused, InvalidInput
from trading.domain.manual_orders import ManualOrder, OrderKind, Size, SizeKind
from trading.domain.orders import OrderIntent, OrderStatus, OrderType, Side


@pytest.fixture
async def account(tmp_path):
    account = await paper_account(tmp_path)
    yield account
    await account.close()


async def next_minute(account) -> None:
    """Let the 12:00 bar close and hand it to the venue, as the loop does."""
    account.clock.set(JULY_1_NOON_MS + MINUTE_MS)
    candles = await account.market.candles("BTC/USDT", Timeframe.M1, 1)
    await account.venue.on_candles([("BTC/USDT", Timeframe.M1, candles)])


async def test_a_buy_limit_above_the_market_is_sized_at_the_market_and_fills_at_once_below_it(account):
    # marketable, it fills at the market, so it is sized there to take the 100 asked: 100 / 106,605.80 =
    # 0.000938.. -> 0.00093 BTC (sized at the limit it was 0.00090 BTC, 96 USDT);
    # filled now at 106,605.80 x 1.0002 = 106,627.1212 -> 106,627.13, below the limit
    order = await account.portfolio.buy("BTC/USDT", D("100"), limit=D("110000"))
    assert (order.status, order.filled, order.avg_price) == (OrderStatus.FILLED, D("0.00093"), D("106627.13"))
    assert account.pushed.of(EventKind.ORDER_FILLED) == []       # the reply tells this fill


async def test_a_resting_limit_that_fills_later_is_pushed_to_the_chat(account):
    # 100 / 106,600 = 0.000938.. -> 0.00093 BTC at 106,600; the 12:00 bar trades through it (low 106,593.58)
    order = await account.portfolio.buy("BTC/USDT", D("100"), limit=D("106600"))
    assert order.status is OrderStatus.OPEN
    await next_minute(account)
    [filled] = account.pushed.of(EventKind.ORDER_FILLED)
    # the fee: 0.00093 x 106,600 x 0.001 = 0.099138 -> 0.0991 (it read 0.10, and the limit 106600 with no separator)
    assert filled.message == (f"Order {order.id} (buy BTC/USDT limit at 106,600.00) filled: Bought 0.00093 BTC/USDT "
                              f"at 106,600.00, fee 0.0991 USDT")


async def test_a_resting_entry_is_cancelled_when_the_kill_switch_came_on_while_it_waited(account):
    order = await account.portfolio.buy("BTC/USDT", D("100"), limit=D("106600"))
    account.engine.kill(False, "chat:1", "/kill", JULY_1_NOON_MS)
    await next_minute(account)
    [cancelled] = account.pushed.of(EventKind.ORDER_CANCELLED)
    assert cancelled.message == (f"Order {order.id} (buy 0.00093 BTC/USDT) cancelled: not filled: Kill switch is on "
                                 f"(by /kill at 12:00 UTC). New positions are refused; /resume lifts it.")
    assert await account.venue.broker.positions() == []


async def test_the_gate_refuses_a_manual_buy_and_nothing_reaches_the_venue(account):
    account.engine.kill(False, "file:KILL", "KILL file", JULY_1_NOON_MS)
    with pytest.raises(EntryRefused, match=r"^Not opened: Kill switch is on \(by the KILL file at 12:00 UTC\)"):
        await account.portfolio.buy("BTC/USDT", D("100"))
    assert await account.venue.broker.open_orders() == [] and account.pushed.events == []


async def test_a_shortened_symbol_is_named_in_a_refusal(account):
    with pytest.raises(Exception, match=r"^Order refused \(BTC read as BTC/USDT\): needs "):
        await account.portfolio.buy("BTC", D("99999999"))


async def test_a_buy_past_the_cash_names_both_sums_with_separators_and_what_to_do(account):
    # before: "Order refused: needs 20000.00 USDT, only 10000.00 USDT is available" and no way forward
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.buy("BTC/USDT", D("20000"))
    assert str(refused.value) == ("Order refused: needs 20,000.00 USDT, only 10,000.00 USDT is available. Try a "
                                  "smaller amount; /balance shows what is free")
    assert await account.portfolio.open_orders() == [] and await account.venue.broker.positions() == []


async def test_a_partial_sell_that_would_strand_a_rest_below_the_minimum_is_refused(account):
    # 10 USDT at 106,605.80: 0.00009 BTC held (10 / 1.001 / 106,627.13 = 0.0000936.. down on the 0.00001 step);
    # the smallest order is 0.00005 BTC (5 USDT / 106,605.80 = 0.0000469.. up on the step)
    await account.portfolio.buy("BTC/USDT", D("10"))
    [held] = await account.venue.broker.positions()
    assert held.amount == D("0.00009")
    # before: /sell 0.00005 went through and left 0.00004 BTC that no /sell or /close could ever place
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.sell("BTC/USDT", Size(SizeKind.AMOUNT, D("0.00005")))
    assert str(refused.value) == ("That would leave 0.00004 BTC, below the smallest order 0.00005 BTC: no order could "
                                  "close it later. Try /sell BTC/USDT all.")
    with pytest.raises(InvalidInput, match="That would leave 0.00004 BTC"):
        await account.portfolio.sell("BTC/USDT", Size(SizeKind.PERCENT, D("60")))
    [still] = await account.venue.broker.positions()
    assert still.amount == D("0.00009")
    sold = await account.portfolio.sell("BTC/USDT", Size(SizeKind.ALL))
    assert sold.filled == D("0.00009") and await account.venue.broker.positions() == []


async def test_a_partial_sell_may_leave_the_smallest_order_and_the_refusal_names_the_most_to_sell(account):
    # 20 USDT: 0.00018 BTC; selling 0.00014 would leave 0.00004: the most that leaves 0.00005 is 0.00013
    await account.portfolio.buy("BTC/USDT", D("20"))
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.sell("BTC/USDT", Size(SizeKind.AMOUNT, D("0.00014")))
    assert str(refused.value).endswith("Try /sell BTC/USDT all or /sell BTC/USDT 0.00013.")
    sold = await account.portfolio.sell("BTC/USDT", Size(SizeKind.AMOUNT, D("0.00013")))
    [rest] = await account.venue.broker.positions()
    assert sold.filled == D("0.00013") and rest.amount == D("0.00005")


async def test_selling_spot_dust_says_why_no_order_can_and_what_to_do(account):
    # 0.00004 BTC left by an exit sized outside the bot is 4.26 USDT at 106,605.80: under the 5 USDT minimum
    await account.portfolio.buy("BTC/USDT", D("10"))
    await account.venue.broker.place(OrderIntent("BTC/USDT", Side.SELL, OrderType.MARKET, amount=D("0.00005"),
                                                 client_order_id="outside-1"))
    await account.venue.trade_at("BTC/USDT", D("106605.80"))
    [dust] = await account.venue.broker.positions()
    assert dust.amount == D("0.00004")
    # before: the order went to the venue and came back "order value 4.26 USDT is below the minimum 5 USDT"
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.sell("BTC/USDT", Size(SizeKind.ALL))
    assert str(refused.value) == ("You hold 0.00004 BTC, below the smallest order 0.00005 BTC (5 USDT): no order can "
                                  "sell it alone. Buy at least that much more, then /sell BTC/USDT all.")


async def test_a_spot_limit_outside_binances_band_is_refused_with_the_band(account):
    # spot's band is 0.2x-5x of the last 106,605.80: 21,321.16 to 533,029.00
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.buy("BTC/USDT", D("100"), limit=D("1"))
    assert str(refused.value) == ("Limit 1 is too far from the last price 106,605.80 of BTC/USDT: the exchange takes "
                                  "limits from 21,321.16 to 533,029.00 (0.2x to 5x of the last price: the bot's "
                                  "default for spot, Binance's usual; the market's own was not loaded). Pick a limit "
                                  "in that band, or leave the limit out to trade at market.")
    assert await account.venue.broker.open_orders() == []


async def test_close_all_skips_a_dust_holding_closes_the_rest_and_names_the_dust(tmp_path):
    # before: the dust leg's refusal refused /closeall outright, so ETH stayed open too, and its hint was
    # "/closeall BTC/USDT all", which /closeall (no arguments) refuses
    account = await paper_account(tmp_path, bases=("BTC", "ETH"))
    try:
        await account.portfolio.buy("BTC/USDT", D("10"))
        await account.venue.broker.place(OrderIntent("BTC/USDT", Side.SELL, OrderType.MARKET, amount=D("0.00005"),
                                                     client_order_id="outside-1"))
        await account.venue.trade_at("BTC/USDT", D("106605.80"))
        bought = await account.portfolio.buy("ETH/USDT", D("100"))
        ticket = await account.portfolio.quote(ManualOrder(OrderKind.CLOSE_ALL))
        (sold,) = await account.portfolio.execute(ticket)
        held = {p.symbol: p.amount for p in await account.venue.broker.positions()}
        with pytest.raises(InvalidInput) as nothing_else:
            await account.portfolio.quote(ManualOrder(OrderKind.CLOSE_ALL))
        with pytest.raises(InvalidInput) as close_dust:
            await account.portfolio.close("BTC/USDT")
    finally:
        await account.close()
    assert [leg.symbol for leg in ticket.legs] == ["ETH/USDT"]
    assert ticket.notes == ("0.00004 BTC left: below the smallest order, it cannot be sold alone",)
    assert sold.symbol == "ETH/USDT" and sold.filled == bought.filled and held == {"BTC/USDT": D("0.00004")}
    assert str(nothing_else.value) == ("No open position to close (0.00004 BTC left: below the smallest order, it "
                                       "cannot be sold alone). /positions lists what is open.")
    assert str(close_dust.value).endswith("Buy at least that much more, then /sell BTC/USDT all.")


async def test_an_order_id_typed_in_lower_case_cancels_the_order_and_its_ticket_names_it(account):
    order = await account.portfolio.buy("BTC/USDT", D("100"), limit=D("106600"))
    assert order.id == "P-1"
    ticket = await account.portfolio.quote(ManualOrder(OrderKind.CANCEL, order_id="p-1"))
    assert [leg.cancel_id for leg in ticket.legs] == ["P-1"]
    cancelled = await account.portfolio.cancel(" p-1")
    assert (cancelled.id, cancelled.status) == ("P-1", OrderStatus.CANCELLED)
    with pytest.raises(InvalidInput, match=r"^No open order 'p-1'\. /orders lists"):
        await account.portfolio.cancel("p-1")


async def test_a_sell_of_more_than_held_names_the_coin_it_counts_in(account):
    await account.portfolio.buy("BTC/USDT", D("100"))
    with pytest.raises(InvalidInput) as refused:
        await account.portfolio.quote(ManualOrder(OrderKind.SELL, "BTC/USDT", size=Size(SizeKind.AMOUNT, D("5"))))
    assert str(refused.value).startswith("You hold 0.00093 BTC; the amount of /sell is in BTC, not USDT: ")
