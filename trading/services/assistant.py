"""The one service the outside talks to: status, prices, and the market refresh the scheduler drives."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import BadSymbol, InvalidInput, TradingError
from trading.domain.instruments import Instrument
from trading.domain.health import ClockSync, EndpointStats
from trading.domain.events import Event, EventKind, Severity
from trading.domain.market import Ticker
from trading.domain.symbols import resolve_symbol
from trading.ports import Clock, MarketData, StateStore, SyncedClock
from trading.services.account_keys import saved_kill_switch
from trading.services.event_bus import EventBus

TIMEFRAMES = (Timeframe.M1, Timeframe.M15, Timeframe.H1)
BACKFILL_BARS = 500
STALL_MINUTES = 5


@dataclass(frozen=True, slots=True)
class Profile:
    """How this process was started, as shown to the user."""

    mode: str
    exchange: str
    market_type: str
    symbols: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StatusReport:
    """What /status shows."""

    profile: Profile
    data_source: str
    now_ms: int
    uptime_s: float
    last_tick_ms: int | None
    candles_seen: int
    kill_switch_active: bool
    open_positions: int
    exchange_clock: ClockSync | None = None      # live data only: the machine's clock against the exchange's


@dataclass(frozen=True, slots=True)
class HealthReport:
    """What /health shows: the feed, its endpoints, and when the loop last ran."""

    data_source: str
    now_ms: int
    last_tick_ms: int | None
    endpoints: dict[str, EndpointStats]


class Assistant:
    """Facade over the core for the chat, the CLI and the scheduler."""

    def __init__(self, profile: Profile, clock: Clock, market: MarketData, events: EventBus,
                 store: StateStore, data_dir: Path, wall: Clock | None = None,
                 exchange_time: SyncedClock | None = None) -> None:
        self.profile = profile
        self.clock = clock
        self.market = market
        self.events = events
        self._store = store
        self._data_dir = data_dir
        self._wall = wall or clock            # uptime is real time, even when the market clock is replayed
        self._exchange_time = exchange_time
        self._started_ms = self._wall.now_ms()
        self._last_tick_ms: int | None = None
        self.ticked_wall_ms: int | None = None   # real time of the last refresh, for the watchdog
        self._candles_seen = 0
        self._last_candle_ms: int | None = None
        self._stalled = False
        self._known_symbols: list[str] = list(profile.symbols)

    async def start(self) -> None:
        """Load markets, backfill candle history, and announce the start."""
        self._known_symbols = sorted(set(await self.market.instruments()) | set(self.profile.symbols))
        await self.backfill()
        p = self.profile
        await self.events.emit(Event(EventKind.STARTED, self.clock.now_ms(),
                                     f"Started in {p.mode} mode ({p.market_type}) on {p.exchange}, "
                                     f"data: {self.market.source}, symbols: {', '.join(p.symbols)}",
                                     {"mode": p.mode, "exchange": p.exchange, "symbols": list(p.symbols)}))

    async def backfill(self, bars: int = BACKFILL_BARS) -> int:
        """Load recent closed candles for every symbol and timeframe; a failure is reported, not fatal."""
        loaded = 0
        for symbol in self.profile.symbols:
            for timeframe in TIMEFRAMES:
                try:
                    loaded += len(await self.market.candles(symbol, timeframe, bars))
                except TradingError as exc:
                    await self.events.emit(Event(EventKind.MARKET_DATA, self.clock.now_ms(),
                                                 f"Backfill of {symbol} {timeframe} failed: {exc}",
                                                 {"symbol": symbol, "timeframe": timeframe.value},
                                                 Severity.WARNING))
        await self.events.emit(Event(EventKind.MARKET_DATA, self.clock.now_ms(),
                                     f"Backfilled {loaded} candles", {"candles": loaded}, notify=False))
        return loaded

    def set_symbols(self, symbols: Sequence[str]) -> None:
        """Follow a new symbol universe: refresh and show these symbols from now on."""
        self.profile = replace(self.profile, symbols=tuple(symbols))
        self._known_symbols = sorted(set(self._known_symbols) | set(symbols))

    async def stop(self, reason: str) -> None:
        """Announce the shutdown."""
        await self.events.emit(Event(EventKind.STOPPING, self.clock.now_ms(), f"Shutting down: {reason}",
                                     {"reason": reason}, Severity.WARNING))

    async def status(self) -> StatusReport:
        """Return the state of the process for /status."""
        now = self.clock.now_ms()
        kill_switch = await saved_kill_switch(self._store, self.profile.mode)
        engaged = isinstance(kill_switch, dict) and bool(kill_switch.get("active"))
        return StatusReport(self.profile, self.market.source, now, (self._wall.now_ms() - self._started_ms) / 1000,
                            self._last_tick_ms, self._candles_seen, engaged,
                            await self._store.open_position_count(),
                            self._exchange_time.sync_state() if self._exchange_time is not None else None)

    def health(self) -> HealthReport:
        """Return the market connection's health for /health."""
        return HealthReport(self.market.source, self.clock.now_ms(), self._last_tick_ms,
                            dict(self.market.health()))

    async def price(self, text: str) -> Ticker:
        """Return the ticker for what the user typed, or raise InvalidInput saying what to type."""
        if not text.strip():
            raise InvalidInput("Tell me which market, e.g. /price BTC/USDT")
        try:
            symbol = resolve_symbol(text, self._known_symbols)
            return await self.market.ticker(symbol)
        except BadSymbol as exc:
            raise InvalidInput(f"{exc} Usage: /price BTC/USDT") from None

    async def markets(self, text: str = "") -> list[Instrument]:
        """Return the tradable markets whose symbol contains text (case-insensitive), configured ones first."""
        wanted = text.strip().upper().replace("-", "/")
        found = [i for s, i in (await self.market.instruments()).items() if wanted in s.upper()]
        return sorted(found, key=lambda i: (i.symbol not in self.profile.symbols, i.kind != "spot", i.symbol))

    async def refresh_market(self) -> list[tuple[str, Timeframe, Candles]]:
        """Pull the candles closed since the last refresh and record them; return them per symbol and timeframe."""
        batches = await self.market.poll(self.profile.symbols, TIMEFRAMES)
        arrived = 0
        for symbol, timeframe, candles in batches:
            arrived += len(candles)
            last = candles.at(-1)
            await self.events.emit(Event(EventKind.CANDLE_CLOSED, self.clock.now_ms(),
                                         f"{symbol} {timeframe} closed at {last.close}",
                                         {"symbol": symbol, "timeframe": timeframe.value, "count": len(candles),
                                          "open_ms": last.open_ms, "close": last.close}, notify=False))
        self._candles_seen += arrived
        self._last_tick_ms = self.clock.now_ms()
        self.ticked_wall_ms = self._wall.now_ms()
        await self._watch_flow(arrived > 0)
        return batches

    async def _watch_flow(self, arrived: bool) -> None:
        """Say once when closed candles stop coming (a replay at its end, a stalled feed) and when they resume."""
        now = self.clock.now_ms()
        if arrived or self._last_candle_ms is None:
            if arrived and self._stalled:
                await self.events.emit(Event(EventKind.MARKET_DATA, now, f"Candles are arriving again from "
                                             f"{self.market.source}.", {"stalled": False}))
            self._last_candle_ms, self._stalled = now, False
            return
        quiet_min = (now - self._last_candle_ms) // 60_000
        if not self._stalled and quiet_min >= STALL_MINUTES:
            self._stalled = True
            await self.events.emit(Event(
                EventKind.MARKET_DATA, now, f"No closed candle from {self.market.source} for {quiet_min} minutes "
                f"(a replay that reached the end of its data, or a stalled exchange feed). No new entries until "
                f"candles arrive; open positions are still watched.", {"stalled": True}, Severity.WARNING))

    def heartbeat(self, wall_ms: int) -> None:
        """Write the heartbeat file that `trading-assistant health` checks."""
        path = self._data_dir / "heartbeat"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(str(wall_ms))
        tmp.replace(path)
