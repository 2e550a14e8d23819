"""Order blocks created by structure breaks, with touched / broken states (ict.md 5)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from trading.domain.candles import Candles
from trading.indicators.ict.event_table import NOT_YET, EventTable
from trading.indicators.ict.market_structure import StructureBreaks
from trading.indicators.ict.params import ObBreakOn, ObCandle, ObZone
from trading.indicators.ict.price_crossings import PriceSearch


@dataclass(frozen=True, slots=True, eq=False)
class OrderBlocks(EventTable):
    """Every order block: index = the OB candle, known_at = the structure break that created it.

    ref_index is the broken pivot. Bullish: touched low <= top, broken close (wick: low, body: body
    bottom) < bottom; bearish mirrored. `expires` is the last active bar (-1: never expires).
    """

    END_STATE: ClassVar[str | None] = "broken"
    STATE_COLUMNS: ClassVar[tuple[str, ...]] = ("touched", "broken")

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    ref_index: np.ndarray
    touched: np.ndarray
    broken: np.ndarray
    expires: np.ndarray


def order_blocks(search: PriceSearch, candles: Candles, breaks: StructureBreaks,
                 ob_candle: ObCandle = ObCandle.EXTREME, zone: ObZone = ObZone.RANGE,
                 break_on: ObBreakOn = ObBreakOn.CLOSE, max_age: int | None = None) -> OrderBlocks:
    """Return one order block per structure break: the leg's extreme candle (or last opposite candle)."""
    side = breaks.direction.astype(np.int64)
    k = breaks.leg_index
    if ob_candle is ObCandle.LAST_OPPOSITE:
        k = _last_opposite(candles, breaks.ref_index, k, side)
    top, bottom = _zone(candles, k, side, zone)
    known = breaks.known_at
    expires = known + max_age if max_age is not None else np.full(k.size, NOT_YET, np.int64)
    end = np.where(expires == NOT_YET, search.bars - 1, expires)
    touched, broken = (np.full(k.size, NOT_YET, np.int64) for _ in range(2))
    series = {ObBreakOn.CLOSE: ("close", "close"), ObBreakOn.WICK: ("low", "high"),
              ObBreakOn.BODY: ("body_bottom", "body_top")}[break_on]
    for s in (1, -1):
        rows = np.flatnonzero(side == s)
        start = known[rows] + 1
        if s > 0:
            touched[rows] = search.first_below("low", start, end[rows], top[rows], strict=False)
            broken[rows] = search.chain_below(series[0], touched[rows], end[rows], bottom[rows], strict=True)
        else:
            touched[rows] = search.first_above("high", start, end[rows], bottom[rows], strict=False)
            broken[rows] = search.chain_above(series[1], touched[rows], end[rows], top[rows], strict=True)
    return OrderBlocks(k.copy(), known.copy(), breaks.direction.copy(), top, bottom,
                       breaks.ref_index.copy(), touched, broken, expires.astype(np.int64))


def _last_opposite(candles: Candles, ref: np.ndarray, k: np.ndarray, side: np.ndarray) -> np.ndarray:
    # bullish OB: last down-close candle in (pivot, k]; bearish: last up-close candle; else k itself
    bars = np.arange(len(candles))
    out = k.copy()
    for s, opposite in ((1, candles.close < candles.open), (-1, candles.close > candles.open)):
        latest = np.maximum.accumulate(np.where(opposite, bars, -1)) if bars.size else bars
        rows = np.flatnonzero(side == s)
        found = latest[k[rows]]
        out[rows] = np.where(found > ref[rows], found, k[rows])
    return out


def _zone(candles: Candles, k: np.ndarray, side: np.ndarray, zone: ObZone) -> tuple[np.ndarray, np.ndarray]:
    top, bottom = candles.high[k], candles.low[k]
    if zone is ObZone.BODY_TO_WICK:
        top = np.where(side > 0, np.maximum(candles.open[k], candles.close[k]), top)
        bottom = np.where(side < 0, np.minimum(candles.open[k], candles.close[k]), bottom)
    return top.astype(np.float64), bottom.astype(np.float64)
