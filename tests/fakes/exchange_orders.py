"""Signed order endpoints of the fake Binance: an in-memory book of orders, balances and positions.

LIMIT and MARKET orders with Binance's filter checks and error codes; fills at the book (market, marketable
limit), when a later closed candle trades through a resting limit, or on the test's command (`fill`,
possibly partial); each fill kept as a trade, with a fee only when the test sets fee_rate; one-way futures
positions with a margin check. Conditional futures orders live in exchange_algo_orders.py, balances,
positions and trades in exchange_account_routes.py.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import numpy as np
from aiohttp import web

from tests.fakes.exchange_market_routes import BinanceError, Handler, MarketBoard
from tests.fakes.exchange_markets import FakeMarket
from trading.domain.instruments import MarketKind

if TYPE_CHECKING:
    from tests.fakes.exchange_algo_orders import FakeAlgoOrder

FINAL = ("FILLED", "CANCELED", "EXPIRED", "REJECTED")
ZERO = Decimal(0)


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
    executed: Decimal = ZERO
    cum_quote: Decimal = ZERO
    update_ms: int = 0

    @property
    def avg_price(self) -> Decimal:
        """Return the average fill price (0 before any fill)."""
        return self.cum_quote / self.executed if self.executed else ZERO

    @property
    def is_open(self) -> bool:
        """Return True while the order can still fill or be cancelled."""
        return self.status not in FINAL

    def execute(self, qty: Decimal, price: Decimal, now_ms: int) -> None:
        """Record a fill of qty at price."""
        self.executed += qty
        self.cum_quote += qty * price
        self.status = "FILLED" if self.executed >= self.qty else "PARTIALLY_FILLED"
        self.update_ms = now_ms

    def to_json(self) -> dict:
        """Return the order the way Binance's order endpoints answer."""
        body = {"symbol": self.market.market_id, "orderId": self.order_id, "clientOrderId": self.client_id,
                "price": str(self.price or 0), "origQty": str(self.qty), "executedQty": str(self.executed),
                "status": self.status, "timeInForce": "GTC", "type": self.type, "side": self.side,
                "time": self.time_ms, "updateTime": self.update_ms or self.time_ms}
        if self.market.kind is MarketKind.SPOT:
            body.update(orderListId=-1, cummulativeQuoteQty=str(self.cum_quote),
                        transactTime=self.update_ms or self.time_ms, isWorking=self.status == "NEW", fills=[])
        else:
            body.update(avgPrice=str(self.avg_price), cumQuote=str(self.cum_quote), cumQty=str(self.executed),
                        reduceOnly=self.reduce_only, positionSide="BOTH", origType=self.type, closePosition=False)
        return body


@dataclass
class FakeAccount:
    """Keys, balances, orders and futures positions of the one account the fake serves."""

    api_key: str = "fake-api-key"
    secret: str = "fake-api-secret"
    balances: dict[str, Decimal] = field(default_factory=lambda: {"USDT": Decimal(10_000)})
    orders: list[FakeOrder] = field(default_factory=list)
    algo_orders: list["FakeAlgoOrder"] = field(default_factory=list)
    positions: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)   # market id -> (amount, entry)
    leverage: dict[str, int] = field(default_factory=dict)                        # market id -> leverage (10)
    max_leverage: dict[str, int] = field(default_factory=dict)    # market id -> its first bracket's maximum (125)
    restrictions: dict[str, bool] = field(default_factory=lambda: {
        "ipRestrict": False, "enableReading": True, "enableWithdrawals": False, "enableInternalTransfer": False,
        "enableMargin": False, "enableFutures": True, "permitsUniversalTransfer": False,
        "enableVanillaOptions": False, "enableSpotAndMarginTrading": True})
    # spot balances are checked only when asked: older tests sell what the account does not hold
    enforce_spot_balances: bool = False
    trades: list[dict] = field(default_factory=list)      # every fill, as /myTrades and /userTrades answer it
    fee_rate: Decimal = ZERO                              # taker fee, in the quote (0: the older tests' balances)
    # a fill that lands just before an order's cancel, by client id (qty, price): the race between a look and a cancel
    fill_at_cancel: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    incomes: list[dict] = field(default_factory=list)     # funding payments, as /fapi/v1/income answers them

    def verify(self, request: web.Request, body: str) -> None:
        """Raise Binance's auth errors unless the request carries our key and a valid HMAC signature."""
        if request.headers.get("X-MBX-APIKEY") != self.api_key:
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)
        signed = body if body else request.rel_url.raw_query_string
        payload, _, signature = signed.rpartition("&signature=")
        expected = hmac.new(self.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, expected):
            raise BinanceError(-1022, "Signature for this request is not valid.")

    def order(self, client_id: str) -> FakeOrder:
        """Return the newest order with this client id (for tests)."""
        return next(o for o in reversed(self.orders) if o.client_id == client_id)

    def position(self, market_id: str) -> Decimal:
        """Return the signed futures position in market_id."""
        return self.positions.get(market_id, (ZERO, ZERO))[0]

    def fill(self, order: FakeOrder, qty: Decimal | None, price: Decimal, now_ms: int) -> None:
        """Fill qty (the rest when None) of an open order at price, moving balances or the position."""
        qty = order.qty - order.executed if qty is None else min(qty, order.qty - order.executed)
        if order.reduce_only:
            held = self.position(order.market.market_id)
            qty = min(qty, abs(held)) if (held > 0) == (order.side == "SELL") else ZERO
        if qty > 0:
            realized = self._move(order, qty, price)
            order.execute(qty, price, now_ms)
            self._record_trade(order, qty, price, realized, now_ms)
        if order.reduce_only and order.is_open and qty == 0:
            order.status, order.update_ms = "EXPIRED", now_ms      # nothing left to reduce

    def trade_by_hand(self, market: FakeMarket, side: str, qty: Decimal, price: Decimal, now_ms: int,
                      reduce_only: bool | None = None) -> FakeOrder:
        """Fill a market order the user placed in the exchange's own app (no client id of the bot's); a futures
        order is reduce-only unless told otherwise (reduce_only=False: it may reverse the position)."""
        reduce_only = market.kind is not MarketKind.SPOT if reduce_only is None else reduce_only
        order = FakeOrder(len(self.orders) + 1, f"app-{len(self.orders) + 1}", market, side, "MARKET", qty, None,
                          now_ms, reduce_only=reduce_only)
        self.orders.append(order)
        self.fill(order, None, price, now_ms)
        return order

    def _record_trade(self, order: FakeOrder, qty: Decimal, price: Decimal, realized: Decimal, now_ms: int) -> None:
        fee = qty * price * self.fee_rate
        quote = order.market.quote
        self.balances[quote] = self.balances.get(quote, ZERO) - fee
        row = {"symbol": order.market.market_id, "id": len(self.trades) + 1, "orderId": order.order_id,
               "price": str(price), "qty": str(qty), "quoteQty": str(qty * price), "commission": str(fee),
               "commissionAsset": quote, "time": now_ms, "maker": False}
        if order.market.kind is MarketKind.SPOT:
            row |= {"orderListId": -1, "isBuyer": order.side == "BUY", "isMaker": False, "isBestMatch": True}
        else:
            row |= {"side": order.side, "buyer": order.side == "BUY", "positionSide": "BOTH",
                    "realizedPnl": str(realized)}
        self.trades.append(row | {"_kind": order.market.kind})

    def _move(self, order: FakeOrder, qty: Decimal, price: Decimal) -> Decimal:
        signed_qty = qty if order.side == "BUY" else -qty
        if order.market.kind is MarketKind.SPOT:
            base, quote = order.market.base, order.market.quote
            self.balances[base] = self.balances.get(base, ZERO) + signed_qty
            self.balances[quote] = self.balances.get(quote, ZERO) - signed_qty * price
            return ZERO
        realized = ZERO
        amount, entry = self.positions.get(order.market.market_id, (ZERO, ZERO))
        new_amount = amount + signed_qty
        if amount == 0 or (amount > 0) == (signed_qty > 0):
            entry = (amount * entry + signed_qty * price) / new_amount
        else:
            closed = min(abs(signed_qty), abs(amount)) * (1 if amount > 0 else -1)
            realized = closed * (price - entry)
            self.balances["USDT"] += realized
            entry = entry if new_amount and (new_amount > 0) == (amount > 0) else price
        self.positions[order.market.market_id] = (new_amount, entry if new_amount else ZERO)
        return realized

    def used_margin(self) -> Decimal:
        """Return the margin the futures positions hold at their entry prices."""
        return sum((abs(a) * e / self.leverage.get(m, 10) for m, (a, e) in self.positions.items()), ZERO)

    def match(self, board: MarketBoard) -> None:
        """Fill resting limits; trigger conditional orders a closed candle traded through or the last price reached."""
        now = board.clock.now_ms()
        for order in (o for o in self.orders if o.is_open and o.type == "LIMIT"):
            if crossed(order.market, order.time_ms, now, order.price, below=order.side == "BUY"):
                self.fill(order, None, order.price, now)   # type: ignore[arg-type]
        for algo in (a for a in self.algo_orders if a.status == "NEW"):
            last = algo.market.last_price(now)      # a test's sudden move (moved_by) triggers too
            reached = last <= algo.trigger_price if algo.triggers_below else last >= algo.trigger_price
            if reached or crossed(algo.market, algo.time_ms, now, algo.trigger_price, below=algo.triggers_below):
                algo.trigger(self, now)


def crossed(market: FakeMarket, since_ms: int, now_ms: int, price: Decimal, below: bool) -> bool:
    """Return True when a candle closed after since_ms's bar traded at or through price (from above if below)."""
    tf = market.finest()
    closed = market.closed(tf, now_ms)
    after = closed[int(np.searchsorted(closed.open_ms, since_ms - since_ms % tf.ms + tf.ms)):]
    hit = (after.low <= float(price)) if below else (after.high >= float(price))
    return bool(len(after)) and bool(np.any(hit))


def check_filters(market: FakeMarket, qty: Decimal, price: Decimal, reduce_only: bool) -> None:
    """Raise Binance's precision, lot-size and notional errors for an order of qty at price."""
    if qty != qty.quantize(Decimal(market.step)) or price != price.quantize(Decimal(market.tick)):
        raise BinanceError(-1111, "Precision is over the maximum defined for this asset.")
    if qty < Decimal(market.min_qty):
        raise BinanceError(-1013, "Filter failure: LOT_SIZE")
    if qty * price < Decimal(market.min_notional) and not reduce_only:
        if market.kind is MarketKind.SPOT:
            raise BinanceError(-1013, "Filter failure: NOTIONAL")
        raise BinanceError(-4164, f"Order's notional must be no smaller than {market.min_notional} "
                                  f"(unless you choose reduce only).")


class OrderEndpoints:
    """The signed order endpoints of one API family (spot /api/v3 or USDT-M /fapi/v1)."""

    def __init__(self, board: MarketBoard, account: FakeAccount, kind: MarketKind) -> None:
        self.board, self.account, self.kind = board, account, kind

    def routes(self) -> dict[tuple[str, str], Handler]:
        """Return the handlers keyed by (method, path below the family's version prefix)."""
        return {("POST", "order"): self.new_order, ("GET", "order"): self.get_order,
                ("DELETE", "order"): self.cancel_order, ("GET", "openOrders"): self.open_orders}

    async def params(self, request: web.Request) -> dict[str, str]:
        """Return the verified request's parameters, after filling what the market has traded through."""
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
        """Place an order; refuse a client id that an open order already uses, and what breaks a rule."""
        params = await self.params(request)
        market, now = self.board.by_id(self.kind, params.get("symbol", "")), self.board.clock.now_ms()
        client_id = params.get("newClientOrderId") or f"fake-{len(self.account.orders) + 1}"
        self.refuse_duplicate(client_id)
        bid, ask = market.top_of_book(now)
        touch = ask if params["side"] == "BUY" else bid
        qty, price = Decimal(params["quantity"]), Decimal(params["price"]) if "price" in params else None
        order = FakeOrder(self.next_id(), client_id, market, params["side"], params["type"], qty, price, now,
                          reduce_only=params.get("reduceOnly") == "true")
        check_filters(market, qty, price or touch, order.reduce_only)
        self.check_funds(order, price or touch)
        self.account.orders.append(order)
        if order.type == "MARKET":
            self.account.fill(order, None, touch, now)
        elif price is not None and (price - touch) * (1 if order.side == "BUY" else -1) >= 0:
            self.account.fill(order, None, price, now)
        return web.json_response(order.to_json())

    def next_id(self) -> int:
        """Return the next order id (one sequence for every order, like one Binance matching engine)."""
        return len(self.account.orders) + 1

    def refuse_duplicate(self, client_id: str) -> None:
        """Raise Binance's duplicate error when an open order (or open algo order) uses client_id."""
        taken = any(o.client_id == client_id and o.is_open for o in self.account.orders) or \
            any(a.client_id == client_id and a.status == "NEW" for a in self.account.algo_orders)
        if taken:
            raise (BinanceError(-2010, "Duplicate order sent.") if self.kind is MarketKind.SPOT
                   else BinanceError(-4116, "ClientOrderId is duplicated."))

    def check_funds(self, order: FakeOrder, price: Decimal) -> None:
        """Raise -2010 (spot balance), -2022 (nothing to reduce) or -2019 (margin) like Binance."""
        account, market = self.account, order.market
        if market.kind is MarketKind.SPOT:
            asset, need = (market.quote, order.qty * price) if order.side == "BUY" else (market.base, order.qty)
            if account.enforce_spot_balances and account.balances.get(asset, ZERO) < need:
                raise BinanceError(-2010, "Account has insufficient balance for requested action.")
            return
        held = account.position(market.market_id)
        closing = min(order.qty, abs(held)) if held and (held > 0) == (order.side == "SELL") else ZERO
        if order.reduce_only:
            if closing == 0:
                raise BinanceError(-2022, "ReduceOnly Order is rejected.")
            return
        margin = (order.qty - closing) * price / account.leverage.get(market.market_id, 10)
        if margin > account.balances.get("USDT", ZERO) - account.used_margin():
            raise BinanceError(-2019, "Margin is insufficient.")

    async def get_order(self, request: web.Request) -> web.Response:
        """Answer the order named by orderId or origClientOrderId (the newest with that client id)."""
        return web.json_response(self._find(await self.params(request)).to_json())

    async def cancel_order(self, request: web.Request) -> web.Response:
        """Cancel an open order."""
        order = self._find(await self.params(request))
        if order.client_id in self.account.fill_at_cancel:
            qty, price = self.account.fill_at_cancel.pop(order.client_id)
            self.account.fill(order, qty, price, self.board.clock.now_ms())
        if not order.is_open:
            raise BinanceError(-2011, "Unknown order sent.")
        order.status, order.update_ms = "CANCELED", self.board.clock.now_ms()
        return web.json_response(order.to_json())

    async def open_orders(self, request: web.Request) -> web.Response:
        """Answer the open orders, of one symbol when given."""
        symbol = (await self.params(request)).get("symbol")
        return web.json_response([o.to_json() for o in self.account.orders if o.is_open
                                  and o.market.kind is self.kind and symbol in (None, o.market.market_id)])
