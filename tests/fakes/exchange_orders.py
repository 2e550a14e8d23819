"""Signed order and account endpoints of the fake Binance: an in-memory book of orders, balances, positions.

Minimal on purpose: LIMIT and MARKET orders, fills at the book (market, marketable limit) or when a later
closed candle trades through a resting limit price, no fees, one-way futures positions. Extend as needed.
"""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from aiohttp import web

from tests.fakes.exchange_market_routes import BinanceError, Handler, MarketBoard
from tests.fakes.exchange_markets import FakeMarket
from trading.domain.instruments import MarketKind

FINAL = ("FILLED", "CANCELED", "EXPIRED", "REJECTED")


@dataclass
class FakeOrder:
    """One order as the fake exchange keeps it."""

    order_id: int
    client_id: str
    market: FakeMarket
    side: str                      # BUY | SELL
    type: str                      # LIMIT | MARKET
    qty: Decimal
    price: Decimal | None
    time_ms: int
    reduce_only: bool = False
    status: str = "NEW"
    executed: Decimal = Decimal(0)
    avg_price: Decimal = Decimal(0)
    update_ms: int = 0

    def fill(self, price: Decimal, now_ms: int) -> None:
        """Fill the whole order at price."""
        self.status, self.executed, self.avg_price, self.update_ms = "FILLED", self.qty, price, now_ms

    def to_json(self) -> dict:
        """Return the order the way Binance's order endpoints answer."""
        body = {"symbol": self.market.market_id, "orderId": self.order_id, "clientOrderId": self.client_id,
                "price": str(self.price or 0), "origQty": str(self.qty), "executedQty": str(self.executed),
                "status": self.status, "timeInForce": "GTC", "type": self.type, "side": self.side,
                "time": self.time_ms, "updateTime": self.update_ms or self.time_ms}
        quote = str(self.executed * self.avg_price)
        if self.market.kind is MarketKind.SPOT:
            body.update(orderListId=-1, cummulativeQuoteQty=quote, transactTime=self.update_ms or self.time_ms,
                        isWorking=self.status == "NEW", fills=[])
        else:
            body.update(avgPrice=str(self.avg_price), cumQuote=quote, cumQty=str(self.executed),
                        reduceOnly=self.reduce_only, positionSide="BOTH", origType=self.type, closePosition=False)
        return body


@dataclass
class FakeAccount:
    """Keys, balances, orders and futures positions of the one account the fake serves."""

    api_key: str = "fake-api-key"
    secret: str = "fake-api-secret"
    balances: dict[str, Decimal] = field(default_factory=lambda: {"USDT": Decimal(10_000)})
    orders: list[FakeOrder] = field(default_factory=list)
    positions: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)   # market id -> (amount, entry)

    def verify(self, request: web.Request, body: str) -> None:
        """Raise Binance's auth errors unless the request carries our key and a valid HMAC signature."""
        if request.headers.get("X-MBX-APIKEY") != self.api_key:
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)
        signed = body if body else request.rel_url.raw_query_string
        payload, _, signature = signed.rpartition("&signature=")
        expected = hmac.new(self.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, expected):
            raise BinanceError(-1022, "Signature for this request is not valid.")

    def settle(self, order: FakeOrder, price: Decimal, now_ms: int) -> None:
        """Fill order at price and move balances (spot) or the position (futures)."""
        order.fill(price, now_ms)
        signed_qty = order.qty if order.side == "BUY" else -order.qty
        if order.market.kind is MarketKind.SPOT:
            base, quote = order.market.base, order.market.quote
            self.balances[base] = self.balances.get(base, Decimal(0)) + signed_qty
            self.balances[quote] = self.balances.get(quote, Decimal(0)) - signed_qty * price
            return
        amount, entry = self.positions.get(order.market.market_id, (Decimal(0), Decimal(0)))
        new_amount = amount + signed_qty
        if amount == 0 or (amount > 0) == (signed_qty > 0):
            entry = (amount * entry + signed_qty * price) / new_amount
        else:
            closed = min(abs(signed_qty), abs(amount)) * (1 if amount > 0 else -1)
            self.balances["USDT"] += closed * (price - entry)
            entry = entry if new_amount and (new_amount > 0) == (amount > 0) else price
        self.positions[order.market.market_id] = (new_amount, entry if new_amount else Decimal(0))

    def match(self, board: MarketBoard) -> None:
        """Fill resting limit orders whose price a candle closed since they were placed has traded through."""
        now = board.clock.now_ms()
        for order in (o for o in self.orders if o.status == "NEW" and o.type == "LIMIT"):
            tf = order.market.finest()
            closed = order.market.closed(tf, now)
            after = closed[int(np.searchsorted(closed.open_ms, order.time_ms - order.time_ms % tf.ms + tf.ms)):]
            crossed = (after.low <= float(order.price)) if order.side == "BUY" else (after.high >= float(order.price))
            if len(after) and bool(np.any(crossed)):
                self.settle(order, order.price, now)   # type: ignore[arg-type]


class OrderEndpoints:
    """The signed order endpoints of one API family (spot /api/v3 or USDT-M /fapi/v1)."""

    def __init__(self, board: MarketBoard, account: FakeAccount, kind: MarketKind) -> None:
        self.board, self.account, self.kind = board, account, kind

    def routes(self) -> dict[tuple[str, str], Handler]:
        """Return the handlers keyed by (method, path below the family's version prefix)."""
        return {("POST", "order"): self.new_order, ("GET", "order"): self.get_order,
                ("DELETE", "order"): self.cancel_order, ("GET", "openOrders"): self.open_orders}

    async def _params(self, request: web.Request) -> dict[str, str]:
        body = await request.text()
        self.account.verify(request, body)
        self.account.match(self.board)
        return dict(request.query) | dict(parse_qsl(body))

    def _find(self, params: dict[str, str]) -> FakeOrder:
        market = self.board.by_id(self.kind, params.get("symbol", ""))
        wanted_id, wanted_client = params.get("orderId"), params.get("origClientOrderId")
        for order in reversed(self.account.orders):
            if order.market is market and (str(order.order_id) == wanted_id or order.client_id == wanted_client):
                return order
        raise BinanceError(-2013, "Order does not exist.")

    async def new_order(self, request: web.Request) -> web.Response:
        """Place an order; refuse a client id that an open order already uses."""
        params = await self._params(request)
        market, now = self.board.by_id(self.kind, params.get("symbol", "")), self.board.clock.now_ms()
        client_id = params.get("newClientOrderId") or f"fake-{len(self.account.orders) + 1}"
        if any(o.client_id == client_id and o.status not in FINAL for o in self.account.orders):
            raise (BinanceError(-2010, "Duplicate order sent.") if self.kind is MarketKind.SPOT
                   else BinanceError(-4116, "ClientOrderId is duplicated."))
        order = FakeOrder(len(self.account.orders) + 1, client_id, market, params["side"], params["type"],
                          Decimal(params["quantity"]), Decimal(params["price"]) if "price" in params else None,
                          now, reduce_only=params.get("reduceOnly") == "true")
        self.account.orders.append(order)
        bid, ask = market.top_of_book(now)
        touch = ask if order.side == "BUY" else bid
        if order.type == "MARKET":
            self.account.settle(order, touch, now)
        elif order.price is not None and (order.price - touch) * (1 if order.side == "BUY" else -1) >= 0:
            self.account.settle(order, order.price, now)
        return web.json_response(order.to_json())

    async def get_order(self, request: web.Request) -> web.Response:
        """Answer the order named by orderId or origClientOrderId (the newest with that client id)."""
        return web.json_response(self._find(await self._params(request)).to_json())

    async def cancel_order(self, request: web.Request) -> web.Response:
        """Cancel an open order."""
        order = self._find(await self._params(request))
        if order.status in FINAL:
            raise BinanceError(-2011, "Unknown order sent.")
        order.status, order.update_ms = "CANCELED", self.board.clock.now_ms()
        return web.json_response(order.to_json())

    async def open_orders(self, request: web.Request) -> web.Response:
        """Answer the open orders, of one symbol when given."""
        symbol = (await self._params(request)).get("symbol")
        return web.json_response([o.to_json() for o in self.account.orders if o.status == "NEW"
                                  and o.market.kind is self.kind and symbol in (None, o.market.market_id)])


def account_routes(board: MarketBoard, account: FakeAccount) -> dict[tuple[str, str], Handler]:
    """Return the signed balance and position endpoints keyed by (method, full path)."""

    async def spot_account(request: web.Request) -> web.Response:
        account.verify(request, await request.text())
        account.match(board)
        return web.json_response({"canTrade": True, "accountType": "SPOT", "updateTime": board.clock.now_ms(),
                                  "permissions": ["SPOT"], "balances": [
                                      {"asset": a, "free": str(v), "locked": "0"} for a, v in account.balances.items()]})

    async def futures_account(request: web.Request) -> web.Response:
        account.verify(request, await request.text())
        account.match(board)
        usdt, now = str(account.balances.get("USDT", Decimal(0))), board.clock.now_ms()
        return web.json_response({"totalWalletBalance": usdt, "availableBalance": usdt, "assets": [
            {"asset": "USDT", "walletBalance": usdt, "marginBalance": usdt, "availableBalance": usdt,
             "initialMargin": "0", "unrealizedProfit": "0", "updateTime": now}], "positions": []})

    async def position_risk(request: web.Request) -> web.Response:
        account.verify(request, await request.text())
        account.match(board)
        now, rows = board.clock.now_ms(), []
        for market in board.listed(MarketKind.PERP):
            amount, entry = account.positions.get(market.market_id, (Decimal(0), Decimal(0)))
            mark = market.last_price(now)
            rows.append({"symbol": market.market_id, "positionSide": "BOTH", "positionAmt": str(amount),
                         "entryPrice": str(entry), "markPrice": str(mark), "notional": str(amount * mark),
                         "unRealizedProfit": str(amount * (mark - entry)), "liquidationPrice": "0",
                         "isolatedMargin": "0", "marginType": "cross", "leverage": "10", "updateTime": now})
        return web.json_response(rows)

    async def leverage_bracket(request: web.Request) -> web.Response:
        account.verify(request, await request.text())
        return web.json_response([{"symbol": m.market_id, "brackets": [
            {"bracket": 1, "initialLeverage": 125, "notionalCap": 50000, "notionalFloor": 0,
             "maintMarginRatio": 0.004, "cum": 0}]} for m in board.listed(MarketKind.PERP)])

    return {("GET", "/api/v3/account"): spot_account, ("GET", "/fapi/v2/account"): futures_account,
            ("GET", "/fapi/v3/account"): futures_account, ("GET", "/fapi/v2/positionRisk"): position_risk,
            ("GET", "/fapi/v3/positionRisk"): position_risk, ("GET", "/fapi/v1/leverageBracket"): leverage_bracket}
