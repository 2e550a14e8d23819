"""The engine's own entry orders among the bot's open orders: the pending ones, and the rests of partly filled ones.

An entry of the engine's goes out under its own client id or, approved on a card (LIVE_AUTONOMY=approve), under
the approval's, the shape of the user's own approved /buy: the id alone cannot tell them apart, the engine's state
can. A pending entry is kept under its client id; once partly filled it is no longer pending, and the position it
opened is guarded under that id (its key) while the rest of the order still rests. Both are the engine's: they
time out after LIMIT_ORDER_TIMEOUT_MINUTES, and its strategy, not the user, decides whether to enter again.
"""
from __future__ import annotations

from typing import Iterable

from trading.domain.client_ids import origin_client_id
from trading.domain.orders import Order, OrderType
from trading.engine.engine_state import EngineState, GuardedPosition


def is_engines_entry(order: Order, state: EngineState) -> bool:
    """Return True for an entry order of the engine's: pending, or the rest of the one that opened its position."""
    origin = origin_client_id(order.client_order_id)
    return origin in state.pending or opened_by(order, state) is not None


def opened_by(order: Order, state: EngineState) -> GuardedPosition | None:
    """Return the guarded position order (not reducing) opened as the engine's entry, None when it opened none."""
    guard = state.positions.get(order.symbol)
    if guard is None or order.reduce_only or guard.key != origin_client_id(order.client_order_id):
        return None
    return guard


def expired_rests(orders: Iterable[Order], state: EngineState, timeout_ms: int,
                  now_ms: int) -> list[tuple[Order, GuardedPosition]]:
    """Return the resting rests of the engine's partly filled limit entries placed timeout_ms ago or more, each with
    the position it opened (none when the timeout is 0: entries wait for ever)."""
    if timeout_ms <= 0:
        return []
    rests = []
    for order in orders:
        guard = opened_by(order, state)
        if guard is not None and order.type is OrderType.LIMIT and not order.status.is_final \
                and now_ms - order.created_ms >= timeout_ms:
            rests.append((order, guard))
    return rests
