"""The chat's manual orders: a ticket of figures, then at once (paper), after a confirm (paper /closeall) or
after an approval card and a two-factor code (live, every order). Which is needed is decided here."""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Mapping

from trading.domain.approvals import Approval
from trading.domain.instruments import Instrument
from trading.domain.manual_orders import Leg, ManualOrder, OrderKind, OrderTicket
from trading.domain.orders import Order, Side
from trading.domain.positions import PositionSide
from trading.engine.liquidation import stop_past_liquidation
from trading.engine.margin_tiers import tiers_for
from trading.engine.trading_engine import TradingEngine
from trading.risk.protective_stops import StopState, hard_stop_price
from trading.risk.sizing import trade_leverage
from trading.services.approvals import Approvals
from trading.services.entry_gate import EntryGate
from trading.services.order_outcomes import TicketInterrupted
from trading.services.portfolio import PortfolioService

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Executed:
    """Orders placed at once."""

    ticket: OrderTicket
    orders: tuple[Order, ...]
    note: str = ""       # following an order up after it went out failed: the receipt says so


@dataclass(frozen=True, slots=True)
class NeedsApproval:
    """A live order waiting on its card: Approve, then a code."""

    approval: Approval


@dataclass(frozen=True, slots=True)
class NeedsConfirmation:
    """A paper order that asks for one confirming tap (/closeall)."""

    ticket: OrderTicket


class Tickets:
    """Quotes manual orders: the portfolio's figures plus the stop, target and risk an entry will get."""

    def __init__(self, portfolio: PortfolioService, engine: TradingEngine, instruments: Mapping[str, Instrument]
                 ) -> None:
        self._portfolio = portfolio
        self._engine = engine              # its settings are read at each quote: /set changes them at run time
        self._instruments = instruments

    async def quote(self, order: ManualOrder) -> OrderTicket:
        """Return the ticket of order at today's prices, entries with their protective levels."""
        ticket = await self._portfolio.quote(order)
        if not ticket.opens:
            return ticket
        legs = tuple([await self._levels(leg) for leg in ticket.legs])
        warned = tuple(note for leg in legs if (note := _liquidated_first(leg)))
        return replace(ticket, legs=legs, notes=ticket.notes + warned)

    async def _levels(self, leg: Leg) -> Leg:
        instrument = self._instruments.get(leg.symbol)
        settings = self._engine.settings
        # the leverage the order is placed at (an open position's own when adding): the stop and risk follow it
        leverage = await self._portfolio.entry_leverage(leg.symbol)
        if leverage is None:          # spot, or a portfolio with no engine desk (the venue's own leverage)
            leverage = trade_leverage(instrument, settings.sizing) if instrument is not None else 1
        sign = 1 if leg.side is Side.BUY else -1
        # the guard's hard stop: a loss of HARD_STOP_PCT on the position, a move of HARD_STOP_PCT / leverage
        side = PositionSide.LONG if leg.side is Side.BUY else PositionSide.SHORT
        stop = hard_stop_price(StopState(side, leg.price, ZERO, leg.price, leverage), settings.protection)
        zone = settings.protection.take_profit_zone_pct
        target = leg.price * (1 + sign * zone / HUNDRED / leverage) if zone else None
        if instrument is not None:      # the stop on the tick toward the entry (as on the exchange), never looser
            stop = instrument.round_price_toward(stop, up=sign > 0) if stop is not None else None
            target = instrument.round_price(target) if target is not None else None
        # with the hard stop switched off nothing closes the position before its margin is gone
        at_stake = leg.notional / leverage if stop is None else leg.amount * abs(leg.price - stop)
        risk = at_stake + 2 * leg.fee
        return replace(leg, stop=stop, target=target, risk=risk, leverage=leverage)


def _liquidated_first(leg: Leg) -> str:
    """Return the warning for a futures entry whose hard stop lies at or beyond its liquidation price ('' if none)."""
    side = PositionSide.LONG if leg.side is Side.BUY else PositionSide.SHORT
    liq = stop_past_liquidation(side, leg.price, leg.stop, leg.leverage, tiers_for(leg.symbol))
    if liq is None:
        return ""
    return (f"The hard stop is beyond liquidation at {leg.leverage}x (liquidation ≈ {liq:,.2f}): the position is "
            f"liquidated first; lower HARD_STOP_PCT or the leverage.")


class ManualOrders:
    """Takes a manual order from the chat and says what it needs before it goes out."""

    def __init__(self, tickets: Tickets, portfolio: PortfolioService, approvals: Approvals, gate: EntryGate,
                 live: bool) -> None:
        self.tickets = tickets
        self._portfolio = portfolio
        self.approvals = approvals
        self._gate = gate
        self.live = live

    async def request(self, user_id: int, chat_id: int, order: ManualOrder
                      ) -> Executed | NeedsApproval | NeedsConfirmation:
        """Place order now, or return the card or confirmation it needs first; raise InvalidInput when refused.

        An entry the gate refuses now (a hold, a brake) gets no card: EntryRefused names the rule. The gate is
        asked again right before the order goes out.
        """
        ticket = await self.tickets.quote(order)
        for symbol in ticket.entry_symbols():
            self._gate.check(symbol)
        if self.live:
            return NeedsApproval(await self.approvals.propose(user_id, chat_id, ticket))
        if order.kind is OrderKind.CLOSE_ALL:
            return NeedsConfirmation(ticket)
        return await self._executed(ticket)

    async def close_all(self) -> Executed:
        """Close every open position at market (paper, after the confirming tap)."""
        ticket = await self.tickets.quote(ManualOrder(OrderKind.CLOSE_ALL))
        return await self._executed(ticket)

    async def _executed(self, ticket: OrderTicket) -> Executed:
        try:
            orders = tuple(await self._portfolio.execute(ticket))
        except TicketInterrupted as exc:       # what went out (or may have) is told, never "nothing changed"
            late = self._portfolio.unsettled(exc.placed)
            return Executed(ticket, exc.placed, " ".join(n for n in (str(exc), late) if n))
        return Executed(ticket, orders, self._portfolio.unsettled(orders))
