"""Access to the real Binance candles in ../shared/data, which CI places beside the clone."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from trading.domain.candles import Candles

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared_data_path(name: str) -> Path:
    """Return the path of a shared data file such as 'BTCUSDT-1m.csv.gz', skipping the test if absent."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"shared data {path} not present")
    return path


@lru_cache(maxsize=16)
def load_candles(name: str) -> Candles:
    """Return the candles of a shared data file (cached: tests must not mutate the arrays)."""
    return Candles.from_frame(pd.read_csv(shared_data_path(name)))
