"""What the fake Binance does to a futures account on its own: liquidations, auto-deleveraging, settlements
and funding.

The exchange closes a position by itself with an order whose client id is 'autoclose-<time><seq>' (a
liquidation), 'adl_autoclose' (auto-deleveraging) or 'settlement_autoclose-<time>' (a delisted contract
settled); the account's trades show its fills like any other, and GET /fapi/v1/forceOrders lists the first
two kinds (autoCloseType LIQUIDATION or ADL, both when not given). Funding
paid or received every eight hours is income of type FUNDING_FEE in GET /fapi/v1/income (positive: received);
a liquidation's clearance fee is income of type INSURANCE_CLEAR.
"""
from __future__ import annotations

from decimal import Decimal

from aiohttp import web

from tests.fakes.exchange_market_routes import Handler, MarketBoard
from tests.fakes.exchange_markets import FakeMarket
from tests.fakes.exchange_orders import FakeAccount, FakeOrder
from trading.domain.instruments import MarketKind

LIQUIDATION_PREFIX = "autoclose-"
ADL_ID = "adl_autoclose"
SETTLEMENT_PREFIX = "settlement_autoclose-"


def auto_close(account: FakeAccount, market: FakeMarket, price: Decimal, now_ms: int, adl: bool = False) -> FakeOrder:
    """Close the whole position in market at price as the exchange does: liquidated, or auto-deleveraged."""
    held = account.position(market.market_id)
    assert held != 0, "nothing to liquidate"
    client_id = ADL_ID if adl else f"{LIQUIDATION_PREFIX}{now_ms}{len(account.orders) + 1:06d}"
    order = FakeOrder(len(account.orders) + 1, client_id, market, "SELL" if held > 0 else "BUY", "LIMIT", abs(held),
                      price, now_ms, reduce_only=False)
    account.orders.append(order)
    account.fill(order, None, price, now_ms)
    return order


def settle(account: FakeAccount, market: FakeMarket, price: Decimal, now_ms: int) -> FakeOrder:
    """Close the whole position in market at price as the exchange settles a delisted contract."""
    held = account.position(market.market_id)
    order = FakeOrder(len(account.orders) + 1, f"{SETTLEMENT_PREFIX}{now_ms}", market, "SELL" if held > 0 else "BUY",
                      "MARKET", abs(held), None, now_ms, reduce_only=True)
    account.orders.append(order)
    account.fill(order, None, price, now_ms)
    return order


def pay_funding(account: FakeAccount, market: FakeMarket, income: Decimal, now_ms: int,
                kind: str = "FUNDING_FEE") -> None:
    """Book a funding payment on the position in market (income > 0: the account received it), or another
    income of kind (INSURANCE_CLEAR: a liquidation's clearance fee, negative)."""
    account.balances["USDT"] = account.balances.get("USDT", Decimal(0)) + income
    account.incomes.append({"symbol": market.market_id, "incomeType": kind, "income": str(income),
                            "asset": "USDT", "info": kind, "time": now_ms,
                            "tranId": str(9_000_000 + len(account.incomes)), "tradeId": ""})


class AutoCloseEndpoints:
    """GET /fapi/v1/forceOrders and GET /fapi/v1/income (signed)."""

    def __init__(self, board: MarketBoard, account: FakeAccount) -> None:
        self.board, self.account = board, account

    def routes(self) -> dict[tuple[str, str], Handler]:
        """Return the handlers keyed by (method, full path)."""
        return {("GET", "/fapi/v1/forceOrders"): self.force_orders, ("GET", "/fapi/v1/income"): self.income}

    async def force_orders(self, request: web.Request) -> web.Response:
        """Answer the orders the exchange sent to close the account's positions itself."""
        params = self._verified(request)
        kind = params.get("autoCloseType")
        rows = [o.to_json() for o in self.account.orders if o.market.kind is MarketKind.PERP
                and (kind != "ADL" and o.client_id.startswith(LIQUIDATION_PREFIX)
                     or kind != "LIQUIDATION" and o.client_id == ADL_ID)
                and _within(params, o.market.market_id, o.time_ms)]
        return web.json_response(rows[-int(params.get("limit") or 50):])

    async def income(self, request: web.Request) -> web.Response:
        """Answer the account's income rows of a type in a symbol between startTime and endTime."""
        params = self._verified(request)
        rows = [r for r in self.account.incomes if params.get("incomeType") in (None, r["incomeType"])
                and _within(params, r["symbol"], int(r["time"]))]
        return web.json_response(rows[:int(params.get("limit") or 100)])

    def _verified(self, request: web.Request) -> dict[str, str]:
        self.account.verify(request, "")
        return dict(request.query)


def _within(params: dict[str, str], market_id: str, ts_ms: int) -> bool:
    start, end = int(params.get("startTime") or 0), int(params.get("endTime") or 2**62)
    return params.get("symbol") in (None, market_id) and start <= ts_ms <= end
