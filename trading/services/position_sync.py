"""Keeping the engine in step with the broker: orders sent, entries filled, exits done, positions closed.

Works through the Broker port only (positions, orders by client id), so paper and live are followed the
same way. Each fill the engine learns of here produces the one notification for that entry or exit.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Callable, Mapping, Protocol, Sequence

from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import RetryableError, TradingError
from trading.domain.events import Event, EventKind
from trading.domain.instruments import Instrument
from trading.domain.orders import Order, OrderIntent, OrderStatus
from trading.domain.positions import Position
from trading.engine.entry_gate import EntryOrigin
from trading.engine.entry_pipeline import EntryPlan
from trading.engine.exit_pipeline import ExitPlan
from trading.engine.trading_engine import ADOPTED_STEP, TradingEngine
from trading.ports import Broker
from trading.services import loop_notices as notices
from trading.services.event_bus import EventBus


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


class PositionSync:
    """Sends the engine's orders and reports the broker's fills and closes back to it."""

    def __init__(self, broker: Broker, engine: TradingEngine, events: EventBus,
                 instruments: Mapping[str, Instrument], venue: Venue | None = None,
                 fired: Callable[[str], Order | None] | None = None) -> None:
        self.broker, self.engine, self.events = broker, engine, events
        self.instruments = instruments
        self.venue = venue
        # live futures: the exchange's own stop or target leg that closed a position (ExchangeStops.fired)
        self.fired = fired
        # live: the exit found on the exchange for a position closed outside the bot (LiveVenue.closed_outside);
        # a paper venue closes nothing behind the engine's back, so it has none
        self.found: Callable[[str], Order | None] | None = getattr(venue, "closed_outside", None)

    async def run(self, now: int, marks: Mapping[str, Decimal]) -> dict[str, Position]:
        """Learn what the broker did since the last run; return its open positions by symbol."""
        positions = {p.symbol: p for p in await self.broker.positions()}
        await self._entries(positions, now)
        await self._guarded(positions, now, marks)
        await self._adopt(positions, now)
        return positions

    async def reconcile_on_start(self, now: int) -> None:
        """Drop saved guards and entries the broker does not know (a reset account), then sync.

        With stops on the exchange a saved position the broker no longer holds was closed while the bot was
        down (its stop or target there, a liquidation, by hand): the sync closes it as a trade and says so.
        """
        held = {p.symbol: p.side for p in await self.broker.positions()}
        # a position now on the other side was reversed outside the bot: the guarded one was closed
        for symbol in [s for s, g in self.engine.state.positions.items() if held.get(s) is not g.side]:
            if (found := self.found(symbol) if self.found is not None else None) is not None:
                await self._closed_outside(symbol, found, now)
        gone = [s for s in self.engine.state.positions if s not in held] if self.fired is None else []
        for symbol in gone:
            self.engine.forget_position(symbol)
            await self._audit(now, f"Forgot the saved {symbol} position: the broker holds none")
        for client_id, pending in list(self.engine.state.pending.items()):
            if await self.broker.find_by_client_id(client_id, pending.symbol) is None:
                self.engine.on_entry_ended(client_id)
                await self._audit(now, f"Forgot the saved {pending.symbol} entry: the broker has no such order")
        await self.run(now, {})

    async def place_entry(self, plan: EntryPlan, now: int) -> Order | None:
        """Send an entry order; return it when the broker holds it (None: refused, and an alert says why)."""
        order = await self._place(plan.intent, "Entry", now)
        if order is not None:
            self.engine.on_entry_placed(plan, now)
        return order

    async def place_exit(self, plan: ExitPlan, now: int) -> bool:
        """Send an exit order; on failure free the position for another exit on the next price."""
        if await self._place(plan.intent, "Exit", now, "; trying again on the next price") is None:
            self.engine.on_exit_settled(plan.symbol)
            return False
        await self.events.emit(notices.exit_sent(plan, now))
        return True

    async def cancel_entries(self, now: int) -> None:
        """Cancel the entry orders not filled yet (the kill switch stops every new order)."""
        for client_id, pending in list(self.engine.state.pending.items()):
            order = await self.broker.find_by_client_id(client_id, pending.symbol)
            if order is not None and not order.status.is_final:
                try:
                    await self.broker.cancel(order.id, pending.symbol)
                    if self.venue is not None:
                        await self.venue.settle()
                except TradingError as exc:
                    await self.events.emit(notices.order_failed("Cancelling the entry", pending.symbol,
                                                                str(exc), now))
                    continue
            if order is None or order.filled == 0:
                self.engine.on_entry_ended(client_id)
                await self._audit(now, f"Entry order for {pending.symbol} cancelled by the kill switch")

    async def _place(self, intent: OrderIntent, what: str, now: int, then: str = "") -> Order | None:
        order = await self._send(intent, what, now, then)
        if self.venue is not None:
            await self.venue.settle()     # the venue records the order (and a fill at once) before our notice
        return order

    async def _send(self, intent: OrderIntent, what: str, now: int, then: str) -> Order | None:
        try:
            return await self.broker.place(intent)
        except RetryableError as exc:
            # The order may have reached the venue before the failure: look it up before calling it lost.
            found = await self._lookup(intent)
            if found is not None:
                return found
            await self.events.emit(notices.order_failed(what, intent.symbol, f"{exc}{then}", now))
        except TradingError as exc:
            await self.events.emit(notices.order_failed(what, intent.symbol, f"{exc}{then}", now))
        return None

    async def _lookup(self, intent: OrderIntent) -> Order | None:
        try:
            return await self.broker.find_by_client_id(intent.client_order_id, intent.symbol)
        except TradingError:
            return None

    async def _entries(self, positions: Mapping[str, Position], now: int) -> None:
        for client_id, pending in list(self.engine.state.pending.items()):
            order = await self.broker.find_by_client_id(client_id, pending.symbol)
            if order is not None and order.filled > 0 and pending.symbol in positions:
                guard = self.engine.on_position_opened(positions[pending.symbol], now, client_id)
                await self.events.emit(notices.position_entered(guard, positions[pending.symbol], now,
                                                                self.instruments.get(pending.symbol)))
            elif order is None or order.status is OrderStatus.FILLED:
                self.engine.on_entry_ended(client_id)
                await self._audit(now, f"Entry order for {pending.symbol} is "
                                       f"{'lost' if order is None else 'filled but the position is gone'}")
            elif order.status.is_final:
                self.engine.on_entry_ended(client_id)
                # a paper venue cancels an entry the gate refuses at its fill: say which brake it was
                verdict = self.engine.vet_new_position(now, EntryOrigin.FILL, pending.symbol)
                await self.events.emit(notices.entry_order_ended(pending, order.status.value, now, verdict.reason))

    async def _guarded(self, positions: Mapping[str, Position], now: int, marks: Mapping[str, Decimal]) -> None:
        for symbol, guard in list(self.engine.state.positions.items()):
            order = None
            if guard.exit_in_flight:
                order = await self.broker.find_by_client_id(guard.exit_in_flight, symbol)
            if symbol not in positions or positions[symbol].side is not guard.side:     # closed, or reversed
                await self._closed(symbol, order, now, marks)
                continue
            self.engine.on_position_seen(positions[symbol])
            if guard.exit_in_flight and (order is None or order.status.is_final):
                self.engine.on_exit_settled(symbol)
                if order is not None and order.filled > 0:
                    await self.events.emit(notices.position_reduced(guard, positions[symbol], now))
                else:
                    status = order.status.value if order is not None else "lost"
                    await self.events.emit(notices.order_failed("Exit", symbol, f"the order was {status}", now))

    async def _closed(self, symbol: str, order: Order | None, now: int, marks: Mapping[str, Decimal]) -> None:
        leg = self.fired(symbol) if self.fired is not None else None
        guard = self.engine.state.positions.get(symbol)
        if leg is not None and (guard is None or max(leg.updated_ms, leg.created_ms) < guard.opened_ms):
            leg = None             # it closed an earlier position in this market
        if leg is None and (order is None or order.filled == 0) and self.found is not None:
            if (found := self.found(symbol)) is not None:
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

    async def _closed_outside(self, symbol: str, found: Order, now: int) -> None:
        """Record a position closed outside the bot at the fills found on the exchange, or its result unknown."""
        if found.filled > 0:
            at = found.updated_ms or now          # the close is recorded when it happened, at its price
            closed, result, breaches = self.engine.on_position_closed(symbol, at, found)
            if closed is not None:
                closed = replace(closed, exit_reason=notices.closed_outside(found, closed.stops.price_tick or None))
                await self.events.emit(notices.position_exited(closed, result, at))
        else:
            closed, worst, breaches = self.engine.on_result_unknown(symbol, now)
            if closed is not None:
                await self.events.emit(notices.result_unknown(closed, worst, found.reason, now))
        for breach in breaches:
            await self.events.emit(notices.limit_hit(breach))

    async def _adopt(self, positions: Mapping[str, Position], now: int) -> None:
        entering = {p.symbol for p in self.engine.state.pending.values()}
        for symbol, position in positions.items():
            if symbol in self.engine.state.positions or symbol in entering:
                continue
            instrument = self.instruments.get(symbol)
            step = instrument.amount_step if instrument is not None else ADOPTED_STEP
            guard = self.engine.on_position_opened(position, now, None, step,
                                                   instrument.price_tick if instrument is not None else Decimal(0))
            await self.events.emit(notices.position_adopted(guard, now))

    async def _audit(self, now: int, message: str) -> None:
        await self.events.emit(Event(EventKind.POSITION_UPDATED, now, message, notify=False))
