"""Resampling to higher timeframes and making higher-timeframe values visible to lower ones causally."""
from __future__ import annotations

import numpy as np

from trading.domain.candles import Candles, Timeframe


def resample(candles: Candles, timeframe: Timeframe, *, include_partial: bool = False) -> Candles:
    """Aggregate candles into UTC-aligned buckets of timeframe, as the exchange builds them.

    The last bucket is dropped unless its final source candle closes the bucket (or include_partial),
    so a forming higher-timeframe candle never reaches signals. Missing source bars inside a bucket
    (exchange outages) are simply absent from the aggregate, like on the exchange.
    """
    if len(candles) == 0:
        return Candles.empty()
    tf_ms = timeframe.ms
    bucket = candles.open_ms - candles.open_ms % tf_ms
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    ends = np.r_[starts[1:], len(candles)] - 1
    out = Candles(
        bucket[starts],
        candles.open[starts],
        np.maximum.reduceat(candles.high, starts),
        np.minimum.reduceat(candles.low, starts),
        candles.close[ends],
        # volumes carry at most 8 decimals on the exchange; rounding undoes float summation noise
        np.round(np.add.reduceat(candles.volume, starts), 8),
    )
    source_ms = int(candles.open_ms[1] - candles.open_ms[0]) if len(candles) > 1 else tf_ms
    last_close = int(candles.open_ms[-1]) + source_ms
    if not include_partial and last_close < int(out.open_ms[-1]) + tf_ms:
        return out[:-1]
    return out


def visible_index(higher_open_ms: np.ndarray, higher: Timeframe,
                  lower_open_ms: np.ndarray, lower: Timeframe) -> np.ndarray:
    """Return, for each lower bar, the index of the newest higher bar closed by that lower bar's close (-1: none).

    A higher bar T becomes visible at the lower bar whose close time equals T's close time, never earlier.
    """
    higher_close = higher_open_ms.astype(np.int64) + higher.ms
    lower_close = lower_open_ms.astype(np.int64) + lower.ms
    return np.searchsorted(higher_close, lower_close, side="right") - 1


def close_ms(candles: Candles, timeframe: Timeframe) -> np.ndarray:
    """Return the close time (exclusive end) of every candle."""
    return candles.open_ms + timeframe.ms
