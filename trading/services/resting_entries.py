"""Resting entry orders kept inside the entry gate: each pass of the loop cancels the ones the gate now refuses.

A paper venue asks the gate again when a resting entry order would fill (EntryGate.vet_fill); an exchange fills
it on its own. So at the end of every pass of the loop (a tick, a candle, a brake engaged) each resting entry
order of the bot whose symbol the gate refuses now is cancelled, paper and live alike: the same call vet_fill
makes (vet_new_position with EntryOrigin.FILL), so one rule decides. Entries are the engine's pending entries and
the user's resting /buy and /short limits, told from the reducing orders as the kill switch tells them
(PositionSync.open_entries). One notice per pass lists what was cancelled with the refusing rule's reason, which
says how to lift it; lifting it places nothing again. An order that fills before its cancel is the sync's to
tell (PositionSync: filled while refused).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from trading.domain.errors import TradingError
from trading.domain.events import Event, EventKind
from trading.domain.instruments import Instrument
from trading.domain.orders import Order, Side
from trading.engine.entry_gate import EntryOrigin
from trading.engine.trading_engine import TradingEngine
from trading.risk.verdicts import Verdict
from trading.services import loop_notices as notices
from trading.services.engine_entries import is_engines_entry
from trading.services.order_outcomes import look_up
from trading.services.event_bus import EventBus
from trading.services.position_sync import PositionSync


class RestingEntries:
    """Cancels the bot's resting entry orders the entry gate refuses, once each, with one notice per pass."""

    def __init__(self, sync: PositionSync, engine: TradingEngine, events: EventBus,
                 instruments: Mapping[str, Instrument]) -> None:
        self._sync, self._engine, self._events = sync, engine, events
        self._instruments = instruments
        self._done: set[str] = set()      # ids cancelled here that the venue may still list
        self._failed: set[str] = set()    # ids whose cancel failed (told once, tried again each pass)

    async def enforce(self, now: int) -> list[Order]:
        """Cancel every resting entry order whose symbol the gate refuses now; notify once; return them."""
        if self._engine.vet_new_position(now, EntryOrigin.FILL).allowed:
            return []        # nothing is refused (a brake, or the count full for a new symbol): no order to look up
        try:
            entries = await self._sync.open_entries()
        except TradingError as exc:        # the next pass looks again
            await self._events.emit(Event(EventKind.ORDER_FAILED, now, f"Could not list the resting entry orders "
                                                                       f"to apply the entry gate: {exc}",
                                          notify=False))
            return []
        listed = {o.id for o in entries}
        self._done &= listed
        self._failed &= listed
        # before the cancels below end them: pending, or the rest of a partly filled one (approved on a card too)
        engines = {o.id for o in entries if is_engines_entry(o, self._engine.state)}
        refused = await self._cancel_refused(entries, now)
        if refused:
            event = notices.entries_refused(refused, now, self._instruments)
            again = self._again([order for order, _ in refused if order.id not in engines])
            await self._events.emit(replace(event, message=f"{event.message}{again}"))
        return [order for order, _ in refused]

    def _again(self, orders: list[Order]) -> str:
        """Return the commands that place the user's cancelled limits again, once the rule is lifted (a live
        restart starts paused and so cancels them: this is how they come back). The engine's own entries are
        left out: its strategy decides again."""
        lines = []
        for order in orders:
            if order.price is None:
                continue
            instrument = self._instruments.get(order.symbol)
            # the exact quote: /buy sizes amount = quote / limit on the step, so this gives the same amount back
            # (a cent rounding gave SHIB 1,000,810 for 1,000,100)
            quote = (order.remaining * order.price).normalize()
            command = "/buy" if order.side is Side.BUY else "/short"
            price = order.price if instrument is None else instrument.round_price(order.price)
            lines.append(f"{command} {order.symbol} {quote:f} limit {price.normalize():f}")
        return "" if not lines else "\nTo place again once it is lifted: " + " ; ".join(lines)

    def forget(self, orders: list[Order], failed: list[Order] | None = None) -> None:
        """Note orders cancelled elsewhere (the kill switch's own sweep): never cancelled or told again; and the
        ones whose cancel failed there and was told (tried again here, not told again)."""
        self._done.update(o.id for o in orders)
        self._failed.update(o.id for o in failed or [])

    async def _cancel_refused(self, entries: list[Order], now: int) -> list[tuple[Order, Verdict]]:
        refused = []
        for order in entries:
            verdict = self._engine.vet_new_position(now, EntryOrigin.FILL, order.symbol)
            if order.id in self._done or verdict.allowed:
                continue
            cancelled = await self._sync.try_cancel(order)
            if isinstance(cancelled, str):
                await self._cancel_failed(order, cancelled, now)
                continue
            self._done.add(order.id)
            refused.append((order, verdict))
            pending = self._engine.state.pending.get(order.client_order_id)
            if pending is not None and order.filled == 0:       # ended here: the sync does not tell it again
                self._engine.on_entry_ended(order.client_order_id)
                await self._events.emit(Event(EventKind.POSITION_UPDATED, now, f"Entry order for {pending.symbol} "
                                              f"cancelled: {verdict.reason}", notify=False))
        return refused

    async def _cancel_failed(self, order: Order, error: str, now: int) -> None:
        """Tell a failed cancel once (tried again each pass); say nothing when the order ended meanwhile (a fill
        is the sync's to tell)."""
        found = await look_up(self._sync.broker, order.client_order_id, order.symbol)
        if isinstance(found, Order) and found.status.is_final or order.id in self._failed:
            return
        self._failed.add(order.id)
        await self._events.emit(notices.order_failed("Cancelling the entry", order.symbol, error, now))
