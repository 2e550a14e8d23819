"""Use cases of the account: balance, positions, orders, trades, and manual orders from the chat."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.adapters.sqlite_ledger import ExecutionLedger, TradeRow
from trading.domain.errors import BadSymbol, InvalidInput, RejectedError, echoed
from trading.domain.manual_orders import Leg, ManualOrder, OrderKind, OrderTicket, Size, SizeKind
from trading.domain.orders import Order, OrderIntent, OrderType, Side
from trading.domain.positions import Position, PositionSide
from trading.domain.symbols import resolve_symbol
from trading.engine.account import AccountSummary
from trading.ports import Clock, MarketData
from trading.services.paper_venue import PaperVenue


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

    @property
    def unrealized(self) -> Decimal:
        """Return the PnL if closed at the mark, before fees."""
        return self.position.unrealized_pnl(self.mark)

    @property
    def unrealized_pct(self) -> Decimal:
        """Return the PnL as a percentage of the margin (of the cost for spot)."""
        return self.position.unrealized_pct(self.mark) * self.position.leverage


class PortfolioService:
    """Reads the account and places manual orders; orders fill at once in paper."""

    def __init__(self, venue: PaperVenue, ledger: ExecutionLedger, market: MarketData, clock: Clock,
                 mode: str, manual_orders_refused: str | None = None) -> None:
        self.venue = venue
        self._ledger = ledger
        self._market = market
        self._clock = clock
        self.mode = mode
        self._refused = manual_orders_refused

    async def balance(self) -> BalanceReport:
        """Return cash, equity and PnL against the starting balance."""
        broker = self.venue.broker
        return BalanceReport(self.mode, self.venue.market_type, broker.summary(), await broker.balances(),
                             broker.starting_balance)

    async def positions(self) -> list[PositionView]:
        """Return the open positions with their marks."""
        positions = await self.venue.broker.positions()
        return [PositionView(p, await self._mark(p.symbol)) for p in positions]

    async def open_orders(self) -> list[Order]:
        """Return the orders not yet final."""
        return await self.venue.broker.open_orders()

    async def trades(self, limit: int) -> list[TradeRow]:
        """Return the newest fills."""
        return await self._ledger.recent_trades(limit)

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
        """Start the paper account over; return its starting balance."""
        await self.venue.reset()
        return self.venue.broker.starting_balance

    # ---- manual orders: a ticket of figures, then its execution --------------------------------

    async def quote(self, order: ManualOrder) -> OrderTicket:
        """Return the ticket of a manual order: its legs with the estimated fill, size and fees, from now's prices."""
        self._check_allowed()
        if order.kind is OrderKind.CANCEL:
            legs = [await self._cancel_leg(order.order_id)]
        elif order.kind is OrderKind.CLOSE_ALL:
            legs = [await self._exit_leg(p.symbol, p.side, Size(SizeKind.ALL), "/closeall")
                    for p in await self.venue.broker.positions()]
            if not legs:
                raise InvalidInput("No open position to close. /positions lists what is open.")
        elif order.kind.opens:
            legs = [await self._entry_leg(order)]
        else:
            legs = [await self._exit_from(order)]
        return OrderTicket(order, tuple(legs), self._clock.now_ms())

    async def execute(self, ticket: OrderTicket, client_order_ids: tuple[str, ...] = ()) -> list[Order]:
        """Carry out a ticket's legs, in order, each with its client id when given (an approval's)."""
        self._check_allowed()
        done = []
        for i, leg in enumerate(ticket.legs):
            client_id = client_order_ids[i] if i < len(client_order_ids) else ""
            done.append(await self._cancel(leg.cancel_id) if leg.cancel_id else await self._place_leg(leg, client_id))
        return done

    async def _one(self, order: ManualOrder) -> Order:
        return (await self.execute(await self.quote(order)))[0]

    async def _entry_leg(self, order: ManualOrder) -> Leg:
        if order.kind is OrderKind.SHORT and self.venue.market_type != "futures":
            raise InvalidInput("Shorting needs futures mode: set MARKET_TYPE=futures. In spot, /sell sells holdings.")
        symbol = await self._symbol(order.symbol)
        if order.quote <= 0 or (order.limit is not None and order.limit <= 0):
            raise InvalidInput("Amounts and prices must be positive.")
        instrument = (await self._market.instruments())[symbol]
        last = await self._mark(symbol)
        price = order.limit if order.limit is not None else last
        side = Side.BUY if order.kind is OrderKind.BUY else Side.SELL
        fee = order.quote * instrument.taker_fee
        if order.limit is None and side is Side.BUY and self.venue.market_type == "spot":
            return Leg(symbol, side, instrument.round_amount(order.quote / price), price, fee, quote_amount=order.quote)
        return Leg(symbol, side, order.quote / price, price, fee, limit=order.limit)

    async def _exit_from(self, order: ManualOrder) -> Leg:
        symbol = await self._symbol(order.symbol)
        position = await self._position(symbol)
        if order.kind is OrderKind.CLOSE:
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
        amount = _exit_amount(position.amount, size, command)
        last = await self._mark(symbol)
        instrument = (await self._market.instruments()).get(symbol)
        fee = amount * last * (instrument.taker_fee if instrument is not None else Decimal(0))
        return Leg(symbol, side.entry_order_side.opposite, amount, last, fee,
                   reduce_only=self.venue.market_type == "futures")

    async def _cancel_leg(self, order_id: str) -> Leg:
        match = [o for o in await self.venue.broker.open_orders() if o.id == order_id]
        if not match:
            raise InvalidInput(f"No open order {echoed(order_id)}. /orders lists the open ones with their ids.")
        order = match[0]
        return Leg(order.symbol, order.side, order.remaining, order.price or Decimal(0), Decimal(0),
                   limit=order.price, cancel_id=order.id)

    async def _cancel(self, order_id: str) -> Order:
        match = [o for o in await self.venue.broker.open_orders() if o.id == order_id]
        if not match:
            raise InvalidInput(f"No open order {echoed(order_id)}. /orders lists the open ones with their ids.")
        order = await self.venue.broker.cancel(order_id, match[0].symbol)
        await self.venue.settle()
        return order

    async def _place_leg(self, leg: Leg, client_id: str) -> Order:
        kind = OrderType.LIMIT if leg.limit is not None else OrderType.MARKET
        if leg.quote_amount is not None:
            intent = OrderIntent(leg.symbol, leg.side, kind, quote_amount=leg.quote_amount,
                                 client_order_id=client_id, reason="manual")
        else:
            intent = OrderIntent(leg.symbol, leg.side, kind, amount=leg.amount, price=leg.limit,
                                 reduce_only=leg.reduce_only, client_order_id=client_id, reason="manual")
        return await self._place(intent, await self._mark(leg.symbol))

    async def _place(self, intent: OrderIntent, last: Decimal) -> Order:
        broker = self.venue.broker
        broker.on_price(intent.symbol, self._clock.now_ms(), last)   # the venue must know the price it sizes at
        try:
            order = await broker.place(intent)
        except RejectedError as exc:
            await self.venue.settle()
            raise InvalidInput(f"Order refused: {exc}") from None
        if intent.type is OrderType.MARKET:
            await self.venue.trade_at(intent.symbol, last)
        else:
            await self.venue.settle()
        return await broker.find_by_client_id(order.client_order_id, order.symbol) or order

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


def _exit_amount(held: Decimal, size: Size, command: str) -> Decimal:
    if size.kind is SizeKind.ALL:
        return held
    if size.kind is SizeKind.PERCENT:
        if not 0 < size.value <= 100:
            raise InvalidInput(f"A percentage must be between 0 and 100, e.g. {command} BTC/USDT 50%")
        return held * size.value / 100
    if size.value <= 0:
        raise InvalidInput(f"The amount must be positive, e.g. {command} BTC/USDT 0.01")
    if size.value > held:
        raise InvalidInput(f"You hold {held.normalize():f}; {command} at most that, or say all.")
    return size.value
