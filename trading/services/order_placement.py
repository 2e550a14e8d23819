"""Sending manual orders: each leg once, under its client id, followed up after it went out.

An order that went out is never told as "nothing changed": a failure following it up is noted for its receipt,
and one whose answer never came is looked up by its client id (trading/services/order_outcomes.py).
"""
from __future__ import annotations

import secrets
from decimal import Decimal
from typing import TYPE_CHECKING, Awaitable, Callable, Protocol

from trading.domain.errors import InsufficientFunds, InvalidInput, RejectedError, RetryableError, TradingError
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.manual_orders import Leg, ManualOrder
from trading.domain.order_ids import open_order
from trading.domain.orders import Order, OrderIntent, OrderType, Side
from trading.domain.positions import Position
from trading.logs import get_logger
from trading.ports import Clock
from trading.services.entry_gate import EntryGate
from trading.services.entry_rules import refuse_against
from trading.services.guard_levels import GuardLevels
from trading.services.order_legs import OrderLegs
from trading.services.order_outcomes import OrderOutcomeUnknown, found_after
from trading.services.paper_venue import PaperVenue

if TYPE_CHECKING:     # the live venue loads ccxt: only a live run imports it
    from trading.services.live_venue import LiveVenue

log = get_logger(__name__)


class EngineDesk(Protocol):
    """What the trading loop offers the user's own orders (TradingLoop implements it)."""

    async def user_exit(self, symbol: str, client_order_id: str, command: str) -> None:
        """Note the user's exit order before it goes out, so its fill is reported as theirs, once."""
        ...

    async def user_exit_failed(self, symbol: str) -> None:
        """Forget a noted user exit that never reached the venue."""
        ...

    async def reset_account(self, reset_venue: Callable[[], Awaitable[None]]) -> None:
        """Reset the venue and start the engine's risk state over with it."""
        ...

    async def user_order_filled(self) -> None:
        """Take in what the user's filled order changed now, so the next entry's gate counts it."""
        ...

    def guard_levels(self, symbol: str) -> GuardLevels | None:
        """Return the stop and target the engine guards symbol's position with (None: none)."""
        ...

    def entry_leverage(self, instrument: Instrument) -> int:
        """Return the leverage the engine opens a new position in instrument at now (/set changes it)."""
        ...


class OrderPlacement:
    """Sends the legs of manual orders and follows them up."""

    def __init__(self, venue: PaperVenue | LiveVenue, clock: Clock, gate: EntryGate, desk: EngineDesk | None,
                 legs: OrderLegs) -> None:
        self.venue = venue
        self._clock = clock
        self._gate = gate
        self._desk = desk
        self._legs = legs
        self._late: dict[str, str] = {}       # client order id -> why following it up after it went out failed

    async def cancel(self, order_id: str) -> Order:
        """Cancel the open order order_id."""
        found = open_order(await self.venue.broker.open_orders(), order_id)
        order_id = found.id
        try:
            order = await self.venue.broker.cancel(order_id, found.symbol)
        except RetryableError:          # the cancel may have been carried out: never "nothing was changed"
            await self.venue.settle()
            raise OrderOutcomeUnknown(f"The cancel of order {order_id} MAY have reached the exchange: it did not "
                                      f"answer. /orders shows whether the order is still open; cancelling it again "
                                      f"is safe.") from None
        await self.venue.settle()
        return order

    async def entry(self, leg: Leg, client_id: str, typed: str, command: str) -> Order:
        """Send an entry leg, through the entry gate right before it goes out."""
        kind = OrderType.LIMIT if leg.limit is not None else OrderType.MARKET
        client_id = client_id or _client_id()
        held = await self._legs.position(leg.symbol)
        leverage = self._leverage(leg.symbol, held, quoted=leg.leverage)
        if leg.quote_amount is not None:
            intent = OrderIntent(leg.symbol, leg.side, kind, quote_amount=leg.quote_amount, leverage=leverage,
                                 client_order_id=client_id, reason="manual")
        else:
            intent = OrderIntent(leg.symbol, leg.side, kind, amount=leg.amount, price=leg.limit, leverage=leverage,
                                 client_order_id=client_id, reason="manual")
        last = await self._legs.mark(leg.symbol)
        marketable = leg.limit is not None and (leg.limit >= last if leg.side is Side.BUY else leg.limit <= last)
        if held is not None and held.side.entry_order_side is not leg.side:
            # the position changed since the ticket was quoted (a live card waits for its approval)
            refuse_against(command.lstrip("/"), held, self.venue.broker.instrument(leg.symbol))
        self._gate.check(leg.symbol)      # the entry gate, with no await between it and the order going out
        placed = await self._place(intent, last, fill_now=leg.limit is None or marketable, typed=typed)
        await self._settled(placed)
        return placed

    async def entry_leverage(self, symbol: str) -> int | None:
        """Return the leverage an entry in symbol is placed at (None: spot, or the venue's own with no engine)."""
        return self._leverage(symbol, await self._legs.position(symbol))

    def _leverage(self, symbol: str, held: Position | None, quoted: int | None = None) -> int | None:
        instrument = self.venue.broker.instrument(symbol)
        if instrument.kind is not MarketKind.PERP:
            return None
        if held is not None:       # an add: the symbol's leverage is the open position's, never changed under it
            return held.leverage
        if self._desk is None:
            return None
        # the leg's: the one its ticket (a card) showed the stop and risk at, even if /set changed it since
        return quoted if quoted is not None else self._desk.entry_leverage(instrument)

    async def exit(self, leg: Leg, client_id: str, order: ManualOrder) -> Order:
        """Send an exit leg (never gated), noted with the engine first so its fill is told as the user's."""
        client_id = client_id or _client_id()
        intent = OrderIntent(leg.symbol, leg.side, OrderType.MARKET, amount=leg.amount, reduce_only=leg.reduce_only,
                             client_order_id=client_id, reason="manual")
        last = await self._legs.mark(leg.symbol)
        if self._desk is not None:
            await self._desk.user_exit(leg.symbol, client_id, f"/{order.kind.value}")
        try:
            placed = await self._place(intent, last, fill_now=True, typed=order.symbol or leg.symbol)
        except (InvalidInput, RetryableError):       # surely not placed (one of unknown outcome stays noted)
            if self._desk is not None:
                await self._desk.user_exit_failed(leg.symbol)
            raise
        await self._settled(placed)
        return placed

    async def _settled(self, order: Order) -> None:
        # the engine learns of positions on its next tick: two /buy before it passed MAX_OPEN_POSITIONS
        if self._desk is not None and order.filled > 0:
            try:
                await self._desk.user_order_filled()
            except TradingError as exc:        # the order went out: raising would say nothing changed
                self._followed_late(order, exc)

    def _followed_late(self, order: Order, error: TradingError) -> None:
        log.warning("order placed, its follow-up failed", order_id=order.id, client_order_id=order.client_order_id,
                    symbol=order.symbol, error=str(error))
        # the chat gets no error text: an exchange's carries the signed request URL
        self._late[order.client_order_id] = "the exchange is not answering" if isinstance(error, RetryableError) \
            else "the exchange refused a look-up"

    def unsettled(self, orders: list[Order] | tuple[Order, ...]) -> str:
        """Return (once) what the receipt of orders adds when following one up after it went out failed, else ''."""
        failed = [self._late.pop(o.client_order_id) for o in orders if o.client_order_id in self._late]
        if not failed:
            return ""
        return (f"The order went out, but reading it back failed ({failed[0]}): the bot will pick the position "
                f"up at its next check. /positions shows it then; do not place it again.")

    async def _place(self, intent: OrderIntent, last: Decimal, fill_now: bool, typed: str) -> Order:
        broker = self.venue.broker
        broker.on_price(intent.symbol, self._clock.now_ms(), last)   # the venue must know the price it sizes at
        try:
            order = await broker.place(intent)
        except RejectedError as exc:
            await self.venue.settle()
            hint = ". Try a smaller amount; /balance shows what is free" if isinstance(exc, InsufficientFunds) else ""
            raise InvalidInput(f"Order refused{_read_as(typed, intent.symbol)}: {exc}{hint}") from None
        except RetryableError as exc:     # no answer after the retries: the order may have reached the exchange
            found = await found_after(broker, intent.client_order_id, intent.symbol, exc)
            if found is None:             # the exchange answered that it has none: nothing changed
                raise
            order = found
        try:
            if fill_now:
                await self.venue.trade_at(intent.symbol, last)
            else:
                await self.venue.settle()
            return await broker.find_by_client_id(order.client_order_id, order.symbol) or order
        except TradingError as exc:         # the order is out: say so, never "nothing was changed"
            self._followed_late(order, exc)
            return order


def _client_id() -> str:
    # random, not clock-based: a replayed clock repeats itself across restarts, and a venue answers a
    # known client id with the old order instead of placing the new one
    return f"manual-{secrets.token_hex(8)}"


def _read_as(typed: str, symbol: str) -> str:
    # say how a shortened symbol was read, so a refusal about "BTC" names the market it is about
    return "" if typed.strip().upper() == symbol else f" ({typed.strip()} read as {symbol})"
