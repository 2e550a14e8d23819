"""Signed account endpoints of the fake Binance: balances, futures positions and leverage, key restrictions."""
from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl

from aiohttp import web

from tests.fakes.exchange_market_routes import Handler, MarketBoard
from tests.fakes.exchange_orders import ZERO, FakeAccount
from trading.domain.instruments import MarketKind


def account_routes(board: MarketBoard, account: FakeAccount) -> dict[tuple[str, str], Handler]:
    """Return the signed balance, position, leverage and key-permission endpoints keyed by (method, full path)."""

    async def verified(request: web.Request) -> dict[str, str]:
        body = await request.text()
        account.verify(request, body)
        account.match(board)
        return dict(request.query) | dict(parse_qsl(body))

    async def spot_account(request: web.Request) -> web.Response:
        await verified(request)
        return web.json_response({"canTrade": True, "accountType": "SPOT", "updateTime": board.clock.now_ms(),
                                  "permissions": ["SPOT"], "balances": [
                                      {"asset": a, "free": str(v), "locked": "0"} for a, v in account.balances.items()]})

    async def futures_account(request: web.Request) -> web.Response:
        await verified(request)
        wallet, now = account.balances.get("USDT", ZERO), board.clock.now_ms()
        free = str(wallet - account.used_margin())
        return web.json_response({"totalWalletBalance": str(wallet), "availableBalance": free, "assets": [
            {"asset": "USDT", "walletBalance": str(wallet), "marginBalance": str(wallet), "availableBalance": free,
             "initialMargin": str(account.used_margin()), "unrealizedProfit": "0", "updateTime": now}],
            "positions": []})

    async def position_risk(request: web.Request) -> web.Response:
        await verified(request)
        now, rows = board.clock.now_ms(), []
        for market in board.listed(MarketKind.PERP):
            amount, entry = account.positions.get(market.market_id, (ZERO, ZERO))
            mark, leverage = market.last_price(now), account.leverage.get(market.market_id, 10)
            liquidation = entry * (1 - Decimal(1) / leverage) if amount > 0 else \
                entry * (1 + Decimal(1) / leverage) if amount < 0 else ZERO
            rows.append({"symbol": market.market_id, "positionSide": "BOTH", "positionAmt": str(amount),
                         "entryPrice": str(entry), "markPrice": str(mark), "notional": str(amount * mark),
                         "unRealizedProfit": str(amount * (mark - entry)), "liquidationPrice": str(liquidation),
                         "isolatedMargin": str(abs(amount) * entry / leverage), "marginType": "isolated",
                         "leverage": str(leverage), "updateTime": now})
        return web.json_response(rows)

    async def leverage_bracket(request: web.Request) -> web.Response:
        await verified(request)
        return web.json_response([{"symbol": m.market_id, "brackets": [
            {"bracket": 1, "initialLeverage": 125, "notionalCap": 50000, "notionalFloor": 0,
             "maintMarginRatio": 0.004, "cum": 0}]} for m in board.listed(MarketKind.PERP)])

    async def set_leverage(request: web.Request) -> web.Response:
        params = await verified(request)
        market = board.by_id(MarketKind.PERP, params.get("symbol", ""))
        account.leverage[market.market_id] = int(params["leverage"])
        return web.json_response({"leverage": int(params["leverage"]), "maxNotionalValue": "1000000",
                                  "symbol": market.market_id})

    async def api_restrictions(request: web.Request) -> web.Response:
        await verified(request)
        return web.json_response({**account.restrictions, "createTime": board.clock.now_ms()})

    return {("GET", "/api/v3/account"): spot_account, ("GET", "/fapi/v2/account"): futures_account,
            ("GET", "/fapi/v3/account"): futures_account, ("GET", "/fapi/v2/positionRisk"): position_risk,
            ("GET", "/fapi/v3/positionRisk"): position_risk, ("GET", "/fapi/v1/leverageBracket"): leverage_bracket,
            ("POST", "/fapi/v1/leverage"): set_leverage,
            ("GET", "/sapi/v1/account/apiRestrictions"): api_restrictions}
