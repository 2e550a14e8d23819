"""A year of 1m BTC/USDT for benchmarks, built by chaining the real three-month file end to end."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from trading.domain.candles import COLUMNS, Candles

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
YEAR_OF_MINUTES = 525_600


def load_real(name: str = "BTCUSDT-1m.csv.gz") -> Candles:
    """Return the real candles of a shared data file."""
    return Candles.from_frame(pd.read_csv(SHARED_DATA / name))


def chain(candles: Candles, bars: int = YEAR_OF_MINUTES) -> Candles:
    """Return bars candles: copies of candles end to end, each shifted in time and scaled to open at the last close.

    Scaled prices are rounded to the 0.01 tick so ties between equal prices stay possible, as on the exchange;
    rounding is monotone, so high >= open, close >= low still holds.
    """
    step = int(candles.open_ms[1] - candles.open_ms[0])
    span = int(candles.open_ms[-1] - candles.open_ms[0]) + step
    parts, last_close, total, k = [], None, 0, 0
    while total < bars:
        scale = 1.0 if last_close is None else last_close / float(candles.open[0])
        prices = [np.round(getattr(candles, c) * scale, 2) for c in COLUMNS[1:5]]
        part = Candles(candles.open_ms + k * span, *prices, candles.volume)
        parts.append(part[: bars - total])
        last_close, total, k = float(prices[3][-1]), total + len(part), k + 1
    return Candles(*(np.concatenate([getattr(p, c) for p in parts]) for c in COLUMNS))
