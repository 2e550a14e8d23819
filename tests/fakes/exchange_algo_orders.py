"""Conditional USDT-M orders of the fake Binance: STOP_MARKET and TAKE_PROFIT_MARKET on /fapi/v1/algoOrder.

Since late 2025 Binance (and ccxt 4.5.90) sends futures orders with a trigger price to the algo endpoints,
named by algoId / clientAlgoId. When the trigger is reached (a closed candle trades through it, or the test
calls `trigger`) the algo order places a market order (actualOrderId) and finishes.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from aiohttp import web

from tests.fakes.exchange_market_routes import BinanceError, Handler, MarketBoard
from tests.fakes.exchange_markets import FakeMarket
from tests.fakes.exchange_orders import FakeAccount, FakeOrder, OrderEndpoints, check_filters
from trading.domain.instruments import MarketKind

ALGO_ID_BASE = 5_000_000      # algo ids come from their own sequence, as on Binance


@dataclass
class FakeAlgoOrder:
    """One conditional order waiting for its trigger price."""

    algo_id: int
    client_id: str
    market: FakeMarket
    side: str                      # BUY | SELL
    type: str                      # STOP_MARKET | TAKE_PROFIT_MARKET
    qty: Decimal
    trigger_price: Decimal
    time_ms: int
    reduce_only: bool = False
    status: str = "NEW"            # NEW | CANCELED | FINISHED | EXPIRED
    actual_order_id: int | None = None
    actual_price: Decimal | None = None
    update_ms: int = 0

    @property
    def triggers_below(self) -> bool:
        """Return True when a fall to the trigger fires it (sell stops, buy take-profits)."""
        return (self.type == "STOP_MARKET") == (self.side == "SELL")

    def trigger(self, account: FakeAccount, now_ms: int) -> FakeOrder:
        """Fire: place and fill a market order at the trigger price, and finish."""
        order = FakeOrder(len(account.orders) + 1, f"autoclose-{self.algo_id}", self.market, self.side, "MARKET",
                          self.qty, None, now_ms, reduce_only=self.reduce_only)
        account.orders.append(order)
        account.fill(order, None, self.trigger_price, now_ms)
        self.status, self.update_ms = "FINISHED", now_ms
        self.actual_order_id, self.actual_price = order.order_id, order.avg_price
        return order

    def to_json(self) -> dict:
        """Return the algo order the way Binance's algo endpoints answer."""
        return {"algoId": self.algo_id, "clientAlgoId": self.client_id, "algoType": "CONDITIONAL",
                "orderType": self.type, "symbol": self.market.market_id, "side": self.side,
                "positionSide": "BOTH", "timeInForce": "GTC", "quantity": str(self.qty), "algoStatus": self.status,
                "actualOrderId": str(self.actual_order_id or ""), "actualPrice": str(self.actual_price or 0),
                "triggerPrice": str(self.trigger_price), "price": "0", "workingType": "CONTRACT_PRICE",
                "priceMatch": "NONE", "closePosition": False, "priceProtect": False,
                "reduceOnly": self.reduce_only, "createTime": self.time_ms,
                "updateTime": self.update_ms or self.time_ms, "triggerTime": self.update_ms if self.actual_order_id
                else 0, "goodTillDate": 0}


class AlgoOrderEndpoints:
    """POST/GET/DELETE /fapi/v1/algoOrder and GET /fapi/v1/openAlgoOrders."""

    def __init__(self, board: MarketBoard, account: FakeAccount) -> None:
        self.board, self.account = board, account
        self.orders = OrderEndpoints(board, account, MarketKind.PERP)

    def routes(self) -> dict[tuple[str, str], Handler]:
        """Return the handlers keyed by (method, full path)."""
        return {("POST", "/fapi/v1/algoOrder"): self.new_algo_order, ("GET", "/fapi/v1/algoOrder"): self.get,
                ("DELETE", "/fapi/v1/algoOrder"): self.cancel, ("GET", "/fapi/v1/openAlgoOrders"): self.open}

    def find(self, params: dict[str, str]) -> FakeAlgoOrder:
        """Return the algo order named by algoId or clientAlgoId, or raise -2013."""
        wanted_id, wanted_client = params.get("algoId"), params.get("clientAlgoId")
        for algo in reversed(self.account.algo_orders):
            if str(algo.algo_id) == wanted_id or algo.client_id == wanted_client:
                return algo
        raise BinanceError(-2013, "Order does not exist.")

    async def new_algo_order(self, request: web.Request) -> web.Response:
        """Accept a STOP_MARKET or TAKE_PROFIT_MARKET order; refuse one that would trigger at once."""
        params = await self.orders.params(request)
        market, now = self.board.by_id(MarketKind.PERP, params.get("symbol", "")), self.board.clock.now_ms()
        if params.get("algoType") != "CONDITIONAL" or params.get("type") not in ("STOP_MARKET",
                                                                               "TAKE_PROFIT_MARKET"):
            raise BinanceError(-1116, "Invalid orderType.")
        client_id = params.get("clientAlgoId") or f"fake-algo-{len(self.account.algo_orders) + 1}"
        self.orders.refuse_duplicate(client_id)
        algo = FakeAlgoOrder(ALGO_ID_BASE + len(self.account.algo_orders) + 1, client_id, market, params["side"],
                             params["type"], Decimal(params["quantity"]), Decimal(params["triggerPrice"]), now,
                             reduce_only=params.get("reduceOnly") == "true")
        check_filters(market, algo.qty, algo.trigger_price, algo.reduce_only)
        last = market.last_price(now)
        if (last <= algo.trigger_price) if algo.triggers_below else (last >= algo.trigger_price):
            raise BinanceError(-2021, "Order would immediately trigger.")
        self.account.algo_orders.append(algo)
        return web.json_response(algo.to_json())

    async def get(self, request: web.Request) -> web.Response:
        """Answer one algo order."""
        return web.json_response(self.find(await self.orders.params(request)).to_json())

    async def cancel(self, request: web.Request) -> web.Response:
        """Cancel an algo order that has not triggered."""
        algo = self.find(await self.orders.params(request))
        if algo.status != "NEW":
            raise BinanceError(-2011, "Unknown order sent.")
        algo.status, algo.update_ms = "CANCELED", self.board.clock.now_ms()
        return web.json_response({"algoId": algo.algo_id, "clientAlgoId": algo.client_id, "code": "200",
                                  "msg": "success"})

    async def open(self, request: web.Request) -> web.Response:
        """Answer the algo orders waiting for their trigger, of one symbol when given."""
        symbol = (await self.orders.params(request)).get("symbol")
        return web.json_response([a.to_json() for a in self.account.algo_orders
                                  if a.status == "NEW" and symbol in (None, a.market.market_id)])


def trigger(account: FakeAccount, client_id: str, now_ms: int) -> FakeOrder:
    """Fire the waiting algo order with client_id at its trigger price (a test's command)."""
    algo = next(a for a in reversed(account.algo_orders) if a.client_id == client_id and a.status == "NEW")
    return algo.trigger(account, now_ms)
