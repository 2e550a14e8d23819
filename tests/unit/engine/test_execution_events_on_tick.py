"""Order and fill notifications tell prices on the market's tick and amounts down on its step, with separators."""
from __future__ import annotations

from decimal import Decimal as D

from trading.domain.instruments import Instrument, MarketKind
from trading.domain.orders import Fill, Order, OrderStatus, OrderType, Side
from trading.domain.positions import Position, PositionSide
from trading.engine.account import ChangeKind, PositionChange
from trading.engine.execution_events import order_cancelled, order_failed, order_filled, order_placed, position_changed
from tests.unit.engine.markets import PERP, PERP_BTC, SPOT, SPOT_BTC

# an alt coin on a 0.0001 tick and a whole-coin step
DOGE = Instrument("DOGE/USDT", "DOGE", "USDT", MarketKind.SPOT, price_tick=D("0.0001"), amount_step=D("1"))


def _order(symbol: str, side: Side, kind: OrderType, amount: str, price: str | None = None,
           trigger: str | None = None) -> Order:
    return Order("P-7", "c-7", symbol, side, kind, D(amount), OrderStatus.OPEN, 0,
                 price=D(price) if price else None, stop_price=D(trigger) if trigger else None)


def test_a_spot_limit_is_told_with_separators_on_the_cent():
    order = _order(SPOT, Side.BUY, OrderType.LIMIT, "0.00093", price="106600")
    # it read "limit at 106600"
    assert order_placed(order, SPOT_BTC).message == "Order P-7: buy 0.00093 BTC/USDT limit at 106,600.00"


def test_a_resting_alt_coin_fill_keeps_the_four_decimals_of_its_tick():
    order = _order("DOGE/USDT", Side.SELL, OrderType.LIMIT, "1500", price="0.1234")
    fill = Fill("P-7", "DOGE/USDT", Side.SELL, D("1500"), D("0.1234"), D("0.1851"), "USDT", 60_000, True)
    # 1,500 x 0.1234 = 185.10, fee 0.1% = 0.1851; the price read "0.12" at two decimals
    assert order_filled(order, fill, DOGE, resting=True).message == (
        "Order P-7 (sell DOGE/USDT limit at 0.1234) filled: Sold 1,500 DOGE/USDT at 0.1234, fee 0.1851 USDT")


def test_a_perp_fill_and_its_position_are_told_on_the_tenth():
    order = _order(PERP, Side.BUY, OrderType.MARKET, "0.009")
    fill = Fill("P-7", PERP, Side.BUY, D("0.009"), D("116473.5"), D("0.52413075"), "USDT", 60_000)
    # 0.009 x 116,473.5 x 0.05% = 0.52413075 -> 0.5241 (it read 0.52, and the price 116,473.50)
    assert order_filled(order, fill, PERP_BTC).message == "Bought 0.009 BTC/USDT:USDT at 116,473.5, fee 0.5241 USDT"
    opened = Position(PERP, PositionSide.LONG, D("0.0095"), D("116473.46785"), 0, leverage=10)
    # an average entry 116,473.46785 -> 116,473.5 on the tick; 0.0095 -> 0.009 down on the step
    assert position_changed(PositionChange(ChangeKind.OPENED, opened), PERP_BTC, 60_000).message == (
        "Opened long 0.009 BTC/USDT:USDT at 116,473.5 (10x)")
    grown = Position(PERP, PositionSide.LONG, D("0.018"), D("116480.26"), 0, leverage=10)
    assert position_changed(PositionChange(ChangeKind.UPDATED, grown), PERP_BTC, 60_000).message == (
        "Position now long 0.018 BTC/USDT:USDT at 116,480.3 average")


def test_a_perp_stop_cancelled_or_rejected_is_told_on_the_step():
    stop = _order(PERP, Side.SELL, OrderType.STOP_MARKET, "0.0095", trigger="110000")
    assert order_placed(stop, PERP_BTC).message == "Order P-7: sell 0.009 BTC/USDT:USDT stop at 110,000.0"
    assert order_cancelled(stop, PERP_BTC, "position closed").message == (
        "Order P-7 (sell 0.009 BTC/USDT:USDT) cancelled: position closed")
    assert order_failed(stop, PERP_BTC, "insufficient margin").message == (
        "Order P-7 (sell 0.009 BTC/USDT:USDT) rejected: insufficient margin")


def test_a_fee_taken_in_the_coin_bought_is_told_as_it_is():
    order = _order(SPOT, Side.BUY, OrderType.MARKET, "0.00093")
    fill = Fill("P-7", SPOT, Side.BUY, D("0.00093"), D("106627.13"), D("0.00000093"), "BTC", 60_000)
    # 0.1% of 0.00093 BTC = 0.00000093 BTC: four places would say 0.0000
    assert order_filled(order, fill, SPOT_BTC).message == (
        "Bought 0.00093 BTC/USDT at 106,627.13, fee 0.00000093 BTC")
