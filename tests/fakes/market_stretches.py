"""Real stretches of BTCUSDT-1m.csv.gz for scenario tests, and scripted setups placed on them."""
from __future__ import annotations

from decimal import Decimal as D

import numpy as np

from tests.fakes.shared_data import load_candles
from trading.domain.candles import Candles
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal

SPOT, PERP = "BTC/USDT", "BTC/USDT:USDT"
SELL_OFF = 1_755_174_600_000        # 2025-08-14 12:30 UTC: the close of the 12:29 bar, before the largest drop
SQUEEZE = 1_752_182_160_000         # 2025-07-10 21:16 UTC: the close of the 21:15 bar, before the largest rise


def minutes_around(ms: int, before: int = 120, after: int = 120) -> Candles:
    """Return real 1m candles from `before` minutes before ms to `after` minutes after it."""
    candles = load_candles("BTCUSDT-1m.csv.gz")
    i = int(np.searchsorted(candles.open_ms, ms))
    return candles[i - before: i + after]


def long_signal(known_at_ms: int, entry: str, stop: str, take_profit: str, setup: str,
                symbol: str = SPOT) -> Signal:
    """Return a long setup of the scripted strategy known at known_at_ms."""
    return Signal(symbol, "scripted", PositionSide.LONG, D(entry), D(stop), D(take_profit), 0.7, known_at_ms, "1m",
                  f"scripted setup {setup}", f"scripted:{setup}")
