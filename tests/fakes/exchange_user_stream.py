"""User-data events of the fake Binance: what changed in the account since the last push, as Binance sends it.

Spot: executionReport and outboundAccountPosition (delivered over the WebSocket API subscription).
USDT-M: ORDER_TRADE_UPDATE, ALGO_UPDATE and ACCOUNT_UPDATE (delivered on the listenKey stream).
The listenKey itself comes from POST /fapi/v1/listenKey (routes below).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from tests.fakes.exchange_market_routes import BinanceError, Handler, MarketBoard
from tests.fakes.exchange_orders import ZERO, FakeAccount, FakeOrder
from trading.domain.instruments import MarketKind

Update = tuple[MarketKind, dict[str, Any]]


class UserEvents:
    """Diffs the fake account against what was last pushed and returns the events for the difference."""

    def __init__(self, board: MarketBoard, account: FakeAccount) -> None:
        self.board, self.account = board, account
        self._orders: dict[int, tuple[str, Decimal, Decimal]] = {}     # order id -> (status, executed, quote)
        self._algos: dict[int, str] = {}
        self._balances: dict[str, Decimal] = dict(account.balances)
        self._positions: dict[str, tuple[Decimal, Decimal]] = dict(account.positions)

    def check_signature(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """Return Binance's error for a WebSocket API signature that is not ours (None when it is)."""
        if params.get("apiKey") != self.account.api_key:
            return {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
        unsigned = {k: v for k, v in sorted(params.items()) if k != "signature"}
        expected = hmac.new(self.account.secret.encode(), urlencode(unsigned).encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(str(params.get("signature")), expected):
            return {"code": -1022, "msg": "Signature for this request is not valid."}
        return None

    def changes(self) -> list[Update]:
        """Return the events since the last call, oldest first."""
        self.account.match(self.board)
        now = self.board.clock.now_ms()
        updates: list[Update] = []
        for order in self.account.orders:
            updates += self._order_updates(order, now)
        for algo in self.account.algo_orders:
            if self._algos.get(algo.algo_id) != algo.status:
                self._algos[algo.algo_id] = algo.status
                updates.append((MarketKind.PERP, algo_event(algo.to_json(), now)))
        updates += self._account_updates(now)
        return updates

    def _order_updates(self, order: FakeOrder, now: int) -> list[Update]:
        status, executed, quote = self._orders.get(order.order_id, ("", ZERO, ZERO))
        if (status, executed) == (order.status, order.executed):
            return []
        self._orders[order.order_id] = (order.status, order.executed, order.cum_quote)
        steps = []
        if not status:
            steps.append(("NEW", "NEW", ZERO, ZERO))
        if order.executed > executed:
            qty = order.executed - executed
            steps.append(("TRADE", order.status, qty, (order.cum_quote - quote) / qty))
        elif order.status != status and order.status in ("CANCELED", "EXPIRED", "REJECTED"):
            steps.append((order.status, order.status, ZERO, ZERO))
        kind = order.market.kind
        build = execution_report if kind is MarketKind.SPOT else order_trade_update
        return [(kind, build(order, x, X, last_qty, last_price, now)) for x, X, last_qty, last_price in steps]

    def _account_updates(self, now: int) -> list[Update]:
        updates: list[Update] = []
        if self.account.balances != self._balances:
            self._balances = dict(self.account.balances)
            updates.append((MarketKind.SPOT, {"e": "outboundAccountPosition", "E": now, "u": now, "B": [
                {"a": a, "f": str(v), "l": "0"} for a, v in self._balances.items()]}))
        if self.account.positions != self._positions or updates:
            self._positions = dict(self.account.positions)
            wallet = str(self.account.balances.get("USDT", ZERO))
            updates.append((MarketKind.PERP, {"e": "ACCOUNT_UPDATE", "E": now, "T": now, "a": {
                "m": "ORDER", "B": [{"a": "USDT", "wb": wallet, "cw": wallet, "bc": "0"}],
                "P": [{"s": m, "pa": str(a), "ep": str(e), "cr": "0", "up": "0", "mt": "isolated", "iw": "0",
                       "ps": "BOTH"} for m, (a, e) in self._positions.items()]}}))
        return updates


def execution_report(order: FakeOrder, x: str, status: str, last_qty: Decimal, last_price: Decimal,
                     now: int) -> dict[str, Any]:
    """Return the spot executionReport for one step of an order."""
    cancelled = x == "CANCELED"
    return {"e": "executionReport", "E": now, "s": order.market.market_id,
            "c": f"web_{order.order_id}" if cancelled else order.client_id, "S": order.side, "o": order.type,
            "f": "GTC", "q": str(order.qty), "p": str(order.price or 0), "P": "0.00000000", "F": "0.00000000",
            "g": -1, "C": order.client_id if cancelled else "", "x": x, "X": status, "r": "NONE",
            "i": order.order_id, "l": str(last_qty), "z": str(order.executed), "L": str(last_price), "n": "0",
            "N": None, "T": order.update_ms or order.time_ms, "t": -1 if x != "TRADE" else order.order_id,
            "I": 1, "w": status == "NEW", "m": False, "M": False, "O": order.time_ms, "Z": str(order.cum_quote),
            "Y": str(last_qty * last_price), "Q": "0.00000000"}


def order_trade_update(order: FakeOrder, x: str, status: str, last_qty: Decimal, last_price: Decimal,
                       now: int) -> dict[str, Any]:
    """Return the USDT-M ORDER_TRADE_UPDATE for one step of an order."""
    ts = order.update_ms or order.time_ms
    return {"e": "ORDER_TRADE_UPDATE", "E": now, "T": ts, "o": {
        "s": order.market.market_id, "c": order.client_id, "S": order.side, "o": order.type, "f": "GTC",
        "q": str(order.qty), "p": str(order.price or 0), "ap": str(order.avg_price), "sp": "0", "x": x, "X": status,
        "i": order.order_id, "l": str(last_qty), "z": str(order.executed), "L": str(last_price), "N": "USDT",
        "n": "0", "T": ts, "t": order.order_id if x == "TRADE" else 0, "b": "0", "a": "0", "m": False,
        "R": order.reduce_only, "wt": "CONTRACT_PRICE", "ot": order.type, "ps": "BOTH", "cp": False, "rp": "0",
        "pP": False, "si": 0, "ss": 0, "V": "NONE", "pm": "NONE", "gtd": 0}}


def algo_event(algo: dict[str, Any], now: int) -> dict[str, Any]:
    """Return the USDT-M ALGO_UPDATE for an algo order (its REST body)."""
    return {"e": "ALGO_UPDATE", "T": algo["updateTime"], "E": now, "o": {
        "caid": algo["clientAlgoId"], "aid": algo["algoId"], "at": "CONDITIONAL", "o": algo["orderType"],
        "s": algo["symbol"], "S": algo["side"], "ps": "BOTH", "f": "GTC", "q": algo["quantity"],
        "X": algo["algoStatus"], "ai": algo["actualOrderId"], "ap": algo["actualPrice"], "tp": algo["triggerPrice"],
        "p": "0", "wt": "CONTRACT_PRICE", "pm": "NONE", "cp": False, "pP": False, "R": algo["reduceOnly"],
        "tt": algo["triggerTime"], "gtd": 0}}


def listen_key_routes(account: FakeAccount, keys: set[str]) -> dict[tuple[str, str], Handler]:
    """Return POST/PUT/DELETE /fapi/v1/listenKey: keys for the USDT-M user-data stream (API key only)."""
    def check(request: web.Request) -> None:
        if request.headers.get("X-MBX-APIKEY") != account.api_key:
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)

    async def create(request: web.Request) -> web.Response:
        check(request)
        if not keys:
            keys.add(secrets.token_hex(16))
        return web.json_response({"listenKey": next(iter(keys))})

    async def keep_alive(request: web.Request) -> web.Response:
        check(request)
        return web.json_response({})

    async def delete(request: web.Request) -> web.Response:
        check(request)
        keys.clear()
        return web.json_response({})

    return {("POST", "/fapi/v1/listenKey"): create, ("PUT", "/fapi/v1/listenKey"): keep_alive,
            ("DELETE", "/fapi/v1/listenKey"): delete}
