from decimal import Decimal

import pytest

from trading.domain.errors import InvalidOrder
from trading.domain.orders import OrderIntent, OrderStatus, OrderType, Side
from trading.engine.order_intake import accept_intent

from tests.unit.engine.markets import PERP, PERP_BTC, SPOT, SPOT_BTC, limit, market, stop

LAST = Decimal(60_000)
NONE = Decimal(0)


def test_limit_price_is_rounded_to_the_tick_and_amount_down_to_the_step():
    accepted = accept_intent(limit(SPOT, Side.BUY, "0.123456", "59999.994"), SPOT_BTC, "P-1", 5, LAST, NONE)
    assert accepted.order.price == Decimal("59999.99")
    assert accepted.order.amount == Decimal("0.12345")
    assert accepted.order.status is OrderStatus.OPEN and accepted.order.client_order_id == "P-1"


def test_order_below_the_minimum_value_is_refused_with_the_minimum():
    # 0.00005 BTC * 60,000 = 3 USDT < 5 USDT
    with pytest.raises(InvalidOrder, match="below the minimum 5 USDT"):
        accept_intent(market(SPOT, Side.BUY, "0.00005"), SPOT_BTC, "P-1", 0, LAST, NONE)


def test_reduce_only_market_order_without_a_position_is_refused():
    with pytest.raises(InvalidOrder, match="no long position"):
        accept_intent(market(PERP, Side.SELL, "0.1", reduce_only=True), PERP_BTC, "P-1", 0, LAST, NONE)


def test_reduce_only_stop_may_wait_for_the_entry_it_protects():
    accepted = accept_intent(stop(PERP, Side.SELL, "0.1", "55000"), PERP_BTC, "P-1", 0, LAST, NONE)
    assert accepted.order.amount == Decimal("0.1") and accepted.order.reduce_only


def test_reduce_only_is_cut_to_the_position_and_skips_the_minimum_value():
    # closing 0.001 BTC at 55,000 is 55 USDT, under the 100 USDT minimum, and still allowed
    accepted = accept_intent(stop(PERP, Side.SELL, "0.5", "55000"), PERP_BTC, "P-1", 0, LAST, Decimal("0.001"))
    assert accepted.order.amount == Decimal("0.001")


def test_stop_that_would_fire_at_once_is_refused():
    with pytest.raises(InvalidOrder, match="would trigger at once"):
        accept_intent(stop(PERP, Side.SELL, "0.1", "61000"), PERP_BTC, "P-1", 0, LAST, Decimal("0.1"))


def test_market_order_needs_a_known_price():
    with pytest.raises(InvalidOrder, match="no price is known yet"):
        accept_intent(market(SPOT, Side.BUY, "0.1"), SPOT_BTC, "P-1", 0, None, NONE)


def test_quote_amount_buys_what_it_pays_for_including_the_fee():
    # 1,001 USDT / (60,000 * 1.001) = 0.016666.. -> 0.01666 BTC at step 0.00001
    intent = OrderIntent(SPOT, Side.BUY, quote_amount=Decimal(1_001))
    accepted = accept_intent(intent, SPOT_BTC, "P-1", 0, LAST, NONE)
    assert accepted.order.amount == Decimal("0.01666") and accepted.quote_budget == Decimal(1_001)


@pytest.mark.parametrize("intent, message", [
    (OrderIntent(SPOT, Side.BUY), "exactly one of amount"),
    (OrderIntent(SPOT, Side.BUY, amount=Decimal(-1)), "must be positive"),
    (OrderIntent(SPOT, Side.SELL, quote_amount=Decimal(10)), "only for market buys"),
    (OrderIntent(SPOT, Side.BUY, OrderType.LIMIT, amount=Decimal(1)), "needs a positive price"),
    (OrderIntent(SPOT, Side.SELL, OrderType.STOP_MARKET, amount=Decimal(1)), "needs a positive stop price"),
])
def test_malformed_intents_are_refused_with_what_is_wrong(intent, message):
    with pytest.raises(InvalidOrder, match=message):
        accept_intent(intent, SPOT_BTC, "P-1", 0, LAST, NONE)
