"""A re-quoted card holds while its orders are the same and the price moved no more than allowed."""
from decimal import Decimal

from trading.domain.approval_cards import describe, requote_change
from trading.domain.manual_orders import Leg, ManualOrder, OrderKind, OrderTicket
from trading.domain.orders import Side


def close(price: str, amount: str = "0.01") -> OrderTicket:
    leg = Leg("BTC/USDT", Side.SELL, Decimal(amount), Decimal(price), Decimal("1"), amount_step=Decimal("0.00001"))
    return OrderTicket(ManualOrder(OrderKind.CLOSE, "BTC/USDT"), (leg,), 1)


def test_a_card_holds_up_to_the_slippage_allowed_and_is_replaced_past_it():
    # 100,000 -> 100,500 is 50 bps, the limit; 100,510 is 51 bps
    assert requote_change(close("100000"), close("100500"), Decimal(50)) == ""
    assert requote_change(close("100000"), close("100510"), Decimal(50)) == \
        "the price moved 51 bps (more than 50 allowed)"


def test_a_card_whose_orders_changed_is_replaced_whatever_the_price():
    assert requote_change(close("100000"), close("100000", "0.02"), Decimal(50)) == \
        "the orders changed (a position or an order changed)"


def test_a_card_describes_its_order_on_the_market_step():
    assert describe(close("100000", "0.0100")) == "close 0.01000 BTC/USDT"


def short(leverage: int) -> OrderTicket:
    leg = Leg("BTC/USDT:USDT", Side.SELL, Decimal("0.01"), Decimal("100000"), Decimal("0.5"), leverage=leverage)
    return OrderTicket(ManualOrder(OrderKind.SHORT, "BTC/USDT:USDT", Decimal(1000)), (leg,), 1)


def test_a_card_whose_leverage_changed_is_replaced_at_the_same_price():
    # a /set FUTURES_LEVERAGE between the card and the code: its stop and risk were worked out at 5x
    assert not short(5).same_orders(short(3))
    assert requote_change(short(5), short(3), Decimal(50)) == \
        "the leverage changed (5x → 3x): the stop and risk are worked out again"
    assert requote_change(short(5), short(5), Decimal(50)) == ""


def test_the_leverage_is_bound_in_the_hash_above_1x_only():
    # 1x (spot, exits, cards saved before legs had a leverage) hashes as it did; 5x is part of the figures approved
    assert "leverage" not in short(1).canonical()["legs"][0]
    assert short(5).canonical()["legs"][0]["leverage"] == 5
    assert short(5).canonical() != short(3).canonical()
