"""The engine's entry orders that must not rest any longer: unfilled past LIMIT_ORDER_TIMEOUT_MINUTES, or the rests
of partly filled ones past it or whose position has closed.

In paper as live, autonomous or approved on a card: an approval's client id reads as the user's own approved
order, which the broker lets rest, so only the engine's state tells its entries (engine_entries.py). The rest of
an entry whose position closed is cancelled before the close is recorded: while its cancel fails the position
stays guarded (a restart finds it so) and the next step tries again; a fill of the rest then grows the guarded
position instead of opening one "outside the engine".
"""
from __future__ import annotations

from trading.domain.client_ids import origin_client_id
from trading.domain.errors import TradingError
from trading.domain.events import Event, EventKind
from trading.domain.orders import Order, OrderType
from trading.engine.engine_state import GuardedPosition
from trading.engine.trading_engine import TradingEngine
from trading.ports import Broker
from trading.services import loop_notices as notices
from trading.services.engine_entries import expired_rests
from trading.services.event_bus import EventBus
from trading.services.order_outcomes import Unanswered, look_up
from trading.services.position_closes import Venue


class EntryExpiry:
    """Cancels the engine's timed-out entries and the rests no position of theirs wants any more."""

    def __init__(self, broker: Broker, engine: TradingEngine, events: EventBus, venue: Venue | None) -> None:
        self.broker, self.engine, self.events, self.venue = broker, engine, events, venue
        self.expired: dict[str, str] = {}     # entries cancelled for their timeout, with why, until told

    async def try_cancel(self, order: Order) -> Order | str:
        """Cancel an order; return it as cancelled (its fills as the venue last knew them), or why the venue
        refused."""
        try:
            cancelled = await self.broker.cancel(order.id, order.symbol)
            if self.venue is not None:
                await self.venue.settle()
        except TradingError as exc:
            return str(exc) or type(exc).__name__
        return cancelled

    async def expire(self, now: int) -> None:
        """Cancel the engine's limit entries unfilled after the timeout (the sync's _entries then lets each go
        and tells it, with the why kept in expired). The user's own limits are never pending entries."""
        for pending in self.engine.expired_entries(now):
            order = await look_up(self.broker, pending.client_order_id, pending.symbol)
            if isinstance(order, Unanswered) or order is None or order.status.is_final or order.filled > 0 \
                    or order.type is not OrderType.LIMIT:
                continue       # unknown, gone, or partly filled: the sync guards its position, expire_rests its rest
            cancelled = await self.try_cancel(order)
            if isinstance(cancelled, str):
                await self._audit(now, f"Timed-out {pending.symbol} entry {pending.client_order_id} not cancelled: "
                                       f"{cancelled}")
                continue
            self.expired[pending.client_order_id] = self.timed_out()

    async def expire_rests(self, now: int) -> None:
        """Cancel the unfilled rest of an engine's entry partly filled before the timeout; its filled part stays
        the position, guarded by the plan's exits."""
        timeout = self.engine.settings.entry_timeout_ms
        for order, guard in expired_rests(await self.broker.open_orders(), self.engine.state, timeout, now):
            cancelled = await self.try_cancel(order)
            if isinstance(cancelled, str):
                await self._audit(now, f"Timed-out rest of the {order.symbol} entry {order.client_order_id} not "
                                       f"cancelled: {cancelled}")
                continue
            await self.events.emit(notices.entry_rest_expired(guard, cancelled, self.timed_out(), now))

    async def cancel_rest(self, guard: GuardedPosition, now: int) -> bool:
        """Cancel the resting rest of the entry that opened guard's position, now closed; return False when its
        cancel failed (told in the audit: the close waits for the next step)."""
        for order in await self.broker.open_orders(guard.symbol):
            if order.reduce_only or order.status.is_final or origin_client_id(order.client_order_id) != guard.key:
                continue
            cancelled = await self.try_cancel(order)
            if isinstance(cancelled, str):
                await self._audit(now, f"Rest of the closed {guard.symbol} position's entry {order.client_order_id} "
                                       f"not cancelled: {cancelled}")
                return False
            await self.events.emit(notices.entry_rest_orphaned(guard, cancelled, now))
        return True

    def timed_out(self) -> str:
        """Return why an entry was cancelled for its timeout."""
        return f"not filled within {self.engine.settings.entry_timeout_ms / 60_000:g} min"

    async def _audit(self, now: int, message: str) -> None:
        await self.events.emit(Event(EventKind.POSITION_UPDATED, now, message, notify=False))
