"""Which candles a backfill or a poll must download: closed-candle boundaries and what a cache already holds."""
from __future__ import annotations

from typing import Protocol

import numpy as np

from trading.domain.candles import COLUMNS, Candles, Timeframe


class CandleCache(Protocol):
    """Where downloaded candles are kept so restarts and backtests do not download them again."""

    async def load_candles(self, symbol: str, timeframe: Timeframe, since_ms: int | None = None,
                           until_ms: int | None = None) -> Candles:
        """Return cached candles with since_ms <= open_ms < until_ms, in time order."""
        ...

    async def save_candles(self, symbol: str, timeframe: Timeframe, candles: Candles) -> None:
        """Insert or replace candles."""
        ...


def last_closed_open_ms(now_ms: int, timeframe: Timeframe, grace_ms: int = 0) -> int:
    """Return the open time of the newest candle that closed at least grace_ms before now_ms."""
    settled = now_ms - grace_ms
    return settled - settled % timeframe.ms - timeframe.ms


def between(candles: Candles, first_ms: int, last_ms: int) -> Candles:
    """Return the candles whose open time lies in [first_ms, last_ms]."""
    lo = int(np.searchsorted(candles.open_ms, first_ms, side="left"))
    hi = int(np.searchsorted(candles.open_ms, last_ms, side="right"))
    return candles[lo:hi]


def missing_ranges(cached: Candles, first_ms: int, last_ms: int, timeframe: Timeframe) -> list[tuple[int, int]]:
    """Return the open-time ranges (first, last) to download so that cached covers [first_ms, last_ms].

    Only the head and the tail are filled: holes inside a cached run are the exchange's own outages,
    because the cache only ever receives contiguous downloads.
    """
    if first_ms > last_ms:
        return []
    if len(cached) == 0:
        return [(first_ms, last_ms)]
    ranges = []
    if int(cached.open_ms[0]) > first_ms:
        ranges.append((first_ms, int(cached.open_ms[0]) - timeframe.ms))
    if int(cached.open_ms[-1]) < last_ms:
        ranges.append((int(cached.open_ms[-1]) + timeframe.ms, last_ms))
    return ranges


def merged(parts: list[Candles]) -> Candles:
    """Return the candles of all parts in time order, each open time once (later parts win)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return Candles.empty()
    if len(parts) == 1:
        return parts[0]
    open_ms = np.concatenate([p.open_ms for p in parts])
    # stable sort, then keep the last occurrence of each open time so later parts replace earlier ones
    order = np.argsort(open_ms, kind="stable")
    sorted_ms = open_ms[order]
    keep = order[np.r_[sorted_ms[1:] != sorted_ms[:-1], True]]
    return Candles(*(np.concatenate([getattr(p, c) for p in parts])[keep] for c in COLUMNS))


def streamed_through(streamed: Candles, due_ms: int, timeframe: Timeframe) -> int:
    """Return the newest open time a poll may emit: due_ms, or later while streamed closed candles follow on."""
    last = due_ms
    i = int(np.searchsorted(streamed.open_ms, last + timeframe.ms))
    while i < len(streamed) and int(streamed.open_ms[i]) == last + timeframe.ms:
        last += timeframe.ms
        i += 1
    return last


def hole_span(candles: Candles, first_ms: int, last_ms: int, timeframe: Timeframe) -> tuple[int, int] | None:
    """Return (first, last) open times spanning every candle of [first_ms, last_ms] that candles lack, or None."""
    if first_ms > last_ms:
        return None
    inside = between(candles, first_ms, last_ms)
    if len(inside) == (last_ms - first_ms) // timeframe.ms + 1:
        return None
    present = set(inside.open_ms.tolist())
    missing = [t for t in range(first_ms, last_ms + 1, timeframe.ms) if t not in present]
    return missing[0], missing[-1]
