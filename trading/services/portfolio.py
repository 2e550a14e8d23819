"""Use cases of the account: balance, positions, orders, trades, and manual orders from the chat."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Awaitable, Callable, Protocol

from trading.domain.errors import (BadSymbol, InsufficientFunds, InvalidInput, RejectedError, RetryableError,
                                    TradingError, echoed)
from trading.domain.instruments import Instrument
from trading.domain.manual_orders import Leg, ManualOrder, OrderKind, OrderTicket, Size, SizeKind
from trading.domain.orders import Order, OrderIntent, OrderType, Side
from trading.domain.positions import Position, PositionSide
from trading.domain.symbols import resolve_symbol
from trading.engine.account import AccountSummary
from trading.logs import get_logger
from trading.ports import Clock, MarketData
from trading.services.entry_gate import EntryGate
from trading.services.entry_rules import check_limit_band, check_minimum, refuse_against
from trading.services.guard_levels import GuardLevels
from trading.services.order_outcomes import OrderOutcomeUnknown, found_after, interrupted
from trading.services.exit_sizes import DustHolding, exit_amount, exit_on_step, refuse_stranded_rest
from trading.services.paper_venue import PaperVenue

if TYPE_CHECKING:     # the live venue loads ccxt: only a live run imports it
    from trading.services.live_venue import LiveVenue

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class BalanceReport:
    """What /balance shows."""

    mode: str
    market_type: str
    summary: AccountSummary
    assets: dict[str, Decimal]
    starting_balance: Decimal

    @property
    def pnl(self) -> Decimal:
        """Return equity minus the starting balance."""
        return self.summary.equity - self.starting_balance


@dataclass(frozen=True, slots=True)
class PositionView:
    """An open position marked to the last price."""

    position: Position
    mark: Decimal
    tick: Decimal | None = None        # the market's price tick: every price is shown on it
    step: Decimal | None = None        # the market's amount step: the amount is shown on it
    # the stop and target the engine guards it with; None when no engine runs (the broker's own then)
    guard: GuardLevels | None = None
    guarded: bool = False              # an engine runs and was asked (guard None then: it guards none)

    @property
    def unrealized(self) -> Decimal:
        """Return the PnL if closed at the mark, before fees."""
        return self.position.unrealized_pnl(self.mark)

    @property
    def unrealized_pct(self) -> Decimal:
        """Return the PnL as a percentage of the margin (of the cost for spot)."""
        return self.position.unrealized_pct(self.mark) * self.position.leverage


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


class PortfolioService:
    """Reads the account and places manual orders; orders fill at once in paper.

    Every order that opens or grows a position passes the entry gate right before it goes out; orders
    that only reduce (/sell, /cover, /close) never do.
    """

    def __init__(self, venue: PaperVenue | LiveVenue, market: MarketData, clock: Clock, mode: str, gate: EntryGate,
                 desk: EngineDesk | None = None, manual_orders_refused: str | None = None) -> None:
        self.venue = venue
        self._market = market
        self._clock = clock
        self.mode = mode
        self._gate = gate
        self._desk = desk
        self._late: dict[str, str] = {}       # client order id -> why following it up after it went out failed
        self._refused = manual_orders_refused

    async def balance(self) -> BalanceReport:
        """Return cash, equity and PnL against the starting balance."""
        broker = self.venue.broker
        return BalanceReport(self.mode, self.venue.market_type, broker.summary(), await broker.balances(),
                             broker.starting_balance)

    async def positions(self) -> list[PositionView]:
        """Return the open positions with their marks."""
        positions = await self.venue.broker.positions()
        instruments = await self._market.instruments()
        desk = self._desk
        return [PositionView(p, await self._mark(p.symbol), _tick(instruments.get(p.symbol)),
                             _step(instruments.get(p.symbol)),
                             desk.guard_levels(p.symbol) if desk is not None else None, desk is not None)
                for p in positions]

    async def open_orders(self) -> list[Order]:
        """Return the orders not yet final."""
        return await self.venue.broker.open_orders()

    async def markets(self) -> dict[str, Instrument]:
        """Return the markets by symbol, with the tick and step every price and amount is shown on."""
        return await self._market.instruments()

    async def buy(self, symbol_text: str, quote: Decimal, limit: Decimal | None = None) -> Order:
        """Buy quote worth of symbol (spot), or open/add to a long (futures); at market unless limit."""
        return await self._one(ManualOrder(OrderKind.BUY, symbol_text, quote, limit))

    async def short(self, symbol_text: str, quote: Decimal, limit: Decimal | None = None) -> Order:
        """Open or add to a short worth quote (futures only)."""
        return await self._one(ManualOrder(OrderKind.SHORT, symbol_text, quote, limit))

    async def sell(self, symbol_text: str, size: Size) -> Order:
        """Sell holdings (spot) or reduce a long (futures)."""
        return await self._one(ManualOrder(OrderKind.SELL, symbol_text, size=size))

    async def cover(self, symbol_text: str, size: Size) -> Order:
        """Buy back part or all of a short (futures only)."""
        return await self._one(ManualOrder(OrderKind.COVER, symbol_text, size=size))

    async def close(self, symbol_text: str) -> Order:
        """Close the whole position in symbol at market."""
        return await self._one(ManualOrder(OrderKind.CLOSE, symbol_text))

    async def cancel(self, order_id: str) -> Order:
        """Cancel an open order by its id."""
        return await self._one(ManualOrder(OrderKind.CANCEL, order_id=order_id))

    async def reset(self) -> Decimal:
        """Start the paper account over, and the risk state with it; return its starting balance."""
        if self._desk is not None:
            await self._desk.reset_account(self.venue.reset)
        else:
            await self.venue.reset()
        return self.venue.broker.starting_balance

    # ---- manual orders: a ticket of figures, then its execution --------------------------------

    async def quote(self, order: ManualOrder) -> OrderTicket:
        """Return the ticket of a manual order: its legs with the estimated fill, size and fees, from now's prices."""
        self._check_allowed()
        if order.kind is OrderKind.CANCEL:
            legs = [await self._cancel_leg(order.order_id)]
        elif order.kind is OrderKind.CLOSE_ALL:
            legs, dust = await self._close_all_legs()
            return OrderTicket(order, tuple(legs), self._clock.now_ms(), notes=tuple(dust))
        elif order.kind.opens:
            legs = [await self._entry_leg(order)]
        else:
            legs = [await self._exit_from(order)]
        return OrderTicket(order, tuple(legs), self._clock.now_ms())

    async def execute(self, ticket: OrderTicket, client_order_ids: tuple[str, ...] = ()) -> list[Order]:
        """Carry out a ticket's legs, in order, each with its client id when given (an approval's)."""
        self._check_allowed()
        done: list[Order] = []
        for i, leg in enumerate(ticket.legs):
            client_id = client_order_ids[i] if i < len(client_order_ids) else ""
            try:
                done.append(await self._leg(ticket, leg, client_id))
            except TradingError as exc:
                # what went out stands: a refusal after it, or a leg that may have gone out, never reads as nothing
                if done or isinstance(exc, OrderOutcomeUnknown):
                    raise interrupted(exc, done, len(ticket.legs) - i - 1) from None
                raise
        return done

    async def _leg(self, ticket: OrderTicket, leg: Leg, client_id: str) -> Order:
        if leg.cancel_id:
            return await self._cancel(leg.cancel_id)
        if ticket.opens:
            return await self._place_entry(leg, client_id, ticket.order.symbol, f"/{ticket.order.kind.value}")
        return await self._place_exit(leg, client_id, ticket.order)

    async def _one(self, order: ManualOrder) -> Order:
        return (await self.execute(await self.quote(order)))[0]

    async def _entry_leg(self, order: ManualOrder) -> Leg:
        if order.kind is OrderKind.SHORT and self.venue.market_type != "futures":
            raise InvalidInput("Shorting needs futures mode: set MARKET_TYPE=futures. In spot, /sell sells holdings.")
        symbol = await self._symbol(order.symbol)
        quote, limit = order.quote, order.limit
        if quote <= 0 or (limit is not None and limit <= 0):
            raise InvalidInput("Amounts and prices must be positive.")
        side = Side.BUY if order.kind is OrderKind.BUY else Side.SELL
        last = await self._mark(symbol)
        instrument = self.venue.broker.instrument(symbol)
        if limit is not None:
            check_limit_band(limit, last, instrument, self.venue.market_type == "futures")
        marketable = limit is not None and (limit >= last if side is Side.BUY else limit <= last)
        # sized where it fills, so it takes the quote asked: a resting limit at its price, a marketable one (and a
        # market order) at the market (at its limit, a short limit 5% under the market took 5% more)
        expected = limit if limit is not None and not marketable else last
        spot_market_buy = limit is None and side is Side.BUY and self.venue.market_type == "spot"
        # the exchange checks its minimum at the limit price (under the market for a marketable sell limit)
        check_minimum(instrument, side, quote, limit if limit is not None else last, spot_market_buy, limit,
                      sized_at=expected)
        # on the step, as the exchange gets it: the card, the code prompt and the order show the same figure
        amount = instrument.round_amount(quote / expected)
        fee = (quote if spot_market_buy else amount * expected) * instrument.taker_fee
        held = await self._position(symbol)
        if held is not None and held.side.entry_order_side is not side:
            refuse_against(order.kind.value, held, instrument)
        return Leg(symbol, side, amount, expected, fee, quote_amount=quote if spot_market_buy else None,
                   limit=limit, price_tick=instrument.price_tick, amount_step=instrument.amount_step)

    async def _close_all_legs(self) -> tuple[list[Leg], list[str]]:
        # a dust holding no order can sell is left and named: refusing it refused every other position too
        legs, dust = [], []
        for position in await self.venue.broker.positions():
            try:
                legs.append(await self._exit_leg(position.symbol, position.side, Size(SizeKind.ALL), "/closeall"))
            except DustHolding as exc:
                dust.append(exc.left)
        if not legs:
            left = f" ({'; '.join(dust)})" if dust else ""
            raise InvalidInput(f"No open position to close{left}. /positions lists what is open.")
        return legs, dust

    async def _exit_from(self, order: ManualOrder) -> Leg:
        symbol = await self._symbol(order.symbol)
        if order.kind is OrderKind.CLOSE:
            position = await self._position(symbol)
            if position is None:
                raise InvalidInput(f"No open position in {symbol}. /positions lists what is open.")
            return await self._exit_leg(symbol, position.side, Size(SizeKind.ALL), "/close")
        side = PositionSide.LONG if order.kind is OrderKind.SELL else PositionSide.SHORT
        if side is PositionSide.SHORT and self.venue.market_type != "futures":
            raise InvalidInput("/cover is for shorts, which need futures mode (MARKET_TYPE=futures).")
        return await self._exit_leg(symbol, side, order.size, f"/{order.kind.value}")

    async def _exit_leg(self, symbol: str, side: PositionSide, size: Size, command: str) -> Leg:
        position = await self._position(symbol)
        if position is None or position.side is not side:
            raise InvalidInput(f"No {side} position in {symbol} for {command}. /positions lists what is open.")
        amount = exit_amount(position.amount, size, command)
        last = await self._mark(symbol)
        instrument = (await self._market.instruments()).get(symbol)
        if instrument is not None:        # on the step, as the exchange gets it (down: never more than held)
            # a futures exit is reduce-only, which the exchange lets under the minimum order value (price 0: unchecked)
            smallest = max(instrument.min_amount, instrument.amount_step) if self.venue.market_type == "futures" \
                else instrument.min_order_amount(last)
            amount = exit_on_step(instrument, amount, position.amount, smallest, command,
                                  last if self.venue.market_type == "spot" else Decimal(0))
            if size.kind is not SizeKind.ALL:
                refuse_stranded_rest(instrument, amount, position.amount, smallest, command)
        fee = amount * last * (instrument.taker_fee if instrument is not None else Decimal(0))
        return Leg(symbol, side.entry_order_side.opposite, amount, last, fee,
                   reduce_only=self.venue.market_type == "futures", price_tick=_tick(instrument),
                   amount_step=_step(instrument))

    async def _cancel_leg(self, order_id: str) -> Leg:
        match = [o for o in await self.venue.broker.open_orders() if o.id == order_id]
        if not match:
            raise InvalidInput(f"No open order {echoed(order_id)}. /orders lists the open ones with their ids.")
        order = match[0]
        instrument = (await self._market.instruments()).get(order.symbol)
        return Leg(order.symbol, order.side, order.remaining, order.price or Decimal(0), Decimal(0),
                   limit=order.price, cancel_id=order.id, price_tick=_tick(instrument),
                   amount_step=_step(instrument))

    async def _cancel(self, order_id: str) -> Order:
        match = [o for o in await self.venue.broker.open_orders() if o.id == order_id]
        if not match:
            raise InvalidInput(f"No open order {echoed(order_id)}. /orders lists the open ones with their ids.")
        order = await self.venue.broker.cancel(order_id, match[0].symbol)
        await self.venue.settle()
        return order

    async def _place_entry(self, leg: Leg, client_id: str, typed: str, command: str) -> Order:
        kind = OrderType.LIMIT if leg.limit is not None else OrderType.MARKET
        client_id = client_id or _client_id()
        if leg.quote_amount is not None:
            intent = OrderIntent(leg.symbol, leg.side, kind, quote_amount=leg.quote_amount,
                                 client_order_id=client_id, reason="manual")
        else:
            intent = OrderIntent(leg.symbol, leg.side, kind, amount=leg.amount, price=leg.limit,
                                 client_order_id=client_id, reason="manual")
        held = await self._position(leg.symbol)
        last = await self._mark(leg.symbol)
        marketable = leg.limit is not None and (leg.limit >= last if leg.side is Side.BUY else leg.limit <= last)
        if held is not None and held.side.entry_order_side is not leg.side:
            # the position changed since the ticket was quoted (a live card waits for its approval)
            refuse_against(command.lstrip("/"), held, self.venue.broker.instrument(leg.symbol))
        self._gate.check(leg.symbol)      # the entry gate, with no await between it and the order going out
        placed = await self._place(intent, last, fill_now=leg.limit is None or marketable, typed=typed)
        await self._settled(placed)
        return placed

    async def _place_exit(self, leg: Leg, client_id: str, order: ManualOrder) -> Order:
        client_id = client_id or _client_id()
        intent = OrderIntent(leg.symbol, leg.side, OrderType.MARKET, amount=leg.amount, reduce_only=leg.reduce_only,
                             client_order_id=client_id, reason="manual")
        last = await self._mark(leg.symbol)
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

    async def _position(self, symbol: str) -> Position | None:
        return next((p for p in await self.venue.broker.positions() if p.symbol == symbol), None)

    async def _symbol(self, text: str) -> str:
        try:
            return resolve_symbol(text, list(await self._market.instruments()))
        except BadSymbol as exc:
            raise InvalidInput(str(exc)) from None

    async def _mark(self, symbol: str) -> Decimal:
        return (await self._market.ticker(symbol)).last

    def _check_allowed(self) -> None:
        if self._refused:
            raise InvalidInput(self._refused)


def _client_id() -> str:
    # random, not clock-based: a replayed clock repeats itself across restarts, and a venue answers a
    # known client id with the old order instead of placing the new one
    return f"manual-{secrets.token_hex(8)}"


def _read_as(typed: str, symbol: str) -> str:
    # say how a shortened symbol was read, so a refusal about "BTC" names the market it is about
    return "" if typed.strip().upper() == symbol else f" ({typed.strip()} read as {symbol})"


def _tick(instrument: Instrument | None) -> Decimal | None:
    return instrument.price_tick if instrument is not None else None


def _step(instrument: Instrument | None) -> Decimal | None:
    return instrument.amount_step if instrument is not None else None
