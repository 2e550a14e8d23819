"""Hand-built candle sequences for the ICT tests, including the worked example of ict.md section 9."""
from __future__ import annotations

from trading.domain.candles import Candles

START_MS = 1_700_000_000_000 - 1_700_000_000_000 % 900_000
STEP_MS = 900_000  # 15m bars

WORKED_EXAMPLE = [  # open, high, low, close (ict.md section 9)
    (100.0, 102.0, 99.5, 101.5),
    (101.5, 105.0, 101.0, 104.5),
    (104.5, 104.6, 101.2, 101.8),
    (101.8, 102.5, 100.0, 102.2),
    (102.2, 104.95, 102.0, 104.6),
    (104.6, 104.7, 103.2, 103.9),
    (103.9, 105.5, 103.8, 104.0),
    (104.0, 104.2, 98.5, 99.0),
    (99.0, 99.8, 97.0, 97.5),
    (97.5, 101.9, 97.2, 101.5),
    (101.5, 104.5, 101.0, 104.2),
    (104.2, 106.2, 104.0, 106.0),
    (106.0, 106.5, 105.0, 105.3),
    (105.3, 107.0, 105.2, 106.8),
]


def ohlc_candles(rows: list[tuple[float, float, float, float]]) -> Candles:
    """Return 15m candles from (open, high, low, close) rows, volume 1."""
    return Candles.from_rows([(START_MS + i * STEP_MS, o, h, lo, c, 1.0) for i, (o, h, lo, c) in enumerate(rows)])


def worked_example(bars: int = 14) -> Candles:
    """Return the first `bars` candles of the worked example of ict.md section 9."""
    return ohlc_candles(WORKED_EXAMPLE[:bars])


def bar(high: float, low: float, up: bool = True) -> tuple[float, float, float, float]:
    """Return one (open, high, low, close) row whose body spans 3/4 of its range, up or down."""
    quarter = (high - low) / 4
    return (low + quarter, high, low, high - quarter) if up else (high - quarter, high, low, low + quarter)
