"""The live account's positions as the bot knows them, built from the fills it sees on the exchange.

The exchange knows futures positions but not their history (fees, realised PnL, stops), and spot has no
positions at all, only balances; so the bot keeps its own book with the same accounting as the simulator
(trading.engine.position_changes), and reconciliation compares it with what the exchange reports.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Mapping

from trading.domain.money import booked, share
from trading.domain.orders import Fill, Order, Side
from trading.domain.positions import Position, PositionSide
from trading.engine.account import AccountSummary, ChangeKind, PositionChange
from trading.engine.position_changes import add_to_position, open_position, reduce_position
from trading.engine.snapshots import from_plain, to_plain

ZERO = Decimal(0)


class PositionBook:
    """Open positions by symbol: spot holdings bought by the bot as longs, futures one-way long or short."""

    def __init__(self, futures: bool) -> None:
        self.futures = futures
        self._positions: dict[str, Position] = {}
        self.fills = 0          # fills applied so far: the broker's wallet, read before the last one, is stale

    def get(self, symbol: str) -> Position | None:
        """Return the open position in symbol, or None."""
        return self._positions.get(symbol)

    def all(self) -> list[Position]:
        """Return the open positions."""
        return list(self._positions.values())

    def apply_fill(self, order: Order, fill: Fill, leverage: int = 1) -> list[PositionChange]:
        """Apply a fill: close what it closes, then open or add with the rest (futures may reverse)."""
        self.fills += 1
        position = self._positions.get(fill.symbol)
        closes = position is not None and position.side.entry_order_side is not fill.side
        closing = min(fill.amount, position.amount) if closes and position is not None else ZERO
        # a spot sell of coins the bot never bought, or a reduce-only remainder, opens nothing
        opening = fill.amount - closing
        if order.reduce_only or (not self.futures and fill.side is Side.SELL):
            opening = ZERO
        changes = []
        close_fee = share(fill.fee, closing, fill.amount)
        if closing > 0:
            changes.append(self._close(fill.symbol, closing, fill.price, close_fee))
        if opening > 0:
            fee = fill.fee - close_fee if closing + opening == fill.amount else share(fill.fee, opening, fill.amount)
            changes.append(self._open(fill.symbol, fill.side, opening, fill.price, fee, fill.ts_ms,
                                      leverage if self.futures else 1))
        return changes

    def _close(self, symbol: str, amount: Decimal, price: Decimal, fee: Decimal) -> PositionChange:
        reduced, realized, _ = reduce_position(self._positions[symbol], amount, price, fee)
        if reduced.amount == 0:
            del self._positions[symbol]
            return PositionChange(ChangeKind.CLOSED, replace(reduced, amount=amount), realized)
        self._positions[symbol] = reduced
        return PositionChange(ChangeKind.UPDATED, reduced, realized)

    def _open(self, symbol: str, side: Side, amount: Decimal, price: Decimal, fee: Decimal, ts_ms: int,
              leverage: int) -> PositionChange:
        margin = booked(amount * price / leverage)
        position = self._positions.get(symbol)
        if position is None:
            position_side = PositionSide.LONG if side is Side.BUY else PositionSide.SHORT
            position = open_position(symbol, position_side, amount, price, fee, ts_ms, margin, leverage)
            kind = ChangeKind.OPENED
        else:
            position = add_to_position(position, amount, price, fee, margin)
            kind = ChangeKind.UPDATED
        self._positions[symbol] = position
        return PositionChange(kind, position)

    def adopt(self, position: Position, reason: str) -> PositionChange:
        """Take over a position the exchange holds and the book did not know."""
        self._positions[position.symbol] = position
        return PositionChange(ChangeKind.OPENED, position, reason=reason)

    def resize(self, symbol: str, amount: Decimal, reason: str) -> PositionChange:
        """Set the amount of a position to what the exchange holds (margin scaled alike), without PnL."""
        position = self._positions[symbol]
        margin = booked(position.margin * amount / position.amount) if position.amount else ZERO
        self._positions[symbol] = resized = replace(position, amount=amount, margin=margin)
        return PositionChange(ChangeKind.UPDATED, resized, reason=reason)

    def close_outside(self, symbol: str, exit_order: Order, reason: str) -> PositionChange:
        """Close (or reduce by its amount) a position at the fills found on the exchange for it, PnL realised."""
        assert exit_order.avg_price is not None
        if exit_order.funding:          # funding the exchange booked while the bot was away, settled with the exit
            held = self._positions[symbol]
            self._positions[symbol] = replace(held, funding_paid=held.funding_paid + exit_order.funding)
        change = self._close(symbol, exit_order.filled, exit_order.avg_price, exit_order.fee)
        return replace(change, reason=reason)

    def forget(self, symbol: str, reason: str) -> PositionChange:
        """Close a position that the exchange no longer holds, realising nothing the bot did not see."""
        return PositionChange(ChangeKind.CLOSED, self._positions.pop(symbol), reason=reason)

    def update(self, symbol: str, **fields: Any) -> Position:
        """Change fields of the position in symbol (stop, target, liquidation price, strategy)."""
        self._positions[symbol] = position = replace(self._positions[symbol], **fields)
        return position

    def summary(self, quote: str, wallet: Decimal, marks: Mapping[str, Decimal],
                settled: bool = True) -> AccountSummary:
        """Return the account from the exchange's wallet balance in quote and the book's positions at marks.

        Futures: the wallet includes the isolated margins, so cash is the wallet less them and each position is
        worth its margin plus its unrealised PnL. Spot: the quote balance is cash and holdings are worth amount x mark.
        """
        cash, value, unrealized = wallet, ZERO, ZERO
        for position in self._positions.values():
            pnl = position.unrealized_pnl(marks.get(position.symbol, position.entry_price))
            unrealized += pnl
            if self.futures:
                cash -= position.margin
                value += position.margin + pnl
            else:
                value += position.amount * marks.get(position.symbol, position.entry_price)
        return AccountSummary(quote, cash, ZERO, value, unrealized, settled)

    def to_state(self) -> dict[str, Any]:
        """Return the positions as plain data."""
        return to_plain(self._positions)

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the positions with those of a to_state() result."""
        self._positions = from_plain(dict[str, Position], dict(state))
