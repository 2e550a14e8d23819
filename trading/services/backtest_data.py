"""Where a backtest's candles come from: a CSV(.gz) file, the SQLite candle cache, or the exchange (then cached).

The strategies need history before the traded period to warm their indicators up, so a period is loaded
with WARMUP_DAYS before it (the trend strategy's daily EMA200 needs TREND_WARMUP_DAYS). Without a start,
the cache's candles are all the data there is; from the exchange it means the last DEFAULT_DAYS.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from trading.adapters.candle_backfill import CandleCache
from trading.backtest.history import MarketHistory, history_from_candles, read_candles, read_funding
from trading.backtest.metrics import DAY_MS
from trading.backtest.periods import PeriodWithoutData
from trading.backtest.strategy_specs import spec_named
from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import ConfigurationError, TradingError

WARMUP_DAYS = 7
TREND_WARMUP_DAYS = 210
DEFAULT_DAYS = 30
MIN_CACHED_BARS = 2 * 1440 // 60      # less than a couple of days of hours is not worth backtesting


class CandleSource(Protocol):
    """Where candles the cache lacks come from: the bot's market feed, or the CLI's exchange connected on demand."""

    async def candles(self, symbol: str, timeframe: Timeframe, limit: int = 500) -> Candles:
        """Return the newest candles, oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class LoadedHistory:
    """A history and a few words on where it came from."""

    history: MarketHistory
    source: str


def strategy_timeframe(strategy: str) -> Timeframe:
    """Return the finest timeframe a strategy reads: the bars to load for it when none is asked for."""
    return min(spec_named(strategy).strategy().timeframes, key=lambda tf: tf.ms)


def warmup_ms(strategy: str) -> int:
    """Return how much history before the period the strategy needs."""
    days = TREND_WARMUP_DAYS if spec_named(strategy).name == "trend" else WARMUP_DAYS
    return days * DAY_MS


def history_from_file(path: Path, symbol: str, timeframe: Timeframe | None = None,
                      funding: Path | None = None, keep_in: Path | None = None) -> LoadedHistory:
    """Return the history in a candle file (its own timeframe unless a coarser one is asked for).

    keep_in: a folder where the parsed candles are kept, so the next run on the same file skips the parse.
    """
    candles = read_candles(path, keep_in)
    rates = read_funding(funding) if funding is not None else None
    return LoadedHistory(history_from_candles(symbol, candles, timeframe, rates), f"file {path.name}")


async def history_from_store(symbol: str, strategy: str, timeframe: Timeframe | None, start_ms: int | None,
                             end_ms: int | None, now_ms: int, *, cache: CandleCache | None,
                             market: CandleSource | None, exchange: str = "exchange") -> LoadedHistory:
    """Return the history from the candle cache when it covers the period, else from the market feed."""
    timeframe = timeframe or strategy_timeframe(strategy)
    until = end_ms if end_ms is not None else now_ms
    since = (start_ms if start_ms is not None else until - DEFAULT_DAYS * DAY_MS) - warmup_ms(strategy)
    if cache is not None:
        # without a start, all the cached candles are "all the data"
        cached = await cache.load_candles(symbol, timeframe, since if start_ms is not None else None, until)
        if _covers(cached, since if start_ms is not None else None, timeframe):
            return LoadedHistory(history_from_candles(symbol, cached, timeframe), "candle cache")
    if market is None:
        raise ConfigurationError(f"no cached {timeframe} candles of {symbol} for that period and no exchange to "
                                 f"download them from; pass --data PATH to a candle file")
    try:
        candles = await market.candles(symbol, timeframe, max(2, (now_ms - since) // timeframe.ms))
    except TradingError as exc:
        raise ConfigurationError(f"cannot load {timeframe} candles of {symbol}: {exc}") from None
    within = candles.closed_before(until)
    if len(within) < 2:
        raise PeriodWithoutData(f"{timeframe} candles of {symbol}", _days_covered(candles))
    return LoadedHistory(history_from_candles(symbol, within, timeframe), exchange)


def _days_covered(candles: Candles) -> tuple[str, str] | None:
    """Return the first and last day of candles (None for none)."""
    if len(candles) == 0:
        return None
    first, last = (str(np.datetime64(int(ms), "ms").astype("datetime64[D]"))
                   for ms in (candles.open_ms[0], candles.open_ms[-1]))
    return first, last


def _covers(cached: Candles, since_ms: int | None, timeframe: Timeframe) -> bool:
    if len(cached) < MIN_CACHED_BARS:
        return False
    return since_ms is None or int(cached.open_ms[0]) <= since_ms + timeframe.ms
