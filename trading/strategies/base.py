"""The strategy contract: a pure scan of a multi-timeframe history into Signals."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Protocol

from trading.domain.candles import Candles, Timeframe
from trading.domain.signals import Signal
from trading.indicators.timeframes import resample


@dataclass(frozen=True, slots=True)
class MarketView:
    """Closed candles of one symbol on several timeframes, as known at the same moment."""

    symbol: str
    frames: Mapping[Timeframe, Candles]
    params: Mapping[str, float] = field(default_factory=dict)

    def frame(self, timeframe: Timeframe) -> Candles:
        """Return the candles of one timeframe, or an empty run if none were loaded."""
        return self.frames.get(timeframe, Candles.empty())

    def candles_on(self, timeframe: Timeframe) -> Candles:
        """Return the loaded candles of timeframe, else those resampled from the finest loaded lower timeframe."""
        if timeframe in self.frames:
            return self.frames[timeframe]
        lower = [tf for tf in self.frames if tf.ms < timeframe.ms and timeframe.ms % tf.ms == 0]
        if not lower:
            return Candles.empty()
        return resample(self.frames[min(lower, key=lambda tf: tf.ms)], timeframe)

    def as_of(self, ms: int) -> "MarketView":
        """Return the view as known at ms: every frame cut to the candles closed by then."""
        frames = {tf: c.closed_before(ms - tf.ms + 1) for tf, c in self.frames.items()}
        return MarketView(self.symbol, frames, self.params)


class Strategy(Protocol):
    """A strategy scans a whole history at once (vectorised) and returns every signal it finds.

    Scanning is causal: scanning a prefix of the history returns exactly the signals of the full scan
    whose known_at_ms falls inside the prefix. Backtests scan once; live scans a rolling window and acts
    on the signals known at the newest close.
    """

    # read-only: a strategy's fixed timeframes (a class's `(M1, M15, H1)`) are a narrower tuple than any tuple
    @property
    def name(self) -> str:
        """Return the strategy's name in the book."""
        ...

    @property
    def timeframes(self) -> tuple[Timeframe, ...]:
        """Return the timeframes the strategy reads."""
        ...

    def scan(self, view: MarketView) -> list[Signal]:
        """Return the signals found in view, oldest first."""
        ...
