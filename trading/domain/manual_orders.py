"""A manual order from the chat: what the user typed, and the ticket of figures a card shows and an approval binds.

The ticket is what gets approved: its canonical form (every leg's symbol, side, amounts and prices as text) is
hashed, the hash travels in the card's buttons and is checked against the stored approval, so a tap approves
exactly the figures it was shown, never ones that changed behind it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any

from trading.domain.client_ids import approval_client_id as approval_client_id   # approvals read it here
from trading.domain.errors import InvalidInput
from trading.domain.orders import Side
from trading.domain.positions import Position

ZERO = Decimal(0)


class OrderKind(StrEnum):
    """The chat command an order came from."""

    BUY = "buy"
    SHORT = "short"
    SELL = "sell"
    COVER = "cover"
    CLOSE = "close"
    CLOSE_ALL = "closeall"
    CANCEL = "cancel"

    @property
    def opens(self) -> bool:
        """Return True for an order that opens or adds to a position (the entry gate applies)."""
        return self in (OrderKind.BUY, OrderKind.SHORT)


class SizeKind(StrEnum):
    """How the user gave an exit size."""

    AMOUNT = "amount"     # base units
    PERCENT = "percent"   # of the position or holding
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Size:
    """An exit size as typed: 0.01, 50%, all."""

    kind: SizeKind
    value: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class ManualOrder:
    """What the user asked for, before any figure is looked up."""

    kind: OrderKind
    symbol: str = ""                      # as typed; resolved into the ticket
    quote: Decimal = ZERO                 # entries: how much quote to spend or commit
    limit: Decimal | None = None
    size: Size = Size(SizeKind.ALL)       # exits
    order_id: str = ""                    # /cancel
    opened_ms: int | None = None          # a Close button's: when the position it was drawn for opened


def refuse_other_position(order: ManualOrder, symbol: str, position: Position | None) -> None:
    """Refuse a close drawn for a position that is no longer the one open in symbol (closed, or another one)."""
    # an old button (a double tap, a re-delivered press, a message scrolled back to) must not close a later position
    if order.opened_ms is None or (position is not None and position.opened_ms == order.opened_ms):
        return
    # "another", not "newer": a button drawn later may have been for a position opened after the one open now
    other = "" if position is None else f" Another {symbol} position is open since {_utc_time(position.opened_ms)}."
    raise InvalidInput(f"Not closed: the {symbol} position this button was for is closed already.{other} "
                       f"/positions shows what is open now, with fresh buttons.")


@dataclass(frozen=True, slots=True)
class Leg:
    """One order of a ticket (a /closeall has one per position), with its estimated figures."""

    symbol: str
    side: Side
    amount: Decimal                       # base units, at the market's step (estimated for a spot market buy)
    price: Decimal                        # the estimated fill: the limit, else the last price
    fee: Decimal                          # estimated taker fee in quote
    quote_amount: Decimal | None = None   # spot market buys spend exactly this much quote
    limit: Decimal | None = None
    reduce_only: bool = False
    stop: Decimal | None = None           # entries: the hard stop the position gets once filled
    target: Decimal | None = None         # entries: the take-profit zone where the bot reconsiders
    risk: Decimal = ZERO                  # quote lost at the stop, fees included
    cancel_id: str = ""                   # /cancel: the order to cancel instead of placing one
    price_tick: Decimal | None = None     # the market's tick and step: the card and the code prompt show on them
    amount_step: Decimal | None = None
    leverage: int = 1                     # futures entries: the leverage placed at (the stop and risk follow it)

    @property
    def notional(self) -> Decimal:
        """Return the leg's value in quote."""
        return self.quote_amount if self.quote_amount is not None else self.amount * self.price


@dataclass(frozen=True, slots=True)
class OrderTicket:
    """The figures of a manual order at one moment: what a card shows and an approval binds."""

    order: ManualOrder
    legs: tuple[Leg, ...]
    quoted_ms: int
    quote_asset: str = "USDT"
    notes: tuple[str, ...] = field(default=())

    @property
    def opens(self) -> bool:
        """Return True when the ticket opens or adds to a position."""
        return self.order.kind.opens

    def entry_symbols(self) -> tuple[str, ...]:
        """Return the symbols in which this ticket opens or grows a position: the ones the entry gate vets."""
        return tuple(leg.symbol for leg in self.legs) if self.opens else ()

    def canonical(self) -> dict[str, Any]:
        """Return the ticket as plain data whose hash binds an approval to exactly these figures."""
        return {"kind": self.order.kind.value, "legs": [_canonical(leg) for leg in self.legs]}

    def moved_bps(self, newer: "OrderTicket") -> Decimal:
        """Return how far the newer ticket's estimated prices moved from these, in basis points (the largest)."""
        moves = [abs(new.price - old.price) / old.price * 10_000
                 for old, new in zip(self.legs, newer.legs) if old.price > 0]
        return max(moves, default=ZERO)

    def same_orders(self, newer: "OrderTicket") -> bool:
        """Return True when newer places the same orders (symbols, sides, leverage, exit amounts), whatever the
        prices."""
        def shape(ticket: OrderTicket) -> list[tuple[Any, ...]]:
            # an entry is sized in quote, so its base amount follows the price: the price check covers it
            return [(leg.symbol, leg.side, leg.limit, leg.cancel_id, leg.reduce_only, leg.leverage,
                     None if ticket.opens else leg.amount) for leg in ticket.legs]
        return shape(self) == shape(newer)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _utc_time(ms: int) -> str:
    # the date too: a position opened days ago must not read as today's (the month's name never follows the locale)
    at = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return f"{at.day} {_MONTHS[at.month - 1]} {at:%H:%M} UTC"


def _canonical(leg: Leg) -> dict[str, Any]:
    plain = {"symbol": leg.symbol, "side": leg.side.value, "amount": str(leg.amount), "price": str(leg.price),
             "quote_amount": _text(leg.quote_amount), "limit": _text(leg.limit), "reduce_only": leg.reduce_only,
             "cancel_id": leg.cancel_id}
    # 1x (spot, exits) is left out: the hash of a card saved before legs had a leverage stays what it was
    return plain if leg.leverage == 1 else plain | {"leverage": leg.leverage}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
