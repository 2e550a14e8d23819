"""Candles as columns of numpy arrays, and the timeframes they come in."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from trading.domain.errors import echoed

if TYPE_CHECKING:
    import pandas as pd

MINUTE_MS = 60_000


class Timeframe(StrEnum):
    """A candle period, spelled the way ccxt and Binance spell it."""

    M1 = "1m"
    M5 = "5m"
    M15 = "15m"
    H1 = "1h"
    H4 = "4h"
    D1 = "1d"

    @property
    def ms(self) -> int:
        """Return the length of one candle in milliseconds."""
        return _TIMEFRAME_MS[self]

    @classmethod
    def parse(cls, text: str) -> "Timeframe":
        """Return the timeframe for text such as '15m', or raise ValueError naming the accepted ones."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            accepted = ", ".join(t.value for t in cls)
            raise ValueError(f"unknown timeframe {echoed(text)}; use one of {accepted}") from None


_TIMEFRAME_MS = {
    Timeframe.M1: MINUTE_MS,
    Timeframe.M5: 5 * MINUTE_MS,
    Timeframe.M15: 15 * MINUTE_MS,
    Timeframe.H1: 60 * MINUTE_MS,
    Timeframe.H4: 240 * MINUTE_MS,
    Timeframe.D1: 1440 * MINUTE_MS,
}

COLUMNS = ("open_ms", "open", "high", "low", "close", "volume")


@dataclass(frozen=True, slots=True)
class Candle:
    """One closed candle; prices as floats parsed from the exchange's shortest decimal text."""

    open_ms: int
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass(frozen=True, slots=True, eq=False)
class Candles:
    """A run of candles in time order, one numpy array per field (open time in epoch ms)."""

    open_ms: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __len__(self) -> int:
        return int(self.open_ms.shape[0])

    def __getitem__(self, key: slice) -> "Candles":
        if not isinstance(key, slice):
            raise TypeError("Candles supports slicing only; use .at(i) for one candle")
        return Candles(*(getattr(self, c)[key] for c in COLUMNS))

    def at(self, i: int) -> Candle:
        """Return candle i (negative counts from the end)."""
        return Candle(int(self.open_ms[i]), float(self.open[i]), float(self.high[i]),
                      float(self.low[i]), float(self.close[i]), float(self.volume[i]))

    def equals(self, other: "Candles") -> bool:
        """Return True when both hold the same candles bar for bar."""
        return len(self) == len(other) and all(
            np.array_equal(getattr(self, c), getattr(other, c)) for c in COLUMNS)

    def fingerprint(self) -> bytes:
        """Return a digest of the candles (microseconds for 1,500 bars): equal candles, equal digest."""
        digest = hashlib.blake2b(digest_size=16)
        for column in (self.open_ms, self.open, self.high, self.low, self.close, self.volume):
            digest.update(np.ascontiguousarray(column).tobytes())
        return digest.digest()

    def closed_before(self, ms: int) -> "Candles":
        """Return the candles whose open time is before ms (use with close times to keep closed bars)."""
        return self[: int(np.searchsorted(self.open_ms, ms, side="left"))]

    @classmethod
    def empty(cls) -> "Candles":
        """Return a run of no candles."""
        return cls(np.empty(0, np.int64), *(np.empty(0, np.float64) for _ in range(5)))

    @classmethod
    def from_rows(cls, rows: list[Candle] | list[tuple]) -> "Candles":
        """Build from Candle values or (open_ms, o, h, l, c, v) tuples."""
        if not rows:
            return cls.empty()
        cols = list(zip(*[(r.open_ms, r.open, r.high, r.low, r.close, r.volume)
                          if isinstance(r, Candle) else tuple(r) for r in rows]))
        return cls(np.asarray(cols[0], np.int64), *(np.asarray(c, np.float64) for c in cols[1:]))

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> "Candles":
        """Build from a frame with columns timestamp_ms|open_ms, open, high, low, close, volume."""
        ts = df["open_ms"] if "open_ms" in df.columns else df["timestamp_ms"]
        return cls(ts.to_numpy(np.int64), *(df[c].to_numpy(np.float64) for c in COLUMNS[1:]))

    def to_frame(self) -> pd.DataFrame:
        """Return a frame indexed by UTC open time with open, high, low, close, volume columns."""
        import pandas as pd     # only frames need pandas; importing it costs a command line a quarter second

        index = pd.to_datetime(self.open_ms, unit="ms", utc=True)
        return pd.DataFrame({c: getattr(self, c) for c in COLUMNS[1:]}, index=index)

    def concat(self, other: "Candles") -> "Candles":
        """Return these candles followed by the newer ones in other (overlaps keep other's bars)."""
        if len(self) == 0:
            return other
        if len(other) == 0:
            return self
        keep = self.closed_before(int(other.open_ms[0]))
        return Candles(*(np.concatenate([getattr(keep, c), getattr(other, c)]) for c in COLUMNS))
