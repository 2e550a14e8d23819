"""A strategy that finds nothing and remembers every market view it was shown (a fake Strategy)."""
from __future__ import annotations

from trading.domain.candles import Candles, Timeframe
from trading.domain.signals import Signal
from trading.strategies.base import MarketView


class RecordingStrategy:
    """Keeps a copy of the frame of its timeframe at every scan."""

    name = "recording"

    def __init__(self, timeframe: Timeframe = Timeframe.M1) -> None:
        self.timeframes = (timeframe,)
        self.seen: list[Candles] = []

    def scan(self, view: MarketView) -> list[Signal]:
        """Record the frame; signal nothing."""
        self.seen.append(view.frame(self.timeframes[0]))
        return []
