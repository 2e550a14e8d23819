"""The daily EMA200 regime of BTC: bull above the long average, bear below, unknown while it warms up."""
from __future__ import annotations

from enum import StrEnum

import numpy as np

from trading.domain.candles import Candles, Timeframe
from trading.indicators.classic import ema
from trading.indicators.timeframes import visible_index

REGIME_PERIOD = 200


class Regime(StrEnum):
    """The market's long-term direction as the strategies and the LLM see it."""

    BULL = "bull"
    BEAR = "bear"
    UNKNOWN = "unknown"

    @classmethod
    def from_code(cls, code: int) -> "Regime":
        """Return the regime for a code of daily_regime (+1 bull, -1 bear, 0 unknown)."""
        return cls.BULL if code > 0 else cls.BEAR if code < 0 else cls.UNKNOWN


def daily_regime(daily: Candles, period: int = REGIME_PERIOD) -> np.ndarray:
    """Return per daily bar +1 when its close is above its EMA(period), -1 otherwise, 0 during warm-up."""
    average = ema(daily.close, period)
    code = np.where(daily.close > average, 1, -1).astype(np.int8)
    code[np.isnan(average)] = 0
    return code


def regime_for(daily: Candles, open_ms: np.ndarray, timeframe: Timeframe,
               period: int = REGIME_PERIOD) -> np.ndarray:
    """Return per lower bar the regime code of the newest daily bar closed by that bar's close (0: none yet)."""
    codes = daily_regime(daily, period)
    seen = visible_index(daily.open_ms, Timeframe.D1, np.asarray(open_ms, np.int64), timeframe)
    # index -1 would wrap to the newest day; a sentinel 0 in front maps "no closed day" to unknown
    return np.r_[np.int8(0), codes][seen + 1]


def regime_at(daily: Candles, at_ms: int, period: int = REGIME_PERIOD) -> Regime:
    """Return the regime as known at at_ms: from the newest daily bar that closed at or before it."""
    closed = daily.closed_before(at_ms - Timeframe.D1.ms + 1)
    if len(closed) == 0:
        return Regime.UNKNOWN
    return Regime.from_code(int(daily_regime(closed, period)[-1]))
