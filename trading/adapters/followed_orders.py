"""The orders the live broker follows: each new look at one becomes events, and its fills go into the book."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping

from trading.adapters.order_tracking import acknowledged, follow
from trading.adapters.position_book import PositionBook
from trading.domain.events import Event
from trading.domain.instruments import Instrument
from trading.domain.orders import Order, OrderStatus, OrderType
from trading.engine import execution_events as events
from trading.engine.snapshots import from_plain, to_plain
from trading.ports import Clock


class FollowedOrders:
    """Orders by id (working ones and the latest finished), with why each was cancelled and what it re-places."""

    def __init__(self, book: PositionBook, instrument: Callable[[str], Instrument], emit: Callable[[Event], None],
                 clock: Clock, leverage: Callable[[str], int], kept: int = 200) -> None:
        self._book = book
        self._instrument = instrument
        self._emit = emit
        self._clock = clock
        self._leverage = leverage
        self._kept = kept
        self._orders: dict[str, Order] = {}
        self._cancel_reasons: dict[str, str] = {}
        self._origins: dict[str, str] = {}          # derived client id -> the client id it descends from
        self._reprices: dict[str, int] = {}         # first client id -> times re-placed

    def get(self, order_id: str) -> Order | None:
        """Return a followed order by id."""
        return self._orders.get(order_id)

    def filled_legs(self, symbol: str) -> list[Order]:
        """Return the filled reduce-only stop and take-profit orders of symbol (exchange-side exits), oldest first."""
        return sorted((o for o in self._orders.values() if o.symbol == symbol and o.reduce_only and o.filled > 0
                       and o.type in (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET)),
                      key=lambda o: max(o.updated_ms, o.created_ms))

    def filled(self, symbol: str, since_ms: int) -> list[Order]:
        """Return the followed orders of symbol that filled (wholly or in part) since since_ms, oldest first."""
        return sorted((o for o in self._orders.values() if o.symbol == symbol and o.filled > 0
                       and max(o.updated_ms, o.created_ms) >= since_ms), key=lambda o: max(o.updated_ms, o.created_ms))

    def working(self, symbol: str | None = None) -> list[Order]:
        """Return the followed orders not final yet, of one symbol or all."""
        return [o for o in self._orders.values() if not o.status.is_final and symbol in (None, o.symbol)]

    def known_client_id(self, client_order_id: str) -> Order | None:
        """Return the newest followed order with this client id."""
        return next((o for o in reversed(self._orders.values()) if o.client_order_id == client_order_id), None)

    def absorb(self, fresh: Order, reason: str = "", resting: bool = True) -> Order:
        """Take in the exchange's latest view of an order: events for what is new, fills into the book."""
        known = self._orders.get(fresh.id)
        market = self._instrument(fresh.symbol)
        if known is None:
            known = acknowledged(fresh, reason)
            self._emit(self._traced(events.order_placed(known, market), known))
        update = follow(known, fresh, market, self._clock.now_ms(), resting)
        order = self._orders[fresh.id] = update.order
        if update.fill is not None:
            self._emit(self._traced(events.order_filled(order, update.fill, market), order))
            for change in self._book.apply_fill(order, update.fill, self._leverage(order.symbol)):
                self._emit(events.position_changed(change, market, update.fill.ts_ms))
        if update.ended and order.status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED):
            why = self._cancel_reasons.pop(order.id, f"{order.status} on the exchange")
            self._emit(events.order_cancelled(order, market, why))
        elif update.ended and order.status is OrderStatus.REJECTED:
            self._emit(events.order_failed(order, market, "rejected by the exchange"))
        self._forget_old()
        return order

    def expect_cancel(self, order_id: str, reason: str | None) -> None:
        """Remember why order_id is being cancelled (None: forget it)."""
        if reason is None:
            self._cancel_reasons.pop(order_id, None)
        else:
            self._cancel_reasons[order_id] = reason

    def origin(self, client_order_id: str) -> str:
        """Return the client id of the order that client_order_id was derived from (itself if none)."""
        return self._origins.get(client_order_id, client_order_id)

    def note_reprice(self, order: Order, client_id: str) -> None:
        """Remember that client_id re-places what is left of order."""
        root = self.origin(order.client_order_id)
        self._origins[client_id] = root
        self._reprices[root] = self._reprices.get(root, 0) + 1

    def reprices(self, order: Order) -> int:
        """Return how many times the order that order descends from was re-placed."""
        return self._reprices.get(self.origin(order.client_order_id), 0)

    def _traced(self, event: Event, order: Order) -> Event:
        # the engine knows its orders by their first client id; a re-placed one says where it comes from
        origin = self._origins.get(order.client_order_id)
        return event if origin is None else replace(event, data={**event.data, "origin_client_order_id": origin})

    def _forget_old(self) -> None:
        final = [i for i, o in self._orders.items() if o.status.is_final]
        for order_id in final[: max(0, len(final) - self._kept)]:
            del self._orders[order_id]

    def to_state(self) -> dict[str, Any]:
        """Return the orders and their lineage as plain data."""
        return {"orders": to_plain(list(self._orders.values())), "origins": dict(self._origins),
                "reprices": dict(self._reprices)}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace everything with a to_state() result."""
        self._orders = {o.id: o for o in from_plain(list[Order], state.get("orders") or [])}
        self._origins = dict(state.get("origins") or {})
        self._reprices = {k: int(v) for k, v in (state.get("reprices") or {}).items()}
