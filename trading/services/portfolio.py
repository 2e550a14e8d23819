"""Use cases of the account: balance, positions, orders, trades, and manual orders from the chat.

The legs of a manual order are figured in order_legs.py and sent in order_placement.py; the views it returns
live in portfolio_views.py (re-exported here, with EngineDesk and the order sizes, for the callers).
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from trading.domain.errors import InvalidInput, TradingError
from trading.domain.instruments import Instrument
from trading.domain.manual_orders import Leg, ManualOrder, OrderKind, OrderTicket, Size, SizeKind
from trading.domain.orders import Order
from trading.ports import Clock, MarketData
from trading.services.entry_gate import EntryGate
from trading.services.order_legs import OrderLegs
from trading.services.order_outcomes import OrderOutcomeUnknown, interrupted
from trading.services.order_placement import EngineDesk, OrderPlacement
from trading.services.paper_venue import PaperVenue
from trading.services.portfolio_views import BalanceReport, PositionView, amount_step, price_tick

if TYPE_CHECKING:     # the live venue loads ccxt: only a live run imports it
    from trading.services.live_venue import LiveVenue

__all__ = ["BalanceReport", "EngineDesk", "PortfolioService", "PositionView", "Size", "SizeKind"]


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
        self._desk = desk
        self._refused = manual_orders_refused
        self._legs = OrderLegs(venue, market)
        self._placement = OrderPlacement(venue, clock, gate, desk, self._legs)

    async def balance(self) -> BalanceReport:
        """Return cash, equity and PnL against the starting balance."""
        broker = self.venue.broker
        balances = await broker.balances()      # first: a live summary reads the wallet this refreshes
        return BalanceReport(self.mode, self.venue.market_type, broker.summary(), balances, broker.starting_balance)

    async def positions(self) -> list[PositionView]:
        """Return the open positions with their marks."""
        positions = await self.venue.broker.positions()
        instruments = await self._market.instruments()
        desk = self._desk
        return [PositionView(p, await self._legs.mark(p.symbol), price_tick(instruments.get(p.symbol)),
                             amount_step(instruments.get(p.symbol)),
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
            legs = [await self._legs.cancel(order.order_id)]
        elif order.kind is OrderKind.CLOSE_ALL:
            legs, dust = await self._legs.close_all()
            return OrderTicket(order, tuple(legs), self._clock.now_ms(), notes=tuple(dust))
        elif order.kind.opens:
            leg = await self._legs.entry(order)
            # the leverage it is placed at, bound with the figures: a /set before the code re-quotes the card
            legs = [replace(leg, leverage=await self.entry_leverage(leg.symbol) or 1)]
        else:
            legs = [await self._legs.exit_from(order)]
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
            return await self._placement.cancel(leg.cancel_id)
        if ticket.opens:
            return await self._placement.entry(leg, client_id, ticket.order.symbol, f"/{ticket.order.kind.value}")
        return await self._placement.exit(leg, client_id, ticket.order)

    async def entry_leverage(self, symbol: str) -> int | None:
        """Return the leverage a manual entry in symbol is placed at: an open position's own, else the setting now."""
        return await self._placement.entry_leverage(symbol)

    def unsettled(self, orders: list[Order] | tuple[Order, ...]) -> str:
        """Return (once) what the receipt of orders adds when following one up after it went out failed, else ''."""
        return self._placement.unsettled(orders)

    async def _one(self, order: ManualOrder) -> Order:
        return (await self.execute(await self.quote(order)))[0]

    def _check_allowed(self) -> None:
        if self._refused:
            raise InvalidInput(self._refused)
