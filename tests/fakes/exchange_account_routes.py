"""Signed account endpoints of the fake Binance: balances, futures positions and leverage, key restrictions."""
from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl

from aiohttp import web

from tests.fakes.exchange_market_routes import BinanceError, Handler, MarketBoard
from tests.fakes.exchange_orders import ZERO, FakeAccount
from trading.domain.instruments import MarketKind


class AccountEndpoints:
    """GET /api/v3/account, /fapi/v2|v3/account and positionRisk, leverage, /sapi/v1/account/apiRestrictions."""

    def __init__(self, board: MarketBoard, account: FakeAccount) -> None:
        self.board, self.account = board, account

    def routes(self) -> dict[tuple[str, str], Handler]:
        """Return the handlers keyed by (method, full path)."""
        return {("GET", "/api/v3/account"): self.spot_account, ("GET", "/fapi/v2/account"): self.futures_account,
                ("GET", "/fapi/v3/account"): self.futures_account, ("GET", "/fapi/v2/positionRisk"): self.positions,
                ("GET", "/fapi/v3/positionRisk"): self.positions,
                ("GET", "/fapi/v1/leverageBracket"): self.leverage_bracket,
                ("POST", "/fapi/v1/leverage"): self.set_leverage,
                ("GET", "/sapi/v1/account/apiRestrictions"): self.api_restrictions,
                ("GET", "/api/v3/myTrades"): self.spot_trades, ("GET", "/fapi/v1/userTrades"): self.futures_trades}

    async def verified(self, request: web.Request) -> dict[str, str]:
        """Return the parameters of a correctly signed request, after filling what the market traded through."""
        body = await request.text()
        self.account.verify(request, body)
        self.account.match(self.board)
        return dict(request.query) | dict(parse_qsl(body))

    async def spot_account(self, request: web.Request) -> web.Response:
        """Answer the spot balances."""
        await self.verified(request)
        balances = [{"asset": a, "free": str(v), "locked": "0"} for a, v in self.account.balances.items()]
        return web.json_response({"canTrade": True, "accountType": "SPOT", "updateTime": self.board.clock.now_ms(),
                                  "permissions": ["SPOT"], "balances": balances})

    async def futures_account(self, request: web.Request) -> web.Response:
        """Answer the USDT-M wallet: balance, margin in use, what is available."""
        await self.verified(request)
        wallet, used = self.account.balances.get("USDT", ZERO), self.account.used_margin()
        free = str(wallet - used)
        return web.json_response({"totalWalletBalance": str(wallet), "availableBalance": free, "assets": [
            {"asset": "USDT", "walletBalance": str(wallet), "marginBalance": str(wallet), "availableBalance": free,
             "initialMargin": str(used), "unrealizedProfit": "0", "updateTime": self.board.clock.now_ms()}],
            "positions": []})

    async def positions(self, request: web.Request) -> web.Response:
        """Answer one position row per perpetual (isolated; liquidation at a 1/leverage move from entry)."""
        await self.verified(request)
        now, rows = self.board.clock.now_ms(), []
        for market in self.board.listed(MarketKind.PERP):
            amount, entry = self.account.positions.get(market.market_id, (ZERO, ZERO))
            mark, leverage = market.last_price(now), self.account.leverage.get(market.market_id, 10)
            sign = 1 if amount > 0 else -1 if amount < 0 else 0
            rows.append({"symbol": market.market_id, "positionSide": "BOTH", "positionAmt": str(amount),
                         "entryPrice": str(entry), "markPrice": str(mark), "notional": str(amount * mark),
                         "unRealizedProfit": str(amount * (mark - entry)),
                         "liquidationPrice": str(entry * (1 - Decimal(sign) / leverage) if sign else ZERO),
                         "isolatedMargin": str(abs(amount) * entry / leverage), "marginType": "isolated",
                         "leverage": str(leverage), "updateTime": now})
        return web.json_response(rows)

    async def leverage_bracket(self, request: web.Request) -> web.Response:
        """Answer one margin bracket per perpetual (its maximum: FakeAccount.max_leverage, else 125x)."""
        await self.verified(request)
        return web.json_response([{"symbol": m.market_id, "brackets": [
            {"bracket": 1, "initialLeverage": self.account.max_leverage.get(m.market_id, 125), "notionalCap": 50000,
             "notionalFloor": 0, "maintMarginRatio": 0.004, "cum": 0}]} for m in self.board.listed(MarketKind.PERP)])

    async def set_leverage(self, request: web.Request) -> web.Response:
        """Set the leverage of a perpetual; refuse one above its maximum as Binance does (-4028)."""
        params = await self.verified(request)
        market = self.board.by_id(MarketKind.PERP, params.get("symbol", ""))
        if int(params["leverage"]) > self.account.max_leverage.get(market.market_id, 125):
            raise BinanceError(-4028, f"Leverage {params['leverage']} is not valid")
        self.account.leverage[market.market_id] = int(params["leverage"])
        return web.json_response({"leverage": int(params["leverage"]), "maxNotionalValue": "1000000",
                                  "symbol": market.market_id})

    async def spot_trades(self, request: web.Request) -> web.Response:
        """Answer the account's spot trades in a symbol from startTime to endTime (those the fake still keeps)."""
        return await self._trades(request, MarketKind.SPOT)

    async def futures_trades(self, request: web.Request) -> web.Response:
        """Answer the account's USDT-M trades in a symbol from startTime to endTime, with their realised PnL."""
        return await self._trades(request, MarketKind.PERP)

    async def _trades(self, request: web.Request, kind: MarketKind) -> web.Response:
        params = await self.verified(request)
        since, until = int(params.get("startTime") or 0), int(params.get("endTime") or 2**62)
        longest = (7 if kind is MarketKind.PERP else 1) * 86_400_000      # Binance's widest range per call
        if "startTime" in params and "endTime" in params and until - since > longest:
            raise BinanceError(-1127, f"More than {longest // 3_600_000} hours between startTime and endTime.")
        rows = [{k: v for k, v in t.items() if k != "_kind"} for t in self.account.trades
                if t["_kind"] is kind and t["symbol"] == params.get("symbol") and since <= t["time"] <= until]
        return web.json_response(rows[-int(params.get("limit") or 500):])

    async def api_restrictions(self, request: web.Request) -> web.Response:
        """Answer what the API key may do (FakeAccount.restrictions)."""
        await self.verified(request)
        return web.json_response({**self.account.restrictions, "createTime": self.board.clock.now_ms()})
