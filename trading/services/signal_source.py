"""Where the loop gets its new signals: the strategy book, or any plain collection of strategies."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Mapping, Protocol

import numpy as np

from trading.domain.candles import Candles, Timeframe
from trading.domain.signals import Signal
from trading.indicators.classic import atr
from trading.risk.sizing import SizingSettings
from trading.strategies.base import MarketView, Strategy
from trading.strategies.book import StrategyBook

ATR_PERIOD = 14
Frames = Mapping[Timeframe, Candles]


class SignalSource(Protocol):
    """Returns the signals of one symbol known after since_ms."""

    def latest_signals(self, symbol: str, frames: Frames, since_ms: int) -> list[Signal]:
        """Return the signals in the closed candles of frames that became known after since_ms, oldest first."""
        ...


class BookSignals:
    """The strategy book as a signal source: only its enabled strategies, each setup once."""

    def __init__(self, book: StrategyBook) -> None:
        self.book = book

    def latest_signals(self, symbol: str, frames: Frames, since_ms: int) -> list[Signal]:
        """Return the book's new signals."""
        return list(self.book.latest_signals(MarketView(symbol, frames), since_ms))


class StrategySet:
    """A fixed collection of strategies as a signal source (tests, a single-strategy run)."""

    def __init__(self, strategies: Iterable[Strategy]) -> None:
        self.strategies = tuple(strategies)

    def latest_signals(self, symbol: str, frames: Frames, since_ms: int) -> list[Signal]:
        """Return every strategy's signals known after since_ms."""
        view = MarketView(symbol, frames)
        found = [s for strategy in self.strategies for s in strategy.scan(view) if s.known_at_ms > since_ms]
        return sorted(found, key=lambda s: (s.known_at_ms, s.strategy))


def as_signal_source(strategies: StrategyBook | Iterable[Strategy]) -> SignalSource:
    """Return strategies as a signal source: the StrategyBook, or a plain collection of strategies."""
    if isinstance(strategies, StrategyBook):
        return BookSignals(strategies)
    return StrategySet(strategies)


def signal_atr(frames: Frames, signal: Signal, sizing: SizingSettings) -> Decimal | None:
    """Return the ATR of the signal's timeframe when volatility sizing is on, else None."""
    if sizing.atr_stop_multiple is None:
        return None
    try:
        candles = MarketView(signal.symbol, frames).candles_on(Timeframe.parse(signal.timeframe))
    except ValueError:
        return None
    if len(candles) <= ATR_PERIOD:
        return None
    value = float(atr(candles, ATR_PERIOD)[-1])
    return Decimal(repr(value)) if np.isfinite(value) else None
