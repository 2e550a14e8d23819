"""Order updates the exchange pushes (watch_orders): taken into the live broker at once, matched by client id.

An update is taken when it is about an order the broker follows (by exchange id, else by client id) or an
order of the bot's own (its client-id prefix) that no placement still has in flight. Conditional (algo)
orders are left to track(): their fill is on the market order they placed, which only a look-up finds.
Streams may repeat or reorder messages, so an update older than what is known never undoes it. The fee a
stream reports is that of its last execution, not the order's total, so fees come from the market's rates
(as when the exchange reports none) until a look-up reports the total.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable

from trading.adapters.ccxt_orders import is_algo_id
from trading.domain.orders import Order, OrderStatus

if TYPE_CHECKING:
    from trading.adapters.ccxt_broker import CcxtBroker

ZERO = Decimal(0)


def progress(order: Order) -> tuple[int, Decimal, int]:
    """Return how far an order has come: (final or not, amount filled, last update) - it never goes back."""
    stage = 2 if order.status.is_final else 1 if order.status is OrderStatus.PARTIALLY_FILLED else 0
    return stage, order.filled, order.updated_ms or 0


def newer(known: Order, fresh: Order) -> bool:
    """Return True when fresh tells something known did not (a repeated or late update does not)."""
    if known.status.is_final:
        return False
    (k_stage, k_filled, k_ts), (f_stage, f_filled, f_ts) = progress(known), progress(fresh)
    if f_filled < k_filled or f_stage < k_stage or f_ts < k_ts:
        return False
    return (f_stage, f_filled) != (k_stage, k_filled) or fresh.status is not known.status


async def absorb_streamed(broker: "CcxtBroker", updates: Iterable[Order]) -> list[Order]:
    """Take pushed order updates into the broker (under its lock); return the orders as now known."""
    taken: list[Order] = []
    async with broker.lock:
        for fresh in updates:
            known = broker.orders.get(fresh.id) or broker.orders.known_client_id(fresh.client_order_id)
            if known is None:
                if (not broker.is_ours(fresh.client_order_id) or fresh.symbol not in broker.instruments
                        or broker.journaled(fresh.client_order_id)):
                    continue
                taken.append(broker.orders.absorb(replace(fresh, fee=ZERO), reason="seen on the account stream"))
            elif not is_algo_id(known.id) and known.symbol == fresh.symbol and newer(known, fresh):
                taken.append(broker.orders.absorb(replace(fresh, id=known.id, fee=known.fee)))
    return taken
