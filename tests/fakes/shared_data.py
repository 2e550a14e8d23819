"""Access to the real Binance candles in ../shared/data, which CI places beside the clone."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from trading.domain.candles import Candles

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def running_in_ci() -> bool:
    """Return True on a CI runner (CI=true, as GitHub Actions, GitLab and most others set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def shared_data_path(name: str) -> Path:
    """Return the path of a shared data file such as 'BTCUSDT-1m.csv.gz'.

    Absent, the test is skipped on a developer's machine, but fails in CI: a green run with a third of the
    tests skipped would say nothing.
    """
    path = SHARED_DATA / name
    if not path.exists():
        if running_in_ci():
            pytest.fail(f"shared data {path} not present: CI must place ../shared/data beside the clone")
        pytest.skip(f"shared data {path} not present")
    return path


@lru_cache(maxsize=16)
def load_candles(name: str) -> Candles:
    """Return the candles of a shared data file (cached: tests must not mutate the arrays)."""
    return Candles.from_frame(pd.read_csv(shared_data_path(name)))
