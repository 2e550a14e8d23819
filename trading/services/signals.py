"""Use cases around signals: what the strategies see now, recent setups, switching strategies on and off."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.errors import BadSymbol, InvalidInput
from trading.domain.signals import Signal
from trading.domain.symbols import resolve_symbol
from trading.ports import MarketData, StateStore
from trading.services.loop_controls import DEFAULT_WINDOWS
from trading.strategies.base import MarketView
from trading.strategies.book import StrategyBook
from trading.strategies.market_analysis import MarketAnalysis
from trading.strategies.market_picture import MarketPicture, market_picture

# the windows the trading loop reads (A: 1m/15m/1h structure, trend: a 200-day EMA regime): /signals shows what
# the loop trades on, and shares its live analysis and scans instead of keeping a longer history of its own
VIEW_BARS = DEFAULT_WINDOWS
ENABLED_KEY = "strategies_enabled"
RECENT_SHOWN = 5
LIVE_LAG_BARS = 1          # the loop's analysis may be one close behind: it is analysing the newest one right now
Read = tuple[list[Signal], MarketPicture | None]      # the latest signals and the market picture


async def load_view(market: MarketData, symbol: str) -> MarketView:
    """Return the closed candles of symbol on every timeframe the strategies read."""
    frames = {tf: await market.candles(symbol, tf, bars) for tf, bars in VIEW_BARS.items()}
    return MarketView(symbol, {tf: c for tf, c in frames.items() if len(c)})


@dataclass(frozen=True, slots=True)
class SignalsReport:
    """What /signals shows for one symbol."""

    symbol: str
    picture: MarketPicture | None
    recent: tuple[Signal, ...]              # on the market's tick, as they are shown
    tick: Decimal | None = None             # the market's price tick, for every price shown


class SignalsService:
    """Reads the strategies' view of the market; the strategy book is shared with the trading loop."""

    def __init__(self, market: MarketData, book: StrategyBook, store: StateStore, symbols: tuple[str, ...]) -> None:
        self._market = market
        self.book = book
        self._store = store
        self._symbols = symbols
        self._read_last: dict[str, tuple[MarketAnalysis, tuple[str, ...], Read]] = {}

    async def restore(self) -> None:
        """Apply the strategy switches saved from the chat."""
        saved = await self._store.load_state(ENABLED_KEY)
        if isinstance(saved, list):
            for name in self.book.names:
                self.book.set_enabled(name, name in saved)

    async def report(self, symbol_text: str) -> SignalsReport:
        """Return the live zones and the latest signals for a symbol (the first configured one by default).

        A symbol the loop trades is read from the loop's latest analysis (scanned once per close and strategy
        switch), without waiting for the loop; any other symbol, or one the loop stopped following, is analysed.
        """
        symbol = self._symbols[0] if not symbol_text.strip() else await self._symbol(symbol_text)
        live = await self._live_analysis(symbol)
        if live is not None:
            read = self._read_live(live)
            if read is None:
                read = await asyncio.to_thread(self._read_analysis, live)
            recent, picture = read
        else:
            view = await load_view(self._market, symbol)
            recent, picture = await asyncio.to_thread(self._read, view)     # CPU work: off the event loop
        instrument = (await self._market.instruments()).get(symbol)
        if instrument is None:
            return SignalsReport(symbol, picture, tuple(recent))
        return SignalsReport(symbol, picture, tuple(s.on_tick(instrument) for s in recent), instrument.price_tick)

    def _read(self, view: MarketView) -> Read:
        """Return the latest signals in view and what the strategies see there."""
        return self.book.scan(view)[-RECENT_SHOWN:], self.book.zones(view)

    async def _live_analysis(self, symbol: str) -> MarketAnalysis | None:
        """Return the book's live analysis of symbol when it is at most LIVE_LAG_BARS behind the market, else None.

        Right after a close the loop is still analysing it: its analysis of the close before is what the
        strategies saw a bar ago (the reply says as of when); a loop that stopped analysing is not read.
        """
        analysis = self.book.analyses.latest(symbol)
        if analysis is None or not analysis.view.frames:
            return None
        finest = min(analysis.view.frames, key=lambda tf: tf.ms)
        analysed, newest = analysis.candles(finest), await self._market.candles(symbol, finest, 1)
        if not len(analysed) or not len(newest):
            return None
        behind = (int(newest.open_ms[-1]) - int(analysed.open_ms[-1])) // finest.ms
        return analysis if behind <= LIVE_LAG_BARS else None

    def _read_live(self, analysis: MarketAnalysis) -> Read | None:
        """Return what was read from this analysis with the strategies switched on now (None: not read yet)."""
        kept = self._read_last.get(analysis.symbol)
        if kept is None or kept[0] is not analysis or kept[1] != self.book.enabled:
            return None
        return kept[2]

    def _read_analysis(self, analysis: MarketAnalysis) -> Read:
        """Return the latest signals in analysis and what the strategies see there; keep them for the next ask."""
        enabled = self.book.enabled
        read = self.book.scan_analysis(analysis, enabled)[-RECENT_SHOWN:], market_picture(analysis)
        self._read_last[analysis.symbol] = (analysis, enabled, read)     # one per symbol: the newest analysis
        return read

    def strategies(self) -> list[tuple[str, bool]]:
        """Return every strategy with whether it is switched on."""
        return [(name, name in self.book.enabled) for name in self.book.names]

    async def switch(self, name: str, on: bool) -> str:
        """Switch a strategy on or off and remember it across restarts; return its name."""
        try:
            known = self.book.set_enabled(name, on)
        except ValueError as exc:
            message = str(exc)
            raise InvalidInput(f"{message[:1].upper()}{message[1:]}. Usage: /strategies NAME on|off") from None
        await self._store.save_state(ENABLED_KEY, list(self.book.enabled))
        return known

    async def _symbol(self, text: str) -> str:
        try:
            return resolve_symbol(text, list(await self._market.instruments()))
        except BadSymbol as exc:
            raise InvalidInput(f"{exc} Usage: /signals [SYMBOL]") from None
