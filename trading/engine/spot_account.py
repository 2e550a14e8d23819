"""A spot account: balances per asset, no selling what is not held, no buying beyond the cash."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from trading.domain.errors import InsufficientFunds, InvalidOrder
from trading.domain.frozen import changed
from trading.domain.instruments import Instrument
from trading.domain.money import booked
from trading.domain.orders import Order, OrderType, Side
from trading.domain.positions import Position, PositionSide
from trading.engine.account import (ZERO, AccountSummary, ChangeKind, PositionChange,
                                    Reservations, require_funds)
from trading.engine.position_changes import add_to_position, open_position, reduce_position
from trading.engine.snapshots import from_plain, to_plain

CONDITIONAL = (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET)


class SpotAccount:
    """Cash and holdings of a spot account; fees are charged in the quote asset on both sides.

    Charging the buy fee in quote (not in the base received, as Binance does without BNB) keeps the
    holding equal to the amount ordered, so 'sell all' sells exactly what 'buy' bought.
    """

    kind = "spot"

    def __init__(self, starting_balance: Decimal, quote: str = "USDT") -> None:
        self.quote = quote
        self._balances: dict[str, Decimal] = {quote: starting_balance}
        self._holdings: dict[str, Position] = {}
        self._held = Reservations()

    def free(self, asset: str) -> Decimal:
        """Return the balance of asset not held for open orders."""
        return self._balances.get(asset, ZERO) - self._held.total(asset)

    def reserve(self, order: Order, instrument: Instrument, estimate: Decimal,
                quote_budget: Decimal | None, leverage: int | None) -> None:
        """Check the order can be paid at estimate and hold its cash (buys) or coins (sells)."""
        if leverage not in (None, 1):
            raise InvalidOrder(f"spot orders cannot use leverage ({leverage}x); use futures mode")
        if order.side is Side.BUY:
            if order.reduce_only:
                raise InvalidOrder("a reduce-only buy has nothing to reduce on spot")
            asset = instrument.quote
            need = quote_budget if quote_budget is not None else \
                booked(order.amount * estimate * (1 + instrument.taker_fee))
        else:
            asset, need = instrument.base, order.amount
        if order.type in CONDITIONAL:
            # Conditional orders hold nothing until they trigger (a stop and a take-profit may then
            # cover the same coins) and are checked again when they fire; a reduce-only one may wait
            # for the buy it protects.
            if not order.reduce_only:
                require_funds(asset, need, self.free(asset), asset == instrument.quote)
            return
        self._held.hold(order.id, asset, need, self.free(asset), asset == instrument.quote)

    def release(self, order_id: str) -> None:
        """Free what an order held."""
        self._held.release(order_id)

    def reducible(self, symbol: str, side: Side) -> Decimal:
        """Return how much a sell can take from the holding in symbol (a buy reduces nothing)."""
        holding = self._holdings.get(symbol)
        return holding.amount if holding is not None and side is Side.SELL else ZERO

    def settle(self, order: Order, instrument: Instrument, amount: Decimal, price: Decimal,
               fee: Decimal, ts_ms: int) -> list[PositionChange]:
        """Apply a fill: pay cost plus fee for a buy, receive proceeds less fee for a sell."""
        if order.side is Side.BUY:
            return [self._buy(instrument, amount, price, fee, ts_ms)]
        return [self._sell(instrument, amount, price, fee)]

    def _buy(self, instrument: Instrument, amount: Decimal, price: Decimal, fee: Decimal,
             ts_ms: int) -> PositionChange:
        value = booked(amount * price)
        cost = value + fee
        if cost > self.free(instrument.quote):
            raise InsufficientFunds(f"buying {amount.normalize():f} {instrument.base} costs {cost:.2f} "
                                    f"{instrument.quote}; only {self.free(instrument.quote):.2f} is free")
        self._add(instrument.quote, -cost)
        self._add(instrument.base, amount)
        holding = self._holdings.get(instrument.symbol)
        if holding is None:
            holding = open_position(instrument.symbol, PositionSide.LONG, amount, price, fee, ts_ms,
                                    margin=value)
            kind = ChangeKind.OPENED
        else:
            holding = add_to_position(holding, amount, price, fee, margin=value)
            kind = ChangeKind.UPDATED
        self._holdings[instrument.symbol] = holding
        return PositionChange(kind, holding)

    def _sell(self, instrument: Instrument, amount: Decimal, price: Decimal, fee: Decimal) -> PositionChange:
        held = self.free(instrument.base)
        holding = self._holdings.get(instrument.symbol)
        if amount > held or holding is None or amount > holding.amount:
            raise InsufficientFunds(f"cannot sell {amount.normalize():f} {instrument.base}: "
                                    f"{held.normalize():f} {instrument.base} is held")
        self._add(instrument.base, -amount)
        self._add(instrument.quote, booked(amount * price) - fee)
        reduced, realized, _ = reduce_position(holding, amount, price, fee)
        if reduced.amount == 0:
            del self._holdings[instrument.symbol]
            return PositionChange(ChangeKind.CLOSED, changed(reduced, amount=amount), realized)
        self._holdings[instrument.symbol] = reduced
        return PositionChange(ChangeKind.UPDATED, reduced, realized)

    def _add(self, asset: str, delta: Decimal) -> None:
        self._balances[asset] = self._balances.get(asset, ZERO) + delta

    def liquidation_price(self, symbol: str) -> Decimal | None:
        """Return None: spot positions are never liquidated."""
        return None

    def position(self, symbol: str) -> Position | None:
        """Return the holding in symbol as a long position, or None."""
        return self._holdings.get(symbol)

    def liquidate(self, symbol: str, ts_ms: int, mark: Decimal) -> PositionChange | None:
        """Return None: spot positions are never liquidated."""
        return None

    def apply_funding(self, symbol: str, ts_ms: int, rate: Decimal, mark: Decimal) -> Decimal | None:
        """Return None: spot positions pay no funding."""
        return None

    def positions(self, marks: Mapping[str, Decimal]) -> list[Position]:
        """Return the holdings as long positions (margin is their cost)."""
        return list(self._holdings.values())

    def balances(self) -> dict[str, Decimal]:
        """Return the total balance per asset (including what open orders hold)."""
        return {asset: amount for asset, amount in self._balances.items() if amount != 0 or asset == self.quote}

    def summary(self, marks: Mapping[str, Decimal]) -> AccountSummary:
        """Return cash, holds and the holdings valued at their marks (at entry where no mark is known)."""
        value = unrealized = ZERO
        for symbol, holding in self._holdings.items():
            mark = marks.get(symbol, holding.entry_price)
            value += holding.amount * mark
            unrealized += holding.unrealized_pnl(mark)
        return AccountSummary(self.quote, self._balances.get(self.quote, ZERO), self._held.total(self.quote),
                              value, unrealized)

    def reset(self, starting_balance: Decimal) -> None:
        """Start over with starting_balance in quote and nothing else."""
        self._balances = {self.quote: starting_balance}
        self._holdings.clear()
        self._held.clear()

    def to_state(self) -> dict[str, Any]:
        """Return balances, holdings and holds as plain data."""
        return {"kind": self.kind, "quote": self.quote, "balances": to_plain(self._balances),
                "holdings": to_plain(self._holdings), "held": self._held.to_state()}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the state with that of a to_state() result."""
        self.quote = state["quote"]
        self._balances = from_plain(dict[str, Decimal], state["balances"])
        self._holdings = from_plain(dict[str, Position], state["holdings"])
        self._held.restore(state["held"])
