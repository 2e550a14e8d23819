"""Public market-data endpoints of the fake Binance: spot /api/v3 and USDT-M futures /fapi/v1."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Awaitable, Callable

from aiohttp import web

from tests.fakes.exchange_markets import FakeMarket, select_klines
from trading.domain.candles import Timeframe
from trading.domain.instruments import MarketKind
from trading.ports import Clock

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_KLINES = {MarketKind.SPOT: 1000, MarketKind.PERP: 1500}
PERPETUAL_DELIVERY_MS = 4133404800000


class BinanceError(Exception):
    """An error the fake answers with Binance's {code, msg} body."""

    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(msg)
        self.code, self.msg, self.status = code, msg, status

    def response(self) -> web.Response:
        """Return the HTTP response Binance sends for this error."""
        return web.json_response({"code": self.code, "msg": self.msg}, status=self.status)


@dataclass
class MarketBoard:
    """The markets a fake exchange lists and the simulated clock it serves them on."""

    markets: list[FakeMarket]
    clock: Clock

    def listed(self, kind: MarketKind) -> list[FakeMarket]:
        """Return the markets of one kind."""
        return [m for m in self.markets if m.kind is kind]

    def market(self, kind: MarketKind, request: web.Request) -> FakeMarket:
        """Return the market named by the request's symbol parameter, or raise Binance's -1121."""
        return self.by_id(kind, request.query.get("symbol", ""))

    def by_id(self, kind: MarketKind, market_id: str) -> FakeMarket:
        """Return the market of kind with this Binance id, or raise Binance's -1121."""
        for market in self.listed(kind):
            if market.market_id == market_id:
                return market
        raise BinanceError(-1121, "Invalid symbol.")


def _int_param(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    return int(value) if value is not None else None


def _symbol_info(market: FakeMarket) -> dict:
    filters = [
        {"filterType": "PRICE_FILTER", "minPrice": market.tick, "maxPrice": "1000000.00", "tickSize": market.tick},
        {"filterType": "LOT_SIZE", "minQty": market.min_qty, "maxQty": "9000.00000", "stepSize": market.step},
        {"filterType": "MARKET_LOT_SIZE", "minQty": "0", "maxQty": "100.00000", "stepSize": "0"},
    ]
    filters.append(_percent_price(market))
    info = {"symbol": market.market_id, "status": "TRADING", "baseAsset": market.base, "quoteAsset": market.quote,
            "baseAssetPrecision": 8, "quotePrecision": 8, "orderTypes": ["LIMIT", "MARKET"], "filters": filters}
    if market.kind is MarketKind.SPOT:
        filters.append({"filterType": "NOTIONAL", "minNotional": market.min_notional, "applyMinToMarket": True,
                        "maxNotional": "9000000.00000000", "applyMaxToMarket": False, "avgPriceMins": 5})
        info.update(isSpotTradingAllowed=True, isMarginTradingAllowed=False, permissions=["SPOT"],
                    quoteAssetPrecision=8, baseCommissionPrecision=8, quoteCommissionPrecision=8)
    else:
        filters.append({"filterType": "MIN_NOTIONAL", "notional": market.min_notional})
        info["orderTypes"] = ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET",
                              "TRAILING_STOP_MARKET"]
        info.update(pair=market.market_id, contractType="PERPETUAL", deliveryDate=PERPETUAL_DELIVERY_MS,
                    onboardDate=1569398400000, contractStatus="TRADING", marginAsset=market.quote,
                    pricePrecision=len(market.tick.partition(".")[2]),
                    quantityPrecision=len(market.step.partition(".")[2]), underlyingType="COIN",
                    timeInForce=["GTC", "IOC", "FOK", "GTX"], triggerProtect="0.0500")
    return info


def _percent_price(market: FakeMarket) -> dict:
    """Return the price band filter as Binance lists it: by side on spot, against the mark price on perps."""
    if market.kind is MarketKind.SPOT:
        down, up = market.price_band or ("0.2", "5")
        return {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": up, "bidMultiplierDown": down,
                "askMultiplierUp": up, "askMultiplierDown": down, "avgPriceMins": 5}
    down, up = market.price_band or ("0.9500", "1.0500")
    return {"filterType": "PERCENT_PRICE", "multiplierUp": up, "multiplierDown": down, "multiplierDecimal": "4"}


class MarketEndpoints:
    """The public endpoints of one API family (spot or USDT-M) over a market board."""

    def __init__(self, board: MarketBoard, kind: MarketKind) -> None:
        self.board, self.kind = board, kind

    def routes(self) -> dict[str, Handler]:
        """Return the handlers keyed by path below the family's version prefix."""
        routes: dict[str, Handler] = {
            "ping": self.ping, "time": self.server_time, "exchangeInfo": self.exchange_info, "klines": self.klines,
            "ticker/24hr": self.ticker_24hr, "ticker/bookTicker": self.book_ticker, "depth": self.depth}
        if self.kind is MarketKind.PERP:
            routes.update(funding_routes(self.board))
        return routes

    async def ping(self, request: web.Request) -> web.Response:
        """Answer {}."""
        return web.json_response({})

    async def server_time(self, request: web.Request) -> web.Response:
        """Answer the simulated time."""
        return web.json_response({"serverTime": self.board.clock.now_ms()})

    async def exchange_info(self, request: web.Request) -> web.Response:
        """Answer the listed markets with their filters."""
        return web.json_response({"timezone": "UTC", "serverTime": self.board.clock.now_ms(), "rateLimits": [],
                                  "exchangeFilters": [],
                                  "symbols": [_symbol_info(m) for m in self.board.listed(self.kind)]})

    async def klines(self, request: web.Request) -> web.Response:
        """Answer candles selected by startTime / endTime / limit, the forming one included."""
        market = self.board.market(self.kind, request)
        try:
            timeframe = Timeframe(request.query.get("interval", ""))
        except ValueError:
            raise BinanceError(-1120, "Invalid interval.") from None
        limit = min(_int_param(request, "limit") or 500, MAX_KLINES[self.kind])
        rows = select_klines(market, timeframe, self.board.clock.now_ms(), _int_param(request, "startTime"),
                             _int_param(request, "endTime"), limit)
        return web.json_response(rows)

    async def ticker_24hr(self, request: web.Request) -> web.Response:
        """Answer 24h statistics (spot adds the top of book, futures do not)."""
        market, now = self.board.market(self.kind, request), self.board.clock.now_ms()
        s = market.stats_24h(now)
        change = s["last"] - s["open"]
        pct = (change / s["open"] * 100).quantize(Decimal("0.001")) if s["open"] else Decimal(0)
        body = {"symbol": market.market_id, "priceChange": str(change), "priceChangePercent": str(pct),
                "weightedAvgPrice": str(s["last"]), "lastPrice": str(s["last"]), "lastQty": "0.01000",
                "openPrice": str(s["open"]), "highPrice": str(s["high"]), "lowPrice": str(s["low"]),
                "volume": str(s["volume"]), "quoteVolume": str(s["quote_volume"]), "openTime": now - 86_400_000,
                "closeTime": now, "firstId": 1, "lastId": 1000, "count": 1000}
        if self.kind is MarketKind.SPOT:
            bid, ask = market.top_of_book(now)
            body.update(prevClosePrice=str(s["open"]), bidPrice=str(bid), bidQty="1.00000", askPrice=str(ask),
                        askQty="1.00000")
        return web.json_response(body)

    async def book_ticker(self, request: web.Request) -> web.Response:
        """Answer the best bid and ask."""
        market, now = self.board.market(self.kind, request), self.board.clock.now_ms()
        bid, ask = market.top_of_book(now)
        body = {"symbol": market.market_id, "bidPrice": str(bid), "bidQty": "1.00000", "askPrice": str(ask),
                "askQty": "1.00000"}
        if self.kind is MarketKind.PERP:
            body.update(time=now, lastUpdateId=now)
        return web.json_response(body)

    async def depth(self, request: web.Request) -> web.Response:
        """Answer limit price levels each side, one tick apart from the top of book."""
        market, now = self.board.market(self.kind, request), self.board.clock.now_ms()
        bid, ask = market.top_of_book(now)
        tick, levels = Decimal(market.tick), min(_int_param(request, "limit") or 100, 5000)
        body = {"lastUpdateId": now,
                "bids": [[str(bid - i * tick), "1.00000"] for i in range(levels)],
                "asks": [[str(ask + i * tick), "1.00000"] for i in range(levels)]}
        if self.kind is MarketKind.PERP:
            body.update(E=now, T=now)
        return web.json_response(body)


def funding_routes(board: MarketBoard) -> dict[str, Handler]:
    """Return the USDT-M funding endpoints: premiumIndex (current rate, next time) and fundingRate history."""

    def premium(market: FakeMarket, now: int) -> dict:
        rate, next_ms = market.funding_at(now)
        mark = str(market.last_price(now))
        return {"symbol": market.market_id, "markPrice": mark, "indexPrice": mark, "estimatedSettlePrice": mark,
                "lastFundingRate": str(rate), "interestRate": "0.00010000", "nextFundingTime": next_ms, "time": now}

    async def premium_index(request: web.Request) -> web.Response:
        now = board.clock.now_ms()
        if "symbol" not in request.query:
            return web.json_response([premium(m, now) for m in board.listed(MarketKind.PERP)])
        return web.json_response(premium(board.market(MarketKind.PERP, request), now))

    async def funding_rate(request: web.Request) -> web.Response:
        market = board.market(MarketKind.PERP, request)
        times, rates = market.funding_history(board.clock.now_ms())
        start, end = _int_param(request, "startTime"), _int_param(request, "endTime")
        limit = min(_int_param(request, "limit") or 100, 1000)
        rows = [(t, r) for t, r in zip(times.tolist(), rates.tolist())
                if (start is None or t >= start) and (end is None or t <= end)]
        rows = rows[:limit] if start is not None else rows[-limit:]
        mark = str(market.last_price(board.clock.now_ms()))
        return web.json_response([{"symbol": market.market_id, "fundingTime": t, "fundingRate": f"{r:.8f}",
                                   "markPrice": mark} for t, r in rows])

    return {"premiumIndex": premium_index, "fundingRate": funding_rate}

