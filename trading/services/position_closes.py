"""Recording a guarded position the broker no longer holds: closed by whom, at what fill, told once.

The bot's own exit is told by the client id of an order that really filled (never by its amount alone), the
exchange's stop or target leg by the venue, and anything else is a close outside the bot: at the fills found on
the exchange, or its result unknown.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Mapping, Protocol, Sequence

from trading.domain.candles import Candles, Timeframe
from trading.domain.client_ids import exit_number
from trading.domain.orders import Order
from trading.domain.positions import Position
from trading.engine.engine_state import GuardedPosition
from trading.engine.entry_pipeline import CLIENT_ID_PREFIX
from trading.engine.trading_engine import TradingEngine
from trading.ports import Broker
from trading.services import loop_notices as notices
from trading.services.event_bus import EventBus

# the client ids of the bot's orders: its decisions and manual orders ("ta-"), a /close or /sell ("manual-")
OWN_CLIENT_IDS = (f"{CLIENT_ID_PREFIX}-", "manual-")


class Venue(Protocol):
    """The account behind the broker, fed the prices the loop sees (PaperVenue, LiveVenue, PaperFeed fit)."""

    async def trade_at(self, symbol: str, price: Decimal) -> None:
        """Note the current price (paper: pending market orders fill) and record what changed."""
        ...

    async def on_candles(self, batches: Sequence[tuple[str, Timeframe, Candles]]) -> None:
        """Note closed candles (paper: fills, stops, liquidation, funding) and record what changed."""
        ...

    async def settle(self) -> None:
        """Record and announce what changed since the last call (after the loop placed or cancelled orders)."""
        ...

    def fired(self, symbol: str) -> Order | None:
        """Return (once) the exchange's own stop or target leg that closed symbol's position (paper: None)."""
        ...

    async def closed_outside(self, position: Position) -> Order | None:
        """Return the exit of a position gone from the account with no order of ours: filled at the fills found
        on the exchange, or unfilled with why its result is unknown (paper: None, nothing is found)."""
        ...


class PositionCloses:
    """Records the closes of guarded positions and tells each once."""

    def __init__(self, broker: Broker, engine: TradingEngine, events: EventBus, venue: Venue | None) -> None:
        self.broker, self.engine, self.events, self.venue = broker, engine, events, venue

    async def closed(self, symbol: str, order: Order | None, now: int, marks: Mapping[str, Decimal]) -> None:
        """Record symbol's guarded position as closed: by our exit order (order, when it filled), the exchange's
        stop or target leg, our own exit found among the fills, outside the bot at the fills found, or unknown."""
        guard = self.engine.state.positions[symbol]
        leg = self.venue.fired(symbol) if self.venue is not None else None
        if leg is not None and max(leg.updated_ms, leg.created_ms) < guard.opened_ms:
            leg = None             # it closed an earlier position in this market
        if leg is None and (order is None or order.filled == 0):
            own = await self._own_exit(guard)
            if own is not None:       # our exit filled before the state knowing it was in flight was saved
                await self._closed_by_own(symbol, own, now)
                return
            found = await self.venue.closed_outside(_as_held(guard)) if self.venue is not None else None
            if found is not None or symbol not in marks:    # no mark (a restart): never a made-up result
                await self._closed_outside(symbol, found, now)
                return
        exit_order = order if order is not None and order.filled > 0 else leg or order
        closed, result, breaches = self.engine.on_position_closed(symbol, now, exit_order, marks.get(symbol))
        if closed is not None:
            if leg is not None and exit_order is leg:      # the exchange's stop or target closed it
                closed = replace(closed, exit_reason=notices.exchange_leg_filled(leg, closed.stops.price_tick or None))
            await self.events.emit(notices.position_exited(closed, result, now))
        for breach in breaches:
            await self.events.emit(notices.limit_hit(breach))

    async def _own_exit(self, guard: GuardedPosition) -> Order | None:
        """Return the bot's own order that closed guard's position since it opened, if the broker has one."""
        closing = guard.side.entry_order_side.opposite
        exits = [o for o in await self.broker.filled_orders(guard.symbol, guard.opened_ms)
                 if o.side is closing and o.client_order_id.startswith(OWN_CLIENT_IDS)
                 and not _seen_exit(guard, o.client_order_id)]
        return exits[-1] if exits and exits[-1].filled >= guard.amount else None

    async def _closed_by_own(self, symbol: str, own: Order, now: int) -> None:
        """Record a position closed by the bot's own exit order, at its fill, worded as the bot's exit."""
        at = max(own.updated_ms, own.created_ms) or now
        closed, result, breaches = self.engine.on_position_closed(symbol, at, own)
        if closed is not None:
            closed = replace(closed, exit_reason=notices.own_exit_filled(own, closed.stops.price_tick or None),
                             exit_by_user=False)
            await self.events.emit(notices.position_exited(closed, result, at))
        for breach in breaches:
            await self.events.emit(notices.limit_hit(breach))

    async def _closed_outside(self, symbol: str, found: Order | None, now: int) -> None:
        """Record a position closed outside the bot at the fills found on the exchange, or its result unknown."""
        if found is not None and found.filled > 0:
            at = found.updated_ms or now          # the close is recorded when it happened, at its price
            closed, result, breaches = self.engine.on_position_closed(symbol, at, found)
            if closed is not None:
                closed = replace(closed, exit_reason=notices.closed_outside(found, closed.stops.price_tick or None))
                await self.events.emit(notices.position_exited(closed, result, at))
        else:
            closed, worst, breaches = self.engine.on_result_unknown(symbol, now)
            if closed is not None:
                why = found.reason if found is not None else "the account keeps no record of its close"
                await self.events.emit(notices.result_unknown(closed, worst, why, now))
        for breach in breaches:
            await self.events.emit(notices.limit_hit(breach))


def _as_held(guard: GuardedPosition) -> Position:
    """Return the position a guard stands for, as the account last held it (to look up how it closed)."""
    return Position(guard.symbol, guard.side, guard.amount, guard.entry_price, guard.opened_ms,
                    realized_pnl=guard.realized_pnl, fees_paid=guard.fees_paid, funding_paid=guard.funding_paid)


def _seen_exit(guard: GuardedPosition, client_id: str) -> bool:
    """Return True for an exit that guard already knew of (a partial exit its amount counts): the engine's by its
    number, the user's by its client id; a closing order is told by its client id, never by its amount."""
    if client_id in guard.user_exits:
        return True
    exit_ = exit_number(client_id)
    return exit_ is not None and exit_[0] == guard.key and exit_[1] <= guard.exits_sent \
        and client_id != guard.exit_in_flight
