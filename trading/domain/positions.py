"""Open positions and their profit and loss."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trading.domain.frozen import quick_init
from trading.domain.orders import Side


class PositionSide(StrEnum):
    """Long profits when price rises, short when it falls."""

    LONG = "long"
    SHORT = "short"

    @property
    def entry_order_side(self) -> Side:
        """Return the order side that opens or adds to this position."""
        return Side.BUY if self is PositionSide.LONG else Side.SELL

    @property
    def sign(self) -> int:
        """Return +1 for long, -1 for short."""
        return 1 if self is PositionSide.LONG else -1


@quick_init
@dataclass(frozen=True, slots=True)
class Position:
    """A position in one symbol; for spot, leverage is 1 and margin is the cost."""

    symbol: str
    side: PositionSide
    amount: Decimal               # base units, always positive
    entry_price: Decimal          # average entry
    opened_ms: int
    leverage: int = 1
    margin: Decimal = Decimal(0)
    realized_pnl: Decimal = Decimal(0)
    fees_paid: Decimal = Decimal(0)
    funding_paid: Decimal = Decimal(0)   # positive = paid, negative = received
    stop_price: Decimal | None = None
    take_profit: Decimal | None = None
    liquidation_price: Decimal | None = None
    strategy: str = ""

    def unrealized_pnl(self, mark: Decimal) -> Decimal:
        """Return the profit in quote if closed at mark, before exit fees."""
        return (mark - self.entry_price) * self.amount * self.side.sign

    def unrealized_pct(self, mark: Decimal) -> Decimal:
        """Return the price move in percent in the position's favour (not scaled by leverage)."""
        return (mark - self.entry_price) / self.entry_price * 100 * self.side.sign

    def notional(self, mark: Decimal) -> Decimal:
        """Return the position's value at mark."""
        return self.amount * mark
