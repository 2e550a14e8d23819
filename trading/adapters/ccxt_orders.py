"""Orders between the domain and ccxt: an OrderIntent as a checked create_order request, a ccxt order as an Order.

Conditional futures orders (stop-market, take-profit-market) live on Binance's algo endpoints under their
own id sequence; their ids carry ALGO_PREFIX here so that an id alone says which endpoint knows it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from trading.adapters.ccxt_instruments import to_decimal
from trading.domain.errors import InvalidOrder
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.orders import Order, OrderIntent, OrderStatus, OrderType, Side
from trading.engine.order_intake import trigger_on_tick

ALGO_PREFIX = "algo-"
CONDITIONAL = (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET)
MAX_CLIENT_ID = 36          # Binance: ^[.A-Z:/a-z0-9_-]{1,36}$
ZERO = Decimal(0)
_STATUSES = {"open": OrderStatus.OPEN, "closed": OrderStatus.FILLED, "canceled": OrderStatus.CANCELLED,
             "cancelled": OrderStatus.CANCELLED, "expired": OrderStatus.EXPIRED, "rejected": OrderStatus.REJECTED}


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A create_order call, rounded to the market's precision and checked against its minimums."""

    symbol: str
    type: str                       # ccxt: market | limit
    side: str                       # ccxt: buy | sell
    amount: Decimal
    price: Decimal | None
    client_order_id: str
    conditional: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)

    def ccxt_args(self) -> tuple[str, str, str, float, float | None, dict[str, Any]]:
        """Return the positional arguments of ccxt's create_order."""
        price = float(self.price) if self.price is not None else None
        return self.symbol, self.type, self.side, float(self.amount), price, dict(self.params)


def order_request(intent: OrderIntent, instrument: Instrument, client_order_id: str,
                  price: Decimal) -> OrderRequest:
    """Return the create_order request for intent at about price (the last price for market orders).

    Raise InvalidOrder, saying what to change, when the rounded order breaks the market's minimums or
    asks for something the venue does not offer. Reduce-only futures orders skip the minimum order value,
    as on the exchange, so a position can always be closed (spot has no such exception).
    """
    if (intent.amount is None) == (intent.quote_amount is None):
        raise InvalidOrder("give exactly one of amount (base units) or quote_amount")
    if intent.type in CONDITIONAL and instrument.kind is not MarketKind.PERP:
        raise InvalidOrder(f"{intent.type.replace('_', ' ')} orders are placed on futures markets only; "
                           f"spot stops are kept by the bot")
    limit = instrument.round_price(intent.price) if intent.type is OrderType.LIMIT and intent.price else None
    if intent.type is OrderType.LIMIT and (limit is None or limit <= 0):
        raise InvalidOrder("a limit order needs a positive price")
    trigger = trigger_on_tick(intent, instrument)
    if intent.type in CONDITIONAL and (trigger is None or trigger <= 0):
        raise InvalidOrder(f"a {intent.type.replace('_', ' ')} order needs a positive stop price")
    reference = limit or trigger or price
    raw = intent.amount if intent.amount is not None else intent.quote_amount / reference  # type: ignore[operator]
    amount = instrument.round_amount(raw)
    if amount <= 0:
        raise InvalidOrder(f"amount {raw.normalize():f} rounds to zero at step {instrument.amount_step.normalize():f}")
    problem = instrument.check_order(amount, reference)
    closes_futures = intent.reduce_only and instrument.kind is MarketKind.PERP and amount >= instrument.min_amount
    if problem is not None and not closes_futures:
        raise InvalidOrder(problem)
    return OrderRequest(intent.symbol, "limit" if limit is not None else "market", intent.side.value, amount, limit,
                        client_order_id, intent.type in CONDITIONAL,
                        _params(intent, instrument, client_order_id, trigger))


def _params(intent: OrderIntent, instrument: Instrument, client_order_id: str,
            trigger: Decimal | None) -> dict[str, Any]:
    params: dict[str, Any] = {"clientOrderId": client_order_id}
    if intent.reduce_only and instrument.kind is MarketKind.PERP:
        params["reduceOnly"] = True
    if intent.type is OrderType.STOP_MARKET:
        params["stopLossPrice"] = float(trigger)      # type: ignore[arg-type]
    elif intent.type is OrderType.TAKE_PROFIT_MARKET:
        params["takeProfitPrice"] = float(trigger)    # type: ignore[arg-type]
    return params


def is_algo_id(order_id: str) -> bool:
    """Return True when order_id names a conditional (algo) order."""
    return order_id.startswith(ALGO_PREFIX)


def exchange_id(order_id: str) -> str:
    """Return the id the exchange knows the order by."""
    return order_id.removeprefix(ALGO_PREFIX)


def order_from_ccxt(raw: Mapping[str, Any], conditional: bool = False) -> Order:
    """Return the Order for a ccxt order structure (conditional: it came from the algo endpoints)."""
    info = raw.get("info") or {}
    filled = to_decimal(raw.get("filled")) or ZERO
    status = _STATUSES.get(str(raw.get("status")), OrderStatus.OPEN)
    if status is OrderStatus.OPEN and filled > 0:
        status = OrderStatus.PARTIALLY_FILLED
    created = int(raw.get("timestamp") or 0)
    return Order(
        id=(ALGO_PREFIX if conditional else "") + str(raw["id"]),
        client_order_id=str(raw.get("clientOrderId") or ""),
        symbol=str(raw["symbol"]),
        side=Side(str(raw["side"]).lower()),
        type=_order_type(raw, info),
        amount=to_decimal(raw.get("amount")) or ZERO,
        status=status,
        created_ms=created,
        price=_positive(raw.get("price")),
        stop_price=_positive(raw.get("triggerPrice")),
        filled=filled,
        avg_price=_positive(raw.get("average")) if filled > 0 else None,
        fee=reported_fee(raw),
        reduce_only=bool(raw.get("reduceOnly")),
        updated_ms=int(raw.get("lastUpdateTimestamp") or raw.get("lastTradeTimestamp") or created),
    )


def reported_fee(raw: Mapping[str, Any]) -> Decimal:
    """Return the fee the exchange reported for the order, in its quote (0 when it reported none)."""
    fees = raw.get("fees") or ([raw["fee"]] if raw.get("fee") else [])
    symbol = str(raw.get("symbol") or "")
    base, quote = symbol.split("/")[0], symbol.split("/")[-1].split(":")[0]
    average = to_decimal(raw.get("average")) or ZERO
    total = ZERO
    for fee in fees:
        cost = to_decimal((fee or {}).get("cost")) or ZERO
        currency = (fee or {}).get("currency")
        # a fee in the base asset (spot buys) is worth its amount at the fill price
        total += cost * average if currency == base else cost if currency in (quote, None) else ZERO
    return total


def _order_type(raw: Mapping[str, Any], info: Mapping[str, Any]) -> OrderType:
    native = str(info.get("orderType") or info.get("origType") or info.get("type") or raw.get("type") or "").upper()
    if native.startswith("TAKE_PROFIT"):
        return OrderType.TAKE_PROFIT_MARKET
    if native.startswith("STOP"):
        return OrderType.STOP_MARKET
    return OrderType.LIMIT if str(raw.get("type")).lower() == "limit" else OrderType.MARKET


def _positive(value: Any) -> Decimal | None:
    number = to_decimal(value)
    return number if number is not None and number > 0 else None


def derived_client_id(root: str, suffix: str) -> str:
    """Return a client id for an order derived from root (a re-price, a stop leg) within Binance's 36 chars."""
    candidate = f"{root}.{suffix}"
    if len(candidate) <= MAX_CLIENT_ID:
        return candidate
    digest = hashlib.sha256(root.encode()).hexdigest()[: MAX_CLIENT_ID - len(suffix) - 4]
    return f"ta-{digest}.{suffix}"
