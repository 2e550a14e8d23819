"""A strategy that finds exactly the signals it is given, once their time has come (a fake Strategy)."""
from __future__ import annotations

from trading.domain.candles import Timeframe
from trading.domain.signals import Signal
from trading.strategies.base import MarketView


class ScriptedStrategy:
    """Returns the given signals that are known by the newest close in the view, like a causal scan."""

    name = "scripted"

    def __init__(self, signals: list[Signal], timeframe: Timeframe = Timeframe.M1) -> None:
        self.signals = sorted(signals, key=lambda s: s.known_at_ms)
        self.timeframes = (timeframe,)

    def scan(self, view: MarketView) -> list[Signal]:
        """Return the signals known at or before the close of the view's newest candle."""
        frame = view.frame(self.timeframes[0])
        if len(frame) == 0:
            return []
        newest_close = int(frame.open_ms[-1]) + self.timeframes[0].ms
        return [s for s in self.signals if s.known_at_ms <= newest_close]
