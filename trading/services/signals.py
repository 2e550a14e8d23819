"""Use cases around signals: what the strategies see now, recent setups, switching strategies on and off."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.candles import Timeframe
from trading.domain.errors import BadSymbol, InvalidInput
from trading.domain.signals import Signal
from trading.domain.symbols import resolve_symbol
from trading.ports import MarketData, StateStore
from trading.strategies.base import MarketView
from trading.strategies.book import StrategyBook
from trading.strategies.market_picture import MarketPicture

# enough closed history for every strategy: A needs 1m/15m/1h structure, trend a 200-day EMA regime
VIEW_BARS = {Timeframe.M1: 1500, Timeframe.M15: 700, Timeframe.H1: 500, Timeframe.D1: 260}
ENABLED_KEY = "strategies_enabled"
RECENT_SHOWN = 5


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

    async def restore(self) -> None:
        """Apply the strategy switches saved from the chat."""
        saved = await self._store.load_state(ENABLED_KEY)
        if isinstance(saved, list):
            for name in self.book.names:
                self.book.set_enabled(name, name in saved)

    async def report(self, symbol_text: str) -> SignalsReport:
        """Return the live zones and the latest signals for a symbol (the first configured one by default)."""
        symbol = self._symbols[0] if not symbol_text.strip() else await self._symbol(symbol_text)
        view = await load_view(self._market, symbol)
        recent, picture = await asyncio.to_thread(self._read, view)     # CPU work: off the event loop
        instrument = (await self._market.instruments()).get(symbol)
        if instrument is None:
            return SignalsReport(symbol, picture, tuple(recent))
        return SignalsReport(symbol, picture, tuple(s.on_tick(instrument) for s in recent), instrument.price_tick)

    def _read(self, view: MarketView) -> tuple[list[Signal], MarketPicture | None]:
        """Return the latest signals in view and what the strategies see there."""
        return self.book.scan(view)[-RECENT_SHOWN:], self.book.zones(view)

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
