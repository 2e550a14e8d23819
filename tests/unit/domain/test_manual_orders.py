"""Order tickets: the hash binds the figures shown, the move is measured in bps, client ids derive from approvals."""
from decimal import Decimal

import pytest

from trading.domain.confirmations import payload_hash
from trading.domain.errors import InvalidInput
from trading.domain.manual_orders import Leg, ManualOrder, OrderKind, OrderTicket, refuse_other_position
from trading.domain.orders import Side
from trading.domain.positions import Position, PositionSide


def ticket(price: str, kind: OrderKind = OrderKind.BUY, amount: str = "0.001") -> OrderTicket:
    leg = Leg("BTC/USDT", Side.BUY if kind is OrderKind.BUY else Side.SELL, Decimal(amount), Decimal(price),
              Decimal("0.1"), quote_amount=Decimal(100) if kind is OrderKind.BUY else None)
    return OrderTicket(ManualOrder(kind, "BTC/USDT", Decimal(100)), (leg,), 1)


def test_the_hash_changes_with_the_price_shown_and_not_with_the_time_quoted():
    assert payload_hash(ticket("100000").canonical()) != payload_hash(ticket("100001").canonical())
    later = OrderTicket(ticket("100000").order, ticket("100000").legs, 99)
    assert payload_hash(later.canonical()) == payload_hash(ticket("100000").canonical())


def test_the_move_is_the_largest_price_change_in_basis_points():
    assert ticket("100000").moved_bps(ticket("100500")) == Decimal(50)
    assert ticket("100000").moved_bps(ticket("99000")) == Decimal(100)


def test_an_entry_keeps_its_orders_when_only_the_price_moves_but_an_exit_of_another_size_does_not():
    assert ticket("100000").same_orders(ticket("101000", amount="0.00099"))
    assert not ticket("100000", OrderKind.SELL).same_orders(ticket("100000", OrderKind.SELL, amount="0.002"))


def held(opened_ms: int) -> Position:
    return Position("BTC/USDT", PositionSide.LONG, Decimal("0.01"), Decimal(100000), opened_ms)


def test_a_close_drawn_for_the_open_position_goes_on_and_one_with_no_opening_time_is_not_checked():
    refuse_other_position(ManualOrder(OrderKind.CLOSE, "BTC/USDT", opened_ms=1_751_371_200_000), "BTC/USDT",
                          held(1_751_371_200_000))
    refuse_other_position(ManualOrder(OrderKind.CLOSE, "BTC/USDT"), "BTC/USDT", held(1_751_371_200_000))
    refuse_other_position(ManualOrder(OrderKind.CLOSE, "BTC/USDT"), "BTC/USDT", None)


def test_a_close_drawn_for_a_position_since_closed_is_refused_and_names_the_other_one_with_its_date():
    drawn = ManualOrder(OrderKind.CLOSE, "BTC/USDT", opened_ms=1_751_371_200_000)    # 2025-07-01 12:00 UTC
    with pytest.raises(InvalidInput) as newer:
        refuse_other_position(drawn, "BTC/USDT", held(1_751_371_200_000 + 63 * 60_000))
    with pytest.raises(InvalidInput) as older:        # a button drawn later, for a position no longer there
        refuse_other_position(drawn, "BTC/USDT", held(1_751_371_200_000 - 6 * 86_400_000))
    with pytest.raises(InvalidInput) as closed:
        refuse_other_position(drawn, "BTC/USDT", None)
    # before: "A newer BTC/USDT position is open since 13:03 UTC": no date, and "newer" for an older one too
    assert str(newer.value) == ("Not closed: the BTC/USDT position this button was for is closed already. Another "
                                "BTC/USDT position is open since 1 Jul 13:03 UTC. /positions shows what is open "
                                "now, with fresh buttons.")
    assert "Another BTC/USDT position is open since 25 Jun 12:00 UTC." in str(older.value)
    assert str(closed.value) == ("Not closed: the BTC/USDT position this button was for is closed already. "
                                 "/positions shows what is open now, with fresh buttons.")
