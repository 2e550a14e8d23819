"""MarketData over ccxt.async_support: instruments, closed candles (backfilled, polled, gap-filled), tickers."""
from __future__ import annotations

from functools import partial
from typing import Any, Awaitable, Mapping, Sequence

from trading.adapters.candle_backfill import (CandleCache, between, hole_span, last_closed_open_ms, merged,
                                              missing_ranges, streamed_through)
from trading.adapters.ccxt_client import create_exchange
from trading.adapters.ccxt_instruments import instrument_from_market, to_decimal
from trading.adapters.exchange_health import EndpointStats
from trading.adapters.exchange_requests import ExchangeRequests, RetryPolicy
from trading.adapters.exchange_responses import (candles_from_ohlcv, check_book, check_funding, check_markets,
                                                 check_ohlcv, check_server_time, check_ticker)
from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import BadSymbol, RetryableError, VenueUnavailable
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.market import Ticker
from trading.domain.symbols import resolve_symbol
from trading.logs import get_logger
from trading.ports import Clock, StateStore

DAY_MS = 86_400_000
MARKETS_RETRY_MS = 5 * 60_000
log = get_logger(__name__)


class CcxtMarketData:
    """Market data from a ccxt exchange; only closed candles are returned, each poll emits a candle once.

    options is EXCHANGE_OPTIONS, merged into the ccxt constructor config (urls, timeout, options...).
    A candle counts as closed close_grace_ms after its close time on clock, which must be the clock the
    exchange runs on: an ExchangeClock live (measured through server_time()), never the machine's own.
    With progress (a StateStore), the newest candle emitted per symbol and timeframe survives a restart,
    so the first poll after it emits the candles that closed meanwhile, each once.
    """

    def __init__(self, exchange_id: str, clock: Clock, *, sandbox: bool = False,
                 options: Mapping[str, Any] | None = None, cache: CandleCache | None = None,
                 retry: RetryPolicy | None = None, page_size: int = 1000, close_grace_ms: int = 1_000,
                 markets_max_age_ms: int = DAY_MS, max_refill_bars: int = 10_000,
                 progress: StateStore | None = None, streaming: bool = False, heartbeat_ms: int = 10_000) -> None:
        self._exchange = create_exchange(exchange_id, options, sandbox, streaming=streaming,
                                         heartbeat_ms=heartbeat_ms)
        self._clock = clock
        self._cache = cache
        self._requests = ExchangeRequests(self._exchange, clock, retry)
        # the clock is measured with one attempt: a retry's backoff would count as round trip
        self._once = ExchangeRequests(self._exchange, clock, RetryPolicy(attempts=1), self._requests.health)
        self._page_size = page_size
        self._grace_ms = close_grace_ms          # room for the uncertainty of the measured offset
        self._markets_max_age_ms = markets_max_age_ms
        self._max_refill_bars = max_refill_bars
        self._source = f"{exchange_id} ({'testnet' if sandbox else 'live'})"
        self._instruments: dict[str, Instrument] = {}
        self._markets_loaded_ms: int | None = None
        self._last_emitted: dict[tuple[str, Timeframe], int] = {}
        self._progress = progress
        self._progress_key = f"feed_emitted:{exchange_id}:{'testnet' if sandbox else 'live'}"
        self._progress_loaded = progress is None

    @property
    def source(self) -> str:
        """Return e.g. 'binance (live)'."""
        return self._source

    @property
    def exchange(self) -> Any:
        """Return the ccxt exchange (a ccxt.pro one when built for streaming)."""
        return self._exchange

    @property
    def close_grace_ms(self) -> int:
        """Return how long after its close time a candle counts as closed without the exchange saying so."""
        return self._grace_ms

    def emitted_through(self, symbol: str, timeframe: Timeframe) -> int | None:
        """Return the open time of the newest candle emitted for symbol and timeframe (None before any)."""
        return self._last_emitted.get((symbol, timeframe))

    def health(self) -> dict[str, EndpointStats]:
        """Return latency and error counts per endpoint."""
        return self._requests.health.snapshot()

    async def server_time(self) -> int:
        """Return the exchange's own time in epoch ms (one attempt: a failed measurement is simply retried later)."""
        return await self._once.call("fetch_time", self._exchange.fetch_time, check_server_time)

    async def instruments(self) -> dict[str, Instrument]:
        """Return the spot and linear-perpetual markets keyed by unified symbol."""
        await self._ensure_markets()
        return dict(self._instruments)

    async def instrument(self, symbol: str) -> Instrument:
        """Return the market for a unified symbol, or raise BadSymbol suggesting close matches."""
        await self._ensure_markets()
        if symbol in self._instruments:
            return self._instruments[symbol]
        meant = resolve_symbol(symbol, self._instruments)   # raises BadSymbol when nothing is close
        raise BadSymbol(f"Unknown symbol {symbol!r}. Did you mean {meant}?")

    async def candles(self, symbol: str, timeframe: Timeframe, limit: int = 500) -> Candles:
        """Return up to limit most recent closed candles: cached ones first, then only what is missing."""
        await self.instrument(symbol)
        last = last_closed_open_ms(self._clock.now_ms(), timeframe, self._grace_ms)
        first = last - (limit - 1) * timeframe.ms
        cached = Candles.empty()
        if self._cache is not None:
            cached = between(await self._cache.load_candles(symbol, timeframe, first, last + 1), first, last)
        downloaded = [await self._download(symbol, timeframe, a, b)
                      for a, b in missing_ranges(cached, first, last, timeframe)]
        result = merged([cached, *downloaded])[-limit:]
        await self._save(symbol, timeframe, merged(downloaded))
        await self._load_progress()
        if len(result) and (symbol, timeframe) not in self._last_emitted:
            # a backfill is the baseline of polling: the next poll starts after its newest candle
            await self._remember({(symbol, timeframe): int(result.open_ms[-1])})
        return result

    async def poll(self, symbols: Sequence[str], timeframes: Sequence[Timeframe]
                   ) -> list[tuple[str, Timeframe, Candles]]:
        """Return, per (symbol, timeframe), the candles closed since the last poll, gaps refilled, each once.

        All or nothing: when any download fails the error is raised and no baseline moves, so the
        next poll fetches the same candles again and none is lost or emitted twice.
        """
        return await self.poll_closed(symbols, timeframes)

    async def poll_closed(self, symbols: Sequence[str], timeframes: Sequence[Timeframe],
                          streamed: Mapping[tuple[str, Timeframe], Candles] | None = None,
                          grace_ms: int | None = None) -> list[tuple[str, Timeframe, Candles]]:
        """Poll as poll() does, taking the closed candles a stream delivered and downloading only the rest.

        A candle is due grace_ms after its close on the clock (close_grace_ms when None); a streamed
        final candle is emitted sooner, as long as no candle before it is missing.
        """
        for symbol in symbols:
            await self.instrument(symbol)
        await self._load_progress()
        results, baselines = [], {}
        for symbol in symbols:
            for timeframe in timeframes:
                have = (streamed or {}).get((symbol, timeframe), Candles.empty())
                fresh = await self._closed_since(symbol, timeframe, have,
                                                 self._grace_ms if grace_ms is None else grace_ms)
                if len(fresh):
                    results.append((symbol, timeframe, fresh))
                    baselines[(symbol, timeframe)] = int(fresh.open_ms[-1])
        await self._remember(baselines)
        return results

    async def ticker(self, symbol: str) -> Ticker:
        """Return last price, top of book, 24h change and quote volume, and funding for perpetuals."""
        raw = await self._requests.call("fetch_ticker", lambda: self._exchange.fetch_ticker(symbol), check_ticker)
        return await self.ticker_from(symbol, raw)

    async def ticker_from(self, symbol: str, raw: Mapping[str, Any]) -> Ticker:
        """Return the Ticker for a ccxt ticker of symbol, asking for the book and funding when it lacks them."""
        instrument = await self.instrument(symbol)
        bid, ask = to_decimal(raw.get("bid")), to_decimal(raw.get("ask"))
        if bid is None or ask is None:       # futures 24h tickers carry no book; ask the book itself
            book = await self._requests.call(
                "fetch_order_book", lambda: self._exchange.fetch_order_book(symbol, 5), check_book)
            bid = to_decimal(book["bids"][0][0]) if book["bids"] else None
            ask = to_decimal(book["asks"][0][0]) if book["asks"] else None
        funding_rate, next_funding_ms = None, None
        if instrument.kind is MarketKind.PERP:
            funding = await self._requests.call(
                "fetch_funding_rate", lambda: self._exchange.fetch_funding_rate(symbol), check_funding)
            funding_rate = to_decimal(funding.get("fundingRate"))
            next_funding_ms = self._next_funding_ms(funding)
        last = to_decimal(raw.get("last"))
        if last is None:       # check_ticker keeps these out of both paths; a caller that skipped it is told
            raise VenueUnavailable(f"ticker of {symbol}: malformed response (no last price)")
        return Ticker(symbol=symbol, ts_ms=int(raw.get("timestamp") or self._clock.now_ms()),
                      last=last, bid=bid, ask=ask,
                      change_24h_pct=to_decimal(raw.get("percentage")),
                      quote_volume_24h=to_decimal(raw.get("quoteVolume")),
                      funding_rate=funding_rate, next_funding_ms=next_funding_ms)

    async def close(self) -> None:
        """Close the exchange's HTTP session."""
        await self._exchange.close()

    async def _ensure_markets(self) -> None:
        now = self._clock.now_ms()
        if self._markets_loaded_ms is not None and now - self._markets_loaded_ms < self._markets_max_age_ms:
            return
        reload = self._markets_loaded_ms is not None
        try:
            markets = await self._requests.call(
                "load_markets", lambda: self._exchange.load_markets(reload), check_markets)
        except RetryableError as error:
            if not self._instruments:
                raise
            log.warning("market refresh failed, keeping the markets loaded earlier", error=str(error))
            self._markets_loaded_ms = now - self._markets_max_age_ms + MARKETS_RETRY_MS
            return
        mode = self._exchange.precisionMode
        found = (instrument_from_market(m, mode) for m in markets.values())
        self._instruments = {i.symbol: i for i in found if i is not None}
        self._markets_loaded_ms = now

    async def _closed_since(self, symbol: str, timeframe: Timeframe, streamed: Candles, grace_ms: int) -> Candles:
        due = last_closed_open_ms(self._clock.now_ms(), timeframe, grace_ms)
        previous = self._last_emitted.get((symbol, timeframe))
        # the exchange's final candles count from what was emitted even when the clock says less is due
        last = streamed_through(streamed, due if previous is None else max(due, previous), timeframe)
        if previous is None:
            first = last      # never backfilled: start from the newest closed candle
        else:
            # after a very long outage only the newest max_refill_bars are refilled (and emitted)
            first = max(previous + timeframe.ms, last - (self._max_refill_bars - 1) * timeframe.ms)
        if first > last:
            return Candles.empty()
        have = between(streamed, first, last)
        span = hole_span(have, first, last, timeframe)
        if span is not None and span[1] > span[0]:
            log.info("refilling missed candles", symbol=symbol, timeframe=timeframe.value,
                     bars=(span[1] - span[0]) // timeframe.ms + 1)
        downloaded = await self._download(symbol, timeframe, *span) if span is not None else Candles.empty()
        fresh = merged([have, downloaded])       # the exchange's REST answer wins over a streamed copy
        await self._save(symbol, timeframe, fresh)
        return fresh

    def _ohlcv_page(self, symbol: str, timeframe: Timeframe, since: int, last_ms: int) -> Awaitable[Any]:
        """Ask the exchange for one page of candles (a fresh params dict each try: ccxt may edit what it gets)."""
        return self._exchange.fetch_ohlcv(symbol, timeframe.value, since=since, limit=self._page_size,
                                          params={"until": last_ms})

    async def _download(self, symbol: str, timeframe: Timeframe, first_ms: int, last_ms: int) -> Candles:
        """Return the exchange's candles opened in [first_ms, last_ms], one page after another."""
        pages, since = [], first_ms
        while since <= last_ms:
            rows = await self._requests.call(
                "fetch_ohlcv", partial(self._ohlcv_page, symbol, timeframe, since, last_ms), check_ohlcv)
            page = between(candles_from_ohlcv(rows), since, last_ms)
            if len(page) == 0:
                break
            pages.append(page)
            since = int(page.open_ms[-1]) + timeframe.ms
        return merged(pages)

    async def _load_progress(self) -> None:
        if self._progress_loaded or self._progress is None:
            return
        saved = await self._progress.load_state(self._progress_key)
        for key, open_ms in (saved.items() if isinstance(saved, dict) else ()):
            symbol, _, timeframe = str(key).rpartition("|")
            if timeframe in Timeframe._value2member_map_ and isinstance(open_ms, int):
                self._last_emitted.setdefault((symbol, Timeframe(timeframe)), open_ms)
        self._progress_loaded = True

    async def _remember(self, baselines: dict[tuple[str, Timeframe], int]) -> None:
        """Move the poll baselines; persist them so a restart neither repeats nor skips a candle."""
        if not baselines:
            return
        self._last_emitted.update(baselines)
        if self._progress is not None:
            await self._progress.save_state(self._progress_key, {
                f"{symbol}|{timeframe.value}": open_ms for (symbol, timeframe), open_ms in self._last_emitted.items()})

    async def _save(self, symbol: str, timeframe: Timeframe, candles: Candles) -> None:
        if self._cache is not None and len(candles):
            await self._cache.save_candles(symbol, timeframe, candles)

    def _next_funding_ms(self, funding: Mapping[str, Any]) -> int | None:
        # ccxt puts Binance's nextFundingTime in fundingTimestamp; some venues report the last settlement there
        now = self._clock.now_ms()
        for key in ("fundingTimestamp", "nextFundingTimestamp"):
            value = funding.get(key)
            if value is not None and int(value) > now:
                return int(value)
        return None
