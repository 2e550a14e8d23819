"""The streaming market feed (real ccxt.pro client) on the fake Binance's REST and WebSocket servers, fast policies.

Tests step a manual clock minute by minute, make the fake push what closed (`tick`), and wait on conditions
(the feed saying a poll is due, the fake seeing a reconnect), never on fixed sleeps.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Callable

from tests.fakes.exchange_api import FakeExchange
from trading.adapters.candle_backfill import CandleCache
from trading.adapters.ccxt_market_data import CcxtMarketData
from trading.adapters.ccxt_streams import StreamingMarketData
from trading.adapters.clocks import ManualClock
from trading.adapters.exchange_requests import RetryPolicy
from trading.adapters.stream_supervisor import StreamPolicy
from trading.domain.candles import Candles, Timeframe

# a heartbeat of 100 ms, a connection silent for 0.5 s is cut, reconnects at most 0.3 s apart
FAST = StreamPolicy(heartbeat_s=0.1, stall_s=0.5, first_backoff_s=0.02, max_backoff_s=0.3)


async def eventually(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> None:
    """Wait until condition() is true, looking every 10 ms, or fail after timeout seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.01)


@dataclass
class LinkLog:
    """A StreamListener that records each down and up it is told."""

    changes: list[tuple[str, str]] = field(default_factory=list)

    async def streams_down(self, name: str, reason: str) -> None:
        """Record a down."""
        self.changes.append(("down", reason))

    async def streams_up(self, name: str, outage_s: float) -> None:
        """Record an up."""
        self.changes.append(("up", f"{outage_s:.3f}"))

    def kinds(self) -> list[str]:
        """Return 'down' and 'up' in the order told."""
        return [kind for kind, _ in self.changes]


@dataclass
class StreamRig:
    """A StreamingMarketData on a fake exchange, with what it was told about its streams."""

    fake: FakeExchange
    clock: ManualClock
    feed: StreamingMarketData
    links: LinkLog
    due: asyncio.Event

    async def subscribed(self, *streams: str) -> None:
        """Wait until the fake has a live subscriber for each stream (e.g. 'btcusdt@kline_1m')."""
        await self.fake.streams.wait_until(lambda: all(self.fake.streams.subscribers(s) for s in streams))

    async def close_and_push(self, minutes: int = 1) -> int:
        """Move the clock on by whole minutes and have the fake push what closed; return the messages sent."""
        self.due.clear()
        self.clock.advance(minutes * Timeframe.M1.ms)
        return await self.fake.streams.tick()

    async def poll_when_due(self, symbols: list[str], timeframes: list[Timeframe], timeout: float = 3.0
                            ) -> dict[tuple[str, Timeframe], Candles]:
        """Wait until the feed says a poll is due, then poll; return the candles per key."""
        await asyncio.wait_for(self.due.wait(), timeout)
        self.due.clear()
        return {(s, t): c for s, t, c in await self.feed.poll(symbols, timeframes)}

    def klines_requested(self) -> int:
        """Return how many kline downloads the fake has answered."""
        return self.fake.count("/api/v3/klines") + self.fake.count("/fapi/v1/klines")


async def stream_rig(fake: FakeExchange, clock: ManualClock, *, cache: CandleCache | None = None,
                     policy: StreamPolicy = FAST, grace_ms: int = 0) -> StreamRig:
    """Return a streaming feed on fake (polls due at once after the settle, REST grace grace_ms)."""
    options = {**fake.options(), "rateLimit": 1, "timeout": 1000, "timeout_on_exit": 0}
    rest = CcxtMarketData("binance", clock, options=options, cache=cache, close_grace_ms=grace_ms,
                          retry=RetryPolicy(attempts=2, base_delay_s=0.01), progress=cache, streaming=True,
                          heartbeat_ms=int(policy.heartbeat_s * 1000))
    feed = StreamingMarketData(rest, policy, settle_s=0.0)
    links, due = LinkLog(), asyncio.Event()
    feed.supervisor.listen(links)
    feed.when_due(due.set)
    return StreamRig(fake, clock, feed, links, due)
