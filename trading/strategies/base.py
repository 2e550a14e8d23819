"""The strategy contract: a pure scan of a multi-timeframe history into Signals."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Protocol

from trading.domain.candles import Candles, Timeframe
from trading.domain.signals import Signal


@dataclass(frozen=True, slots=True)
class MarketView:
    """Closed candles of one symbol on several timeframes, as known at the same moment."""

    symbol: str
    frames: Mapping[Timeframe, Candles]
    params: Mapping[str, float] = field(default_factory=dict)

    def frame(self, timeframe: Timeframe) -> Candles:
        """Return the candles of one timeframe, or an empty run if none were loaded."""
        return self.frames.get(timeframe, Candles.empty())


class Strategy(Protocol):
    """A strategy scans a whole history at once (vectorised) and returns every signal it finds.

    Scanning is causal: scanning a prefix of the history returns exactly the signals of the full scan
    whose known_at_ms falls inside the prefix. Backtests scan once; live scans a rolling window and acts
    on the signals known at the newest close.
    """

    name: str
    timeframes: tuple[Timeframe, ...]

    def scan(self, view: MarketView) -> list[Signal]:
        """Return the signals found in view, oldest first."""
        ...
