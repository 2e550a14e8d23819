"""A fake Binance REST server on 127.0.0.1 that the real ccxt `binance` and `binanceusdm` classes talk to.

It replays real candles on a simulated clock (only candles closed by `clock.now_ms()` are final; the
forming one is served as forming, like Binance), records every request, and injects faults on command.

    async with FakeExchange([spot_market, perp_market], clock) as fake:
        exchange = ccxt.async_support.binance(fake_exchange_options(fake.base_url))
        fake.inject_rate_limit(retry_after_s=1, path="/api/v3/klines")

Routes live in one table keyed by (method, path); `add_route` extends it. Signed endpoints (orders,
balances, positions; see exchange_orders.py) check `fake.account.api_key` / `.secret` like Binance.
The server's clock may run apart from the machine's (`fake.server_offset_ms`), and with
`fake.recv_window_checked` signed requests stamped outside their recvWindow are refused with -1021.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.fakes.exchange_faults import Fault, FaultKind, FaultPlan, fault_response
from tests.fakes.exchange_market_routes import BinanceError, Handler, MarketBoard, MarketEndpoints
from tests.fakes.exchange_markets import FakeMarket
from tests.fakes.exchange_account_routes import AccountEndpoints
from tests.fakes.exchange_algo_orders import AlgoOrderEndpoints
from tests.fakes.exchange_auto_close import AutoCloseEndpoints
from tests.fakes.exchange_orders import FakeAccount, OrderEndpoints
from tests.fakes.exchange_streams import ExchangeStreams, stream_urls
from tests.fakes.exchange_time import ServerClock, check_timestamp
from tests.fakes.exchange_user_stream import listen_key_routes
from trading.domain.candles import Timeframe
from trading.domain.instruments import MarketKind
from trading.ports import Clock

# every REST family ccxt's binance classes know, so that nothing a test triggers can reach the real exchange
API_PATHS = {
    "public": "/api/v3", "private": "/api/v3", "v1": "/api/v1",
    "sapi": "/sapi/v1", "sapiV2": "/sapi/v2", "sapiV3": "/sapi/v3", "sapiV4": "/sapi/v4",
    "fapiPublic": "/fapi/v1", "fapiPublicV2": "/fapi/v2", "fapiPublicV3": "/fapi/v3",
    "fapiPrivate": "/fapi/v1", "fapiPrivateV2": "/fapi/v2", "fapiPrivateV3": "/fapi/v3",
    "fapiData": "/futures/data",
    "dapiPublic": "/dapi/v1", "dapiPrivate": "/dapi/v1", "dapiPrivateV2": "/dapi/v2", "dapiData": "/futures/data",
    "eapiPublic": "/eapi/v1", "eapiPrivate": "/eapi/v1", "papi": "/papi/v1", "papiV2": "/papi/v2",
}


def fake_exchange_options(base_url: str) -> dict[str, Any]:
    """Return the ccxt constructor config (EXCHANGE_OPTIONS) that points binance/binanceusdm (REST and WebSocket,
    ccxt.pro's too) at base_url."""
    return {
        "urls": {"api": {**{key: base_url + path for key, path in API_PATHS.items()}, "ws": stream_urls(base_url)}},
        # with API keys set, load_markets would also call sapi wallet and margin endpoints; market data needs neither
        "options": {"fetchCurrencies": False, "fetchMargins": False},
    }


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str
    now_ms: int


class FakeExchange:
    """The fake exchange server; an async context manager that listens on an ephemeral 127.0.0.1 port."""

    def __init__(self, markets: list[FakeMarket], clock: Clock, account: FakeAccount | None = None, *,
                 server_offset_ms: int = 0, recv_window_checked: bool = False) -> None:
        self._server_clock = ServerClock(clock, server_offset_ms)
        self.board = MarketBoard(markets, self._server_clock)
        # off by default: older tests sign with ccxt's own (real) time against a simulated 2025 server
        self.recv_window_checked = recv_window_checked
        self.account = account or FakeAccount()
        self.faults = FaultPlan()
        self._armed_after: list[tuple[str, str, Fault]] = []     # (method, path, fault): armed once that is answered
        self.requests: list[RecordedRequest] = []
        self.routes: dict[tuple[str, str], Handler] = {}
        self._runner: web.AppRunner | None = None
        self.port_wanted = 0         # 0: an ephemeral port
        self.port = 0
        for prefix, kind in (("/api/v3", MarketKind.SPOT), ("/fapi/v1", MarketKind.PERP)):
            for sub, handler in MarketEndpoints(self.board, kind).routes().items():
                self.add_route("GET", f"{prefix}/{sub}", handler)
            for (method, sub), handler in OrderEndpoints(self.board, self.account, kind).routes().items():
                self.add_route(method, f"{prefix}/{sub}", handler)
        for (method, path), handler in (AccountEndpoints(self.board, self.account).routes()
                                        | AlgoOrderEndpoints(self.board, self.account).routes()
                                        | AutoCloseEndpoints(self.board, self.account).routes()).items():
            self.add_route(method, path, handler)
        self.add_route("GET", "/dapi/v1/exchangeInfo", _no_markets)    # ccxt binance also loads coin-M markets
        self.streams = ExchangeStreams(self.board, self.account)        # the WebSocket side (exchange_streams.py)
        for (method, path), handler in listen_key_routes(self.account, self.streams.listen_keys).items():
            self.add_route(method, path, handler)

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def clock(self) -> Clock:
        """Return the simulated clock the fake serves on (the given clock plus server_offset_ms)."""
        return self.board.clock

    @property
    def server_offset_ms(self) -> int:
        """Return how far the server's clock runs ahead of the clock the fake was given (negative: behind)."""
        return self._server_clock.offset_ms

    @server_offset_ms.setter
    def server_offset_ms(self, offset_ms: int) -> None:
        self._server_clock.offset_ms = offset_ms

    def options(self) -> dict[str, Any]:
        """Return the ccxt config pointing at this server."""
        return fake_exchange_options(self.base_url)

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """Serve path (e.g. '/api/v3/order') with handler; handlers may raise BinanceError."""
        self.routes[(method.upper(), path)] = handler

    async def __aenter__(self) -> "FakeExchange":
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # handler_cancellation: a hung handler stops when ccxt gives up, so shutdown is quick
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.2, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port_wanted)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]   # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.streams.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if self.streams.handles(request.path):
            return await self.streams.serve(request)
        response = await self._answer(request)
        if self.streams.user_listeners():      # what the request changed reaches the user-data streams at once
            await self.streams.publish_account()
        return response

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        self.requests.append(RecordedRequest(request.method, request.path, dict(request.query),
                                             dict(request.headers), body, self.board.clock.now_ms()))
        fault = self.faults.take(request.path, request.method)
        if fault is not None and fault.kind is not FaultKind.LOST_RESPONSE:
            replaced = await fault_response(fault)
            if replaced is not None:
                return replaced
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            return web.Response(status=404, text=f"fake exchange has no route {request.method} {request.path}")
        try:
            self._check_signed_timestamp(request, body)
            response = await handler(request)
        except BinanceError as error:
            response = error.response()
        if fault is not None and fault.kind is FaultKind.LOST_RESPONSE:
            return await fault_response(fault)  # type: ignore[return-value]   # it took effect; the answer is lost
        for after in [a for a in self._armed_after if (a[0], a[1]) == (request.method, request.path)]:
            self._armed_after.remove(after)
            self.faults.arm(after[2])
        return response

    def arm_after(self, method: str, path: str, fault: Fault) -> None:
        """Arm fault once a request of method to path (exact) has been answered: a failure after an order."""
        self._armed_after.append((method, path, fault))

    def _check_signed_timestamp(self, request: web.Request, body: str) -> None:
        params = dict(request.query) | dict(parse_qsl(body))
        if self.recv_window_checked and "signature" in params:
            check_timestamp(params, self.board.clock.now_ms())

    def requests_to(self, path: str, method: str = "GET") -> list[RecordedRequest]:
        """Return the requests received for path (exact) and method, oldest first."""
        return [r for r in self.requests if r.path == path and r.method == method]

    def count(self, path: str, method: str = "GET") -> int:
        """Return how many requests path received."""
        return len(self.requests_to(path, method))

    def inject_latency(self, seconds: float, count: int = 1, path: str | None = None) -> None:
        """Delay the next count matching requests by seconds, then answer normally."""
        self.faults.arm(Fault(FaultKind.LATENCY, count, path, seconds=seconds))

    def hold(self, path: str, seconds: float, count: int = 1) -> asyncio.Event:
        """Hold the next count requests for path until the returned event is set (at most seconds), then answer.

        A request held is recorded (requests) but not answered: a test sees what the bot did meanwhile.
        """
        release = asyncio.Event()
        self.faults.arm(Fault(FaultKind.LATENCY, count, path, seconds=seconds, release=release))
        return release

    def inject_server_error(self, count: int = 1, path: str | None = None, status: int = 503,
                            method: str | None = None) -> None:
        """Answer the next count matching requests (of method, when given) with an HTML 5xx page."""
        self.faults.arm(Fault(FaultKind.SERVER_ERROR, count, path, status=status, method=method))

    def inject_rate_limit(self, retry_after_s: float = 1, count: int = 1, path: str | None = None,
                          method: str | None = None) -> None:
        """Answer the next count matching requests with 429, Binance's -1003 body and Retry-After."""
        self.faults.arm(Fault(FaultKind.RATE_LIMIT, count, path, seconds=retry_after_s, method=method))

    def inject_hang(self, seconds: float, count: int = 1, path: str | None = None) -> None:
        """Hold the next count matching requests for seconds (longer than the client's timeout)."""
        self.faults.arm(Fault(FaultKind.HANG, count, path, seconds=seconds))

    def inject_malformed_json(self, count: int = 1, path: str | None = None) -> None:
        """Answer the next count matching requests with 200 and a truncated JSON body."""
        self.faults.arm(Fault(FaultKind.MALFORMED_JSON, count, path))

    def inject_lost_response(self, seconds: float, count: int = 1, path: str | None = None,
                             method: str | None = None) -> None:
        """Carry out the next count matching requests, then hold the answer for seconds and send a 504."""
        self.faults.arm(Fault(FaultKind.LOST_RESPONSE, count, path, seconds=seconds, method=method))

    def inject_auth_error(self, code: int = -2015, count: int = 1, path: str | None = None) -> None:
        """Answer the next count matching requests with 401 and Binance's -2015 or -2014 body."""
        self.faults.arm(Fault(FaultKind.AUTH_ERROR, count, path, code=code))


async def _no_markets(request: web.Request) -> web.Response:
    return web.json_response({"timezone": "UTC", "serverTime": 0, "rateLimits": [], "exchangeFilters": [],
                              "symbols": []})


async def serve_forever(port: int, days_into_sample: int = 30) -> None:
    """Serve BTC and ETH spot and perpetuals on the wall clock, the real sample moved to end near now."""
    import json

    from tests.fakes.exchange_markets import perp_market, shifted, spot_market
    from trading.adapters.clocks import WallClock

    clock, day = WallClock(), 86_400_000
    sample_start = int(spot_market("BTC").candles[Timeframe.M1].open_ms[0])
    offset = (clock.now_ms() - sample_start) // day * day - days_into_sample * day
    markets = [shifted(build(asset), offset) for asset in ("BTC", "ETH") for build in (spot_market, perp_market)]
    fake = FakeExchange(markets, clock)
    fake.port_wanted = port
    async with fake:
        print(json.dumps(fake.options()), flush=True)
        await fake.streams.run(every_s=1.0)


if __name__ == "__main__":
    import argparse
    import asyncio

    parser = argparse.ArgumentParser(description="Run the fake Binance; prints the EXCHANGE_OPTIONS JSON.")
    parser.add_argument("--port", type=int, default=0)
    asyncio.run(serve_forever(parser.parse_args().port))
