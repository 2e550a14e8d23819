"""A longer history for benchmarks, made by chaining copies of a real one end to end.

The real 1m file covers about three months; a year of minutes is needed to time strategies at the
scale the budgets are written for. Each copy is shifted in time to follow the previous one without a
gap, and its prices are scaled so that its first open equals the previous copy's last close, so the
series has no jump at the seams. Volumes are kept as they are.
"""
from __future__ import annotations

import numpy as np

from trading.domain.candles import Candles

YEAR_OF_MINUTES = 525_600


def chained(candles: Candles, copies: int) -> Candles:
    """Return copies of candles end to end, each shifted in time and scaled to open at the last close."""
    if copies < 1 or len(candles) < 2:
        raise ValueError("chaining needs at least one copy of at least two candles")
    step = int(candles.open_ms[1] - candles.open_ms[0])
    span = int(candles.open_ms[-1] - candles.open_ms[0]) + step
    # the scale of copy k is (last close / first open) ** k: each copy opens at the previous close
    scales = (float(candles.close[-1]) / float(candles.open[0])) ** np.arange(copies)
    shifts = span * np.arange(copies, dtype=np.int64)
    open_ms = (candles.open_ms[None, :] + shifts[:, None]).ravel()
    def scaled(prices: np.ndarray) -> np.ndarray:
        return (prices[None, :] * scales[:, None]).ravel()

    return Candles(open_ms, scaled(candles.open), scaled(candles.high), scaled(candles.low), scaled(candles.close),
                   np.tile(candles.volume, copies))


def chained_year(candles: Candles, bars: int = YEAR_OF_MINUTES) -> Candles:
    """Return the first `bars` candles of as many chained copies as it takes (a year of 1m by default)."""
    copies = -(-bars // len(candles))
    return chained(candles, copies)[:bars]
