"""The market history a backtest walks: bars of one timeframe, optional 1m bars inside them, funding rates.

The bars are what the simulation steps through (entries fill at a bar's open, exits are checked against
its high and low). The 1m bars, when given for coarser bars, resolve what happened first inside a bar
that touches both a stop and a target. Funding rates (8-hourly, as Binance publishes them) apply to
futures positions; without them a constant rate is used.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Mapping

import numpy as np

from trading.adapters.candle_files import read_candle_file, read_funding_file
from trading.backtest.periods import PeriodWithoutData
from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import ConfigurationError
from trading.indicators.timeframes import resample
from trading.strategies.base import MarketView

DEFAULT_FUNDING_RATE = Decimal("0.0001")     # Binance's baseline rate per 8 hours (0.01%)


@dataclass(frozen=True, slots=True, eq=False)
class FundingRates:
    """Funding events: epoch ms and the rate of each, as a fraction per funding period."""

    times_ms: np.ndarray
    rates: np.ndarray

    def rate_at(self, ts_ms: int, default: Decimal = DEFAULT_FUNDING_RATE) -> Decimal:
        """Return the rate of the last funding event at or before ts_ms (default before the first)."""
        i = int(np.searchsorted(self.times_ms, ts_ms, side="right")) - 1
        return Decimal(repr(float(self.rates[i]))) if i >= 0 else default


@dataclass(frozen=True, slots=True, eq=False)
class MarketHistory:
    """Bars of one symbol and timeframe, oldest first, with what refines them."""

    symbol: str
    timeframe: Timeframe
    candles: Candles
    minutes: Candles | None = None          # 1m bars inside the bars, when the bars are coarser
    funding: FundingRates | None = None

    def __post_init__(self) -> None:
        if len(self.candles) < 2:
            raise ValueError(f"a backtest needs at least two {self.timeframe} bars of {self.symbol}")

    @property
    def close_ms(self) -> np.ndarray:
        """Return each bar's close time (the moment its information is known)."""
        return self.candles.open_ms + self.timeframe.ms

    def view(self, params: Mapping[str, float] | None = None) -> MarketView:
        """Return the strategies' view of the whole history: the finest bars loaded, higher ones resampled."""
        frames = {self.timeframe: self.candles}
        if self.minutes is not None and self.timeframe is not Timeframe.M1:
            frames[Timeframe.M1] = self.minutes
        return MarketView(self.symbol, frames, dict(params or {}))

    def window(self, start_ms: int | None, end_ms: int | None) -> tuple[int, int]:
        """Return the bar indices [first, end) whose open time lies in [start_ms, end_ms)."""
        open_ms = self.candles.open_ms
        first = 0 if start_ms is None else int(np.searchsorted(open_ms, start_ms, side="left"))
        end = len(open_ms) if end_ms is None else int(np.searchsorted(open_ms, end_ms, side="left"))
        if end - first < 2:
            raise PeriodWithoutData(f"{self.timeframe} bars of {self.symbol}",
                                    (iso_day(int(open_ms[0])), iso_day(int(open_ms[-1]))))
        return first, end


def detect_timeframe(candles: Candles) -> Timeframe:
    """Return the timeframe of candles from their smallest spacing, or raise ConfigurationError."""
    if len(candles) < 2:
        raise ConfigurationError("the candle file holds fewer than two candles")
    step = int(np.min(np.diff(candles.open_ms[:5000])))
    for timeframe in Timeframe:
        if timeframe.ms == step:
            return timeframe
    raise ConfigurationError(f"candles spaced {step // 1000} s apart match no supported timeframe")


def history_from_candles(symbol: str, candles: Candles, timeframe: Timeframe | None = None,
                         funding: FundingRates | None = None) -> MarketHistory:
    """Return a history at timeframe (default: the candles' own); 1m candles are kept to refine coarser bars."""
    own = detect_timeframe(candles)
    wanted = timeframe or own
    if wanted.ms < own.ms:
        raise ConfigurationError(f"the data is {own} candles; it cannot be backtested on the finer {wanted}")
    if wanted is own:
        return MarketHistory(symbol, own, candles, None, funding)
    minutes = candles if own is Timeframe.M1 else None
    return MarketHistory(symbol, wanted, resample(candles, wanted), minutes, funding)


def read_candles(path: Path, keep_in: Path | None = None) -> Candles:
    """Return the candles of a timestamp_ms,open,high,low,close,volume CSV(.gz) file (keep_in: parsed copies)."""
    return read_candle_file(path, keep_in)


def read_funding(path: Path) -> FundingRates:
    """Return the funding events of a timestamp_ms,funding_rate CSV(.gz) file."""
    return FundingRates(*read_funding_file(path))


def iso_day(ms: int) -> str:
    """Return the UTC day of ms as YYYY-MM-DD."""
    return str(np.datetime64(ms, "ms").astype("datetime64[D]"))
