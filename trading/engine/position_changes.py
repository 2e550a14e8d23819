"""How fills change a position: opening, adding at an averaged entry, and reducing with realised PnL."""
from __future__ import annotations

from decimal import Decimal

from trading.domain.frozen import changed
from trading.domain.money import booked, booked_price, share
from trading.domain.positions import Position, PositionSide

ZERO = Decimal(0)


def open_position(symbol: str, side: PositionSide, amount: Decimal, price: Decimal, fee: Decimal,
                  ts_ms: int, margin: Decimal, leverage: int = 1) -> Position:
    """Return a new position of amount at price; margin is what backs it (for spot, its cost)."""
    return Position(symbol=symbol, side=side, amount=amount, entry_price=price, opened_ms=ts_ms,
                    leverage=leverage, margin=margin, fees_paid=fee)


def add_to_position(position: Position, amount: Decimal, price: Decimal, fee: Decimal,
                    margin: Decimal) -> Position:
    """Return position grown by amount at price; the entry becomes the amount-weighted average (booked)."""
    total = position.amount + amount
    entry = booked_price((position.amount * position.entry_price + amount * price) / total)
    return changed(position, amount=total, entry_price=entry, margin=position.margin + margin,
                   fees_paid=position.fees_paid + fee)


def reduce_position(position: Position, amount: Decimal, price: Decimal,
                    fee: Decimal) -> tuple[Position, Decimal, Decimal]:
    """Return position shrunk by amount at price, the PnL realised (before fees) and the margin released.

    The entry price stays; the released margin is the closed share of it. Both are booked amounts
    (trading.domain.money), so what is released plus what stays is exactly the margin before.
    """
    realized = booked((price - position.entry_price) * amount * position.side.sign)
    released = share(position.margin, amount, position.amount)
    reduced = changed(position, amount=position.amount - amount, margin=position.margin - released,
                      realized_pnl=position.realized_pnl + realized, fees_paid=position.fees_paid + fee)
    return reduced, realized, released
