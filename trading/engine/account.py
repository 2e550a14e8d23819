"""What a simulated account offers the exchange: funds held for orders, settlement, positions, equity."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Any, Mapping, Protocol

from trading.domain.errors import InsufficientFunds
from trading.domain.frozen import quick_init
from trading.domain.instruments import Instrument
from trading.domain.orders import Order, Side
from trading.domain.positions import Position

ZERO = Decimal(0)
CENT = Decimal("0.01")


class ChangeKind(StrEnum):
    """How a fill, a liquidation or a funding payment changed a position."""

    OPENED = "opened"
    UPDATED = "updated"
    CLOSED = "closed"


@quick_init
@dataclass(frozen=True, slots=True)
class PositionChange:
    """A position after a change (for CLOSED: as it was just before it closed) and the PnL realised by it."""

    kind: ChangeKind
    position: Position
    realized_pnl: Decimal = ZERO
    reason: str = ""


@quick_init
@dataclass(frozen=True, slots=True)
class AccountSummary:
    """The account in quote: free cash, what open orders hold, and the positions at their marks."""

    quote: str
    cash: Decimal              # quote not tied up in positions (includes what open orders hold)
    reserved: Decimal          # held for open orders
    position_value: Decimal    # spot: holdings at mark; futures: margin plus unrealised PnL
    unrealized_pnl: Decimal
    # False: the cash was read before a fill the positions already count (a live wallet, refreshed at the next
    # mark), so cash plus positions is off by that fill's proceeds or cost until then
    settled: bool = True

    @property
    def equity(self) -> Decimal:
        """Return cash plus the marked positions."""
        return self.cash + self.position_value

    @property
    def available(self) -> Decimal:
        """Return the cash that new orders may use."""
        return self.cash - self.reserved


def require_funds(asset: str, need: Decimal, free: Decimal, money: bool = False) -> None:
    """Raise InsufficientFunds, saying how much is missing, when free does not cover need (money: asset is the
    quote currency, written to the cent)."""
    if need > free:
        raise InsufficientFunds(f"needs {_plain(need, money, ROUND_CEILING)} {asset}, only "
                                f"{_plain(max(free, ZERO), money, ROUND_FLOOR)} {asset} is available")


def _plain(amount: Decimal, money: bool, rounding: str) -> str:
    # money to the cent, the need up and the funds down so the refusal never reads as if they met ("needs 0.12,
    # only 0.12"); a coin keeps its own digits, above 1 too (1.23456 BTC is not 1.23)
    if money:
        return f"{amount.quantize(CENT, rounding=rounding):,.2f}"
    return f"{amount.normalize():,f}"


class Reservations:
    """Funds held for open orders, per order and asset, so two orders never spend the same cash."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[str, Decimal]] = {}

    def hold(self, order_id: str, asset: str, amount: Decimal, free: Decimal, money: bool = False) -> None:
        """Hold amount of asset for order_id, or raise InsufficientFunds when free cannot cover it."""
        require_funds(asset, amount, free, money)
        if amount > 0:
            self._held[order_id] = (asset, amount)

    def release(self, order_id: str) -> None:
        """Free whatever order_id held."""
        self._held.pop(order_id, None)

    def total(self, asset: str) -> Decimal:
        """Return what open orders hold of asset."""
        if not self._held:
            return ZERO           # nothing held (most of the time): the sum of nothing, without summing
        return sum((amount for held, amount in self._held.values() if held == asset), ZERO)

    def clear(self) -> None:
        """Release every hold."""
        self._held.clear()

    def to_state(self) -> dict[str, list[str]]:
        """Return the holds as plain data."""
        return {order_id: [asset, str(amount)] for order_id, (asset, amount) in self._held.items()}

    def restore(self, state: Mapping[str, list[str]]) -> None:
        """Replace the holds with those of a to_state() result."""
        self._held = {order_id: (asset, Decimal(amount)) for order_id, (asset, amount) in state.items()}


class Account(Protocol):
    """The accounting side of a simulated venue; spot and USDT-M futures implement it."""

    kind: str
    quote: str

    def reserve(self, order: Order, instrument: Instrument, estimate: Decimal,
                quote_budget: Decimal | None, leverage: int | None) -> None:
        """Check an accepted order can be paid for at estimate and hold what it needs; raise if not."""
        ...

    def release(self, order_id: str) -> None:
        """Free what an order held."""
        ...

    def reducible(self, symbol: str, side: Side) -> Decimal:
        """Return how much an order on side can reduce the open position in symbol (0 if none)."""
        ...

    def settle(self, order: Order, instrument: Instrument, amount: Decimal, price: Decimal,
               fee: Decimal, ts_ms: int) -> list[PositionChange]:
        """Apply a fill; raise a RejectedError, changing nothing, when it cannot be paid for."""
        ...

    def liquidation_price(self, symbol: str) -> Decimal | None:
        """Return the liquidation price of the position in symbol, if it has one."""
        ...

    def position(self, symbol: str) -> Position | None:
        """Return the open position in symbol (with its liquidation price where it has one), or None."""
        ...

    def liquidate(self, symbol: str, ts_ms: int, mark: Decimal) -> PositionChange | None:
        """Close the position in symbol at liquidation, losing its margin."""
        ...

    def apply_funding(self, symbol: str, ts_ms: int, rate: Decimal, mark: Decimal) -> Decimal | None:
        """Pay or receive funding on the position in symbol; return the payment (None without one)."""
        ...

    def positions(self, marks: Mapping[str, Decimal]) -> list[Position]:
        """Return the open positions, with liquidation prices where they apply."""
        ...

    def balances(self) -> dict[str, Decimal]:
        """Return the total balance per asset."""
        ...

    def summary(self, marks: Mapping[str, Decimal]) -> AccountSummary:
        """Return cash, holds and marked positions in quote."""
        ...

    def reset(self, starting_balance: Decimal) -> None:
        """Start over with starting_balance in quote and nothing else."""
        ...

    def to_state(self) -> dict[str, Any]:
        """Return the full state as plain data."""
        ...

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the state with that of a to_state() result."""
        ...
