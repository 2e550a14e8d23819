"""The signed side of one ccxt exchange account: orders, balances and positions as domain values.

Every call goes through ExchangeRequests (retries of transient failures, health) with errors classified by
the exchange's code first (order_errors). Placement itself is tried once here; the broker decides whether
a retry is safe, after looking the order up by its client id. Requests are stamped with the clock's time
(the exchange's, live); one refused for its timestamp (-1021) was never carried out, so after resync()
it is sent once more as it was, the same client order id included.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Awaitable, Callable, Iterable, TypeVar

import ccxt

from trading.adapters.ccxt_errors import retry_after_seconds
from trading.adapters.ccxt_instruments import to_decimal
from trading.adapters.ccxt_orders import (OrderRequest, exchange_id, is_algo_id, order_from_ccxt)
from trading.adapters.exchange_requests import ExchangeRequests, RetryPolicy
from trading.adapters.order_errors import translate_order_error
from trading.domain.errors import ClockSkew, OrderNotFound
from trading.domain.orders import Order, OrderStatus
from trading.domain.positions import PositionSide
from trading.logs import get_logger
from trading.ports import Clock

T = TypeVar("T")
log = get_logger(__name__)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ExchangePosition:
    """A futures position as the exchange reports it."""

    symbol: str
    side: PositionSide
    amount: Decimal
    entry_price: Decimal
    leverage: int
    liquidation_price: Decimal | None
    mark_price: Decimal | None


class ExchangeAccount:
    """Orders, balances and positions of the account behind a ccxt exchange with API keys."""

    def __init__(self, exchange: Any, clock: Clock, futures: bool, policy: RetryPolicy | None = None, *,
                 resync: Callable[[], Awaitable[object]] | None = None) -> None:
        self.exchange = exchange
        self.futures = futures
        self._clock = clock
        self._resync = resync             # measures the exchange's clock again after a -1021
        exchange.options["warnOnFetchOpenOrdersWithoutSymbol"] = False   # one call instead of one per market
        self._requests = ExchangeRequests(exchange, clock, policy)
        self._once = ExchangeRequests(exchange, clock, RetryPolicy(attempts=1), self._requests.health)
        self._type = {"type": "swap"} if futures else {}

    @property
    def health(self) -> Any:
        """Return the per-endpoint latency and error counts."""
        return self._requests.health

    async def create(self, request: OrderRequest) -> Order:
        """Send one order, once (no retry here); return it as the exchange acknowledged it."""
        raw = await self._call(self._once, "create_order", lambda: self.exchange.create_order(*request.ccxt_args()))
        return order_from_ccxt(raw, request.conditional)

    async def by_client_id(self, client_order_id: str, symbol: str, conditional: bool) -> Order | None:
        """Return the order placed with this client id, or None when the exchange has none."""
        params = {"clientOrderId": client_order_id} | _algo(conditional)
        try:
            raw = await self._call(self._requests, "fetch_order",
                                   lambda: self.exchange.fetch_order(None, symbol, params))
        except OrderNotFound:
            return None
        return await self._completed(order_from_ccxt(raw, conditional), raw)

    async def by_id(self, order_id: str, symbol: str) -> Order:
        """Return the order with this id (raise OrderNotFound when the exchange has none)."""
        conditional = is_algo_id(order_id)
        raw = await self._call(self._requests, "fetch_order",
                               lambda: self.exchange.fetch_order(exchange_id(order_id), symbol, _algo(conditional)))
        return await self._completed(order_from_ccxt(raw, conditional), raw)

    async def cancel(self, order_id: str, symbol: str) -> Order:
        """Cancel an open order; return it as it ended (raise OrderNotFound when unknown or already final)."""
        conditional = is_algo_id(order_id)
        raw = await self._call(self._requests, "cancel_order",
                               lambda: self.exchange.cancel_order(exchange_id(order_id), symbol, _algo(conditional)))
        if conditional or raw.get("status") is None:    # the algo endpoint answers only {code, msg}
            return await self.by_id(order_id, symbol)
        return order_from_ccxt(raw)

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Return the exchange's open orders (conditional ones too on futures), of one symbol or all."""
        plain = await self._call(self._requests, "fetch_open_orders",
                                 lambda: self.exchange.fetch_open_orders(symbol, None, None, dict(self._type)))
        orders = [order_from_ccxt(raw) for raw in plain]
        if self.futures:
            algo = await self._call(self._requests, "fetch_open_orders",
                                    lambda: self.exchange.fetch_open_orders(symbol, None, None,
                                                                            self._type | _algo(True)))
            orders += [order_from_ccxt(raw, conditional=True) for raw in algo]
        return orders

    async def balances(self) -> dict[str, Decimal]:
        """Return the total balance per asset (futures: the wallet)."""
        raw = await self._call(self._requests, "fetch_balance", lambda: self.exchange.fetch_balance(dict(self._type)))
        totals = raw.get("total") or {}
        return {asset: amount for asset, value in totals.items()
                if (amount := to_decimal(value)) is not None and amount != 0}

    async def positions(self, symbols: Iterable[str] | None = None) -> list[ExchangePosition]:
        """Return the open futures positions (none on spot)."""
        if not self.futures:
            return []
        wanted = list(symbols) if symbols is not None else None
        raw = await self._call(self._requests, "fetch_positions", lambda: self.exchange.fetch_positions(wanted))
        return [p for p in (_position(r) for r in raw) if p is not None]

    async def set_leverage(self, symbol: str, leverage: int) -> None:
        """Set the leverage of new futures positions in symbol."""
        await self._call(self._requests, "set_leverage", lambda: self.exchange.set_leverage(leverage, symbol))

    async def last_price(self, symbol: str) -> Decimal | None:
        """Return the last traded price of symbol."""
        raw = await self._call(self._requests, "fetch_ticker", lambda: self.exchange.fetch_ticker(symbol))
        return to_decimal(raw.get("last"))

    async def best_price(self, symbol: str, buy: bool) -> Decimal | None:
        """Return the best bid (for a buy) or ask (for a sell): where a passive limit order rests."""
        book = await self._call(self._requests, "fetch_order_book",
                                lambda: self.exchange.fetch_order_book(symbol, 5))
        levels = book.get("bids" if buy else "asks") or []
        return to_decimal(levels[0][0]) if levels else None

    async def call(self, endpoint: str, request: Callable[[], Awaitable[T]]) -> T:
        """Run any other signed call with the same retries and error classification."""
        return await self._call(self._requests, endpoint, request)

    async def close(self) -> None:
        """Close the HTTP session."""
        await self.exchange.close()

    async def _completed(self, order: Order, raw: Any) -> Order:
        # a triggered algo order finished by placing a market order; its fill is on that order
        actual = str((raw.get("info") or {}).get("actualOrderId") or "")
        if not is_algo_id(order.id) or order.status is not OrderStatus.FILLED or not actual:
            return order
        fill = await self.by_id(actual, order.symbol)
        status = OrderStatus.FILLED if fill.filled > 0 else fill.status
        return replace(order, status=status, filled=fill.filled, avg_price=fill.avg_price, fee=fill.fee,
                       updated_ms=fill.updated_ms or order.updated_ms)

    async def _call(self, requests: ExchangeRequests, endpoint: str, request: Callable[[], Awaitable[T]]) -> T:
        async def classified() -> T:
            try:
                return await self._signed(request)
            except ClockSkew as exc:
                if self._resync is None:
                    raise
                # refused before it was carried out, so sending the same request (client id) again is safe
                log.warning("the exchange refused our timestamp; measuring its clock again and retrying once",
                            endpoint=endpoint, error=str(exc))
                await self._resync()
                return await self._signed(request)
        return await requests.call(endpoint, classified)

    async def _signed(self, request: Callable[[], Awaitable[T]]) -> T:
        # ccxt stamps signed requests with its own time minus options['timeDifference']; this makes the
        # stamp the clock's time (the exchange's, live) for every exchange class that honours the option
        self.exchange.options["timeDifference"] = int(self.exchange.milliseconds()) - self._clock.now_ms()
        try:
            return await request()
        except ccxt.BaseError as exc:
            headers = getattr(self.exchange, "last_response_headers", None)
            raise translate_order_error(exc, retry_after_seconds(headers)) from exc


def _algo(conditional: bool) -> dict[str, Any]:
    # ccxt sends an order call to Binance's algo endpoints when told the order is a trigger order
    return {"trigger": True} if conditional else {}


def _position(raw: dict[str, Any]) -> ExchangePosition | None:
    amount = to_decimal(raw.get("contracts")) or ZERO
    if amount == 0:
        return None
    side = PositionSide.SHORT if raw.get("side") == "short" else PositionSide.LONG
    return ExchangePosition(str(raw["symbol"]), side, abs(amount), to_decimal(raw.get("entryPrice")) or ZERO,
                            int(to_decimal(raw.get("leverage")) or 1), to_decimal(raw.get("liquidationPrice")),
                            to_decimal(raw.get("markPrice")))
