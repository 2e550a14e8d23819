"""A USDT-M futures account in one-way mode with isolated margin: leverage, PnL, funding, liquidation."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from trading.domain.errors import InvalidOrder
from trading.domain.frozen import changed
from trading.domain.instruments import Instrument
from trading.domain.money import booked, share
from trading.domain.orders import Order, OrderType, Side
from trading.domain.positions import Position, PositionSide
from trading.engine.account import (ZERO, AccountSummary, ChangeKind, PositionChange,
                                    Reservations, require_funds)
from trading.engine.funding import funding_payment
from trading.engine.liquidation import liquidation_price
from trading.engine.margin_tiers import BINANCE_USDM_TIERS, MarginTier, max_notional_at, tiers_for
from trading.engine.position_changes import add_to_position, open_position, reduce_position
from trading.engine.snapshots import from_plain, to_plain

CONDITIONAL = (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET)


def _margin(amount: Decimal, price: Decimal, leverage: int) -> Decimal:
    # notional / leverage rarely ends (1/3x): booked, so wallet and margins always add up exactly
    return booked(amount * price / leverage)


def _side_of(order_side: Side) -> PositionSide:
    return PositionSide.LONG if order_side is Side.BUY else PositionSide.SHORT


class FuturesAccount:
    """Wallet and isolated positions of a USDT-M account; at most one position (long or short) per symbol.

    `cash` is the wallet outside positions; each position carries its isolated margin, which absorbs
    funding and is lost whole at liquidation. Fees are paid from cash when opening and from the
    released margin when closing. A close that loses more than its margin (a gap past the liquidation
    price) costs the margin only, as the exchange's insurance fund covers the rest: no balance goes negative.
    """

    kind = "futures"

    def __init__(self, starting_balance: Decimal, quote: str = "USDT", *, default_leverage: int = 5,
                 leverage_cap: int = 20,
                 tiers: Mapping[str, tuple[MarginTier, ...]] = BINANCE_USDM_TIERS) -> None:
        self.quote = quote
        self.default_leverage = default_leverage
        self.leverage_cap = leverage_cap
        self._tiers = tiers
        self._cash = starting_balance
        self._positions: dict[str, Position] = {}
        self._leverage: dict[str, int] = {}
        self._held = Reservations()

    @property
    def available(self) -> Decimal:
        """Return the cash not held for open orders."""
        return self._cash - self._held.total(self.quote)

    def leverage_for(self, instrument: Instrument, requested: int | None) -> int:
        """Return the leverage an order on instrument uses, or raise InvalidOrder naming the allowed range."""
        position = self._positions.get(instrument.symbol)
        if position is not None:
            if requested is not None and requested != position.leverage:
                raise InvalidOrder(f"{instrument.symbol} has an open {position.leverage}x position; "
                                   f"close it before changing the leverage to {requested}x")
            return position.leverage
        leverage = requested if requested is not None else self._leverage.get(instrument.symbol,
                                                                               self.default_leverage)
        cap = min(self.leverage_cap, instrument.max_leverage) if instrument.max_leverage > 1 else self.leverage_cap
        if not 1 <= leverage <= cap:
            raise InvalidOrder(f"leverage {leverage}x is not allowed for {instrument.symbol}; use 1x to {cap}x")
        return leverage

    def reserve(self, order: Order, instrument: Instrument, estimate: Decimal,
                quote_budget: Decimal | None, leverage: int | None) -> None:
        """Check margin and fee for the part of the order that opens exposure, and hold them."""
        if quote_budget is not None:
            raise InvalidOrder("futures orders take an amount in base units, not a quote amount")
        if order.reduce_only:
            return      # nothing up front: a close's fee comes out of the margin it releases
        lev = self.leverage_for(instrument, leverage)
        opening = order.amount - self.reducible(order.symbol, order.side)
        need = ZERO
        if opening > 0:
            self._check_bracket(instrument.symbol, order.side, opening, estimate, lev)
            need = _margin(opening, estimate, lev) + booked(opening * estimate * instrument.taker_fee)
        if order.type in CONDITIONAL:
            require_funds(self.quote, need, self.available, money=True)   # held only once it triggers
        else:
            self._held.hold(order.id, self.quote, need, self.available, money=True)
        # Like the exchange, leverage is a setting of the symbol, which the latest opening order sets.
        self._leverage[instrument.symbol] = lev

    def _check_bracket(self, symbol: str, side: Side, opening: Decimal, price: Decimal, leverage: int) -> None:
        position = self._positions.get(symbol)
        held = position.amount if position is not None and position.side is _side_of(side) else ZERO
        notional = (opening + held) * price
        allowed = max_notional_at(tiers_for(symbol, self._tiers), leverage)
        if notional > allowed:
            raise InvalidOrder(f"a {symbol} position of {notional:.2f} {self.quote} is above the "
                               f"{allowed:.0f} {self.quote} allowed at {leverage}x")

    def release(self, order_id: str) -> None:
        """Free what an order held."""
        self._held.release(order_id)

    def reducible(self, symbol: str, side: Side) -> Decimal:
        """Return how much an order on side closes of the position in symbol (0 if it would add or open)."""
        position = self._positions.get(symbol)
        if position is None or position.side is _side_of(side):
            return ZERO
        return position.amount

    def settle(self, order: Order, instrument: Instrument, amount: Decimal, price: Decimal,
               fee: Decimal, ts_ms: int) -> list[PositionChange]:
        """Apply a fill: close what it closes, then open or add with the rest; a reversal does both."""
        closing = min(amount, self.reducible(order.symbol, order.side))
        opening = ZERO if order.reduce_only else amount - closing
        close_fee = share(fee, closing, amount)
        position = self._positions.get(order.symbol)
        leverage = position.leverage if position is not None and closing == 0 else \
            self._leverage.get(order.symbol, self.default_leverage)
        if opening > 0:
            cash_after_close = self.available + self._close_proceeds(order.symbol, closing, price, close_fee)
            require_funds(self.quote, _margin(opening, price, leverage) + fee - close_fee, cash_after_close,
                          money=True)
        changes: list[PositionChange] = []
        if closing > 0:
            changes.append(self._close(order.symbol, closing, price, close_fee))
        if opening > 0:
            changes.append(self._open(instrument, order.side, opening, price, fee - close_fee, ts_ms, leverage))
        return changes

    def _close_proceeds(self, symbol: str, amount: Decimal, price: Decimal, fee: Decimal) -> Decimal:
        if amount == 0:
            return ZERO
        _, realized, released = reduce_position(self._positions[symbol], amount, price, fee)
        return max(released + realized - fee, ZERO)

    def _close(self, symbol: str, amount: Decimal, price: Decimal, fee: Decimal) -> PositionChange:
        proceeds = self._close_proceeds(symbol, amount, price, fee)
        reduced, realized, _ = reduce_position(self._positions[symbol], amount, price, fee)
        self._cash += proceeds
        if reduced.amount == 0:
            del self._positions[symbol]
            return PositionChange(ChangeKind.CLOSED, changed(reduced, amount=amount), realized)
        return PositionChange(ChangeKind.UPDATED, self._put(reduced), realized)

    def _open(self, instrument: Instrument, side: Side, amount: Decimal, price: Decimal, fee: Decimal,
              ts_ms: int, leverage: int) -> PositionChange:
        margin = _margin(amount, price, leverage)
        self._cash -= margin + fee
        position = self._positions.get(instrument.symbol)
        if position is None:
            position = open_position(instrument.symbol, _side_of(side), amount, price, fee, ts_ms,
                                     margin=margin, leverage=leverage)
            kind = ChangeKind.OPENED
        else:
            position = add_to_position(position, amount, price, fee, margin=margin)
            kind = ChangeKind.UPDATED
        return PositionChange(kind, self._put(position))

    def _put(self, position: Position) -> Position:
        # The liquidation price changes only with the position, so it is worked out here, once.
        lp = liquidation_price(position.side, position.amount, position.entry_price, position.margin,
                               tiers_for(position.symbol, self._tiers))
        self._positions[position.symbol] = position = changed(position, liquidation_price=lp)
        return position

    def liquidation_price(self, symbol: str) -> Decimal | None:
        """Return the isolated liquidation price of the position in symbol (None without one)."""
        position = self._positions.get(symbol)
        return position.liquidation_price if position is not None else None

    def position(self, symbol: str) -> Position | None:
        """Return the open position in symbol with its liquidation price, or None."""
        return self._positions.get(symbol)

    def liquidate(self, symbol: str, ts_ms: int, mark: Decimal) -> PositionChange | None:
        """Close the position in symbol with its whole isolated margin lost; the cash is untouched."""
        position = self._positions.pop(symbol, None)
        if position is None:
            return None
        lost = position.margin
        closed = changed(position, margin=ZERO, realized_pnl=position.realized_pnl - lost)
        return PositionChange(ChangeKind.CLOSED, closed, -lost, reason="liquidation")

    def apply_funding(self, symbol: str, ts_ms: int, rate: Decimal, mark: Decimal) -> Decimal | None:
        """Pay (or receive) funding out of (into) the position's isolated margin; return what was paid."""
        position = self._positions.get(symbol)
        if position is None:
            return None
        payment = min(funding_payment(position.side, position.amount, mark, rate), position.margin)
        self._put(changed(position, margin=position.margin - payment,
                          funding_paid=position.funding_paid + payment))
        return payment

    def positions(self, marks: Mapping[str, Decimal]) -> list[Position]:
        """Return the open positions with their liquidation prices."""
        return list(self._positions.values())

    def balances(self) -> dict[str, Decimal]:
        """Return the wallet balance: cash plus the isolated margins."""
        return {self.quote: self._cash + sum((p.margin for p in self._positions.values()), ZERO)}

    def summary(self, marks: Mapping[str, Decimal]) -> AccountSummary:
        """Return cash, holds, and margin plus unrealised PnL of the positions at their marks."""
        margin = unrealized = ZERO
        for symbol, position in self._positions.items():
            margin += position.margin
            unrealized += position.unrealized_pnl(marks.get(symbol, position.entry_price))
        return AccountSummary(self.quote, self._cash, self._held.total(self.quote), margin + unrealized,
                              unrealized)

    def reset(self, starting_balance: Decimal) -> None:
        """Start over with starting_balance in quote and nothing else."""
        self._cash = starting_balance
        self._positions.clear()
        self._leverage.clear()
        self._held.clear()

    def to_state(self) -> dict[str, Any]:
        """Return cash, positions and holds as plain data."""
        return {"kind": self.kind, "quote": self.quote, "cash": str(self._cash),
                "positions": to_plain(self._positions), "leverage": dict(self._leverage),
                "held": self._held.to_state()}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the state with that of a to_state() result."""
        self.quote = state["quote"]
        self._cash = Decimal(state["cash"])
        self._positions = {}
        for position in from_plain(dict[str, Position], state["positions"]).values():
            self._put(position)
        self._leverage = {symbol: int(lev) for symbol, lev in state.get("leverage", {}).items()}
        self._held.restore(state["held"])
