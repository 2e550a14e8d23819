"""Keeping the ccxt.pro streams of one exchange connection alive, and saying when they go down and come back.

Each stream is a loop around one ccxt watch call (watch_ohlcv, watch_orders...), which hands what it got to
the stream's own worker and calls watch again at once: ccxt resolves a watch only for a message that arrives
while one is pending, so time spent handling an update must not leave the stream unwatched. A failed watch (the
connection dropped, the server refused the handshake, ccxt missed two pongs) is retried after an
exponential backoff with jitter, without limit, capped so that a server that comes back is reconnected
within max_backoff_s. ccxt pings every connection each heartbeat; a connection that has carried nothing at
all (no data, no pong) for stall_s is silently dead and is cut here, so its loops reconnect.

The supervisor is up when every loop is either receiving or waiting on an open connection; it tells its
listeners once when it goes down and once when it is back (with how long it was down): the market feed
then refills candles over REST, the account stream reconciles orders by client id.
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

import ccxt

from trading.adapters.ccxt_errors import exchange_text
from trading.domain.errors import TradingError
from trading.logs import get_logger

log = get_logger(__name__)
Watch = Callable[[], Awaitable[Any]]
OnData = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class StreamPolicy:
    """How streams are watched over and reconnected."""

    heartbeat_s: float = 10.0       # ccxt pings each connection this often; the watchdog looks as often
    stall_s: float = 30.0           # a connection that carried nothing for this long is cut and reopened
    first_backoff_s: float = 0.5
    max_backoff_s: float = 10.0     # the longest wait between two attempts to reconnect

    def backoff_s(self, failures: int, draw: float) -> float:
        """Return the wait before retry number failures (1-based): doubling, capped, jittered by draw in [0, 1)."""
        doubled = self.first_backoff_s * 2.0 ** min(max(0, failures - 1), 60)   # a long outage must not overflow
        return min(self.max_backoff_s, doubled) * (0.5 + 0.5 * draw)


class StreamListener(Protocol):
    """Told when the streams of a connection go down and when they are back."""

    async def streams_down(self, name: str, reason: str) -> None:
        """The streams stopped (the first failure since they were last up)."""
        ...

    async def streams_up(self, name: str, outage_s: float) -> None:
        """The streams are back after outage_s seconds."""
        ...


class StreamSupervisor:
    """Runs the watch loops of one ccxt exchange, cuts silent connections, and tracks up and down."""

    def __init__(self, exchange: Any, name: str, policy: StreamPolicy | None = None,
                 draw: Callable[[], float] = random.random) -> None:
        self.name = name
        self.policy = policy or StreamPolicy()
        self.reconnects = 0
        self.last_error: str | None = None
        self._exchange = exchange
        self._draw = draw
        self._loops: dict[str, tuple[Watch, OnData]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._inbox: dict[str, asyncio.Queue[Any]] = {}
        self._handling = 0
        self._listeners: list[StreamListener] = []
        self._state = "starting"
        self._down_since = 0.0
        self._failing: set[str] = set()
        self._awaiting: set[str] = set()
        self._failures: dict[str, int] = {}
        self._running = False

    @property
    def up(self) -> bool:
        """Return True while every stream is receiving or waiting on an open connection."""
        return self._state == "up"

    @property
    def idle(self) -> bool:
        """Return True when every update received has been handled."""
        return self._handling == 0 and all(q.empty() for q in self._inbox.values())

    @property
    def streams(self) -> list[str]:
        """Return the names of the streams watched."""
        return list(self._loops)

    def listen(self, listener: StreamListener) -> None:
        """Tell listener when the streams go down and come back."""
        self._listeners.append(listener)

    def add(self, name: str, watch: Watch, on_data: OnData) -> None:
        """Watch a stream (once per name): on_data receives what each watch() returns."""
        if name in self._loops:
            return
        self._loops[name] = (watch, on_data)
        if self._running:
            self._spawn(name)

    def start(self) -> None:
        """Start the loops and the watchdog (in the running event loop)."""
        if self._running:
            return
        self._running = True
        for name in self._loops:
            self._spawn(name)
        self._tasks["<watchdog>"] = asyncio.create_task(self._watchdog(), name=f"{self.name} watchdog")

    async def stop(self) -> None:
        """Stop every loop (the connections are closed with the exchange)."""
        self._running = False
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(self, name: str) -> None:
        self._inbox[name] = asyncio.Queue()
        self._tasks[name] = asyncio.create_task(self._run(name), name=f"{self.name} {name}")
        self._tasks[f"{name} <worker>"] = asyncio.create_task(self._work(name), name=f"{self.name} {name} worker")

    async def _work(self, name: str) -> None:
        _, on_data = self._loops[name]
        inbox = self._inbox[name]
        while True:
            data = await inbox.get()
            self._handling += 1
            try:
                await _deliver(name, on_data, data)
            finally:
                self._handling -= 1

    async def _run(self, name: str) -> None:
        watch = self._loops[name][0]
        while True:
            self._awaiting.add(name)
            try:
                data, error = await watch(), None
            except (ccxt.BaseError, OSError, asyncio.TimeoutError) as exc:
                data, error = None, exc
            except Exception as exc:      # a bug in a parser must not end the stream: logged, then retried
                log.exception("stream watch crashed", stream=name)
                data, error = None, exc
            finally:
                self._awaiting.discard(name)
            if error is not None:
                await self._failed(name, error)
                continue
            self._inbox[name].put_nowait(data)
            await self._received(name)

    async def _failed(self, name: str, exc: BaseException) -> None:
        self._failing.add(name)
        failures = self._failures[name] = self._failures.get(name, 0) + 1
        self.last_error = exchange_text(str(exc) or type(exc).__name__)     # told to the user as is
        if self._state != "down":
            self._state, self._down_since = "down", time.monotonic()
            log.warning("stream down", link=self.name, stream=name, error=self.last_error)
            for listener in self._listeners:
                await _tell(listener.streams_down(self.name, self.last_error))
        await asyncio.sleep(self.policy.backoff_s(failures, self._draw()))

    async def _received(self, name: str) -> None:
        self._failures[name] = 0
        self._failing.discard(name)
        if self._state != "up" and not self._failing:
            await self._set_up()

    async def _set_up(self) -> None:
        previous, self._state = self._state, "up"
        self._failures.clear()
        if previous != "down":
            return
        outage = time.monotonic() - self._down_since
        self.reconnects += 1
        log.info("stream back", link=self.name, outage_s=round(outage, 1))
        for listener in self._listeners:
            await _tell(listener.streams_up(self.name, outage))

    async def _watchdog(self) -> None:
        while True:
            await asyncio.sleep(self.policy.heartbeat_s)     # the pace of the heartbeat, not a wait for a state
            self._cut_silent()
            # streams that carry nothing until something happens (orders) are up once their connection is open
            if self._state != "up" and self._failing <= self._awaiting and self._links_open():
                self._failing.clear()
                await self._set_up()

    def _cut_silent(self) -> None:
        now = int(self._exchange.milliseconds())
        for client in list((self._exchange.clients or {}).values()):
            heard = max(client.last_message_at or 0, client.connectionEstablished or 0)
            if _open(client) and now - heard > self.policy.stall_s * 1000:
                log.warning("stream connection silent; reconnecting", link=self.name, url=_where(client.url),
                            silent_s=round((now - heard) / 1000, 1))
                client.on_error(ccxt.NetworkError(f"no message for {(now - heard) / 1000:.0f} s"))

    def _links_open(self) -> bool:
        # ccxt also files bookkeeping entries (e.g. 'authenticationFlights') under clients: only sockets count
        clients = [c for c in (self._exchange.clients or {}).values() if str(c.url).startswith(("ws:", "wss:"))]
        return bool(clients) and all(_open(c) for c in clients) and len(self._awaiting) == len(self._loops)


def _open(client: Any) -> bool:
    connection, connected = client.connection, client.connected
    return (connection is not None and not connection.closed and connected.done() and not connected.cancelled()
            and connected.exception() is None)


def _where(url: str) -> str:
    # a private stream's url carries its listen key: only the path before it is worth a log line
    return url.split("?")[0].rsplit("/", 1)[0] if "listenKey" in url else url


async def _deliver(name: str, on_data: OnData, data: Any) -> None:
    try:
        await on_data(data)
    except TradingError as exc:
        log.warning("stream update not handled", stream=name, error=str(exc))
    except Exception:
        log.exception("stream update handler crashed", stream=name)


async def _tell(notice: Awaitable[None]) -> None:
    try:
        await notice
    except Exception:
        log.exception("stream listener failed")
