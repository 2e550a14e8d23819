"""The periodic look at the live account: placements of unknown outcome, working orders, protective pairs,
limit orders past their timeout, and positions against the exchange. Called with the broker's lock held.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from trading.adapters.ccxt_orders import derived_client_id
from trading.adapters.order_tracking import LimitTimeout, can_place_remainder, on_timeout, timed_out
from trading.domain.errors import TradingError
from trading.domain.orders import Order, OrderIntent, OrderStatus, OrderType, Side
from trading.logs import get_logger

if TYPE_CHECKING:
    from trading.adapters.ccxt_broker import CcxtBroker

log = get_logger(__name__)


async def expire_limits(broker: "CcxtBroker") -> list[Order]:
    """Cancel the engine's limit orders unfilled after the timeout, re-placing the rest of an exit at the best
    price while allowed; the user's limits rest (order_tracking.on_timeout says which is which)."""
    options, replaced = broker.options, []
    for order in broker.orders.working():
        if not timed_out(order, broker.now_ms(), options.limit_timeout_ms):
            continue
        rule = on_timeout(order, broker.orders.origin(order.client_order_id), options.on_limit_timeout)
        if rule is None:
            continue
        reprice = rule is LimitTimeout.REPRICE and broker.orders.reprices(order) < options.max_reprices
        why = f"not filled within {options.limit_timeout_ms / 60_000:g} min" + ("; re-pricing" if reprice else "")
        try:
            ended = await broker.withdraw(order.id, order.symbol, why)
        except TradingError as exc:
            log.warning("timed-out limit order not cancelled", order_id=order.id, error=str(exc))
            continue
        if reprice and ended.status is OrderStatus.CANCELLED:
            placed = await _reprice(broker, ended)
            replaced += [placed] if placed is not None else []
    return replaced


async def _reprice(broker: "CcxtBroker", ended: Order) -> Order | None:
    instrument = broker.instrument(ended.symbol)
    try:
        price = await broker.account.best_price(ended.symbol, buy=ended.side is Side.BUY)
    except TradingError as exc:
        log.warning("no price to re-place a timed-out limit order", order_id=ended.id, error=str(exc))
        return None
    if price is None or not can_place_remainder(ended, instrument, price):
        return None
    client_id = derived_client_id(broker.orders.origin(ended.client_order_id), f"r{broker.orders.reprices(ended) + 1}")
    intent = OrderIntent(ended.symbol, ended.side, OrderType.LIMIT, amount=instrument.round_amount(ended.remaining),
                         price=price, reduce_only=ended.reduce_only, client_order_id=client_id, reason=ended.reason)
    broker.orders.note_reprice(ended, client_id)
    try:
        return await broker.submit(intent)
    except TradingError as exc:
        log.warning("timed-out limit order not re-placed", client_order_id=client_id, error=str(exc))
        return None
