"""Orders from intent to final state, and the fills they produce."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from trading.domain.frozen import quick_init


class Side(StrEnum):
    """Direction of an order."""

    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> "Side":
        """Return the other side."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    """How an order executes."""

    MARKET = "market"
    LIMIT = "limit"
    STOP_MARKET = "stop_market"
    TAKE_PROFIT_MARKET = "take_profit_market"


class OrderStatus(StrEnum):
    """Lifecycle state of an order; the last four are final."""

    PENDING = "pending"          # decided and stored, not yet acknowledged by the venue
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"

    @property
    def is_final(self) -> bool:
        """Return True when the order can no longer change."""
        return self in _FINAL


_FINAL = {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED}


@quick_init
@dataclass(frozen=True, slots=True)
class OrderIntent:
    """What the engine, a strategy or the user wants done; a broker turns it into an Order."""

    symbol: str
    side: Side
    type: OrderType = OrderType.MARKET
    amount: Decimal | None = None          # base units; exactly one of amount / quote_amount
    quote_amount: Decimal | None = None    # spend this much quote (spot market buys)
    price: Decimal | None = None           # limit price
    stop_price: Decimal | None = None      # trigger for stop / take-profit orders
    reduce_only: bool = False
    leverage: int | None = None
    client_order_id: str = ""              # derived from the decision so retries never duplicate
    reason: str = ""


@quick_init
@dataclass(frozen=True, slots=True)
class Fill:
    """One execution against an order."""

    order_id: str
    symbol: str
    side: Side
    amount: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str
    ts_ms: int
    is_maker: bool = False


@quick_init
@dataclass(frozen=True, slots=True)
class Order:
    """An order as the venue (paper or exchange) holds it."""

    id: str
    client_order_id: str
    symbol: str
    side: Side
    type: OrderType
    amount: Decimal
    status: OrderStatus
    created_ms: int
    price: Decimal | None = None
    stop_price: Decimal | None = None
    filled: Decimal = Decimal(0)
    avg_price: Decimal | None = None
    fee: Decimal = Decimal(0)
    reduce_only: bool = False
    updated_ms: int = 0
    reason: str = ""
    fills: tuple[Fill, ...] = field(default=())
    # funding paid (negative: received) that the exchange booked on the position and the bot had not: settled with
    # an exit found on the exchange after the bot was away (trading.adapters.closing_trades); 0 on every other order
    funding: Decimal = Decimal(0)

    @property
    def remaining(self) -> Decimal:
        """Return the amount not yet filled."""
        return self.amount - self.filled


_ENTRY_REASON = re.compile(r"^(\S+) (long|short): ")


def entry_reason(strategy: str, side: str, why: str) -> str:
    """Return the reason an entry order carries: its strategy and side first, so the ledger can tell whose it is."""
    return f"{strategy} {side}: {why}"[:200]


def strategy_of(reason: str) -> str:
    """Return the strategy an entry order's reason names ('' for any other order: a manual one, an exit)."""
    match = _ENTRY_REASON.match(reason or "")
    return match[1] if match else ""


# the client ids the exchange (Binance USDT-M) gives the orders it sends itself to close a futures position
LIQUIDATION_ID_PREFIX, ADL_ID_PREFIX = "autoclose-", "adl_autoclose"
SETTLEMENT_ID_PREFIX = "settlement_autoclose-"          # a delisted or delivered contract settled
EXCHANGE_CLOSES = {LIQUIDATION_ID_PREFIX: "liquidated by the exchange",
                   ADL_ID_PREFIX: "auto-deleveraged by the exchange",
                   SETTLEMENT_ID_PREFIX: "settled by the exchange (the contract delisted or delivered)"}


def closed_how(order: Order) -> str:
    """Return who closed a position with this order found on the exchange: the exchange itself, or someone else."""
    for prefix, how in EXCHANGE_CLOSES.items():
        if order.client_order_id.startswith(prefix):
            return how
    return "closed outside the bot"
