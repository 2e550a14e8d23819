"""Which pushed order update tells something new: repeated and late ones never undo what is known."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from trading.adapters.streamed_orders import newer
from trading.domain.orders import Order, OrderStatus, OrderType, Side

OPEN = Order("7", "ta-1", "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.02"), OrderStatus.OPEN, 1_000,
             price=Decimal("100000"), updated_ms=1_000)
HALF = replace(OPEN, status=OrderStatus.PARTIALLY_FILLED, filled=Decimal("0.01"), avg_price=Decimal("100000"),
               updated_ms=2_000)
FILLED = replace(HALF, status=OrderStatus.FILLED, filled=Decimal("0.02"), updated_ms=3_000)
CANCELLED = replace(OPEN, status=OrderStatus.CANCELLED, updated_ms=2_500)


def test_a_fill_or_an_end_is_news() -> None:
    assert newer(OPEN, HALF) and newer(HALF, FILLED) and newer(OPEN, FILLED) and newer(OPEN, CANCELLED)


def test_the_same_update_twice_is_not() -> None:
    assert not newer(HALF, HALF) and not newer(OPEN, OPEN)


def test_a_late_update_never_undoes_a_fill_or_an_end() -> None:
    assert not newer(HALF, OPEN)                        # fewer filled
    assert not newer(FILLED, HALF)                      # the order has ended
    assert not newer(CANCELLED, OPEN)
    assert not newer(HALF, replace(HALF, status=OrderStatus.OPEN))         # a step back in status
    assert not newer(HALF, replace(FILLED, updated_ms=1_500))              # older than what is known
