"""What the bot sees now, for `/signals`: live zones, nearest liquidity, trend per timeframe, regime."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import numpy as np

from trading.domain.candles import Timeframe
from trading.indicators.ict import ICTSnapshot
from trading.indicators.regime import Regime, regime_at
from trading.strategies.market_analysis import MarketAnalysis
from trading.strategies.setups import price

ZONE_TIMEFRAMES = (Timeframe.M15, Timeframe.H1)
TREND_TIMEFRAMES = (Timeframe.M1, Timeframe.M15, Timeframe.H1)


class Direction(StrEnum):
    """Which way a zone faces or a trend points."""

    UP = "up"
    DOWN = "down"
    NONE = "none"

    @classmethod
    def of(cls, sign: int) -> "Direction":
        """Return the direction of +1 / -1 / 0."""
        return cls.UP if sign > 0 else cls.DOWN if sign < 0 else cls.NONE


@dataclass(frozen=True, slots=True)
class Zone:
    """An unfilled FVG, a live order block or a breaker: UP is demand (support), DOWN supply."""

    timeframe: str
    kind: str                # "FVG", "OB" or "breaker"
    direction: Direction
    bottom: Decimal
    top: Decimal
    known_at_ms: int
    retested: bool           # price has come back into it since it formed


@dataclass(frozen=True, slots=True)
class LiquidityPool:
    """Resting stops: buy-side (BSL) above equal or swing highs, sell-side (SSL) below lows."""

    timeframe: str
    side: str                # "BSL" or "SSL"
    price: Decimal
    members: int             # 1: a single swing; >= 2: equal highs / lows
    known_at_ms: int


@dataclass(frozen=True, slots=True)
class TimeframeTrend:
    """The direction of the last structure break on one timeframe."""

    timeframe: str
    direction: Direction


@dataclass(frozen=True, slots=True)
class MarketPicture:
    """The zones, liquidity and trends of one symbol at as_of_ms, nearest zones first."""

    symbol: str
    as_of_ms: int
    last_price: Decimal
    regime: Regime
    trends: tuple[TimeframeTrend, ...]
    zones: tuple[Zone, ...]
    liquidity_above: LiquidityPool | None
    liquidity_below: LiquidityPool | None


def market_picture(analysis: MarketAnalysis, max_zones: int = 10) -> MarketPicture | None:
    """Return what the strategies see at the newest close of the view (None without candles)."""
    loaded = [tf for tf in TREND_TIMEFRAMES if len(analysis.candles(tf)) > 0]
    if not loaded:
        return None
    finest = analysis.candles(loaded[0])
    as_of = int(finest.open_ms[-1]) + loaded[0].ms
    last = float(finest.close[-1])
    zones = [z for tf in ZONE_TIMEFRAMES if tf in loaded for z in _zones(analysis, tf)]
    zones.sort(key=lambda z: min(abs(float(z.top) - last), abs(float(z.bottom) - last)))
    pools = [p for tf in ZONE_TIMEFRAMES if tf in loaded for p in _pools(analysis, tf)]
    above = [p for p in pools if p.side == "BSL" and float(p.price) > last]
    below = [p for p in pools if p.side == "SSL" and float(p.price) < last]
    return MarketPicture(
        symbol=analysis.symbol, as_of_ms=as_of, last_price=price(last),
        regime=regime_at(analysis.candles(Timeframe.D1), as_of),
        trends=tuple(TimeframeTrend(tf.value, Direction.of(analysis.ict(tf).trend_at(-1))) for tf in loaded),
        zones=tuple(zones[:max_zones]),
        liquidity_above=min(above, key=lambda p: p.price, default=None),
        liquidity_below=max(below, key=lambda p: p.price, default=None),
    )


def _zones(analysis: MarketAnalysis, tf: Timeframe) -> list[Zone]:
    ict, t = analysis.ict(tf), len(analysis.candles(tf)) - 1
    open_ms = analysis.candles(tf).open_ms
    out = []
    for kind, table, retest in (("FVG", ict.fvgs.active_at(t), "touched"), ("OB", ict.order_blocks.active_at(t),
                                "touched"), ("breaker", ict.breakers.active_at(t), "retest")):
        for r in range(len(table)):
            out.append(Zone(tf.value, kind, Direction.of(int(table.direction[r])), price(table.bottom[r]),
                            price(table.top[r]), int(open_ms[table.known_at[r]]) + tf.ms,
                            bool(getattr(table, retest)[r] >= 0)))
    return out


def _pools(analysis: MarketAnalysis, tf: Timeframe) -> list[LiquidityPool]:
    ict: ICTSnapshot = analysis.ict(tf)
    t = len(analysis.candles(tf)) - 1
    levels = ict.liquidity.active_at(t)
    open_ms = analysis.candles(tf).open_ms
    pool = levels.pool
    return [LiquidityPool(tf.value, "BSL" if levels.direction[r] > 0 else "SSL", price(pool[r]),
                          int(levels.count[r]), int(open_ms[levels.known_at[r]]) + tf.ms)
            for r in np.arange(len(levels))]
