"""MarketData over ccxt.pro WebSocket streams, with the REST feed underneath for backfills, gaps and fallback.

Klines and tickers are watched for every symbol and timeframe polled (trades where the exchange streams no
candles). A candle reaches poll() when the exchange says it is final (Binance's "x": true), at once and
without a REST call; a candle the stream did not deliver (lost in a reconnect, a stall, a message out of
order) is downloaded over REST once it is due on the exchange's clock, so each closed candle is emitted
exactly once and in order, through the same per-(symbol, timeframe) baseline the REST feed persists.
While the streams are down the feed is the REST feed (due close_grace_ms after the close).
"""
from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from trading.adapters.ccxt_market_data import CcxtMarketData
from trading.adapters.exchange_responses import check_ticker
from trading.adapters.stream_supervisor import StreamPolicy, StreamSupervisor
from trading.domain.candles import COLUMNS, Candles, Timeframe
from trading.domain.errors import VenueUnavailable
from trading.domain.health import EndpointStats
from trading.domain.instruments import Instrument
from trading.domain.market import Ticker

Key = tuple[str, Timeframe]
POLL_SETTLE_S = 0.2       # closes of several symbols arrive together: one poll takes them all


class ClosedCandles:
    """The final candles a stream delivered, per symbol and timeframe, until a poll has emitted them."""

    def __init__(self, limit: int = 2_000) -> None:
        self._rows: dict[Key, dict[int, list]] = {}
        self._limit = limit

    def add(self, symbol: str, timeframe: str, row: list) -> bool:
        """Keep a final candle [open_ms, o, h, l, c, v] (a repeated one replaces the first); False if unknown."""
        if timeframe not in Timeframe._value2member_map_:
            return False
        rows = self._rows.setdefault((symbol, Timeframe(timeframe)), {})
        rows[int(row[0])] = row
        if len(rows) > self._limit:
            del rows[min(rows)]
        return True

    def snapshot(self) -> dict[Key, Candles]:
        """Return the candles kept, per key, in time order."""
        return {key: _candles(rows) for key, rows in self._rows.items() if rows}

    def forget_through(self, key: Key, open_ms: int) -> None:
        """Drop the candles of key opened at or before open_ms (they have been emitted)."""
        rows = self._rows.get(key)
        for t in [t for t in rows or () if t <= open_ms]:
            del rows[t]   # type: ignore[union-attr]


def _candles(rows: dict[int, list]) -> Candles:
    table = np.array([rows[t] for t in sorted(rows)], dtype=np.float64)
    return Candles(table[:, 0].astype(np.int64), *(table[:, i] for i in range(1, len(COLUMNS))))


class StreamingMarketData:
    """The MarketData port over ccxt.pro streams; the REST feed (rest) does backfills, gap refills and fallback."""

    def __init__(self, rest: CcxtMarketData, policy: StreamPolicy | None = None, *,
                 stream_grace_ms: int = 5_000, settle_s: float = POLL_SETTLE_S) -> None:
        self._rest = rest
        self._exchange = rest.exchange
        self.supervisor = StreamSupervisor(self._exchange, f"{rest.source} market data", policy)
        self.supervisor.listen(self)
        self._grace_ms = stream_grace_ms      # how long a final candle is waited for before REST is asked
        self._settle_s = settle_s
        self._closed = ClosedCandles()
        self._flags_closes = hasattr(self._exchange, "on_closed_kline")
        if self._flags_closes:
            self._exchange.on_closed_kline = self._on_closed_kline
        self._tickers: dict[str, tuple[float, Mapping[str, Any]]] = {}
        self._newest_open: dict[Key, int] = {}
        self._when_due: list[Callable[[], None]] = []
        self._due: asyncio.TimerHandle | None = None

    @property
    def source(self) -> str:
        """Return e.g. 'binance (live) over WebSocket'."""
        return f"{self._rest.source} over WebSocket"

    @property
    def rest(self) -> CcxtMarketData:
        """Return the REST feed underneath."""
        return self._rest

    def pending(self, symbol: str, timeframe: Timeframe) -> Candles:
        """Return the final candles the stream delivered that no poll has emitted yet."""
        return self._closed.snapshot().get((symbol, timeframe), Candles.empty())

    def when_due(self, callback: Callable[[], None]) -> None:
        """Call callback when a poll would return something new (a candle closed, the streams came back)."""
        self._when_due.append(callback)

    async def server_time(self) -> int:
        """Return the exchange's own time in epoch ms."""
        return await self._rest.server_time()

    async def instruments(self) -> dict[str, Instrument]:
        """Return the tradable markets keyed by unified symbol."""
        return await self._rest.instruments()

    async def instrument(self, symbol: str) -> Instrument:
        """Return the market for a unified symbol, or raise BadSymbol."""
        return await self._rest.instrument(symbol)

    async def candles(self, symbol: str, timeframe: Timeframe, limit: int = 500) -> Candles:
        """Return up to limit most recent closed candles (cached, else downloaded)."""
        return await self._rest.candles(symbol, timeframe, limit)

    async def poll(self, symbols: Sequence[str], timeframes: Sequence[Timeframe]
                   ) -> list[tuple[str, Timeframe, Candles]]:
        """Return, per (symbol, timeframe), the candles closed since the last poll: streamed, else over REST."""
        self._watch(symbols, timeframes)
        streaming = self.supervisor.up and self._flags_closes
        grace = self._grace_ms if streaming else self._rest.close_grace_ms
        batches = await self._rest.poll_closed(symbols, timeframes, self._closed.snapshot(), grace)
        for symbol in symbols:
            for timeframe in timeframes:
                through = self._rest.emitted_through(symbol, timeframe)
                if through is not None:
                    self._closed.forget_through((symbol, timeframe), through)
        return batches

    async def ticker(self, symbol: str) -> Ticker:
        """Return the streamed ticker while it is fresh, else the REST one."""
        seen = self._tickers.get(symbol)
        if seen is not None and self.supervisor.up and time.monotonic() - seen[0] < self.supervisor.policy.stall_s:
            return await self._rest.ticker_from(symbol, seen[1])
        return await self._rest.ticker(symbol)

    def health(self) -> Mapping[str, EndpointStats]:
        """Return latency and error counts per REST endpoint."""
        return self._rest.health()

    async def close(self) -> None:
        """Stop the streams and close the exchange's connections."""
        if self._due is not None:
            self._due.cancel()
        await self.supervisor.stop()
        await self._rest.close()

    # ---- the streams --------------------------------------------------------------------------

    async def streams_down(self, name: str, reason: str) -> None:
        """Nothing to do: polls fall back to REST while the streams are down."""

    async def streams_up(self, name: str, outage_s: float) -> None:
        """Poll soon: the candles that closed during the outage are refilled over REST."""
        self._poll_soon(0.0)

    def _watch(self, symbols: Sequence[str], timeframes: Sequence[Timeframe]) -> None:
        for symbol in symbols:
            self._watch_symbol(symbol, timeframes)
        self.supervisor.start()

    def _watch_symbol(self, symbol: str, timeframes: Sequence[Timeframe]) -> None:
        has, ex = self._exchange.has, self._exchange
        ticker_params = {"name": "ticker"} if self._flags_closes else {}   # Binance's full ticker carries the book
        if has.get("watchTicker"):
            self.supervisor.add(f"ticker {symbol}", lambda: ex.watch_ticker(symbol, dict(ticker_params)),
                                partial(self._on_ticker, symbol))
        if not has.get("watchOHLCV") and has.get("watchTrades"):
            self.supervisor.add(f"trades {symbol}", partial(ex.watch_trades, symbol), self._on_trades)
        for tf in timeframes if has.get("watchOHLCV") else ():
            self.supervisor.add(f"ohlcv {symbol} {tf.value}", partial(ex.watch_ohlcv, symbol, tf.value),
                                partial(self._on_ohlcv, symbol, tf))

    def _on_closed_kline(self, symbol: str, timeframe: str, row: list) -> None:
        if self._closed.add(symbol, timeframe, row):
            self._poll_soon(self._settle_s)

    async def _on_ohlcv(self, symbol: str, timeframe: Timeframe, rows: list) -> None:
        if self._flags_closes or not rows:
            return
        # without the exchange's own flag, a new candle opening means the one before is due (over REST)
        newest = int(rows[-1][0])
        if newest > self._newest_open.setdefault((symbol, timeframe), newest):
            self._newest_open[(symbol, timeframe)] = newest
            self._poll_soon(self._rest.close_grace_ms / 1000 + self._settle_s)

    async def _on_ticker(self, symbol: str, data: Mapping[str, Any]) -> None:
        try:
            check_ticker(data)      # the same check as a REST ticker: a ticker without a last price is not kept
        except VenueUnavailable:
            return
        self._tickers[symbol] = (time.monotonic(), data)

    async def _on_trades(self, trades: list) -> None:
        """Trades only keep the connection's health; candles come over REST where none are streamed."""

    def _poll_soon(self, delay_s: float) -> None:
        if self._due is not None or not self._when_due:
            return
        self._due = asyncio.get_running_loop().call_later(delay_s, self._fire)

    def _fire(self) -> None:
        self._due = None
        for callback in self._when_due:
            callback()
