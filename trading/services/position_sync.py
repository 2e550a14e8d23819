"""Keeping the engine in step with the broker: orders sent, entries filled, exits done, positions closed
(recorded by position_closes.py), entries timed out and rests no position wants (cancelled by entry_expiry.py).

Works through the Broker port only (positions, orders by client id), so paper and live are followed the
same way. Each fill the engine learns of here produces the one notification for that entry or exit. An order
sent without an answer whose look-up fails too is of unknown outcome: never told as failed, and looked up by its
client id at each step until the exchange finds it or says it has none.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Iterable, Mapping, Protocol

from trading.domain.errors import RetryableError, TradingError
from trading.domain.events import Event, EventKind
from trading.domain.instruments import Instrument
from trading.domain.orders import Order, OrderIntent, OrderStatus, OrderType, Side
from trading.domain.positions import Position, PositionSide
from trading.engine.engine_state import GuardedPosition
from trading.engine.entry_gate import EntryOrigin
from trading.engine.entry_pipeline import EntryPlan
from trading.engine.exit_pipeline import ExitPlan
from trading.engine.trading_engine import ADOPTED_STEP, TradingEngine
from trading.ports import Broker
from trading.risk.verdicts import ALLOWED, Verdict
from trading.services import loop_notices as notices
from trading.services.entry_expiry import EntryExpiry
from trading.services.event_bus import EventBus
from trading.services.guard_levels import guard_levels
from trading.services.order_outcomes import Unanswered, look_up
from trading.services.position_closes import OWN_CLIENT_IDS, PositionCloses, Venue


class EntryPlans(Protocol):
    """The journal of the engine's entry plans, written before each order leaves (SqliteEntryPlans)."""

    async def write(self, plan: EntryPlan, now_ms: int) -> None:
        """Journal plan under its order's client id."""
        ...

    async def plans(self) -> dict[str, EntryPlan]:
        """Return every journaled plan by its entry's client order id."""
        ...

    async def drop(self, client_order_ids: Iterable[str]) -> None:
        """Forget these entries' plans."""
        ...


class PositionSync:
    """Sends the engine's orders and reports the broker's fills and closes back to it."""

    def __init__(self, broker: Broker, engine: TradingEngine, events: EventBus,
                 instruments: Mapping[str, Instrument], venue: Venue | None = None,
                 plans: EntryPlans | None = None) -> None:
        self.broker, self.engine, self.events = broker, engine, events
        self.instruments = instruments
        self.venue = venue
        self.plans = plans
        self._journaled: set[str] = set()      # plans journaled since the engine state was last saved
        self._resumed: set[str] = set()        # entries found at a restart through their journaled plans
        self._raced: list[str] = []            # positions opened while the entry gate refused (take_raced)
        self._starting = False                 # the start-up's reconcile: what it finds predates any refusal
        self._unanswered: set[str] = set()     # client ids of orders sent whose outcome is not known yet
        self._closes = PositionCloses(broker, engine, events, venue)
        self._expiry = EntryExpiry(broker, engine, events, venue)

    async def run(self, now: int, marks: Mapping[str, Decimal]) -> dict[str, Position]:
        """Learn what the broker did since the last run; return its open positions by symbol."""
        await self._expiry.expire(now)
        positions = {p.symbol: p for p in await self.broker.positions()}
        await self._entries(positions, now)
        await self._expiry.expire_rests(now)
        await self._guarded(positions, now, marks)
        await self._adopt(positions, now)
        return positions

    async def reconcile_on_start(self, now: int) -> None:
        """Drop saved entries the broker does not know, take back the journaled ones never saved, then sync.

        A saved position the broker no longer holds was closed while the bot was down (our exit or the exchange's
        stop filled, a liquidation, by hand): the sync records it as a trade at the fills found, or its result
        unknown, and says so once, whether the exchange holds stops or not.
        """
        for client_id, pending in list(self.engine.state.pending.items()):
            if await look_up(self.broker, client_id, pending.symbol) is None:    # not when its look-up fails: kept
                await self._never_placed(client_id, pending.symbol, now)
        if self.plans is not None:
            await self._resume_plans(await self.plans.plans(), now)
        self._starting = True
        try:
            await self.run(now, {})
        finally:
            self._starting = False

    async def place_entry(self, plan: EntryPlan, now: int, tell_unknown: bool = True) -> Order | Unanswered | None:
        """Journal the plan, send its entry order; return the order when the broker holds it (None: refused,
        and an alert says why; Unanswered: it MAY have reached the exchange, and the user is told so, unless
        tell_unknown is False: the caller's reply tells it, and the notice is recorded only).

        An entry of unknown outcome waits as a pending entry, its plan in the saved state, until a look-up by its
        client id finds it (its fill arms the plan's exits, never the defaults) or the exchange says it has none.
        """
        if self.plans is not None:       # a bot killed before the engine state holding the entry is saved finds it
            await self.plans.write(plan, now)
            self._journaled.add(plan.intent.client_order_id)
        order = await self._place(plan.intent, "Entry", now)
        if order is not None:
            self.engine.on_entry_placed(plan, now)
        if isinstance(order, Unanswered):
            self._unanswered.add(order.client_order_id)
            told = notices.entry_unanswered(order.symbol, order.client_order_id, now)
            await self.events.emit(told if tell_unknown else replace(told, notify=False))
        return order

    async def state_saved(self) -> None:
        """Drop the plans journaled before the engine state just saved (it holds their entries, or they failed)."""
        if self.plans is not None and self._journaled:
            await self.plans.drop(sorted(self._journaled))
            self._journaled.clear()

    async def place_exit(self, plan: ExitPlan, now: int) -> bool:
        """Send an exit order; return True when the broker holds it.

        Refused, the position is free for another exit on the next price. Of unknown outcome (it MAY have
        reached the exchange), it stays in flight: no other exit goes out for the position until a look-up by its
        client id finds it (its fill is the bot's exit) or the exchange says it has no such order.
        """
        order = await self._place(plan.intent, "Exit", now, "; trying again on the next price")
        if order is None:
            self.engine.on_exit_settled(plan.symbol)
            return False
        if isinstance(order, Unanswered):
            self._unanswered.add(order.client_order_id)
            await self.events.emit(notices.exit_unanswered(plan, now))
            return False
        await self.events.emit(notices.exit_sent(plan, now))
        return True

    async def cancel_entries(self, now: int) -> tuple[list[Order], list[Order]]:
        """Cancel every entry order not filled yet, the engine's and the user's resting limits (the kill switch
        stops every new order); return the ones cancelled and the ones whose cancel failed (told here)."""
        cancelled: list[Order] = []
        failed: list[Order] = []
        for client_id, pending in list(self.engine.state.pending.items()):
            order = await look_up(self.broker, client_id, pending.symbol)
            if isinstance(order, Unanswered):
                continue           # not known yet: the gate cancels it when a later look-up finds it resting
            if order is None:      # of unknown outcome, it never reached the exchange: told as the sync tells it
                await self._never_placed(client_id, pending.symbol, now)
                continue
            if not order.status.is_final:
                ended = await self.cancel_entry(order, now)
                if ended is None:
                    failed.append(order)
                    continue
                cancelled.append(order := ended)
            if order.filled == 0:
                self.engine.on_entry_ended(client_id)
                await self._audit(now, f"Entry order for {pending.symbol} cancelled by the kill switch")
        # a manual /buy or /short limit that rests is an entry too: left open it could fill under the switch
        for order in await self.open_entries():
            if order.client_order_id in self.engine.state.pending:
                continue
            ended = await self.cancel_entry(order, now)
            (failed.append(order) if ended is None else cancelled.append(ended))
        return cancelled, failed

    async def open_entries(self) -> list[Order]:
        """Return the bot's open orders that would open or grow a position: the engine's pending entries and the
        user's resting /buy and /short limits (not its exits, stops and targets)."""
        longs = {p.symbol for p in await self.broker.positions() if p.side is PositionSide.LONG}
        return [o for o in await self.broker.open_orders() if not o.status.is_final and (
            o.client_order_id in self.engine.state.pending or _entry_order(o, longs))]

    async def cancel_entry(self, order: Order, now: int) -> Order | None:
        """Cancel a resting entry order; return it as cancelled, None (with a notice) when the venue refused."""
        cancelled = await self.try_cancel(order)
        if isinstance(cancelled, str):
            await self.events.emit(notices.order_failed("Cancelling the entry", order.symbol, cancelled, now))
            return None
        return cancelled

    async def try_cancel(self, order: Order) -> Order | str:
        """Cancel an order; return it as cancelled, or why the venue refused."""
        return await self._expiry.try_cancel(order)

    def take_raced(self) -> list[str]:
        """Return (once) the symbols whose position opened while the entry gate refused new positions."""
        raced, self._raced = self._raced, []
        return raced

    async def _place(self, intent: OrderIntent, what: str, now: int, then: str = "") -> Order | Unanswered | None:
        order = await self._send(intent, what, now, then)
        if self.venue is not None:
            await self.venue.settle()     # the venue records the order (and a fill at once) before our notice
        return order

    async def _send(self, intent: OrderIntent, what: str, now: int, then: str) -> Order | Unanswered | None:
        try:
            return await self.broker.place(intent)
        except RetryableError as exc:
            # The order may have reached the venue before the failure: look it up before calling it lost, and
            # never call it failed when the look-up cannot tell.
            found = await look_up(self.broker, intent.client_order_id, intent.symbol)
            if found is not None:
                return found
            error: TradingError = exc
        except TradingError as exc:
            error = exc
        await self.events.emit(notices.order_failed(what, intent.symbol, f"{error}{then}", now))
        return None

    async def _entries(self, positions: Mapping[str, Position], now: int) -> None:
        for client_id, pending in list(self.engine.state.pending.items()):
            order = await look_up(self.broker, client_id, pending.symbol)
            if isinstance(order, Unanswered):
                # its look-up failed: a position showing meanwhile is guarded by its plan (no other entry of the
                # bot's can be in this market), else the next step asks again
                if pending.symbol in positions and pending.symbol not in self.engine.state.positions:
                    await self._entered(client_id, positions[pending.symbol], now)
            elif order is not None and order.filled > 0 and pending.symbol in positions:
                await self._entered(client_id, positions[pending.symbol], now)
            elif order is not None and order.filled > 0 and order.avg_price is not None and order.status.is_final:
                await self._entered_and_gone(client_id, order, order.avg_price, now)
            elif order is None:
                await self._never_placed(client_id, pending.symbol, now)
            elif order.status is OrderStatus.FILLED:
                self.engine.on_entry_ended(client_id)
                await self._audit(now, f"Entry order for {pending.symbol} is filled at an unknown price; the "
                                       f"position is gone")
            elif order.status.is_final:
                self.engine.on_entry_ended(client_id)
                why = self._expiry.expired.pop(client_id, None)
                if why is None:       # a paper venue cancels an entry the gate refuses at its fill: say which brake
                    why = self.engine.vet_new_position(now, EntryOrigin.FILL, pending.symbol).reason
                await self.events.emit(notices.entry_order_ended(pending, order.status.value, now, why))

    async def _never_placed(self, client_id: str, symbol: str, now: int) -> None:
        """Drop a pending entry the exchange has no order for: it never reached it (its outcome was unknown, before
        a restart as after one: the set of unanswered orders is not saved), told in the same words."""
        self.engine.on_entry_ended(client_id)
        self._unanswered.discard(client_id)
        await self.events.emit(notices.unanswered_never_placed("Entry", symbol, client_id, now))

    async def _entered(self, client_id: str, position: Position, now: int) -> None:
        """Guard the position client_id's entry opened with its plan's exits, and tell it."""
        symbol = position.symbol
        self._expiry.expired.pop(client_id, None)      # filled before its cancel
        # asked before it counts; a position already guarded takes its approved plan (resume_approved)
        verdict = ALLOWED if symbol in self.engine.state.positions else \
            self.engine.vet_new_position(now, EntryOrigin.FILL, symbol)
        guard = self.engine.on_position_opened(position, now, client_id)
        entered = notices.position_entered(guard, position, now, self.instruments.get(symbol))
        if client_id in self._unanswered:
            entered = notices.unanswered_found(entered)
        elif client_id in self._resumed:
            entered = notices.plan_resumed(entered)
        self._resumed.discard(client_id)
        self._unanswered.discard(client_id)
        await self.events.emit(entered)
        await self._opened_while_refused(guard, verdict, now)

    async def _entered_and_gone(self, client_id: str, order: Order, price: Decimal, now: int) -> None:
        """Record an entry that filled but whose position is already gone (closed while the bot was down, or
        between two looks) as a trade: opened at its fill, closed as the sync finds it closed."""
        pending = self.engine.state.pending[client_id]
        self._resumed.discard(client_id)
        self._unanswered.discard(client_id)
        opened = Position(pending.symbol, pending.side, order.filled, price,
                          max(order.updated_ms, order.created_ms) or now, fees_paid=order.fee)
        self.engine.on_position_opened(opened, now, client_id)
        await self._audit(now, f"Entry order {client_id} for {pending.symbol} filled at "
                               f"{opened.entry_price:f}, but the position is already gone: recorded as a trade")
        await self._closes.closed(pending.symbol, None, now, {})

    async def _guarded(self, positions: Mapping[str, Position], now: int, marks: Mapping[str, Decimal]) -> None:
        for symbol, guard in list(self.engine.state.positions.items()):
            held = positions.get(symbol)
            held = held if held is not None and held.side is guard.side else None     # None: closed, or reversed
            looked = await look_up(self.broker, guard.exit_in_flight, symbol) if guard.exit_in_flight else None
            if isinstance(looked, Unanswered):
                # the exit may have filled: nothing is recorded nor sent again until its look-up answers
                if held is not None:
                    self.engine.on_position_seen(held)
                continue
            if held is None:
                if not await self._expiry.cancel_rest(guard, now):
                    continue       # a fill of the rest meanwhile would grow the position: guarded, not adopted
                self._unanswered.discard(guard.exit_in_flight)
                await self._closes.closed(symbol, looked, now, marks)
                continue
            self.engine.on_position_seen(held)
            if guard.exit_in_flight and (looked is None or looked.status.is_final):
                await self._exit_ended(guard, looked, held, now)

    async def _exit_ended(self, guard: GuardedPosition, order: Order | None, held: Position, now: int) -> None:
        """Free the position of its exit gone final (or that the exchange says it never had), and tell it."""
        self.engine.on_exit_settled(guard.symbol)
        self._unanswered.discard(guard.exit_in_flight)
        if order is not None and order.filled > 0:
            await self.events.emit(notices.position_reduced(guard, held, now))
        elif order is None:
            # an exit in flight the exchange has no order for never reached it: of unknown outcome before a
            # restart as after one (the set of unanswered orders is not saved), told in the same words
            await self.events.emit(notices.unanswered_never_placed("Exit", guard.symbol, guard.exit_in_flight, now))
        else:
            await self.events.emit(notices.order_failed("Exit", guard.symbol, f"the order was {order.status}", now))

    async def _resume_plans(self, plans: Mapping[str, EntryPlan], now: int) -> None:
        """Take back as entries the journaled plans whose orders the broker holds but the saved state does not
        (the bot killed between sending them and saving): their fills then arm the plans' exits, not defaults."""
        self._journaled.update(plans)          # dropped once the state holding them is saved
        keys = {guard.key for guard in self.engine.state.positions.values()}
        for client_id, plan in plans.items():
            symbol = plan.signal.symbol
            if client_id in self.engine.state.pending or client_id in keys or self.engine.state.busy(symbol):
                continue
            if await look_up(self.broker, client_id, symbol) is None:
                continue           # killed before it was sent: there is no such entry (a failed look-up keeps it)
            self.engine.on_entry_placed(plan, now)
            self._resumed.add(client_id)
            await self._audit(now, f"Took back the {symbol} entry {client_id} from its journaled plan")

    async def _adopt(self, positions: Mapping[str, Position], now: int) -> None:
        entering = {p.symbol for p in self.engine.state.pending.values()}
        for symbol, position in positions.items():
            if symbol in self.engine.state.positions or symbol in entering:
                continue
            instrument = self.instruments.get(symbol)
            step = instrument.amount_step if instrument is not None else ADOPTED_STEP
            verdict = self.engine.vet_new_position(now, EntryOrigin.FILL, symbol)      # before it counts
            guard = self.engine.on_position_opened(position, now, None, step,
                                                   instrument.price_tick if instrument is not None else Decimal(0))
            await self.events.emit(notices.position_adopted(guard, now))
            await self._opened_while_refused(guard, verdict, now)

    async def _opened_while_refused(self, guard: GuardedPosition, verdict: Verdict, now: int) -> None:
        """Warn of a position that opened while the gate refused (a resting entry filled before its cancel, the
        race the loop's pass cannot close): never at start-up, whose positions predate what refuses now."""
        if verdict.allowed or self._starting:
            return
        self._raced.append(guard.symbol)
        flattening = self.engine.state.kill_switch.closes_positions
        levels = guard_levels(guard, self.engine.settings.protection_for(guard.strategy))
        await self.events.emit(notices.filled_while_refused(guard, verdict, (levels.stop, levels.stop_rule),
                                                            flattening, now))

    async def _audit(self, now: int, message: str) -> None:
        await self.events.emit(Event(EventKind.POSITION_UPDATED, now, message, notify=False))


def _entry_order(order: Order, longs: set[str]) -> bool:
    # the bot's own plain order that does not reduce: stops and targets are conditional, futures exits reduce-only,
    # and a sell while a long is held is its exit (spot sells carry no reduce-only flag; a futures /short under a
    # long is refused)
    return (order.client_order_id.startswith(OWN_CLIENT_IDS) and not order.status.is_final and not order.reduce_only
            and order.type in (OrderType.MARKET, OrderType.LIMIT)
            and not (order.side is Side.SELL and order.symbol in longs))
