"""The WebSocket side of the fake Binance: market streams and user-data streams that the real ccxt.pro client uses.

Served by the same aiohttp app as the REST fake (FakeExchange routes every WebSocket path here):

    /stream/ws/<n>             spot market streams (SUBSCRIBE to btcusdt@kline_1m, btcusdt@ticker)
    /fstream/market/ws/<n>     USDT-M market streams (klines, tickers)
    /fstream/private/ws        USDT-M user data (?listenKey= from POST /fapi/v1/listenKey)
    /ws-api/v3                 spot WebSocket API: userDataStream.subscribe.signature, then user events

Time is the fake's simulated clock: `await streams.tick()` pushes, to every subscriber, each kline that closed
since its last push (Binance's final update, "x": true) and then the forming one ("x": false), and the 24h
ticker. Nothing is replayed after a reconnect, as on Binance: a client refills the gap over REST.

Faults on command: `drop()` (connections cut, with or without a close frame), `refuse(True)` (the server is
down: handshakes fail), `mute()` (the connections stay open but go silent: no data, no pongs, no answers),
`faults.reorder` / `faults.duplicate` (the next tick's messages reversed / each sent twice), and
`send_kline` for any kline the test makes up (e.g. a forming candle that changes).
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.exchange_market_routes import MarketBoard
from tests.fakes.exchange_markets import FakeMarket, price_text
from tests.fakes.exchange_orders import FakeAccount
from tests.fakes.exchange_user_stream import UserEvents
from trading.domain.candles import Timeframe
from trading.domain.instruments import MarketKind

WS_PREFIXES = ("/stream/", "/fstream/", "/ws-api/")


def stream_urls(base_url: str) -> dict[str, Any]:
    """Return ccxt's urls['api']['ws'] for the fake at base_url (http://127.0.0.1:port)."""
    ws = "ws" + base_url.removeprefix("http")
    # ccxt tells a spot connection from a futures one by '/stream' in its url, as in stream.binance.com
    return {"spot": f"{ws}/stream/ws", "margin": f"{ws}/stream/ws", "linear": f"{ws}/fstream/ws",
            "inverse": f"{ws}/dstream/ws", "ws-api": {"spot": f"{ws}/ws-api/v3", "linear": f"{ws}/ws-fapi/v1"}}


@dataclass
class StreamFaults:
    """What goes wrong with the next tick's messages."""

    reorder: bool = False        # each connection gets the tick's messages in reverse order
    duplicate: bool = False      # each message is sent twice


@dataclass(eq=False)
class Connection:
    """One client connection and what it subscribed to."""

    ws: web.WebSocketResponse
    kind: MarketKind
    private: bool = False
    user_subscription: int | None = None          # spot WebSocket API: the user-data subscription id
    streams: dict[str, int | None] = field(default_factory=dict)   # kline stream -> newest closed open_ms pushed
    muted: bool = False


class ExchangeStreams:
    """The fake's WebSocket endpoints; FakeExchange forwards every WebSocket request to serve()."""

    def __init__(self, board: MarketBoard, account: FakeAccount) -> None:
        self.board = board
        self.account = account
        self.faults = StreamFaults()
        self.connections: list[Connection] = []
        self.handshakes = 0                        # successful WebSocket handshakes so far
        self.refused = 0                           # handshakes refused while the server was down
        self.listen_keys: set[str] = set()
        self.user = UserEvents(board, account)
        self._refusing = False
        self._changed = asyncio.Event()

    # ---- what tests call -------------------------------------------------------------------------

    @staticmethod
    def handles(path: str) -> bool:
        """Return True for a WebSocket path of this fake."""
        return path.startswith(WS_PREFIXES)

    def refuse(self, down: bool) -> None:
        """Refuse new handshakes (503) while down, like a server that is restarting."""
        self._refusing = down

    async def drop(self, clean: bool = False) -> int:
        """Cut every connection (clean: with a close frame; else the TCP connection just ends); return how many."""
        dropped = list(self.connections)
        for conn in dropped:
            if clean:
                await conn.ws.close(code=1001, message=b"going away")
            elif conn.ws._writer is not None:       # no close frame: the transport is aborted
                conn.ws._writer.transport.abort()   # type: ignore[union-attr]
        return len(dropped)

    def mute(self) -> int:
        """Make every open connection silent (no data, pongs or answers); return how many."""
        for conn in self.connections:
            conn.muted = True
        return len(self.connections)

    def subscribers(self, stream: str) -> int:
        """Return how many open connections are subscribed to stream (e.g. 'btcusdt@kline_1m')."""
        return sum(1 for c in self.connections if stream in c.streams and not c.ws.closed)

    def user_listeners(self) -> int:
        """Return how many open connections receive user-data events."""
        return sum(1 for c in self.connections if self._is_user(c) and not c.ws.closed)

    async def wait_until(self, condition: Any, timeout: float = 5.0) -> None:
        """Wait until condition() holds (checked after every connection change), or raise TimeoutError."""
        async def until() -> None:
            while not condition():
                self._changed.clear()
                await self._changed.wait()
        await asyncio.wait_for(until(), timeout)

    async def tick(self) -> int:
        """Push each subscriber its closed klines since the last push, the forming kline and the ticker."""
        sent = 0
        for conn in list(self.connections):
            messages = [m for stream in list(conn.streams) for m in self._stream_messages(conn, stream)]
            sent += await self._send_all(conn, messages)
        self.faults = StreamFaults()
        return sent

    async def send_kline(self, market: FakeMarket, timeframe: Timeframe, row: tuple, closed: bool) -> int:
        """Push one kline (open_ms, o, h, l, c, v) to the subscribers of its stream; return how many got it."""
        stream = f"{market.market_id.lower()}@kline_{timeframe.value}"
        message = kline_event(market, timeframe, row, closed, self.board.clock.now_ms())
        count = 0
        for conn in self.connections:
            if stream in conn.streams and conn.kind is market.kind:
                count += await self._send_all(conn, [message])
        return count

    async def publish_account(self) -> int:
        """Push the user-data events for every order, balance and position change since the last push."""
        updates = self.user.changes()
        sent = 0
        for conn in list(self.connections):
            if self._is_user(conn):
                wrapped = [self._user_frame(conn, event) for kind, event in updates if kind is conn.kind]
                sent += await self._send_all(conn, wrapped)
        return sent

    async def run(self, every_s: float) -> None:
        """Tick and publish the account every every_s seconds, for ever (a fake on the wall clock)."""
        while True:
            await self.tick()
            await self.publish_account()
            await asyncio.sleep(every_s)      # the pace of a live exchange, not a wait for a condition

    async def stop(self) -> None:
        """Close every connection (the server is shutting down)."""
        await asyncio.gather(*(c.ws.close(code=1001) for c in list(self.connections)), return_exceptions=True)

    # ---- the server side -------------------------------------------------------------------------

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """Upgrade to a WebSocket and serve the connection until it ends."""
        if self._refusing:
            self.refused += 1
            return web.Response(status=503, text="service unavailable")
        kind = MarketKind.PERP if request.path.startswith("/fstream/") else MarketKind.SPOT
        private = request.path.startswith("/fstream/private")
        if private and request.query.get("listenKey") not in self.listen_keys:
            return web.Response(status=400, text="invalid listen key")
        ws = web.WebSocketResponse(autoping=False, max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, kind, private)
        self.connections.append(conn)
        self.handshakes += 1
        self._notify()
        try:
            async for message in ws:
                await self._receive(conn, message)
        finally:
            self.connections.remove(conn)
            self._notify()
        return ws

    async def _receive(self, conn: Connection, message: Any) -> None:
        if conn.muted:
            return
        if message.type is WSMsgType.PING:
            await conn.ws.pong(message.data)
        elif message.type is WSMsgType.TEXT:
            answer = self._answer(conn, json.loads(message.data))
            await self._send_all(conn, [answer])
            self._notify()

    def _answer(self, conn: Connection, request: dict[str, Any]) -> dict[str, Any]:
        method, request_id = request.get("method"), request.get("id")
        if method == "SUBSCRIBE":
            for stream in request.get("params") or []:
                conn.streams.setdefault(stream, self._newest_closed(conn, stream))
            return {"result": None, "id": request_id}
        if method == "UNSUBSCRIBE":
            for stream in request.get("params") or []:
                conn.streams.pop(stream, None)
            return {"result": None, "id": request_id}
        if method == "userDataStream.subscribe.signature":
            error = self.user.check_signature(request.get("params") or {})
            if error is not None:
                return {"id": request_id, "status": 401, "error": error}
            conn.user_subscription = 0
            return {"id": request_id, "status": 200, "result": {"subscriptionId": 0}}
        return {"id": request_id, "status": 400, "error": {"code": 2, "msg": f"Invalid request: {method}"}}

    async def _send_all(self, conn: Connection, messages: list[dict[str, Any]]) -> int:
        if conn.muted or conn.ws.closed:
            return 0
        if self.faults.reorder:
            messages = messages[::-1]
        if self.faults.duplicate:
            messages = [m for m in messages for _ in (0, 1)]
        sent = 0
        for message in messages:
            try:
                await conn.ws.send_str(json.dumps(message))
                sent += 1
            except (ConnectionError, RuntimeError):     # the client went away meanwhile
                break
        return sent

    def _notify(self) -> None:
        self._changed.set()

    @staticmethod
    def _is_user(conn: Connection) -> bool:
        return conn.private or conn.user_subscription is not None

    @staticmethod
    def _user_frame(conn: Connection, event: dict[str, Any]) -> dict[str, Any]:
        return event if conn.private else {"subscriptionId": conn.user_subscription, "event": event}

    # ---- market streams ---------------------------------------------------------------------------

    def _market(self, conn: Connection, stream: str) -> FakeMarket | None:
        market_id = stream.partition("@")[0].upper()
        return next((m for m in self.board.listed(conn.kind) if m.market_id == market_id), None)

    def _newest_closed(self, conn: Connection, stream: str) -> int | None:
        market, timeframe = self._market(conn, stream), _kline_timeframe(stream)
        if market is None or timeframe is None:
            return None
        closed = market.closed(timeframe, self.board.clock.now_ms())
        return int(closed.open_ms[-1]) if len(closed) else None

    def _stream_messages(self, conn: Connection, stream: str) -> list[dict[str, Any]]:
        market, now = self._market(conn, stream), self.board.clock.now_ms()
        if market is None:
            return []
        if stream.endswith(("@ticker", "@miniTicker")):
            return [ticker_event(market, now, mini=stream.endswith("@miniTicker"))]
        timeframe = _kline_timeframe(stream)
        if timeframe is None:
            return []
        closed = market.closed(timeframe, now)
        pushed = conn.streams[stream]
        start = 0 if pushed is None else int(closed.open_ms.searchsorted(pushed, side="right"))
        fresh = closed[start:]
        messages = [kline_event(market, timeframe, row, True, now) for row in _rows(fresh)]
        if len(fresh):
            conn.streams[stream] = int(fresh.open_ms[-1])
        forming = market.forming(timeframe, now)
        if forming is not None:
            messages.append(kline_event(market, timeframe, forming, False, now))
        return messages


def _kline_timeframe(stream: str) -> Timeframe | None:
    _, _, rest = stream.partition("@kline_")
    return Timeframe(rest) if rest in Timeframe._value2member_map_ else None


def _rows(candles: Any) -> list[tuple]:
    return list(zip(candles.open_ms.tolist(), candles.open.tolist(), candles.high.tolist(), candles.low.tolist(),
                    candles.close.tolist(), candles.volume.tolist()))


def kline_event(market: FakeMarket, timeframe: Timeframe, row: tuple, closed: bool, now_ms: int) -> dict[str, Any]:
    """Return Binance's kline event for (open_ms, o, h, l, c, v)."""
    open_ms, o, h, low, c, v = row
    return {"e": "kline", "E": now_ms, "s": market.market_id, "k": {
        "t": int(open_ms), "T": int(open_ms) + timeframe.ms - 1, "s": market.market_id, "i": timeframe.value,
        "f": 100, "L": 200, "o": price_text(o), "c": price_text(c), "h": price_text(h), "l": price_text(low),
        "v": price_text(v), "n": 100, "x": closed, "q": price_text(round(v * c, 8)), "V": price_text(v / 2),
        "Q": price_text(round(v * c / 2, 8)), "B": "0"}}


def ticker_event(market: FakeMarket, now_ms: int, mini: bool = False) -> dict[str, Any]:
    """Return Binance's 24hrTicker event (spot carries the top of book; USDT-M does not), or 24hrMiniTicker."""
    s = market.stats_24h(now_ms)
    change = s["last"] - s["open"]
    pct = (change / s["open"] * 100).quantize(s["open"].__class__("0.001")) if s["open"] else 0
    body = {"e": "24hrTicker", "E": now_ms, "s": market.market_id, "p": str(change), "P": str(pct),
            "w": str(s["last"]), "c": str(s["last"]), "Q": "0.01", "o": str(s["open"]), "h": str(s["high"]),
            "l": str(s["low"]), "v": str(s["volume"]), "q": str(s["quote_volume"]), "O": now_ms - 86_400_000,
            "C": now_ms, "F": 1, "L": 1000, "n": 1000}
    if mini:
        return {"e": "24hrMiniTicker", **{k: body[k] for k in ("E", "s", "c", "o", "h", "l", "v", "q")}}
    if market.kind is MarketKind.SPOT:
        bid, ask = market.top_of_book(now_ms)
        body.update(x=str(s["open"]), b=str(bid), B="1.00000", a=str(ask), A="1.00000")
    return body
