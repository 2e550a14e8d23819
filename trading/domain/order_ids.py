"""How a typed order id names an order: the case of its letters does not matter (p-2 is P-2)."""
from __future__ import annotations

from typing import Iterable

from trading.domain.errors import InvalidInput, echoed
from trading.domain.orders import Order


def order_id_spellings(typed: str) -> tuple[str, ...]:
    """Return the spellings an order id typed by a user may be stored under: as typed, upper case, lower case.

    Every id the bot shows is one of these: the paper venue's "P-12", the exchange's digits, the bot's
    lower-case client ids ("ta-...", "manual-..."); no two of them differ by case alone.
    """
    typed = typed.strip()
    return tuple(dict.fromkeys((typed, typed.upper(), typed.lower())))


def open_order(orders: Iterable[Order], typed: str) -> Order:
    """Return the open order a user's typed id names (any case), or refuse naming where the ids are."""
    spellings = order_id_spellings(typed)
    for order in orders:
        if order.id in spellings:
            return order
    raise InvalidInput(f"No open order {echoed(typed)}. /orders lists the open ones with their ids.")
