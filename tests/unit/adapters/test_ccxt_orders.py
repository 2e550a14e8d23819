from decimal import Decimal

import pytest

from trading.adapters.ccxt_orders import (ALGO_PREFIX, MAX_CLIENT_ID, derived_client_id, order_from_ccxt,
                                          order_request, reported_fee)
from trading.domain.errors import InvalidOrder
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.orders import OrderIntent, OrderStatus, OrderType, Side

SPOT = Instrument("BTC/USDT", "BTC", "USDT", price_tick=Decimal("0.01"), amount_step=Decimal("0.00001"),
                  min_amount=Decimal("0.00001"), min_notional=Decimal("5"))
PERP = Instrument("BTC/USDT:USDT", "BTC", "USDT", MarketKind.PERP, price_tick=Decimal("0.1"),
                  amount_step=Decimal("0.001"), min_amount=Decimal("0.001"), min_notional=Decimal("100"))


def test_a_limit_order_is_rounded_down_in_amount_and_to_the_nearest_tick_in_price():
    intent = OrderIntent("BTC/USDT", Side.BUY, OrderType.LIMIT, amount=Decimal("0.123456"), price=Decimal("100.006"))

    request = order_request(intent, SPOT, "ta-1", Decimal("100"))

    assert (request.type, request.amount, request.price) == ("limit", Decimal("0.12345"), Decimal("100.01"))
    assert request.params == {"clientOrderId": "ta-1"}


def test_a_quote_amount_buys_what_it_pays_for_at_the_reference_price():
    intent = OrderIntent("BTC/USDT", Side.BUY, quote_amount=Decimal("100"))

    request = order_request(intent, SPOT, "ta-1", Decimal("30000"))

    assert request.amount == Decimal("0.00333")        # 100 / 30000 = 0.0033333.. cut at the step


def test_a_futures_stop_is_a_reduce_only_trigger_order_even_below_the_minimum_value():
    intent = OrderIntent("BTC/USDT:USDT", Side.SELL, OrderType.STOP_MARKET, amount=Decimal("0.001"),
                         stop_price=Decimal("90000.04"), reduce_only=True)

    request = order_request(intent, PERP, "ta-p.sl1", Decimal("95000"))

    assert request.conditional and request.type == "market"
    # a long's sell stop 90000.04 goes up to the 0.1 tick, 90000.1: never looser than asked (the nearest, 90000.0,
    # would sell below a break-even stop)
    assert request.params == {"clientOrderId": "ta-p.sl1", "reduceOnly": True, "stopLossPrice": 90000.1}


def test_a_short_s_reduce_only_trigger_goes_down_to_the_tick():
    intent = OrderIntent("BTC/USDT:USDT", Side.BUY, OrderType.STOP_MARKET, amount=Decimal("0.001"),
                         stop_price=Decimal("90000.06"), reduce_only=True)

    request = order_request(intent, PERP, "ta-p.sl1", Decimal("85000"))

    assert request.params["stopLossPrice"] == 90000.0


def test_spot_exits_below_the_minimum_value_are_refused_since_spot_has_no_reduce_only():
    intent = OrderIntent("BTC/USDT", Side.SELL, amount=Decimal("0.00004"), reduce_only=True)

    with pytest.raises(InvalidOrder, match="below the minimum"):
        order_request(intent, SPOT, "ta-1", Decimal("100000"))


@pytest.mark.parametrize("intent, why", [
    (OrderIntent("BTC/USDT", Side.BUY, amount=Decimal("0.000001")), "rounds to zero"),
    (OrderIntent("BTC/USDT", Side.BUY, OrderType.LIMIT, amount=Decimal("1")), "needs a positive price"),
    (OrderIntent("BTC/USDT", Side.SELL, OrderType.STOP_MARKET, amount=Decimal("1"), stop_price=Decimal(9)),
     "futures markets only"),
    (OrderIntent("BTC/USDT", Side.BUY), "exactly one of amount"),
])
def test_an_impossible_order_is_refused_with_what_to_change(intent, why):
    with pytest.raises(InvalidOrder, match=why):
        order_request(intent, SPOT, "ta-1", Decimal("100"))


def test_a_ccxt_order_partly_filled_maps_to_partially_filled_with_decimals():
    raw = {"id": "42", "clientOrderId": "ta-1", "symbol": "BTC/USDT", "side": "buy", "type": "limit",
           "amount": 0.03, "filled": 0.01, "average": 90000.5, "price": 90001.0, "status": "open",
           "timestamp": 1000, "lastUpdateTimestamp": 2000, "info": {}}

    order = order_from_ccxt(raw)

    assert (order.id, order.status, order.amount, order.filled) == ("42", OrderStatus.PARTIALLY_FILLED,
                                                                    Decimal("0.03"), Decimal("0.01"))
    assert (order.avg_price, order.price, order.created_ms, order.updated_ms) == (Decimal("90000.5"),
                                                                                  Decimal("90001.0"), 1000, 2000)


def test_an_algo_order_keeps_its_native_type_and_a_prefixed_id():
    raw = {"id": "5000001", "clientOrderId": "ta-p.tp1", "symbol": "BTC/USDT:USDT", "side": "sell",
           "type": "market", "amount": 0.01, "filled": 0, "status": "open", "triggerPrice": 110000.0,
           "reduceOnly": True, "info": {"orderType": "TAKE_PROFIT_MARKET"}}

    order = order_from_ccxt(raw, conditional=True)

    assert (order.id, order.type, order.stop_price, order.reduce_only) == (
        ALGO_PREFIX + "5000001", OrderType.TAKE_PROFIT_MARKET, Decimal("110000.0"), True)


def test_fees_in_the_base_asset_are_valued_at_the_average_price():
    raw = {"symbol": "BTC/USDT", "average": 100000.0,
           "fees": [{"cost": 0.00001, "currency": "BTC"}, {"cost": 0.5, "currency": "USDT"}]}

    assert reported_fee(raw) == Decimal("1.5")


def test_derived_client_ids_stay_within_binances_36_characters():
    assert derived_client_id("ta-0123456789abcdef0123", "r1") == "ta-0123456789abcdef0123.r1"
    long = derived_client_id("x" * 36, "sl12")
    assert len(long) == MAX_CLIENT_ID and long.endswith(".sl12") and long.startswith("ta-")
